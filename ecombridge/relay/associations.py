"""Which associations to make and archive in the target after a page is delivered, so the
target ends with the pairs our CRM has.

The pairs delivered from each object (a deal's contacts, a line item's deal) are recorded on its
``relay_objects`` row as ``{to type: [[our id, target id], ...]}``. When the object is delivered
again (an association change publishes it), the pairs it has now are made and the recorded ones
it no longer has are archived. When the other end is delivered (a contact arriving after its
deal), the pairs to it are made and added to the owners' records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.relay import repository as repo
from ecombridge.relay import source_repository as source

# The pairs associated with their default type, from the side our associations are kept on.
ASSOCIATED_PAIRS = (("DEAL", "CONTACT"), ("LINE_ITEM", "DEAL"))

TypePair = tuple[str, str]
TargetPair = tuple[str, str]  # (from target id, to target id)


@dataclass
class AssociationPlan:
    make: dict[TypePair, list[TargetPair]] = field(default_factory=dict)
    archive: dict[TypePair, list[TargetPair]] = field(default_factory=dict)
    # from type -> {our from id: the row's new ``associated`` record}
    records: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)


def plan(
    conn: Connection, dest: Any, object_type: str, delivered: dict[int, str]
) -> AssociationPlan:
    """``delivered``: our id -> target id of the objects of ``object_type`` just delivered."""
    result = AssociationPlan()
    if not delivered:
        return result
    for from_type, to_type in ASSOCIATED_PAIRS:
        if object_type == from_type:
            _owners_delivered(conn, dest, (from_type, to_type), delivered, result)
        if object_type == to_type:
            _targets_delivered(conn, dest, (from_type, to_type), delivered, result)
    return result


def _owners_delivered(
    conn: Connection, dest: Any, pair: TypePair, delivered: dict[int, str], out: AssociationPlan
) -> None:
    from_type, to_type = pair
    links = source.associations_from(conn, dest.portal_id, from_type, to_type, set(delivered))
    tos = repo.target_ids(conn, dest.id, to_type, {t for _, t in links})
    now: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for f, t in links:
        if t in tos:
            now[f].add((t, tos[t]))
    stored = repo.associated(conn, dest.id, from_type, set(delivered))
    make: set[TargetPair] = set()
    gone: set[TargetPair] = set()
    records = out.records.setdefault(from_type, {})
    for from_id, from_target in delivered.items():
        record = dict(stored.get(from_id) or {})
        had = {(int(i), str(t)) for i, t in record.get(to_type, [])}
        want = now.get(from_id, set())
        kept = {theirs for _, theirs in want}
        make.update((from_target, theirs) for _, theirs in want)
        gone.update((from_target, theirs) for _, theirs in had - want if theirs not in kept)
        if want != had:
            record[to_type] = sorted([i, t] for i, t in want)
            records[from_id] = record
    if make:
        out.make[pair] = sorted(make)
    if gone:
        out.archive[pair] = sorted(gone)


def _targets_delivered(
    conn: Connection, dest: Any, pair: TypePair, delivered: dict[int, str], out: AssociationPlan
) -> None:
    from_type, to_type = pair
    links = source.associations_to(conn, dest.portal_id, from_type, to_type, set(delivered))
    froms = repo.target_ids(conn, dest.id, from_type, {f for f, _ in links})
    owners = {f for f, _ in links if f in froms}
    if not owners:
        return
    stored = repo.associated(conn, dest.id, from_type, owners)
    records = out.records.setdefault(from_type, {})
    make: set[TargetPair] = set()
    for f, t in links:
        if f not in froms:
            continue
        make.add((froms[f], delivered[t]))
        record = records.get(f) or dict(stored.get(f) or {})
        kept = [[i, theirs] for i, theirs in record.get(to_type, []) if int(i) != t]
        record[to_type] = sorted([*kept, [t, delivered[t]]])
        records[f] = record
    out.make[pair] = sorted(set(out.make.get(pair, [])) | make)
