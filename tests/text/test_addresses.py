"""Which hosts are not public web addresses, judged from the name alone."""

from __future__ import annotations

import pytest

from list2bib.text.addresses import host_refusal, literal_address, url_refusal


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8000/x", "loopback"),
        ("http://127.9.9.9/", "loopback"),
        ("http://2130706433/", "loopback"),  # decimal
        ("http://0x7f000001/", "loopback"),  # hex
        ("http://0x7f.1/", "loopback"),  # short hex
        ("http://017700000001/", "loopback"),  # octal
        ("http://127.1/", "loopback"),  # short dotted
        ("http://[::1]:81/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),  # IPv4-mapped IPv6
        ("http://[::ffff:a9fe:a9fe]/", "link-local"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1%25eth0]/", "link-local"),
        ("http://10.0.0.1/", "private"),
        ("http://172.16.5.4/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://[fd00::1]/", "private"),
        ("http://224.0.0.1/", "multicast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://0/", "unspecified"),
        ("http://100.64.0.1/", "reserved"),  # carrier-grade NAT: not global
        ("http://240.0.0.1/", "reserved"),
    ],
)
def test_numeric_hosts_that_are_not_public(url: str, kind: str) -> None:
    refusal = url_refusal(url)
    assert refusal is not None and f" {kind} address" in refusal


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST.", "api.localhost", "localhost.localdomain", "ip6-localhost"]
)
def test_local_names(host: str) -> None:
    assert host_refusal(host) == f"{host} is this machine"


@pytest.mark.parametrize(
    "url",
    [
        "https://arxiv.org/abs/2101.00001",
        "http://8.8.8.8/",
        "http://[2606:4700::1111]/",
        "https://localhost.example.org/",  # a public name that merely starts like one
        "https://10.example.com/",
        "https://1e100.net/",
        "mailto:someone@example.org",  # no host
    ],
)
def test_public_or_unknown_hosts_pass(url: str) -> None:
    assert url_refusal(url) is None


def test_only_address_forms_are_read_as_addresses() -> None:
    assert literal_address("example.org") is None
    assert literal_address("127.0.0.1.example.org") is None
    assert str(literal_address("2130706433")) == "127.0.0.1"
    assert str(literal_address("[::1]")) == "::1"
