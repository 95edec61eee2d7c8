"""Which addresses the bridge may call: public ones, and private ones only when allowed.

A URL an app or an operator gives us (a webhook, a relay destination, an SMTP server) must not
turn the bridge into a way into its own network: loopback, private ranges, link-local (cloud
metadata at 169.254.169.254), ``0.0.0.0`` and the like are refused unless the operator allows
them with ``ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE`` (``true`` for every address, or a comma-separated
list of networks such as ``10.0.0.0/8,127.0.0.1``). Names are resolved here and the connection
is made to the address checked (see ``transport``), so a name cannot resolve to a public address
for the check and a private one for the connection. Decimal, octal and hex spellings of an
address resolve like any other name, to the address they denote.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass

ALLOW_PRIVATE_ENV = "ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE"
_TRUE = {"1", "true", "yes", "on", "*"}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(Exception):
    """The host is not one the bridge may call; the message says why without probing further."""


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
        if self.allow_all or any(address in network for network in self.allowed):
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return address.is_global and not address.is_multicast


def resolve(host: str, port: int, policy: AddressPolicy) -> list[str]:
    """The addresses ``host`` resolves to, all of them permitted by ``policy``; BlockedAddress
    when the name does not resolve or any of its addresses is not permitted (a name mixing
    public and private addresses is refused whole)."""
    name = host.strip("[]")
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise BlockedAddress(f"the host {host!r} does not resolve") from None
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
        raise BlockedAddress(f"the host {host!r} does not resolve")
    return addresses
