"""The in-memory merge of one batch into the state it touches: links, CRM objects, statuses.

Rules (docs/sync-semantics.md has the reasoning):
- Values merge per property by changedAt (ties: the greater canonical JSON value), and each
  association type's list merges the same way, so partial updates converge in any order.
- A link's status (error or success) is the outcome of its newest message by (changedAt, rank,
  tiebreak), rank DELETE > error > success; only that message sets lastProcessedAt.
- A DELETE tombstones the link at its changedAt; upserts newer than it are ignored.
- The skipped properties a link shows (mapped properties the portal does not define) are those
  of its messages of the greatest changedAt, all of them: a union, so any order gives them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ecombridge.sync.apply.values import Checked, Error

RANK_DELETE, RANK_ERROR, RANK_OK = 2, 1, 0
MISSING_EMAIL: Error = (
    "MISSING_REQUIRED_PROPERTY",
    "Email is a required property for all contacts created through the Ecommerce Bridge",
)
DELETED_DETAILS = (
    "The object was deleted by a DELETE message (changedAt {}); "
    "upserts for this externalObjectId are ignored"
)
SYNCED = "ip__ecomm_bridge__ecomm_synced"
SOURCE_APPS = "ip__ecomm_bridge__source_app_id"
SOURCE_STORES = "ip__ecomm_bridge__source_store_id"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def message_key(checked: Checked) -> tuple[int, int, str]:
    """Total order of a link's messages; equal keys mean equal outcomes."""
    m = checked.message
    if checked.error is not None:
        return (m.changed_at, RANK_ERROR, "\0".join(checked.error))
    if m.action == "DELETE":
        return (m.changed_at, RANK_DELETE, "")
    tiebreak = canonical([checked.properties, checked.associations, checked.email])
    return (m.changed_at, RANK_OK, tiebreak)


@dataclass(slots=True, eq=False)
class Obj:
    id: int | None
    properties: dict[str, Any]
    versions: dict[str, Any]
    email_key: str | None = None
    is_new: bool = False
    changed: bool = False
    assoc_changed: set[str] = field(default_factory=set)

    def merge_properties(self, values: dict[str, Any], changed_at: int) -> None:
        seen_at: dict[str, int] = self.versions.setdefault("p", {})
        props = self.properties
        for name, value in values.items():
            seen = seen_at.get(name)
            if (
                seen is None
                or changed_at > seen
                or (changed_at == seen and canonical(value) > canonical(props.get(name)))
            ):
                seen_at[name] = changed_at
                if value is None:
                    props.pop(name, None)
                else:
                    props[name] = value
                self.changed = True

    def merge_associations(self, lists: dict[str, list[str]], changed_at: int) -> None:
        seen_at: dict[str, list[Any]] = self.versions.setdefault("a", {})
        for to_type, ids in lists.items():
            seen = seen_at.get(to_type)
            if seen is None or changed_at > seen[0] or (changed_at == seen[0] and ids > seen[1]):
                if seen is None or seen[1] != ids:
                    self.assoc_changed.add(to_type)
                seen_at[to_type] = [changed_at, ids]
                self.changed = True

    def add_to_list(self, name: str, value: Any) -> None:
        current = self.properties.get(name)
        if isinstance(current, list) and value in current:
            return
        values = list(current) if isinstance(current, list) else []
        if value not in values:
            self.properties[name] = sorted([*values, value])
            self.changed = True

    def set_provided(self, name: str, value: Any) -> None:
        if self.properties.get(name) != value:
            self.properties[name] = value
            self.changed = True


UNSET: Any = object()


@dataclass(slots=True, eq=False)
class Link:
    external_id: str
    obj: Obj | None
    hubspot_id: int | None
    last_changed_at: int | None
    last_processed_at: int | None
    deleted_at: int | None
    created_at: int
    key: tuple[int, int, str] | None  # stored key of the message the status describes
    error: Any = None  # the sync_errors row before this batch (see repo.errors), if any
    touched: bool = False  # its derived association error changed: lastProcessedAt is now
    # [changedAt, values] of contact messages that came before any email, oldest first
    parked: list[list[Any]] = field(default_factory=list)
    winner: Checked | None = None  # the message of this batch the status now describes
    status: Any = UNSET  # Error | None (success) once a message of this batch wins
    skipped: tuple[str, ...] = ()  # see the module's docstring


def _newest(link: Link, checked: Checked) -> bool:
    """Whether ``checked`` is at least as new as the message the link's status describes; the
    full key (with its JSON tiebreak) is only built when changedAt values are equal."""
    if link.winner is not None:
        current = link.winner.message.changed_at
        if checked.message.changed_at != current:
            return checked.message.changed_at > current
        return message_key(checked) >= message_key(link.winner)
    if link.key is None:
        return True
    if checked.message.changed_at != link.key[0]:
        return checked.message.changed_at > link.key[0]
    return message_key(checked) >= link.key


@dataclass
class BatchState:
    """Everything the batch reads and changes, keyed for in-memory merging."""

    object_type: str
    source_app_id: int
    store_id: str
    links: dict[str, Link]
    contacts_by_email: dict[str, Obj]
    pipeline_id: str | None
    new_objects: list[Obj] = field(default_factory=list)

    def apply(self, group: list[Checked]) -> None:
        """Apply one link's messages, oldest first."""
        if len(group) > 1:
            group = sorted(group, key=message_key)
        link = self.links[group[0].message.external_id]
        for checked in group:
            changed_at = checked.message.changed_at
            newest = link.last_changed_at
            if newest is None or changed_at > newest:
                link.skipped = checked.skipped
            elif changed_at == newest and checked.skipped:
                link.skipped = tuple(sorted({*link.skipped, *checked.skipped}))
            winner = _newest(link, checked)
            status = self._apply_one(link, checked, winner)
            if winner:
                link.key = None
                link.winner = checked
                link.status = status
                link.last_changed_at = changed_at

    def _apply_one(self, link: Link, checked: Checked, winner: bool) -> Error | None:
        m = checked.message
        if checked.error is not None:
            return checked.error
        if m.action == "DELETE":
            if link.deleted_at is None or m.changed_at < link.deleted_at:
                link.deleted_at = m.changed_at
            return None
        if link.deleted_at is not None and m.changed_at > link.deleted_at:
            return ("UNKNOWN_ERROR", DELETED_DETAILS.format(link.deleted_at))
        obj = self._object_for(link, checked)
        if obj is None:
            _park(link, m.changed_at, checked.properties)
            return MISSING_EMAIL
        values, error = self._email_checked(obj, checked)
        obj.merge_properties(values, m.changed_at)
        if checked.associations:
            obj.merge_associations(checked.associations, m.changed_at)
        obj.set_provided(SYNCED, True)
        obj.add_to_list(SOURCE_APPS, self.source_app_id)
        obj.add_to_list(SOURCE_STORES, self.store_id)
        if self.pipeline_id is not None:
            obj.set_provided("pipeline", self.pipeline_id)
        return error

    def _object_for(self, link: Link, checked: Checked) -> Obj | None:
        if link.obj is not None:
            return link.obj
        email_key = None
        if self.object_type == "CONTACT":
            if checked.email is None:
                return None
            email_key = checked.email.lower()
            existing = self.contacts_by_email.get(email_key)
            if existing is not None:
                _attach(link, existing)
                return existing
        obj = Obj(link.hubspot_id, {}, {}, email_key, is_new=True, changed=True)
        if email_key is not None:
            self.contacts_by_email[email_key] = obj
        self.new_objects.append(obj)
        _attach(link, obj)
        return obj

    def _email_checked(self, obj: Obj, checked: Checked) -> tuple[dict[str, Any], Error | None]:
        """The email joins the values unless it would change the contact's address."""
        if checked.email is None:
            return checked.properties, None
        email_key = checked.email.lower()
        if obj.email_key is None and email_key not in self.contacts_by_email:
            obj.email_key = email_key
            self.contacts_by_email[email_key] = obj
        if obj.email_key == email_key:
            return {**checked.properties, "email": checked.email}, None
        current = obj.properties.get("email", obj.email_key)
        return checked.properties, (
            "INVALID_EMAIL_ADDRESS",
            f"Changing a contact's email address is not supported: the contact keeps {current} "
            f"and {checked.email} was ignored; the other properties were updated",
        )


def _park(link: Link, changed_at: int, values: dict[str, Any]) -> None:
    entry = [changed_at, values]
    if entry not in link.parked:
        link.parked = sorted([*link.parked, entry], key=canonical)


def _attach(link: Link, obj: Obj) -> None:
    """Give a link its object; values parked for want of an email are applied now, and a status
    that failed only for that is a success: the same outcome as if the email had come first."""
    link.obj = obj
    if not link.parked:
        return
    for changed_at, values in link.parked:
        obj.merge_properties(values, changed_at)
    link.parked = []
    failed_for_email = link.status == MISSING_EMAIL or (
        link.status is UNSET and link.key is not None and link.key[2] == "\0".join(MISSING_EMAIL)
    )
    if failed_for_email and link.last_changed_at is not None:
        link.status = None
        link.winner = None
        link.key = (link.last_changed_at, RANK_OK, "")
