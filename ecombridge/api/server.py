"""The HTTP server's limits (``ecombridge serve``): connections served at once, the keep-alive
timeout, and how long a client may take to send a request's headers (a connection that opens
and trickles, or sends nothing, is closed instead of held forever). The body's read timeout is
``WireToleranceMiddleware``'s."""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ecombridge.config import Config


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol with a deadline on each request's headers: from the
    connection's start (or the first byte of a keep-alive connection's next request) to the
    end of the headers."""

    header_timeout_s: float = 30.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_deadline is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self.header_timeout_s > 0:
            self._header_deadline = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def server_options(config: Config) -> dict[str, Any]:
    """Keyword arguments of ``uvicorn.run`` / ``uvicorn.Config`` for the configured limits."""
    protocol = type(
        "ConfiguredHeaderTimeoutProtocol",
        (HeaderTimeoutProtocol,),
        {"header_timeout_s": config.request_read_timeout_seconds},
    )
    return {
        "http": protocol,
        "limit_concurrency": config.max_connections or None,
        "timeout_keep_alive": config.keep_alive_timeout_seconds,
    }


def run(app: Any, config: Config, **options: Any) -> None:
    uvicorn.run(app, host=config.host, port=config.port, **server_options(config), **options)
