"""Product images for the web UI, fetched by the bridge and served from its own origin.

Pages never point a browser at a shop's image URL: the content security policy allows images
from the bridge only, and a browser fetching them would tell the shop's host who reads the page.
The bridge fetches the image once through the outbound guard (no private addresses unless
allowed, no redirects), accepts only raster image formats it recognises by their first bytes and
keeps a bounded number of bytes in memory; what cannot be had is answered by a tile with the
product's initials, so a page never shows a broken image.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from html import escape

import httpx

from ecombridge.outbound.addresses import AddressPolicy, BlockedAddress
from ecombridge.outbound.transport import guarded_client

IMAGE_PROPERTY = "ip__ecomm_bridge__image_url"
MAX_IMAGE_BYTES = 2 * 1024 * 1024
CACHE_BYTES = 16 * 1024 * 1024
FRESH_SECONDS = 3600.0
MISS_SECONDS = 300.0  # how long a failed fetch is remembered before it is tried again
_TIMEOUT = httpx.Timeout(5.0)

# Formats by their first bytes: the server's Content-Type is not trusted (and SVG, which can
# carry script, is not among them).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True, slots=True)
class Image:
    body: bytes
    media_type: str


def sniff(head: bytes) -> str | None:
    """The media type of an image starting with ``head``, if it is one we serve."""
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def download(url: str, policy: AddressPolicy) -> Image | None:
    """The image at ``url``, or None when it cannot be had or is not an image we serve."""
    try:
        with (
            guarded_client(_TIMEOUT, policy) as client,
            client.stream("GET", url, headers={"Accept": "image/*"}) as response,
        ):
            if response.status_code != 200:
                return None
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_IMAGE_BYTES:
                    return None
    except (httpx.HTTPError, BlockedAddress, ValueError):
        return None
    media_type = sniff(bytes(body[:16]))
    return Image(bytes(body), media_type) if media_type else None


class ImageCache:
    """Fetched images (and failures) by URL, least recently used first out, within a byte budget."""

    def __init__(self, budget: int = CACHE_BYTES) -> None:
        self.budget = budget
        self._entries: OrderedDict[str, tuple[float, Image | None]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, url: str, policy: AddressPolicy) -> Image | None:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(url)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(url)
                return entry[1]
        image = download(url, policy)
        self._put(url, image, now + (FRESH_SECONDS if image else MISS_SECONDS))
        return image

    def _put(self, url: str, image: Image | None, until: float) -> None:
        size = len(image.body) if image else 0
        with self._lock:
            old = self._entries.pop(url, None)
            if old is not None and old[1] is not None:
                self._bytes -= len(old[1].body)
            self._entries[url] = (until, image)
            self._bytes += size
            while self._bytes > self.budget and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                if dropped is not None:
                    self._bytes -= len(dropped.body)


CACHE = ImageCache()


def initials_tile(initials: str) -> bytes:
    """A square SVG tile with ``initials`` (served from the bridge; no script in it)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80" viewBox="0 0 80 80">'
        '<rect width="80" height="80" rx="14" fill="#dbe6f7"/>'
        '<text x="40" y="41" text-anchor="middle" dominant-baseline="middle" '
        'font-family="system-ui, sans-serif" font-size="28" font-weight="700" fill="#1d3a66">'
        f"{escape(initials)}</text></svg>"
    ).encode()
