"""The redirect URIs an app registers for the OAuth flow: absolute http(s) URLs, matched exactly.

``GET /oauth/authorize`` sends the browser (with the authorization code, or the denial) only to a
URI the app registered, so the consent page can be neither an open redirect nor a way to hand a
code to someone else.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from ecombridge.errors import ValidationFailed

MAX_REDIRECT_URI_LENGTH = 2000  # the width of credentials.redirect_uri
MAX_REDIRECT_URIS = 20


def check_redirect_uri(uri: str | None, field: str = "redirect_uri") -> str:
    """``uri`` if it can be a redirect URI, else ValidationFailed naming ``field``."""
    if not uri:
        raise ValidationFailed(f"{field} is required.")
    if len(uri) > MAX_REDIRECT_URI_LENGTH:
        raise ValidationFailed(f"{field} is longer than {MAX_REDIRECT_URI_LENGTH} characters.")
    # Control characters (NUL above all) belong in no URL; the database could not store NUL.
    control = any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in uri)
    try:
        parts = urlsplit(uri)
        usable = parts.scheme in ("http", "https") and parts.hostname and not parts.fragment
    except ValueError:  # e.g. an unclosed IPv6 bracket
        usable = False
    if control or not usable:
        raise ValidationFailed(
            f"{field} must be an absolute http(s) URL without a fragment, got {uri!r}."
        )
    return uri


def check_redirect_uris(uris: Iterable[str]) -> list[str]:
    """The URIs an app registers, each checked, without repeats, in the order given."""
    checked = list(dict.fromkeys(check_redirect_uri(u, "--redirect-uri") for u in uris))
    if len(checked) > MAX_REDIRECT_URIS:
        raise ValidationFailed(f"An app may register at most {MAX_REDIRECT_URIS} redirect URIs.")
    return checked
