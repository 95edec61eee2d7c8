"""Secrets out of logs and stored error texts.

Clients put credentials in URLs (``?hapikey=``, ``?access_token=``; the OAuth token metadata
paths ``/oauth/v1/access-tokens/{token}`` and ``/oauth/v1/refresh-tokens/{token}``; ``code``,
``refresh_token`` and ``client_secret`` when a client sends the token request's form as a query)
and in ``Authorization`` headers. ``redact`` replaces each such value with ``[redacted]``;
``RedactingFilter`` applies it to every log record a handler emits (uvicorn's access log, the
bridge's own lines, tracebacks), and ``install`` puts it on handlers. ``serve`` and ``worker``
install it; failure texts stored for later reading (``jobs.last_error``) are redacted too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"
SECRET_PARAMETERS = ("hapikey", "access_token", "code", "refresh_token", "client_secret")

_PARAMETER = re.compile(
    r"(?i)((?:^|[?&;\s\"'])(?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&;\s\"'#]+"
)
_TOKEN_PATH = re.compile(r"(/oauth/v1/(?:access|refresh)-tokens/)[^/?#\s\"']+")
_BEARER = re.compile(r"(?i)(\bbearer\s+)[^\s\"',;]+")


def redact(text: str) -> str:
    """``text`` with every credential value it carries replaced by ``[redacted]``."""
    if "=" in text:
        text = _PARAMETER.sub(rf"\1{REDACTED}", text)
    if "-tokens/" in text:
        text = _TOKEN_PATH.sub(rf"\1{REDACTED}", text)
    if "earer" in text:
        text = _BEARER.sub(rf"\1{REDACTED}", text)
    return text


def _redact_argument(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value  # formatted with %d and the like
    return redact(value if isinstance(value, str) else str(value))


class RedactingFilter(logging.Filter):
    """Redacts a record's message, arguments and traceback before any handler formats it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(_redact_argument(a) for a in args)
        elif isinstance(args, Mapping):
            record.args = {k: _redact_argument(v) for k, v in args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install(*loggers: logging.Logger) -> None:
    """Put the filter on every handler of ``loggers`` (default: the root logger)."""
    for logger in loggers or (logging.getLogger(),):
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())


def uvicorn_log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging configuration with the filter on its handlers, and the bridge's own
    loggers (the root logger) writing through the same, filtered, handler."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = {
        **LOGGING_CONFIG,
        "filters": {"redact": {"()": RedactingFilter}},
        "handlers": {
            name: {**handler, "filters": ["redact"]}
            for name, handler in LOGGING_CONFIG["handlers"].items()
        },
        "loggers": dict(LOGGING_CONFIG["loggers"]),
    }
    config["root"] = {"handlers": ["default"], "level": level.upper()}
    return config
