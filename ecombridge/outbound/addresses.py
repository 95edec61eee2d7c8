"""Which addresses the bridge may call: public ones, and private ones only when allowed.

A URL an app or an operator gives us (a webhook, a relay destination, an SMTP server) must not
turn the bridge into a way into its own network: loopback, private ranges, link-local (cloud
metadata at 169.254.169.254), ``0.0.0.0`` and the like are refused unless the operator allows
them with ``ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE`` (``true`` for every address, or a comma-separated
list of networks such as ``10.0.0.0/8,127.0.0.1``). Names are resolved here and the connection
is made to the address checked (see ``transport``), so a name cannot resolve to a public address
for the check and a private one for the connection. Decimal, octal and hex spellings of an
address resolve like any other name, to the address they denote. IPv6 addresses that carry an
IPv4 address (IPv4-mapped, 6to4, NAT64) are judged as that IPv4 address; the deprecated
IPv4-compatible and site-local ranges are refused.

``check_url`` is the same judgement for a URL given to the bridge (a webhook URI on save), so
that a literal private address, or a name resolving to one, is refused at once; a name that does
not resolve yet is let through there (it is checked again at every call).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

ALLOW_PRIVATE_ENV = "ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE"
_TRUE = {"1", "true", "yes", "on", "*"}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# IPv6 ranges never called: IPv4-compatible (deprecated; some stacks route them to IPv4),
# IPv4-translated (SIIT), site-local (deprecated), local-use NAT64, documentation.
_REFUSED_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in ("::/96", "::ffff:0:0:0/96", "fec0::/10", "64:ff9b:1::/48", "3fff::/20")
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class BlockedAddress(Exception):
    """The host is not one the bridge may call; the message says why without probing further."""


class Unresolvable(BlockedAddress):
    """The host's name does not resolve."""


@dataclass(frozen=True)
class AddressPolicy:
    allow_all: bool = False
    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_setting(cls, value: str | None) -> AddressPolicy:
        """``true`` (every address), a comma-separated list of networks, or nothing."""
        text = (value or "").strip()
        if text.lower() in _TRUE:
            return cls(allow_all=True)
        if text.lower() in {"", "0", "false", "no", "off"}:
            return cls()
        networks = []
        for part in text.split(","):
            part = part.strip()
            if part:
                try:
                    networks.append(ipaddress.ip_network(part, strict=False))
                except ValueError:
                    raise ValueError(
                        f"{ALLOW_PRIVATE_ENV}: {part!r} is neither true nor a network"
                    ) from None
        return cls(allowed=tuple(networks))

    @classmethod
    def from_env(cls) -> AddressPolicy:
        return cls.from_setting(os.environ.get(ALLOW_PRIVATE_ENV))

    def permits(self, address: IPAddress) -> bool:
        carried = _carried_ipv4(address)
        if self.allow_all or self._listed(address) or (carried and self._listed(carried)):
            return True
        if carried is not None:
            address = carried
        elif isinstance(address, ipaddress.IPv6Address) and any(
            address in network for network in _REFUSED_V6
        ):
            return False
        return address.is_global and not address.is_multicast

    def _listed(self, address: IPAddress) -> bool:
        return any(address in network for network in self.allowed)


def _carried_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped, 6to4, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def resolve(host: str, port: int, policy: AddressPolicy) -> list[str]:
    """The addresses ``host`` resolves to, all of them permitted by ``policy``; BlockedAddress
    when the name does not resolve or any of its addresses is not permitted (a name mixing
    public and private addresses is refused whole)."""
    name = host.strip("[]")
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Unresolvable(f"the host {host!r} does not resolve") from None
    addresses: list[str] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]
        address = ipaddress.ip_address(text)
        if not policy.permits(address):
            raise BlockedAddress(
                f"the host {host!r} is a private, loopback or reserved address; the bridge "
                f"calls only public addresses unless {ALLOW_PRIVATE_ENV} allows it"
            )
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise Unresolvable(f"the host {host!r} does not resolve")
    return addresses


def check_url(url: str, policy: AddressPolicy) -> None:
    """BlockedAddress unless ``url`` is an http(s) URL whose host is permitted (see the module's
    docstring: a name that does not resolve passes)."""
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme, parts.hostname, parts.port
    except ValueError:  # an unclosed IPv6 bracket, a port that is not a number
        scheme, host, port = "", None, None
    control = any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url)
    if scheme not in ("http", "https") or not host or control:
        raise BlockedAddress("it must be an absolute http or https URL")
    with contextlib.suppress(Unresolvable):
        resolve(host, port or (443 if scheme == "https" else 80), policy)
