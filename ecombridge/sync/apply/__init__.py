"""Applying batches of sync messages to CRM objects, associations, sync status and errors.

Modules by role: ``batch`` (one batch, start to end), ``rules`` (what a batch is checked
against), ``values`` (checking and coercing message values), ``state`` (the in-memory merge),
``fresh`` (the first message of a new link, straight to rows), ``associations`` (lists, pending
associations and their derived errors), ``repository`` and ``association_repository`` (all SQL),
``summary`` (outcomes for the metrics).
"""

from ecombridge.sync.apply.batch import apply_batch

__all__ = ["apply_batch"]
