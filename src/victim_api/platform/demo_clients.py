"""Demo API clients with well-known secrets, for `make run` and the README walkthrough.

Development only: the seeder refuses to run in production, and the secrets are
published in README.md, so they must never exist anywhere real.
"""

from __future__ import annotations

from sqlmodel import Session

from victim_api.platform.clients import ApiClient
from victim_api.platform.clock import utcnow
from victim_api.platform.principal import Channel
from victim_api.platform.scopes import all_scopes
from victim_api.platform.secrets import hash_secret

# The partner's organisation is a directory organisation id: "Lanternwick Victim Care
# (Sample)" in the sample directory, so the demo referrals are delivered to it.
DEMO_PARTNER_ORGANISATION = "3ef8fa6c-bb39-5773-8eb6-46e26e7930c8"

# (client_id, secret, channel, organisation)
DEMO_CLIENTS: tuple[tuple[str, str, Channel, str | None], ...] = (
    ("demo-staff", "demo-staff-secret", Channel.STAFF, None),
    ("demo-helpline", "demo-helpline-secret", Channel.PHONE, None),
    ("demo-web", "demo-web-secret", Channel.WEB, None),
    ("demo-police", "demo-police-secret", Channel.POLICE_SYSTEM, None),
    ("demo-partner", "demo-partner-secret", Channel.PARTNER, DEMO_PARTNER_ORGANISATION),
    ("demo-auditor", "demo-auditor-secret", Channel.AUDITOR, None),
)


def seed_demo_clients(session: Session) -> list[str]:
    from victim_api.demo import seed_context

    settings = seed_context().settings
    if settings.is_production:
        raise RuntimeError("demo clients are never created in production")
    lines = []
    for client_id, secret, channel, organisation in DEMO_CLIENTS:
        scopes = sorted(n for n, s in all_scopes().items() if channel in s.channels)
        existing = session.get(ApiClient, client_id)
        if existing is not None:
            existing.scopes = scopes  # keep up with scopes added since the last seed
            continue
        now = utcnow()
        session.add(
            ApiClient(
                client_id=client_id,
                name=f"Demo {channel.value.lower().replace('_', ' ')} client",
                channel=channel.value,
                scopes=scopes,
                organisation_id=organisation,
                secret_hash=hash_secret(secret, settings.secret_pepper),
                created_at=now,
                updated_at=now,
            )
        )
        lines.append(f"client {client_id} / {secret} ({channel.value})")
    return lines
