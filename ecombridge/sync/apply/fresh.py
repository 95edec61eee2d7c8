"""The first message of a link never seen before, applied without the general merge.

An integration sends most objects once, and an import sends nothing else: most messages are the
only message of their link in the batch, for an external id the bridge has never seen, and
create its object. The general path (``state``) has nothing to merge for them, yet builds
links and objects to merge into, then rows. This module turns each such message straight into
its rows: the object (its values, the provided properties), the link, the associations and the
pending ones, the derived association error. The outcome is the general path's, row for row
(tests/sync/test_apply_fresh.py compares them on generated batches); ``take_fresh`` leaves every
other message to the general path, which the apply runs alongside on the rest of the batch.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ecombridge.sync.apply.associations import ASSOCIATION_ERROR, association_details
from ecombridge.sync.apply.repository import Scope, encode_json
from ecombridge.sync.apply.state import SOURCE_APPS, SOURCE_STORES, SYNCED
from ecombridge.sync.apply.values import Checked

Targets = dict[str, dict[str, int]]  # to type -> {external id: hubspotId}


def take_fresh(
    object_type: str,
    groups: dict[str, list[Checked]],
    known: Collection[str],
    contact_emails: Collection[str],
) -> list[Checked]:
    """Remove from ``groups`` and return the messages this module applies: the only message
    of its link, an upsert that passed its checks, for an external id not in ``known`` (the
    links that exist). A contact also needs an email no existing contact (``contact_emails``)
    nor other message of the batch has: those link to one contact, which the general path
    decides."""
    taken: list[Checked] = []
    emails: Counter[str] = Counter()
    if object_type == "CONTACT":
        emails.update(c.email.lower() for group in groups.values() for c in group if c.email)
    for external_id, group in groups.items():
        if len(group) != 1 or external_id in known:
            continue
        checked = group[0]
        if checked.error is not None or checked.message.action != "UPSERT":
            continue
        if object_type == "CONTACT":
            email = checked.email
            if email is None or emails[email.lower()] > 1 or email.lower() in contact_emails:
                continue
        taken.append(checked)
    for checked in taken:
        del groups[checked.message.external_id]
    return taken


@dataclass
class FreshBatch:
    """The taken messages of one batch, with the ids of the objects they create."""

    scope: Scope
    object_type: str
    pipeline_id: str | None
    items: list[Checked]
    ids: list[int] = field(default_factory=list)
    # external id -> [(to type, external id)] of the associations left pending
    pending: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def targets(self) -> dict[str, set[str]]:
        """to type -> the external ids the messages' association lists name."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for checked in self.items:
            for to_type, ids in checked.associations.items():
                wanted[to_type].update(ids)
        return wanted

    def arrived(self) -> dict[str, int]:
        """external id -> hubspotId of the objects created."""
        return {c.message.external_id: i for c, i in zip(self.items, self.ids, strict=True)}

    def object_rows(self, targets: Targets, now: int) -> list[tuple[Any, ...]]:
        """OBJECT_COLUMNS rows of the objects, as ``BatchState`` and ``apply._object_rows`` make
        them: the values (an empty value clears, so it is not set) with their changedAt, the
        provided properties, a line item's hs_product_id."""
        portal_id, source_app_id, store_id = self.scope
        object_type = self.object_type
        provided: dict[str, Any] = {
            SYNCED: True,
            SOURCE_APPS: [source_app_id],
            SOURCE_STORES: [store_id],
        }
        if self.pipeline_id is not None:
            provided["pipeline"] = self.pipeline_id
        products = targets.get("PRODUCT", {})
        encode = encode_json
        rows = []
        for checked, object_id in zip(self.items, self.ids, strict=True):
            changed_at = checked.message.changed_at
            values = checked.properties
            email_key = None
            if checked.email is not None:
                email_key = checked.email.lower()
                values = {**values, "email": checked.email}
            if None in values.values():
                properties = {name: value for name, value in values.items() if value is not None}
            else:
                properties = dict(values)
            properties.update(provided)
            versions: dict[str, Any] = {"p": dict.fromkeys(values, changed_at)}
            lists = checked.associations
            if lists:
                versions["a"] = {to_type: [changed_at, ids] for to_type, ids in lists.items()}
                if object_type == "LINE_ITEM" and "PRODUCT" in lists:
                    found = [products[e] for e in lists["PRODUCT"] if e in products]
                    if found:
                        properties["hs_product_id"] = str(found[0])
                    else:  # set when the pending product arrives
                        properties.pop("hs_product_id", None)
            properties["lastmodifieddate"] = now
            if "createdate" not in properties:
                properties["createdate"] = now
            properties["hs_object_id"] = object_id
            rows.append(
                (
                    portal_id,
                    object_type,
                    object_id,
                    encode(properties),
                    email_key,
                    encode(versions),
                    now,
                    now,
                    False,
                )
            )
        return rows

    def association_rows(
        self, targets: Targets, now: int
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """ASSOCIATION_COLUMNS rows of the associations made and PENDING_COLUMNS rows of the
        ones whose target does not exist yet (also kept in ``pending``). Two ids of one list can
        name one object (two customers linked to one contact by their email): one row."""
        portal_id = self.scope.portal_id
        from_type = self.object_type
        made: list[tuple[Any, ...]] = []
        pending: list[tuple[Any, ...]] = []
        for checked, object_id in zip(self.items, self.ids, strict=True):
            for to_type, ids in checked.associations.items():
                found = targets.get(to_type, {})
                made_to: set[int] = set()
                for target in ids:
                    to_id = found.get(target)
                    if to_id is not None:
                        if to_id not in made_to:
                            made_to.add(to_id)
                            made.append((portal_id, from_type, object_id, to_type, to_id, now))
                        continue
                    external_id = checked.message.external_id
                    self.pending.setdefault(external_id, []).append((to_type, target))
                    pending.append((*self.scope, from_type, external_id, to_type, target, now))
        return made, pending

    def link_rows(self, now: int) -> list[tuple[Any, ...]]:
        """LINK_COLUMNS rows: each link processed now, its status its only message's."""
        key = (*self.scope, self.object_type)
        return [
            (
                *key,
                c.message.external_id,
                object_id,
                c.message.changed_at,
                now,
                None,
                None,
                now,
                encode_json(c.skipped) if c.skipped else None,
            )
            for c, object_id in zip(self.items, self.ids, strict=True)
        ]

    def error_rows(self, now: int) -> dict[str, tuple[Any, ...]]:
        """ERROR_COLUMNS rows of the links with pending associations (after
        ``association_rows``): the derived INVALID_ASSOCIATION_PROPERTY error, OPEN."""
        if not self.pending:
            return {}
        key = (*self.scope, self.object_type)
        changed_at = {c.message.external_id: c.message.changed_at for c in self.items}
        return {
            ext: (
                *key,
                ext,
                ASSOCIATION_ERROR,
                association_details(self.object_type, waiting),
                changed_at[ext],
                now,
                "OPEN",
            )
            for ext, waiting in self.pending.items()
        }
