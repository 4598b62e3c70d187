"""A socket guard: any connection to an address that is not loopback raises, in tests only."""

from __future__ import annotations

import ipaddress
import socket

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex
_original_getaddrinfo = socket.getaddrinfo


class NonLoopbackConnection(RuntimeError):
    pass


def _is_loopback_host(host: object) -> bool:
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(sock: socket.socket, address: object) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        if not _is_loopback_host(address[0]):
            raise NonLoopbackConnection(f"test tried to connect to non-loopback address {address[0]!r}")


def _connect(self: socket.socket, address: object) -> None:
    _check(self, address)
    return _original_connect(self, address)


def _connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address)
    return _original_connect_ex(self, address)


def _getaddrinfo(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
    if isinstance(host, bytes):
        host = host.decode()
    if host is not None and not _is_loopback_host(host):
        raise NonLoopbackConnection(f"test tried to resolve non-loopback host {host!r}")
    return _original_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo  # type: ignore[assignment]
