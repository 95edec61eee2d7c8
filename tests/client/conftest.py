"""Fixtures of the SDK's contract tests."""

from tests.client.import_hook import import_hook, wsgi_import_hook

__all__ = ["import_hook", "wsgi_import_hook"]
