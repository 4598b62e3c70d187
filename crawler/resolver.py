"""IP-literal hosts without a DNS lookup: the reactor's name resolver, with that shortcut in front.

Twisted's default resolver (GAIResolver) hands every connection's host name to a thread for
getaddrinfo — an IP literal too — and a crawl of a server that closes each connection (HTTP/1.0:
the replica, the tests, some portals behind an IP) connects once per page: a thread hop, a queue
and a wake-up per request on the reactor thread (bench/crawl_bench.py profile: ~10 % of the
reactor's CPU). An address needs no lookup, so it is answered at once; a name still goes to the
resolver that was installed (Scrapy's caching one under `scrapy crawl`; Twisted's under
`noticewatch crawl`, which drives the reactor itself), so names resolve as they did.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution
from zope.interface import implementer


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:  # answered before anyone could cancel it
        pass


@implementer(IHostnameResolver)
class LiteralFirstResolver:
    """IP literals answered in place; anything else passed to `fallback`."""

    def __init__(self, fallback: Any):
        self.fallback = fallback

    def resolveHostName(  # noqa: N802 - Twisted's interface
        self, receiver: Any, hostName: str, portNumber: int = 0,  # noqa: N803
        addressTypes: Any = None, transportSemantics: str = "TCP",  # noqa: N803
    ) -> Any:
        try:
            address = ipaddress.ip_address(hostName.strip("[]"))
        except ValueError:
            return self.fallback.resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)
        resolution = _Resolution(hostName)
        receiver.resolutionBegan(resolution)
        if address.version == 4 and (addressTypes is None or IPv4Address in addressTypes):
            receiver.addressResolved(IPv4Address(transportSemantics, str(address), portNumber))
        elif address.version == 6 and (addressTypes is None or IPv6Address in addressTypes):
            receiver.addressResolved(IPv6Address(transportSemantics, str(address), portNumber))
        receiver.resolutionComplete()
        return resolution


def install(reactor: Any) -> bool:
    """Put the shortcut in front of `reactor`'s name resolver, once; True if it was installed now."""
    current = getattr(reactor, "nameResolver", None)
    if current is None or isinstance(current, LiteralFirstResolver):
        return False
    reactor.installNameResolver(LiteralFirstResolver(current))
    return True
