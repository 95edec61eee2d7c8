"""The workflow wire shapes as the API answers them: a workflow (GET answers what PUT stored) and
an enrolment. Light on purpose: the change-feed listener and the jobs import it."""

from __future__ import annotations

from typing import Any

from ecombridge.clock import iso_ms
from ecombridge.errors import ValidationFailed
from ecombridge.workflows.definitions import KEYS, EmailStep, Workflow


def fail(where: str, problem: str) -> ValidationFailed:
    return ValidationFailed(f"{where}: {problem}", errors=[{"message": problem, "in": where}])


def require_key(key: str) -> str:
    if key not in KEYS:
        raise fail("key", f"unknown workflow {key!r}; the workflows are {', '.join(KEYS)}.")
    return key


def emails_json(emails: tuple[EmailStep, ...]) -> list[dict[str, Any]]:
    return [
        {"delayMinutes": s.delay_minutes, "subject": s.subject, "bodyTemplate": s.body_template}
        for s in emails
    ]


def render_workflow(workflow: Workflow) -> dict[str, Any]:
    return {
        "key": workflow.key,
        "enabled": workflow.enabled,
        "storeIds": list(workflow.store_ids) if workflow.store_ids is not None else None,
        "inactivityDays": workflow.inactivity_days,
        "emails": emails_json(workflow.emails),
    }


def render_enrollment(row: Any, sent: list[Any]) -> dict[str, Any]:
    return {
        "contactId": str(row.contact_id),
        "dealId": str(row.deal_id) if row.deal_id is not None else None,
        "state": row.state,
        "exitReason": row.exit_reason,
        "enrolledAt": iso_ms(int(row.enrolled_at)),
        "sent": [
            {
                "at": iso_ms(int(email.sent_at)),
                "subject": email.subject,
                "messageId": email.message_id,
            }
            for email in sent
        ],
    }
