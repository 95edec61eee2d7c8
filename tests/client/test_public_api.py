"""The SDK's public surface is exactly ``__all__`` and it imports without server dependencies."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import ecombridge.client as sdk

EXPECTED = {
    "AsyncClient",
    "Client",
    "Retry",
    "Importer",
    "ImportPage",
    "ImportEnd",
    "ImportWebhook",
    "ImportRequest",
    "signature_v1",
    "signature_v3",
    "verify_signature_v1",
    "verify_signature_v3",
    "BridgeError",
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "Conflict",
    "PayloadTooLarge",
    "RateLimited",
    "ServerError",
    "TransportError",
    "ConfigurationError",
    "Settings",
    "V1Settings",
    "PropertyMapping",
    "Store",
    "SyncMessage",
    "V1SyncMessage",
    "ImportMessage",
    "SyncStatus",
    "V1SyncStatus",
    "SyncError",
    "V1SyncError",
    "SyncErrorPage",
    "ImportProgress",
    "InstallStatus",
    "CONTACT",
    "PRODUCT",
    "DEAL",
    "LINE_ITEM",
    "OBJECT_TYPES",
}


def test_all_lists_the_public_names_and_each_exists() -> None:
    assert set(sdk.__all__) == EXPECTED
    assert len(sdk.__all__) == len(EXPECTED)
    for name in sdk.__all__:
        assert getattr(sdk, name) is not None


def test_public_names_do_not_leak_private_modules() -> None:
    public = {n for n in dir(sdk) if not n.startswith("_")}
    assert public == set(sdk.__all__)


def test_every_exception_derives_from_bridge_error() -> None:
    errors = [
        getattr(sdk, n)
        for n in sdk.__all__
        if isinstance(getattr(sdk, n), type) and issubclass(getattr(sdk, n), Exception)
    ]
    assert len(errors) == 11
    assert all(issubclass(e, sdk.BridgeError) for e in errors)


def test_imports_with_server_dependencies_blocked() -> None:
    script = textwrap.dedent(
        """
        import importlib.abc, sys
        BLOCKED = ("fastapi", "starlette", "sqlalchemy", "msgspec", "pydantic", "alembic",
                   "psycopg", "uvicorn", "typer", "rich", "jinja2", "prometheus_client")

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError(f"blocked: {name}")
                return None

        for name in list(sys.modules):
            if name.split(".")[0] in BLOCKED:
                del sys.modules[name]
        sys.meta_path.insert(0, Block())
        import ecombridge.client as sdk
        sdk.Client("http://x", api_key="k").close()
        loaded = sorted({m.split(".")[0] for m in sys.modules} & set(BLOCKED))
        assert not loaded, loaded
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
