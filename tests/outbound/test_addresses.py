"""The outbound address guard refuses every spelling of a non-public address unless allowed."""

from __future__ import annotations

import ipaddress

import pytest

from ecombridge.outbound.addresses import AddressPolicy, BlockedAddress, check_url, resolve

BLOCKED = [
    "127.0.0.1",
    "localhost",
    "0.0.0.0",
    "2130706433",  # 127.0.0.1 written as one decimal number
    "0x7f.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "[::1]",
    "::ffff:127.0.0.1",
    "fd00::1",
    "224.0.0.1",
    # IPv6 addresses carrying a private IPv4 address, and deprecated ranges
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "::ffff:0:a00:1",  # IPv4-translated 10.0.0.1
    "fec0::1",  # site-local
]


@pytest.mark.parametrize("host", BLOCKED)
def test_non_public_addresses_are_refused_by_default(host: str) -> None:
    with pytest.raises(BlockedAddress, match="private, loopback or reserved"):
        resolve(host, 80, AddressPolicy())


def test_a_public_address_is_permitted() -> None:
    assert resolve("93.184.215.14", 443, AddressPolicy()) == ["93.184.215.14"]


def test_a_name_that_does_not_resolve_is_refused_without_detail() -> None:
    with pytest.raises(BlockedAddress, match="does not resolve"):
        resolve("no-such-host.invalid", 80, AddressPolicy())


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "[::1]"])
def test_the_operator_may_allow_every_address(host: str) -> None:
    assert resolve(host, 80, AddressPolicy.from_setting("true"))


def test_the_operator_may_allow_some_networks() -> None:
    policy = AddressPolicy.from_setting("10.0.0.0/8, 127.0.0.1")
    assert resolve("10.9.9.9", 80, policy) == ["10.9.9.9"]
    assert resolve("127.0.0.1", 80, policy) == ["127.0.0.1"]
    with pytest.raises(BlockedAddress):
        resolve("192.168.0.1", 80, policy)
    with pytest.raises(BlockedAddress):
        resolve("169.254.169.254", 80, policy)


@pytest.mark.parametrize("value", ["", "0", "false", "off"])
def test_off_values_allow_nothing_private(value: str) -> None:
    policy = AddressPolicy.from_setting(value)
    assert not policy.permits(ipaddress.ip_address("127.0.0.1"))


def test_a_setting_that_is_not_a_network_is_an_error() -> None:
    with pytest.raises(ValueError, match="neither true nor a network"):
        AddressPolicy.from_setting("intranet")


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111"])
def test_ipv6_carrying_a_public_ipv4_address_is_permitted(address: str) -> None:
    assert AddressPolicy().permits(ipaddress.ip_address(address))


def test_an_allowed_ipv4_network_covers_its_ipv6_spellings() -> None:
    policy = AddressPolicy.from_setting("127.0.0.0/8")
    assert policy.permits(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not policy.permits(ipaddress.ip_address("::ffff:10.0.0.1"))


def test_check_url_refuses_private_hosts_and_lets_unresolvable_names_through() -> None:
    with pytest.raises(BlockedAddress, match="private"):
        check_url("http://2130706433:8080/x", AddressPolicy())
    with pytest.raises(BlockedAddress, match="absolute http"):
        check_url("gopher://example.com/", AddressPolicy())
    check_url("https://no-such-host.invalid/hook", AddressPolicy())
    check_url("http://127.0.0.1/x", AddressPolicy(allow_all=True))
