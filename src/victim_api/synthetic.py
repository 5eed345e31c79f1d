"""``victim-api seed-synthetic``: Met-scale synthetic data for benchmarks and load tests.

Every name, number and reference is invented. Rows are written with SQLAlchemy
Core ``executemany`` in batches (no ORM objects), one transaction per batch, so
a million cases fit in minutes. Run ``migrate`` and ``seed-demo`` first: the
directory, the notification rules, the referral consent rules and the demo
partner come from there.

What a case gets, and how it follows the real write paths:

- London-like crime types (the ``weight`` of ``reference.data.CRIME_TYPES``) and
  boroughs (inner boroughs busier), reported over the three years before
  ``as_of``; crime references ``1000000/YY`` upwards (demo ones begin ``99``).
- A status history walked through ``cases.transitions.TRANSITIONS``, one
  timeline event per status change with the default victim text, plus the odd
  interview, update or internal note: about 4 events per case.
- A duty per event that has a notification rule, due per ``DeadlinePolicy``
  (working days, cut-off, bank holidays). Past-due duties are mostly met by a
  contact-log entry (some late), a few waived, the rest overdue.
- Entitlements from the crime type (and, for victims with a recorded date of
  birth, from age), with ``enhanced`` set to match, as ``create_case`` does.
- About 1.3 people per case with invented contact details and preferences;
  safety flags on a share of domestic-abuse victims.
- Referrals for about one case in five, to a directory service that takes the
  crime type, with a consent record where the crime type's rule needs one;
  older referrals acknowledged, recent ones pending for their organisation.
- A signed QR token bound to about one case in 25 (signing is about 1 ms each).

Verification secrets are the one honest shortcut. A real date of birth or PIN
is an argon2id hash (about 40 ms each here), so hashing a million would take
hours. Only the first ``VERIFIABLE`` people (a fixed subset) get a date of
birth, its hash and a PIN hash; everyone else has neither (a state the API
allows: the date of birth is optional and PINs are issued on request). Their
factors are written to ``--manifest`` (synthetic, for benchmark logins).

Deterministic: the same ``seed`` and ``as_of`` give the same rows, except the
QR tokens' signatures and times (ECDSA is randomised; keys are per install).
"""

from __future__ import annotations

import json
import random
import uuid
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from victim_api.cases import entitlements as ent
from victim_api.cases import service as cases
from victim_api.cases.events import DEFAULT_TEXT, INTERNAL_ONLY, STATUS_EVENTS, STATUS_SENTENCE
from victim_api.cases.events import EventType as E
from victim_api.cases.transitions import TRANSITIONS, CaseStatus
from victim_api.directory.models import Service, ServiceCrimeType
from victim_api.platform.audit import Operation, record
from victim_api.platform.db import Database, table_of
from victim_api.platform.keys import KeyStore
from victim_api.platform.principal import system_caller
from victim_api.platform.secrets import hash_secret
from victim_api.platform.tokens import sign
from victim_api.qr import service as qr
from victim_api.qr.codes import LEAFLET_CODES
from victim_api.reference.data import BOROUGHS, CRIME_TYPES
from victim_api.referrals.models import Referral, ReferralConsentRule
from victim_api.settings import Settings
from victim_api.victims.models import Victim, VictimConsent, VictimContact
from victim_api.victims.safety import ContactMethod, unsafe_reasons
from victim_api.victims.service import dob_secret

ACTOR = "synthetic-seed"
# The RFC 4122 variant bits (10xx) for a UUID's 17th hex digit.
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}
VERIFIABLE = 16  # people with a date of birth and PIN (argon2id each: see above)
MAX_CASES = 8_000_000  # crime references 1000000..8999999 stay clear of the demo's 99...
YEARS = 3

VICTIMS = table_of(Victim)
CONSENTS = table_of(VictimConsent)
CONTACTS = table_of(VictimContact)
REFERRALS = table_of(Referral)
CONSENT_RULES = table_of(ReferralConsentRule)
SERVICES = table_of(Service)
SERVICE_CRIME_TYPES = table_of(ServiceCrimeType)

# Inner London reports more crime per borough than outer London (roughly, per
# published Met borough totals); the City is small.
BUSY_BOROUGHS = {"WESTMINSTER": 4.0, "CAMDEN": 2.0, "LAMBETH": 1.8, "SOUTHWARK": 1.8}
BOROUGH_WEIGHTS = [
    BUSY_BOROUGHS.get(b.code, 0.3 if b.code == "CITY_OF_LONDON" else 1.0) for b in BOROUGHS
]
# How many status changes a case has seen (mean about 2.3).
STEPS = (0, 1, 1, 2, 2, 2, 3, 3, 4, 5)
EXTRA_EVENTS = (E.SUSPECT_INTERVIEWED, E.GENERAL_UPDATE, E.INTERNAL_NOTE)
GIVEN = ("Sam", "Alex", "Jordan", "Robin", "Casey", "Riley", "Morgan", "Taylor", "Jamie", "Avery")
FAMILY = ("Placeholder", "Example", "Sample", "Fictional", "Testcase", "Madeup", "Invented")
LANGUAGES = ("en-GB",) * 16 + ("cy", "pl", "ro", "bn", "so")
CHANNELS = ("PHONE_CALL", "PHONE_CALL", "EMAIL", "SMS", "LETTER")
FREQUENCIES = ("MILESTONES_ONLY", "EVERY_14_DAYS", "EVERY_28_DAYS")
OFFICERS = (
    ("DC Sam Placeholder", "Detective Constable", "CID", "+442079460101"),
    ("PC Alex Example", "Police Constable", "Response", "+442079460102"),
    ("DS Jordan Sample", "Detective Sergeant", "Public Protection Unit", "+442079460103"),
    ("DI Robin Fictional", "Detective Inspector", "Major Investigation Team", "+442079460104"),
)
REFERRAL_LATER = ("ACKNOWLEDGED", "ACCEPTED", "CONTACT_MADE", "CLOSED", "DECLINED")
OPEN_REFERRAL = {"CREATED", "SENT", "ACKNOWLEDGED", "ACCEPTED", "CONTACT_MADE"}
LEAFLET_FOR = {
    "DOMESTIC_ABUSE": "domestic-abuse",
    "FRAUD": "fraud",
    "HOMICIDE": "bereaved-families",
}


@dataclass
class Batch:
    """The rows of one batch of cases, table by table, in foreign-key order."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    duties: list[dict[str, Any]] = field(default_factory=list)
    entitlements: list[dict[str, Any]] = field(default_factory=list)
    victims: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    qr_cases: list[tuple[str, str]] = field(default_factory=list)  # (case id, leaflet slug)

    def tables(self) -> list[tuple[sa.Table, list[dict[str, Any]]]]:
        return [
            (cases.CASES, self.cases),
            (cases.EVENTS, self.events),
            (cases.DUTIES, self.duties),
            (cases.ENTITLEMENTS, self.entitlements),
            (VICTIMS, self.victims),
            (CONSENTS, self.consents),
            (CONTACTS, self.contacts),
            (REFERRALS, self.referrals),
        ]


@dataclass(frozen=True)
class Summary:
    cases: int
    rows: dict[str, int]
    verifiable: list[dict[str, str]]


@dataclass(frozen=True)
class Reference:
    """What the generator reads from the database once: rules and the directory."""

    rules: dict[str, Any]
    consent_required: dict[str, tuple[bool, str]]
    services_by_crime_type: dict[str, list[tuple[str, str]]]  # (service id, organisation id)


class Generator:
    """Makes the rows of case ``index`` onwards from one seeded random stream."""

    def __init__(
        self,
        seed: int,
        as_of: datetime,
        reference: Reference,
        settings: Settings,
        verifiable: int = VERIFIABLE,
    ):
        self.wanted_verifiable = verifiable
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.as_of = as_of
        self.reference = reference
        self.pepper = settings.secret_pepper
        policy = cases.DeadlinePolicy.from_settings(settings)
        # Event times fall on the hour, so the working-day arithmetic repeats: cache it.
        self.due: Callable[[datetime, int], tuple[date, datetime]] = lru_cache(maxsize=200_000)(
            policy.due
        )
        self._crime_cum = list(accumulate(c.weight for c in CRIME_TYPES))
        self._borough_cum = list(accumulate(BOROUGH_WEIGHTS))
        self.people = 0
        self.verifiable: list[dict[str, str]] = []

    # -- small helpers -------------------------------------------------------
    def uuid(self) -> str:
        """A random (version 4) UUID from the seeded stream; uuid.UUID() is slower."""
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"

    def choice(self, items: Sequence[Any]) -> Any:
        return items[int(self.rng.random() * len(items))]  # randrange() is slower

    def pick(self, cumulative: Sequence[float], items: Sequence[Any]) -> Any:
        return items[bisect(cumulative, self.rng.random() * cumulative[-1])]

    def hours_after(self, moment: datetime, low: int, high: int) -> datetime:
        return moment + timedelta(hours=self.rng.randint(low, high))

    # -- one case ------------------------------------------------------------
    def case(self, index: int, batch: Batch) -> None:
        rng = self.rng
        case_id = self.uuid()
        crime = self.pick(self._crime_cum, CRIME_TYPES)
        borough = self.pick(self._borough_cum, BOROUGHS).code
        hours_back = rng.randint(1, YEARS * 365 * 24)
        reported_at = (self.as_of - timedelta(hours=hours_back)).replace(minute=0)
        offence = (reported_at - timedelta(days=rng.choice((0, 0, 0, 1, 2, 7)))).date()
        history = self._history(case_id, reported_at)
        people = self._people(case_id, crime.code, offence, reported_at, batch)
        births = [p["date_of_birth"] for p in people if p["date_of_birth"] is not None]
        derived = ent.from_crime_type(crime.code) + ent.from_victims(offence, births)
        enhanced = bool(derived)
        status = history[-1]["to_status"] or CaseStatus.REPORTED.value
        last = max(e["recorded_at"] for e in history)
        officer = self.choice(OFFICERS)
        batch.cases.append(
            {
                "id": case_id,
                "crime_reference": f"{1_000_000 + index:07d}/{reported_at.year % 100:02d}",
                "borough": borough,
                "crime_type": crime.code,
                "reported_at": reported_at,
                "offence_date": offence,
                "officer_name": officer[0],
                "officer_rank": officer[1],
                "officer_team": f"{borough.replace('_', ' ').title()} {officer[2]}",
                "officer_work_phone": officer[3],
                "officer_work_email": None,
                "status": status,
                "status_sentence": STATUS_SENTENCE[CaseStatus(status)],
                "enhanced": enhanced,
                "version": sum(1 for e in history if e["from_status"]) + 1,
                "created_at": reported_at,
                "updated_at": last,
                "created_by": ACTOR,
                "updated_by": ACTOR,
            }
        )
        batch.events.extend(history)
        batch.entitlements.extend(
            {
                "case_id": case_id,
                "group_code": item.group.value,
                "basis": item.basis.value,
                "reason": item.reason,
                "recorded_at": reported_at,
                "recorded_by": "system",
            }
            for item in derived
        )
        duties = [d for e in history if (d := self._duty(e, enhanced)) is not None]
        batch.duties.extend(duties)
        self._meet(duties, people[0], batch)
        if rng.random() < 0.2:
            self._referral(case_id, crime.code, people[0], duties, batch)
        if rng.random() < 0.04:
            batch.qr_cases.append((case_id, LEAFLET_FOR.get(crime.code, "victim-information")))

    def _event(
        self, case_id: str, kind: E, at: datetime, from_status: str | None, to_status: str | None
    ) -> dict[str, Any]:
        internal = kind in INTERNAL_ONLY
        return {
            "id": self.uuid(),
            "case_id": case_id,
            "type": kind.value,
            "occurred_at": at,
            "recorded_at": at + timedelta(minutes=self.rng.randint(1, 90)),
            "visibility": "INTERNAL" if internal else "VICTIM",
            "victim_text": None if internal else DEFAULT_TEXT.get(kind),
            "internal_note": "Synthetic internal note." if internal else None,
            "from_status": from_status,
            "to_status": to_status,
            "hearing_court_name": None,
            "hearing_starts_at": None,
            "hearing_address": None,
            "hearing_kind": None,
            "outcome": None,
            "sentence": None,
            "recorded_by": ACTOR,
        }

    def _history(self, case_id: str, reported_at: datetime) -> list[dict[str, Any]]:
        """CASE_REPORTED, then a walk through the status machine, then the odd extra."""
        rng = self.rng
        status = CaseStatus.REPORTED
        at = reported_at
        events = [self._event(case_id, E.CASE_REPORTED, at, None, status.value)]
        for _ in range(rng.choice(STEPS)):
            choices = sorted(TRANSITIONS[status])
            at = self.hours_after(at, 12, 30 * 24)
            if not choices or at >= self.as_of:
                break
            new = self.choice(choices)
            events.append(self._event(case_id, STATUS_EVENTS[new], at, status.value, new.value))
            status = new
        if rng.random() < 0.7:
            at = self.hours_after(reported_at, 1, 60 * 24)
            if at < self.as_of:
                kind = self.choice(EXTRA_EVENTS)
                events.append(self._event(case_id, kind, at, None, None))
        return events

    def _duty(self, event: dict[str, Any], enhanced: bool) -> dict[str, Any] | None:
        rule = self.reference.rules.get(event["type"])
        if rule is None:
            return None
        days = rule.enhanced_working_days if enhanced else rule.standard_working_days
        due_on, due_at = self.due(event["occurred_at"], days)
        return {
            "id": self.uuid(),
            "case_id": event["case_id"],
            "event_id": event["id"],
            "event_type": event["type"],
            "obligation": rule.obligation,
            "responsible": rule.responsible,
            "standard_working_days": rule.standard_working_days,
            "enhanced_working_days": rule.enhanced_working_days,
            "enhanced": enhanced,
            "triggered_at": event["occurred_at"],
            "due_on": due_on,
            "due_at": due_at,
            "created_at": event["recorded_at"],
            "met_at": None,
            "contact_id": None,
            "waived_at": None,
            "waiver_reason": None,
            "waived_by": None,
        }

    def _meet(self, duties: list[dict[str, Any]], person: dict[str, Any], batch: Batch) -> None:
        """Past-due duties: most met by a logged contact (some late), a few waived."""
        rng = self.rng
        for duty in duties:
            roll = rng.random()
            if duty["due_at"] > self.as_of and roll < 0.5:
                continue  # still due
            if roll < 0.04:
                duty.update(
                    waived_at=duty["due_at"] - timedelta(hours=1),
                    waiver_reason="The victim asked not to be told about this.",
                    waived_by=ACTOR,
                )
                continue
            if roll > 0.9:
                continue  # overdue, or due
            window = duty["due_at"] - duty["triggered_at"]
            late = roll > 0.8
            met_at = duty["triggered_at"] + window * (1.3 if late else rng.random() * 0.9)
            if met_at >= self.as_of:
                continue
            contact_id = self.uuid()
            batch.contacts.append(
                {
                    "id": contact_id,
                    "victim_id": person["id"],
                    "case_id": duty["case_id"],
                    "method": "PHONE_CALL",
                    "direction": "OUTBOUND",
                    "outcome": "ANSWERED",
                    "summary": "Synthetic update call.",
                    "contacted_at": met_at,
                    "recorded_at": met_at,
                    "made_by": ACTOR,
                    "duty_ids": [duty["id"]],
                    "override_reason": None,
                }
            )
            duty.update(met_at=met_at, contact_id=contact_id)

    def _people(
        self, case_id: str, crime_type: str, offence: date, at: datetime, batch: Batch
    ) -> list[dict[str, Any]]:
        rng = self.rng
        count = 2 if rng.random() < 0.3 else 1
        people = []
        for n in range(count):
            self.people += 1
            given, family = self.choice(GIVEN), self.choice(FAMILY)
            flags: list[str] = []
            if crime_type == "DOMESTIC_ABUSE" and rng.random() < 0.5:
                flags = ["SUSPECT_SHARES_ADDRESS", "VOICEMAIL_UNSAFE"]
            person = {
                "id": self.uuid(),
                "case_id": case_id,
                "role": "VICTIM" if n == 0 else "PARENT_OR_GUARDIAN",
                "given_name": given,
                "family_name": family,
                "date_of_birth": None,
                "dob_hash": None,
                "pin_hash": None,
                "pin_issued_at": None,
                "phone": f"+44207946{rng.randrange(1000):04d}",
                "email": f"{given}.{family}{self.people}@example.org".lower(),
                "postal_address": None,
                "preferred_channel": self.choice(CHANNELS),
                "update_frequency": self.choice(FREQUENCIES),
                "language": self.choice(LANGUAGES),
                "interpreter_needed": False,
                "accessibility_needs": ["LARGE_PRINT"] if rng.random() < 0.03 else [],
                "safe_contact_times": "Weekdays after 6pm." if flags else None,
                "safety_flags": flags,
                "opted_out": False,
                "opted_out_on": None,
                "erased_at": None,
                "version": 1,
                "created_at": at,
                "updated_at": at,
                "created_by": ACTOR,
                "updated_by": ACTOR,
            }
            person["interpreter_needed"] = person["language"] != "en-GB" and rng.random() < 0.5
            if len(self.verifiable) < self.wanted_verifiable:
                self._verifiable(person, at, batch)
            people.append(person)
        batch.victims.extend(people)
        return people

    def _verifiable(self, person: dict[str, Any], at: datetime, batch: Batch) -> None:
        born = date(1950, 1, 1) + timedelta(days=self.rng.randrange(365 * 60))
        pin = f"{self.rng.randrange(10**6):06d}"
        person.update(
            date_of_birth=born,
            dob_hash=hash_secret(dob_secret(born), self.pepper),
            pin_hash=hash_secret(pin, self.pepper),
            pin_issued_at=at,
        )
        self.verifiable.append(
            {
                "victim_id": person["id"],
                "case_id": person["case_id"],
                "crime_reference": "",  # the case's, filled in by _batches
                "date_of_birth": born.isoformat(),
                "pin": pin,
            }
        )

    def _referral(
        self,
        case_id: str,
        crime_type: str,
        person: dict[str, Any],
        duties: list[dict[str, Any]],
        batch: Batch,
    ) -> None:
        rng = self.rng
        services = self.reference.services_by_crime_type.get(crime_type)
        if not services:
            return
        service_id, organisation_id = self.choice(services)
        required, rule_basis = self.reference.consent_required.get(crime_type, (True, "CONSENT"))
        created = self.hours_after(person["created_at"], 1, 72)
        if created >= self.as_of:
            return
        consent_id = None
        if required or rng.random() < 0.5:
            consent_id = self.uuid()
            batch.consents.append(
                {
                    "id": consent_id,
                    "victim_id": person["id"],
                    "case_id": case_id,
                    "purpose": "REFERRAL_TO_SUPPORT",
                    "decision": "GIVEN",
                    "legal_basis": "CONSENT",
                    "recorded_at": created - timedelta(minutes=5),
                    "recorded_by": ACTOR,
                }
            )
        recent = self.as_of - created < timedelta(days=2)
        status = "CREATED" if recent else self.choice(REFERRAL_LATER)
        acknowledged = None if recent else created + timedelta(hours=rng.randint(1, 48))
        flags = person["safety_flags"]
        safe = [
            m.value
            for m in (ContactMethod.PHONE_CALL, ContactMethod.SMS, ContactMethod.EMAIL)
            if not unsafe_reasons(m, flags)
        ]
        duty = next((d for d in duties if d["event_type"] == "CASE_REPORTED"), None)
        batch.referrals.append(
            {
                "id": self.uuid(),
                "case_id": case_id,
                "victim_id": person["id"],
                "service_id": service_id,
                "organisation_id": organisation_id,
                "open_key": f"{person['id']}:{service_id}" if status in OPEN_REFERRAL else None,
                "crime_type": crime_type,
                "needs": ["EMOTIONAL_SUPPORT"],
                "consent_required": required,
                "consent_id": consent_id,
                "legal_basis": "CONSENT" if consent_id else rule_basis,
                "contact_methods": safe,
                "preferred_method": person["preferred_channel"]
                if person["preferred_channel"] in safe
                else None,
                "safe_contact_times": person["safe_contact_times"],
                "status": status,
                "decline_reason": "CAPACITY" if status == "DECLINED" else None,
                "cancel_reason": None,
                "pending": recent,
                "pending_since": created if recent else None,
                "delivery_count": 0 if recent else 1,
                "first_delivered_at": acknowledged,
                "last_delivered_at": acknowledged,
                "acknowledged_at": acknowledged,
                "sent_at": acknowledged,
                "status_changed_at": acknowledged or created,
                "duty_id": duty["id"] if duty else None,
                "version": 1 if recent else 2,
                "created_at": created,
                "updated_at": acknowledged or created,
                "created_by": ACTOR,
                "updated_by": ACTOR,
            }
        )


def load_reference(session: Session) -> Reference:
    rules = {row.event_type: row for row in session.execute(sa.select(cases.RULES))}
    consent = {
        row.crime_type: (bool(row.consent_required), row.legal_basis)
        for row in session.execute(sa.select(CONSENT_RULES))
    }
    services: dict[str, list[tuple[str, str]]] = {}
    query = (
        sa.select(SERVICE_CRIME_TYPES.c.crime_type, SERVICES.c.id, SERVICES.c.organization_id)
        .join(SERVICES, SERVICES.c.id == SERVICE_CRIME_TYPES.c.service_id)
        .order_by(SERVICES.c.id)
    )
    for row in session.execute(query):
        services.setdefault(row.crime_type, []).append((row.id, row.organization_id))
    return Reference(rules, consent, services)


class AlreadySeededError(RuntimeError):
    pass


def synthetic_count(database: Database) -> int:
    with database.read_session() as session:
        return int(
            session.execute(
                sa.select(sa.func.count())
                .select_from(cases.CASES)
                .where(cases.CASES.c.created_by == ACTOR)
            ).scalar_one()
        )


def _qr_rows(
    keys: KeyStore, settings: Settings, pairs: list[tuple[str, str]], rng: random.Random
) -> list[dict[str, Any]]:
    """One signed token per (case, leaflet), as ``qr.service.issue_many`` signs them."""
    kind = qr.qr_kind(settings)
    rows = []
    for case_id, slug in pairs:
        jti = uuid.UUID(int=rng.getrandbits(128)).hex[:8]
        signed = sign(
            keys,
            kind,
            issuer=settings.qr_token_issuer,
            subject=LEAFLET_CODES[slug],
            lifetime=timedelta(days=settings.qr_default_lifetime_days),
            jti=jti,
        )
        rows.append(
            {
                "jti": jti,
                "leaflet_slug": slug,
                "language": None,
                "case_id": case_id,
                "kid": signed.kid,
                "token": signed.token,
                "url": qr.url_for(settings, signed.token),
                "issued_by": ACTOR,
                "issued_at": signed.issued_at,
                "expires_at": signed.expires_at,
                "revoked_at": None,
                "version": 1,
            }
        )
    return rows


def seed_synthetic(
    database: Database,
    settings: Settings,
    *,
    cases_wanted: int,
    seed: int = 1,
    as_of: date | None = None,
    batch_size: int = 5000,
    verifiable: int = VERIFIABLE,
    progress: Callable[[int], None] = lambda n: None,
) -> Summary:
    """Write ``cases_wanted`` synthetic cases and everything that hangs off them."""
    if not 0 < cases_wanted <= MAX_CASES:
        raise ValueError(f"--cases must be between 1 and {MAX_CASES}")
    existing = synthetic_count(database)
    if existing:
        raise AlreadySeededError(f"this database already holds {existing} synthetic cases")
    moment = datetime.combine(as_of or datetime.now(UTC).date(), datetime.min.time(), UTC)
    keys = KeyStore.for_settings(database, settings)
    keys.ensure_all()  # before a batch takes SQLite's write lock
    with database.read_session() as session:
        reference = load_reference(session)
    generator = Generator(seed, moment, reference, settings, verifiable)
    qr_rng = random.Random(f"{seed}-qr")  # noqa: S311 - token ids, checked unique by the key
    totals: dict[str, int] = {}
    done = 0
    for batch in _batches(generator, cases_wanted, batch_size):
        qr_rows = _qr_rows(keys, settings, batch.qr_cases, qr_rng) if batch.qr_cases else []
        with database.transaction() as session:
            if database.is_sqlite:  # a big page cache: random UUID keys touch every page
                session.connection().exec_driver_sql("PRAGMA cache_size=-200000")
            for table, rows in [*batch.tables(), (qr.QR, qr_rows)]:
                if rows:
                    insert_many(session.connection(), table, rows)
                    totals[table.name] = totals.get(table.name, 0) + len(rows)
            if qr_rows:
                keys.extend_verification(session, qr_rows[0]["kid"], qr_rows[-1]["expires_at"])
        done += len(batch.cases)
        progress(len(batch.cases))
    with database.transaction() as session:
        # One entry for the whole load: it records invented people, not real processing.
        record(
            session,
            system_caller("ADMINISTRATION"),
            operation=Operation.COLLECTION,
            resource_type="synthetic_data",
            fields=sorted(totals),
        )
    return Summary(done, totals, generator.verifiable)


def insert_many(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """One driver-level executemany of ``rows`` (all with the same keys).

    Values go through each column type's own bind processor, exactly as
    ``session.execute(insert(table), rows)`` would, without its per-row
    parameter bookkeeping (half the load time at a million cases).
    """
    dialect = connection.dialect
    names = list(rows[0])
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=names)
    processors = [(n, table.c[n].type.dialect_impl(dialect).bind_processor(dialect)) for n in names]
    if dialect.positional:
        order = [names.index(n) for n in compiled.positiontup or names]
        processed = [tuple(p(row[n]) if p else row[n] for n, p in processors) for row in rows]
        params: list[Any] = [tuple(values[i] for i in order) for values in processed]
    else:
        params = [{n: p(row[n]) if p else row[n] for n, p in processors} for row in rows]
    connection.exec_driver_sql(str(compiled), params)


def _batches(generator: Generator, total: int, size: int) -> Iterator[Batch]:
    index = 0
    while index < total:
        batch = Batch()
        for _ in range(min(size, total - index)):
            before = len(generator.verifiable)
            generator.case(index, batch)
            for entry in generator.verifiable[before:]:
                entry["crime_reference"] = batch.cases[-1]["crime_reference"]
            index += 1
        yield batch


def write_manifest(path: Path, summary: Summary) -> None:
    """The verification factors of the verifiable subset (synthetic people only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"cases": summary.cases, "verifiable": summary.verifiable}, indent=2)
    )
