"""What applying a batch did, counted once per batch for the metrics (never per message)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ecombridge.observability import metrics


@dataclass
class ApplySummary:
    """Outcomes of a batch's messages: the newest message of each object succeeded or failed;
    the others (older versions in the batch, stale or after a delete) were skipped."""

    success: int = 0
    error: int = 0
    skipped: int = 0
    error_types: Counter[str] = field(default_factory=Counter)

    def record(self, object_type: str) -> None:
        metrics.record_applied(object_type, "success", self.success)
        metrics.record_applied(object_type, "error", self.error)
        metrics.record_applied(object_type, "skipped", self.skipped)
        for error_type, count in self.error_types.items():
            metrics.record_error(error_type, count)
