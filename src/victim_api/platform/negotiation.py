"""Content negotiation helpers (RFC 9110 12.5.1), shared by routes that serve more
than one media type."""

from __future__ import annotations


def quality(parameters: list[str]) -> float | None:
    """The ``q`` of one media range's parameters: 1.0 when absent, None when invalid
    (the range is then ignored)."""
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                found = float(value.strip())
            except ValueError:
                return None
            return found if 0 <= found <= 1 else None
    return 1.0
