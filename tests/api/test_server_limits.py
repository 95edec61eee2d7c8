"""The HTTP server's limits: a client that trickles its headers or its body is disconnected
(408 for the body) instead of holding a connection forever."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn

from ecombridge.api.app import create_app
from ecombridge.api.server import server_options
from ecombridge.config import Config
from ecombridge.db.engine import Database
from tests.support.live import free_port


@pytest.fixture
def strict_server(database_url: str, db: Database) -> Iterator[int]:
    config = Config(database_url=database_url, request_read_timeout_seconds=1.0)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, db),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            **server_options(config),
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield port
    server.should_exit = True
    thread.join(10)


def _read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection (a 30 s socket timeout fails)."""
    sock.settimeout(30)
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


def test_headers_sent_too_slowly_close_the_connection(strict_server: int) -> None:
    with socket.create_connection(("127.0.0.1", strict_server)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the end
        assert _read_all(sock) == b""


def test_a_silent_connection_is_closed(strict_server: int) -> None:
    with socket.create_connection(("127.0.0.1", strict_server)) as sock:
        assert _read_all(sock) == b""


def test_a_body_sent_too_slowly_is_408_and_closes_the_connection(
    strict_server: int, hapikey: Callable[[str], str]
) -> None:
    path = hapikey("/extensions/ecomm/v2/sync/messages").encode()
    request = (
        b"PUT " + path + b" HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    )
    with socket.create_connection(("127.0.0.1", strict_server)) as sock:
        sock.sendall(request)
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"not received within 1.0 s" in answer


def test_a_prompt_client_is_served(strict_server: int) -> None:
    with socket.create_connection(("127.0.0.1", strict_server)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert _read_all(sock).startswith(b"HTTP/1.1 200")
