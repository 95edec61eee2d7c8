"""Fixtures of the SDK's contract tests."""

from tests.client.import_hook import import_hook

__all__ = ["import_hook"]
