"""Bridge paths, with path segments percent-encoded (ids may hold ``@``, spaces, slashes)."""

from __future__ import annotations

from urllib.parse import quote

V1 = "/extensions/ecomm/v1"
V2 = "/extensions/ecomm/v2"


def segment(value: object) -> str:
    return quote(str(value), safe="@+._-~")


def v2(*parts: object) -> str:
    return "/".join([V2, *(segment(p) for p in parts)])


def v1(*parts: object) -> str:
    return "/".join([V1, *(segment(p) for p in parts)])
