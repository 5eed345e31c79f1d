"""The worklist: a k-way merge of keyset queries, one per source domain.

Each source is a query of its own domain's service, ordered by (due_at, id) on an
index, limited to one page plus one. The page is the merge of those by
(due_at, kind, id); the cursor carries the last item's (due_at, kind, id), and
each source resumes after it: a source whose kind sorts after the cursor's kind
includes rows due at exactly the cursor's time, one that sorts before excludes
them, and the cursor's own kind resumes after its id. No OFFSET, no table of
another domain read here.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from victim_api.callbacks import service as callbacks
from victim_api.cases import service as cases
from victim_api.platform.clock import as_utc
from victim_api.platform.pagination import KeysetBound
from victim_api.referrals import service as referrals
from victim_api.victims import service as victims
from victim_api.worklist.schemas import ItemKind, ItemState

K = ItemKind


@dataclass(frozen=True)
class Scope:
    """What the caller asked for, resolved."""

    due_before: datetime
    case_ids: Any  # a subquery of case ids (team, borough), or None for all
    delivery_allowed: timedelta
    acknowledgement_allowed: timedelta


QueryFor = Callable[[Scope, KeysetBound | None, int], Any]
ItemFor = Callable[[Any], dict[str, Any]]


def _duty_item(row: Any) -> dict[str, Any]:
    timescale = "enhanced" if row.enhanced else "standard"
    return {
        "kind": K.NOTIFICATION_DUTY,
        "id": row.id,
        "owed": row.obligation,
        "to": {"case_id": row.case_id},
        "why": f"Victims' Code duty after {row.event_type} ({timescale} timescale).",
        "due_at": as_utc(row.due_at),
        "links": {"self": f"/v1/cases/{row.case_id}/duties"},
    }


def _referral_item(kind: ItemKind, allowed: Callable[[Scope], timedelta]) -> Any:
    owed, why = {
        K.REFERRAL_NOT_SENT: (
            "Get the referral delivered to the support service.",
            "The referral has not been pulled by the service's organisation in time.",
        ),
        K.REFERRAL_NOT_ACKNOWLEDGED: (
            "Chase the support service to acknowledge the referral.",
            "The referral was delivered but not acknowledged in time.",
        ),
    }[kind]

    def make(scope: Scope) -> ItemFor:
        def item(row: Any) -> dict[str, Any]:
            return {
                "kind": kind,
                "id": row.id,
                "owed": owed,
                "to": {"case_id": row.case_id, "victim_id": row.victim_id},
                "why": why,
                "due_at": as_utc(row.since) + allowed(scope),
                "links": {"self": f"/v1/referrals/{row.id}"},
            }

        return item

    return make


def _callback_item(row: Any) -> dict[str, Any]:
    return {
        "kind": K.CALLBACK,
        "id": row.id,
        "owed": "Call the victim back.",
        "to": {"case_id": row.case_id, "victim_id": row.victim_id},
        "why": "The victim asked for a callback.",
        "due_at": as_utc(row.due_by),
        "links": {"self": f"/v1/callback-requests/{row.id}"},
    }


def _update_item(row: Any) -> dict[str, Any]:
    return {
        "kind": K.CONTACT_UPDATE,
        "id": row.id,
        "owed": "Give the victim their agreed regular update.",
        "to": {"case_id": row.case_id, "victim_id": row.id},
        "why": f"Agreed update frequency {row.update_frequency}: no contact has reached "
        "them within it.",
        "due_at": as_utc(row.update_due_at),
        "links": {"self": f"/v1/victims/{row.id}"},
    }


def _referral_query(kind: ItemKind, allowed: Callable[[Scope], timedelta]) -> QueryFor:
    def query(scope: Scope, bound: KeysetBound | None, limit: int) -> Any:
        return referrals.worklist_referrals_query(
            kind.value,
            allowed=allowed(scope),
            case_ids=scope.case_ids,
            due_before=scope.due_before,
            after=bound,
            limit=limit,
        )

    return query


def _plain(make_query: Callable[..., Any]) -> QueryFor:
    def query(scope: Scope, bound: KeysetBound | None, limit: int) -> Any:
        return make_query(
            case_ids=scope.case_ids, due_before=scope.due_before, after=bound, limit=limit
        )

    return query


def _delivery(scope: Scope) -> timedelta:
    return scope.delivery_allowed


def _acknowledgement(scope: Scope) -> timedelta:
    return scope.acknowledgement_allowed


# kind -> (its query, how a row becomes an item); kinds in cursor order.
SOURCES: dict[ItemKind, tuple[QueryFor, Callable[[Scope], ItemFor]]] = {
    K.CALLBACK: (_plain(callbacks.worklist_query), lambda _s: _callback_item),
    K.CONTACT_UPDATE: (_plain(victims.worklist_updates_query), lambda _s: _update_item),
    K.NOTIFICATION_DUTY: (_plain(cases.worklist_duties_query), lambda _s: _duty_item),
    K.REFERRAL_NOT_ACKNOWLEDGED: (
        _referral_query(K.REFERRAL_NOT_ACKNOWLEDGED, _acknowledgement),
        _referral_item(K.REFERRAL_NOT_ACKNOWLEDGED, _acknowledgement),
    ),
    K.REFERRAL_NOT_SENT: (
        _referral_query(K.REFERRAL_NOT_SENT, _delivery),
        _referral_item(K.REFERRAL_NOT_SENT, _delivery),
    ),
}
# Open duties and agreed updates are "due soon" before they are late; callbacks and
# referrals are simply in hand ("pending").
SOON_KINDS = {K.NOTIFICATION_DUTY, K.CONTACT_UPDATE}


def bound_for(kind: ItemKind, cursor: Sequence[Any] | None) -> KeysetBound | None:
    """Where ``kind``'s source resumes after the cursor (due_at, kind, id)."""
    if cursor is None:
        return None
    due_at, last_kind, last_id = as_utc(cursor[0]), str(cursor[1]), str(cursor[2])
    if kind.value == last_kind:
        return KeysetBound(due_at, last_id)
    return KeysetBound(due_at, include_equal=kind.value > last_kind)


def source_queries(scope: Scope, cursor: Sequence[Any] | None, limit: int) -> dict[ItemKind, Any]:
    """Each source's query for one page (the EXPLAIN test reads these)."""
    return {
        kind: make(scope, bound_for(kind, cursor), limit + 1)
        for kind, (make, _item) in SOURCES.items()
    }


def _state(item: dict[str, Any], now: datetime) -> ItemState:
    if item["due_at"] <= now:
        return ItemState.OVERDUE
    return ItemState.DUE_SOON if item["kind"] in SOON_KINDS else ItemState.PENDING


def merge_key(item: dict[str, Any]) -> tuple[datetime, str, str]:
    return (item["due_at"], str(item["kind"].value), str(item["id"]))


def worklist(
    session: Session, scope: Scope, *, cursor: Sequence[Any] | None, limit: int, now: datetime
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` items, soonest due first, merged across the sources."""
    runs = []
    for kind, query in source_queries(scope, cursor, limit).items():
        to_item = SOURCES[kind][1](scope)
        runs.append([to_item(row) for row in session.execute(query)])
    merged = list(heapq.merge(*runs, key=merge_key))[: limit + 1]
    for item in merged:
        item["state"] = _state(item, now)
    return merged


def sort_key(item: dict[str, Any]) -> list[Any]:
    due_at, kind, item_id = merge_key(item)
    return [due_at, kind, item_id]
