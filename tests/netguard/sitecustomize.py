"""Loopback only: every Python process the tests start imports this (conftest puts this
directory first on PYTHONPATH), and the test process installs it too.

A name is resolved only when it is loopback (``localhost``, an IP literal) or listed in
``CHECKER_TEST_NETGUARD_ALLOW`` (the package index, for the test that lets pre-commit install
the hook); a socket connects only to a loopback address or to an address such a lookup gave.
Anything else is refused before a packet leaves (a failed lookup, a refused connection) and
written to ``CHECKER_TEST_NETGUARD_LOG``, which conftest checks after every test. Names under
``.invalid`` (RFC 2606: they never resolve) are refused without a log line: a test uses one to
provoke a DNS failure.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

_INET = (socket.AF_INET, socket.AF_INET6)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _record(what: str) -> None:
    log = os.environ.get("CHECKER_TEST_NETGUARD_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"pid {os.getpid()}: {what}\n")


def install() -> None:
    if getattr(socket, "_checker_test_netguard", False):
        return
    allowed_names = {name.strip().lower().rstrip(".")
                     for name in os.environ.get("CHECKER_TEST_NETGUARD_ALLOW", "").split(",")
                     if name.strip()} | {"localhost"}
    allowed_addresses: set[str] = set()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or _ip_literal(name):
            return real_getaddrinfo(host, *args, **kwargs)  # no lookup; connect() decides
        canonical = name.lower().rstrip(".")
        if canonical in allowed_names or canonical.endswith(".localhost"):
            found = real_getaddrinfo(host, *args, **kwargs)
            if canonical != "localhost":
                allowed_addresses.update(str(entry[4][0]) for entry in found)
            return found
        if not canonical.endswith(".invalid"):
            _record(f"lookup of {name!r} refused")
        raise socket.gaierror(socket.EAI_NONAME,
                              f"test network guard: {name} is not loopback")

    def refuse(sock: socket.socket, address: Any) -> None:
        if sock.family in _INET and isinstance(address, tuple):
            host = str(address[0])
            if not _loopback(host) and host not in allowed_addresses:
                _record(f"connection to {host} refused")
                raise ConnectionRefusedError(
                    111, f"test network guard: {host} is not loopback")

    def connect(self: socket.socket, address: Any) -> None:
        refuse(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        refuse(self, address)
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket._checker_test_netguard = True  # type: ignore[attr-defined]


install()
