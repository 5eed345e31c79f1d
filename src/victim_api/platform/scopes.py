"""The scope registry: every scope, what it allows, and which channels may hold it.

Domain packages register their scopes at import time. The contract's OAuth2
security scheme and ``clients create`` both read this registry, so a scope
cannot exist in one place and not the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from victim_api.platform.principal import Channel


@dataclass(frozen=True)
class Scope:
    name: str
    description: str
    channels: frozenset[Channel]


_REGISTRY: dict[str, Scope] = {}


def register_scope(name: str, description: str, channels: set[Channel]) -> str:
    """Declare a scope; returns its name so modules can keep it as a constant."""
    scope = Scope(name=name, description=description, channels=frozenset(channels))
    existing = _REGISTRY.get(name)
    if existing is not None and existing != scope:
        raise ValueError(f"scope {name!r} is declared twice with different terms")
    _REGISTRY[name] = scope
    return name


def all_scopes() -> dict[str, Scope]:
    return dict(sorted(_REGISTRY.items()))


def scopes_refused_for(channel: Channel, names: set[str]) -> list[str]:
    """The names a client on ``channel`` may not hold (unknown names included)."""
    return sorted(n for n in names if n not in _REGISTRY or channel not in _REGISTRY[n].channels)


def openapi_scopes() -> dict[str, str]:
    """Scope descriptions for the contract, each naming the channels that may hold it."""
    return {
        s.name: f"{s.description} Channels: {', '.join(sorted(s.channels))}."
        for s in all_scopes().values()
    }


AUDIT_READ = register_scope(
    "audit:read",
    "Read the data-protection audit trail (DPA 2018 s62).",
    {Channel.AUDITOR},
)
