"""A contact opting out of email: ``hs_email_optout`` set true through a CRM write that
publishes to the change feed (origin ``crm``), and every active enrolment of theirs exited."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from ecombridge.change_feed import Changes, publish
from ecombridge.mail import repository as mail_repo
from ecombridge.mail.unsubscribe import parse_token, verify
from ecombridge.workflows import repository as repo
from ecombridge.workflows import shop_repository as shop
from ecombridge.workflows.definitions import ACTIVE, EXITED, UNSUBSCRIBED
from ecombridge.workflows.enrolment import opted_out

OPTOUT_PROPERTY = "hs_email_optout"


def opt_out(conn: Connection, portal_id: int, contact_id: int, now: int) -> bool:
    """False when the contact does not exist (any more); idempotent otherwise."""
    found = shop.objects(conn, portal_id, "CONTACT", [contact_id])
    if contact_id not in found:
        return False
    row = found[contact_id]
    properties = dict(row.properties or {})
    active = [
        int(r.id) for r in repo.open_enrollments(conn, portal_id, [contact_id]) if r.state == ACTIVE
    ]
    repo.finish_enrollments(conn, active, EXITED, UNSUBSCRIBED, now)
    if opted_out(properties):
        return True
    properties[OPTOUT_PROPERTY] = True
    properties["lastmodifieddate"] = now
    versions = dict(row.versions or {})
    # Recorded like a synced value, so only a message newer than the opt-out can undo it.
    versions["p"] = {**versions.get("p", {}), OPTOUT_PROPERTY: now}
    shop.set_properties(conn, portal_id, "CONTACT", contact_id, properties, versions, now)
    publish(conn, Changes(portal_id, "CONTACT", "crm", {contact_id: now}))
    return True


def token_owner(conn: Connection, token: str) -> tuple[int, int] | None:
    """(portal id, contact id) of a genuine unsubscribe token; None for anything else."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    portal_id, contact_id, signature = parsed
    key = mail_repo.unsubscribe_key(conn, portal_id)
    if key is None or not verify(key, portal_id, contact_id, signature):
        return None
    return portal_id, contact_id
