"""httpx transports that connect only to permitted addresses, pinned for the connection.

Each request's host is resolved and checked (``addresses.resolve``), then the request is sent to
the checked address itself: the URL's host becomes the address, while the ``Host`` header and,
for https, the TLS server name (SNI and certificate check) stay the original name. Redirects, if
a client follows them, come back through here and are checked the same way.
"""

from __future__ import annotations

import httpx

from ecombridge.outbound.addresses import AddressPolicy, BlockedAddress, resolve

__all__ = ["AsyncGuardedTransport", "BlockedAddress", "GuardedTransport", "guarded_client", "pin"]


def pin(request: httpx.Request, policy: AddressPolicy) -> None:
    """Point ``request`` at a permitted address of its host, or raise BlockedAddress."""
    url = request.url
    if url.scheme not in ("http", "https"):
        raise BlockedAddress(f"the scheme {url.scheme!r} is not http or https")
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    address = resolve(host, port, policy)[0]
    if url.scheme == "https":
        request.extensions = {**request.extensions, "sni_hostname": host}
    request.url = url.copy_with(host=address)


class GuardedTransport(httpx.BaseTransport):
    def __init__(self, policy: AddressPolicy, inner: httpx.BaseTransport | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        pin(request, self.policy)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncGuardedTransport(httpx.AsyncBaseTransport):
    def __init__(
        self, policy: AddressPolicy, inner: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.policy = policy
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # getaddrinfo blocks; outbound calls are rare enough that a short block is acceptable.
        pin(request, self.policy)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def guarded_client(timeout: httpx.Timeout, policy: AddressPolicy | None = None) -> httpx.Client:
    """A client for calls to addresses others gave the bridge: guarded (``policy``, by default
    ``ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE``'s), no redirects followed, and nothing taken from the
    environment (proxies would bypass the guard; .netrc would attach credentials)."""
    return httpx.Client(
        transport=GuardedTransport(policy or AddressPolicy.from_env()),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
