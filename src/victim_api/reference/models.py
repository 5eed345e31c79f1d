"""The seeded reference tables (rows mirror ``reference.data``)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class CrimeTypeRow(SQLModel, table=True):
    __tablename__ = "crime_type"

    code: str = Field(primary_key=True, max_length=40)
    label: str = Field(max_length=120)
    category: str = Field(max_length=40)
    most_serious: bool
    weight: int


class BoroughRow(SQLModel, table=True):
    __tablename__ = "borough"

    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=80)
    ons_code: str = Field(max_length=9, unique=True)
