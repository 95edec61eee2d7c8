from __future__ import annotations

import pytest


@pytest.fixture
def postgresql_only(request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params["database_url"] != "postgresql":
        pytest.skip("SQLite runs one writer at a time: applies never overlap")
