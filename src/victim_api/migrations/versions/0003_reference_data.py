"""Reference data: the crime-type taxonomy and London's boroughs, seeded.

The rows are written out here (not imported) so this migration never changes.

Revision ID: 0003_reference
Revises: 0002_access
Create Date: 2026-12-01 08:53:19.002275
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_reference"
down_revision: str | None = "0002_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CRIME_TYPES = [
    ("BURGLARY_RESIDENTIAL", "Burglary of a home", "PROPERTY", False, 60),
    ("ROBBERY", "Robbery", "VIOLENCE", False, 35),
    ("THEFT", "Theft", "PROPERTY", False, 300),
    ("VEHICLE_CRIME", "Vehicle crime", "PROPERTY", False, 110),
    ("CRIMINAL_DAMAGE", "Criminal damage", "PROPERTY", False, 60),
    ("ASSAULT", "Assault", "VIOLENCE", False, 150),
    ("WOUNDING_GBH_WITH_INTENT", "Wounding or GBH with intent", "VIOLENCE", True, 8),
    ("DOMESTIC_ABUSE", "Domestic abuse", "DOMESTIC", True, 90),
    ("SEXUAL_OFFENCE", "Sexual offence", "SEXUAL", True, 22),
    ("STALKING_HARASSMENT", "Stalking or harassment", "HARASSMENT", False, 70),
    ("HATE_CRIME", "Hate crime", "HATE", True, 20),
    ("FRAUD", "Fraud", "FRAUD", False, 50),
    ("ARSON_ENDANGER_LIFE", "Arson with intent to endanger life", "PROPERTY", True, 1),
    ("ATTEMPTED_MURDER", "Attempted murder", "VIOLENCE", True, 1),
    ("HOMICIDE", "Homicide", "VIOLENCE", True, 1),
    ("KIDNAP_FALSE_IMPRISONMENT", "Kidnap or false imprisonment", "VIOLENCE", True, 2),
    ("HUMAN_TRAFFICKING", "Human trafficking or modern slavery", "EXPLOITATION", True, 2),
    ("TERRORISM", "Terrorism", "TERRORISM", True, 1),
]
BOROUGHS = [
    ("CITY_OF_LONDON", "City of London", "E09000001"),
    ("BARKING_AND_DAGENHAM", "Barking and Dagenham", "E09000002"),
    ("BARNET", "Barnet", "E09000003"),
    ("BEXLEY", "Bexley", "E09000004"),
    ("BRENT", "Brent", "E09000005"),
    ("BROMLEY", "Bromley", "E09000006"),
    ("CAMDEN", "Camden", "E09000007"),
    ("CROYDON", "Croydon", "E09000008"),
    ("EALING", "Ealing", "E09000009"),
    ("ENFIELD", "Enfield", "E09000010"),
    ("GREENWICH", "Greenwich", "E09000011"),
    ("HACKNEY", "Hackney", "E09000012"),
    ("HAMMERSMITH_AND_FULHAM", "Hammersmith and Fulham", "E09000013"),
    ("HARINGEY", "Haringey", "E09000014"),
    ("HARROW", "Harrow", "E09000015"),
    ("HAVERING", "Havering", "E09000016"),
    ("HILLINGDON", "Hillingdon", "E09000017"),
    ("HOUNSLOW", "Hounslow", "E09000018"),
    ("ISLINGTON", "Islington", "E09000019"),
    ("KENSINGTON_AND_CHELSEA", "Kensington and Chelsea", "E09000020"),
    ("KINGSTON_UPON_THAMES", "Kingston upon Thames", "E09000021"),
    ("LAMBETH", "Lambeth", "E09000022"),
    ("LEWISHAM", "Lewisham", "E09000023"),
    ("MERTON", "Merton", "E09000024"),
    ("NEWHAM", "Newham", "E09000025"),
    ("REDBRIDGE", "Redbridge", "E09000026"),
    ("RICHMOND_UPON_THAMES", "Richmond upon Thames", "E09000027"),
    ("SOUTHWARK", "Southwark", "E09000028"),
    ("SUTTON", "Sutton", "E09000029"),
    ("TOWER_HAMLETS", "Tower Hamlets", "E09000030"),
    ("WALTHAM_FOREST", "Waltham Forest", "E09000031"),
    ("WANDSWORTH", "Wandsworth", "E09000032"),
    ("WESTMINSTER", "Westminster", "E09000033"),
]


def upgrade() -> None:
    borough = op.create_table(
        "borough",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("ons_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_borough")),
        sa.UniqueConstraint("ons_code", name=op.f("uq_borough_ons_code")),
    )
    crime_type = op.create_table(
        "crime_type",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("most_serious", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_crime_type")),
    )
    op.bulk_insert(
        crime_type,
        [
            {"code": c, "label": label, "category": cat, "most_serious": serious, "weight": w}
            for c, label, cat, serious, w in CRIME_TYPES
        ],
    )
    op.bulk_insert(borough, [{"code": c, "name": n, "ons_code": o} for c, n, o in BOROUGHS])


def downgrade() -> None:
    op.drop_table("crime_type")
    op.drop_table("borough")
