"""Fixtures of the remote commands' tests: a bridge with a worker, an integrator's webhook."""

from tests.cli.bridge import working_bridge
from tests.client.import_hook import import_hook

__all__ = ["import_hook", "working_bridge"]
