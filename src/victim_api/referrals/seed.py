"""The demo seeder: referrals of demo victims to services of the demo partner's
organisation (``demo-partner`` is bound to the sample directory's "Lanternwick
Victim Care (Sample)", ``platform.demo_clients.DEMO_PARTNER_ORGANISATION``), so
``make run`` has something to pull. Idempotent: a victim already referred to the
chosen service is left alone. Consent is recorded first where the rule needs it.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session

from victim_api.cases import service as cases
from victim_api.directory import service as directory
from victim_api.platform.demo_clients import DEMO_PARTNER_ORGANISATION
from victim_api.platform.principal import Caller, Channel, Principal, system_caller
from victim_api.referrals import service
from victim_api.referrals.schemas import ReferralCreate
from victim_api.victims import service as victims
from victim_api.victims.schemas import ConsentCreate

CASE_NAMESPACE = uuid.UUID("6f1c2a4e-1d4b-5c3e-9a57-2c0de0cafe01")  # cases/demo.py
VICTIM_NAMESPACE = uuid.UUID("3b0e4c8a-7a55-5d0c-8f61-5e0a1c7d1c02")  # victims/seed.py

# (demo case key, demo victim key, needs)
DEMO_REFERRALS = [
    ("assault-bailed", "assault-parent", ["EMOTIONAL_SUPPORT", "PRACTICAL_HELP"]),
    ("domestic-abuse-rui", "domestic-abuse-victim", ["SAFETY_PLANNING", "EMOTIONAL_SUPPORT"]),
]


def _service_for(session: Session, case: object) -> str | None:
    found = directory.recommend_services(
        session,
        crime_type=case.crime_type,  # type: ignore[attr-defined]
        borough=case.borough,  # type: ignore[attr-defined]
        age=None,
        language=None,
        needs=[],
        enhanced=False,
        limit=100,
    )
    ours = [s["id"] for s in found if s["organization"]["id"] == DEMO_PARTNER_ORGANISATION]
    return ours[0] if ours else None


def seed(session: Session) -> list[str]:
    caller = system_caller("DEMO_DATA")
    made, lines = 0, []
    for case_key, victim_key, needs in DEMO_REFERRALS:
        case_id = str(uuid.uuid5(CASE_NAMESPACE, case_key))
        victim_id = str(uuid.uuid5(VICTIM_NAMESPACE, victim_key))
        if not (cases.case_exists(session, case_id) and victims.victim_exists(session, victim_id)):
            continue
        case = cases.require_case(session, case_id)
        service_id = _service_for(session, case)
        if service_id is None:
            lines.append(f"no demo-partner service takes {case.crime_type} in {case.borough}")
            continue
        already = session.execute(
            sa.select(service.REFERRALS.c.id).where(
                service.REFERRALS.c.victim_id == victim_id,
                service.REFERRALS.c.service_id == service_id,
            )
        ).first()
        if already is not None:
            continue
        if service.consent_rule(session, case.crime_type)["consent_required"] and not (
            victims.has_consent(session, victim_id, service.PURPOSE)
        ):
            victims.record_consent(
                session,
                caller,
                victim_id,
                ConsentCreate.model_validate(
                    {"purpose": service.PURPOSE, "decision": "GIVEN", "legal_basis": "CONSENT"}
                ),
            )
        service.create_referral(
            session,
            caller,
            ReferralCreate(
                case_id=case_id, victim_id=victim_id, service_id=service_id, needs=needs
            ),
        )
        made += 1
    if made == len(DEMO_REFERRALS):
        # First run: the demo partner has pulled its oldest referral but not yet
        # acknowledged it, so the worklist has one of each referral item.
        service.pull(session, _demo_partner(), limit=1)
        lines.append("the demo partner pulled 1 referral (not acknowledged)")
    return [f"{made} demo referrals to the demo partner's organisation created", *lines]


def _demo_partner() -> Caller:
    principal = Principal(
        client_id="demo-partner",
        channel=Channel.PARTNER,
        scopes=frozenset(),
        organisation_id=DEMO_PARTNER_ORGANISATION,
    )
    return Caller(principal=principal, purpose="DEMO_DATA", request_id="seed")
