"""Secrets never reach the logs: uvicorn's access log, the bridge's own lines, stored failures."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from ecombridge.observability.redaction import RedactingFilter, redact
from ecombridge.queue.worker import _describe
from tests.cli.serving import start_serve, stop_process, wait_healthy
from tests.support.live import free_port


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /x?hapikey=k-123 HTTP/1.1", "GET /x?hapikey=[redacted] HTTP/1.1"),
        ("/x?limit=1&access_token=eb-at-9&page=2", "/x?limit=1&access_token=[redacted]&page=2"),
        (
            "/oauth/v1/token?code=c1&refresh_token=r1&client_secret=s1&redirect_uri=https://a",
            "/oauth/v1/token?code=[redacted]&refresh_token=[redacted]&client_secret=[redacted]"
            "&redirect_uri=https://a",
        ),
        ("DELETE /oauth/v1/refresh-tokens/eb-rt-abc", "DELETE /oauth/v1/refresh-tokens/[redacted]"),
        ("/oauth/v1/access-tokens/eb-at-x?y=1", "/oauth/v1/access-tokens/[redacted]?y=1"),
        ("Authorization: Bearer pat-local-xyz", "Authorization: Bearer [redacted]"),
        ("?HapiKey=K", "?HapiKey=[redacted]"),
        ("postcode=W1 and barcode=123", "postcode=W1 and barcode=123"),  # not secrets
    ],
)
def test_credentials_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_filter_redacts_arguments_and_tracebacks() -> None:
    try:
        raise ValueError("request to /x?hapikey=k-secret failed")
    except ValueError as exc:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "%s %s %d", ("/y?access_token=t-1", exc, 404), None
        )
        record.exc_info = (ValueError, exc, exc.__traceback__)
    RedactingFilter().filter(record)
    assert record.getMessage() == (
        "/y?access_token=[redacted] request to /x?hapikey=[redacted] failed 404"
    )
    assert "k-secret" not in str(record.exc_text) and "[redacted]" in str(record.exc_text)


def test_a_failed_jobs_stored_error_is_redacted() -> None:
    stored = _describe(RuntimeError("POST /oauth/v1/token?client_secret=s3cr3t"))
    assert "s3cr3t" not in stored and "client_secret=[redacted]" in stored


def test_the_access_log_of_a_real_server_carries_no_secrets(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    process = start_serve(f"sqlite:///{tmp_path / 'bridge.db'}", port, log, log_level="info")
    secrets = [f"secret-value-{n}" for n in range(7)]
    try:
        wait_healthy(base, process, log)
        with httpx.Client(base_url=base) as client:
            client.get("/extensions/ecomm/v2/stores", params={"hapikey": secrets[0]})
            client.get("/extensions/ecomm/v2/stores", params={"access_token": secrets[1]})
            client.get(f"/oauth/v1/access-tokens/{secrets[2]}")
            client.get(f"/oauth/v1/refresh-tokens/{secrets[3]}")
            client.delete(f"/oauth/v1/refresh-tokens/{secrets[3]}")
            client.post(
                "/oauth/v1/token",
                params={"code": secrets[4], "client_secret": secrets[5]},
                data={"grant_type": "refresh_token", "refresh_token": secrets[6]},
            )
            client.post("/oauth/v1/token", params={"refresh_token": secrets[6]})
    finally:
        stop_process(process)
    output = log.read_text()
    assert output.count('/oauth/v1/refresh-tokens/[redacted] HTTP/1.1" 404') == 2  # logged
    assert "hapikey=[redacted]" in output and "access_token=[redacted]" in output
    assert not [s for s in secrets if s in output], output
