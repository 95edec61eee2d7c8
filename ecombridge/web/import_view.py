"""The store page's import panel, told honestly: two phases (received, then applied) that only
move forward, "completed with differences" when fewer records arrived than announced, the
import's events, and what a failed start or cancel means in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecombridge.errors import BridgeError, Conflict, NotFound
from ecombridge.imports.repository import ACTIVE_STATES
from ecombridge.web.display import TYPE_LABELS

# Problems a start or cancel can meet: the code travels in the redirect, never the text.
PROBLEMS = {
    "not-installed": "The app is no longer installed in this portal, so it cannot import.",
    "no-webhook": (
        "The app has no import webhook yet. Its developer sets webhookUri in the app's "
        "ecommerce settings; then start the import again."
    ),
    "v1-default-only": (
        "This app only has a v1 import trigger, which fills the default store. Its developer "
        "sets webhookUri in the app's v2 settings to import this store."
    ),
    "no-store": "This store no longer exists.",
    "running": "An import of this store is already running. Wait for it, or cancel it below.",
    "finished": "That import had already finished, so there was nothing to cancel.",
    "failed": "The import could not be started. Try again in a moment.",
}
NOTICES = {
    "started": "Import started: the app was asked to send this store's data.",
    "cancelled": "Import cancelled. Records already applied stay.",
}


def problem_code(exc: BridgeError, *, cancelling: bool = False) -> str:
    if isinstance(exc, Conflict):
        return "finished" if cancelling else "running"
    if isinstance(exc, NotFound):
        return "not-installed" if "not installed" in exc.message else "no-store"
    if "import webhook" in exc.message:
        return "no-webhook"
    if "v1 importTriggerUri" in exc.message:
        return "v1-default-only"
    return "failed"


@dataclass(frozen=True)
class Phase:
    name: str
    done: int
    of: int
    state: str  # waiting | running | done

    @property
    def percent(self) -> int:
        if self.state == "done" and self.done >= self.of:
            return 100
        return min(100, (100 * self.done) // self.of) if self.of else 0


def _status(row: Any, short: bool) -> tuple[str, str, str]:
    """(label, tone, sentence) of the import's state."""
    state = row.state
    if state == "AWAITING_COUNTS":
        return "Starting", "info", "Waiting for the app to say how many records it will send."
    if state == "RECEIVING":
        return "Receiving", "info", "The app is sending its records."
    if state == "PROCESSING":
        return "Applying", "info", "Every record arrived; the bridge is applying them."
    if state == "COMPLETE":
        if short:
            return (
                "Completed with differences",
                "warn",
                "Fewer records arrived than the app announced; those that arrived were imported.",
            )
        return "Completed", "ok", "Every announced record was imported."
    reason = row.failure_reason or ""
    if reason.startswith("cancelled"):
        return "Cancelled", "", f"Import {reason.rstrip('.')}."
    return "Failed", "bad", reason or "The import stopped."


def import_view(row: Any | None, types: list[Any]) -> dict[str, Any]:
    if row is None:
        return {"import": None, "active": False}
    announced = sum(int(t.announced or 0) for t in types)
    received = sum(int(t.received_items or 0) for t in types)
    applied = sum(int(t.applied or 0) for t in types)
    short_types = [
        t.object_type for t in types if t.announced is not None and t.received_items < t.announced
    ]
    state = row.state
    applying = state in ("PROCESSING", "COMPLETE")
    receive = Phase(
        "Received",
        received,
        announced,
        "done" if applying else ("running" if state == "RECEIVING" else "waiting"),
    )
    apply = Phase(
        "Applied",
        applied,
        received,
        "done" if state == "COMPLETE" else ("running" if state == "PROCESSING" else "waiting"),
    )
    label, tone, sentence = _status(row, bool(short_types))
    return {
        "import": row,
        "active": state in ACTIVE_STATES,
        "label": label,
        "tone": tone,
        "sentence": sentence,
        "phases": [receive, apply],
        "announced": announced,
        "received": received,
        "applied": applied,
        "short_types": [TYPE_LABELS[t] for t in short_types],
        "types": [
            {
                "label": TYPE_LABELS[t.object_type],
                "announced": t.announced,
                "received": t.received_items,
                "applied": t.applied,
                "short": t.object_type in short_types,
            }
            for t in types
        ],
        "events": list(row.events or []),
    }
