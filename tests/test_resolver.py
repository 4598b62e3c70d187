"""crawler/resolver.py: IP literals answered in place, names left to the resolver installed before."""

from __future__ import annotations

from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address

from crawler.resolver import LiteralFirstResolver, install


class Receiver:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def resolutionBegan(self, resolution: Any) -> None:  # noqa: N802 - Twisted's interface
        self.events.append(("began", resolution.name))

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        self.events.append(address)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.events.append("complete")


class Fallback:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def resolveHostName(self, receiver: Any, host: str, port: int = 0, *rest: Any) -> str:  # noqa: N802
        self.asked.append(host)
        return "fallback's resolution"


def test_ip_literals_are_answered_without_a_lookup() -> None:
    fallback = Fallback()
    resolver = LiteralFirstResolver(fallback)
    v4, v6 = Receiver(), Receiver()
    resolver.resolveHostName(v4, "127.0.0.2", 8080)
    resolver.resolveHostName(v6, "::1", 443)
    assert v4.events == [("began", "127.0.0.2"), IPv4Address("TCP", "127.0.0.2", 8080), "complete"]
    assert v6.events == [("began", "::1"), IPv6Address("TCP", "::1", 443), "complete"]
    assert fallback.asked == []


def test_an_address_of_an_excluded_type_resolves_to_nothing() -> None:
    receiver = Receiver()
    LiteralFirstResolver(Fallback()).resolveHostName(receiver, "127.0.0.1", 80, addressTypes=[IPv6Address])
    assert receiver.events == [("began", "127.0.0.1"), "complete"]


def test_names_go_to_the_resolver_that_was_installed() -> None:
    fallback = Fallback()
    receiver = Receiver()
    answer = LiteralFirstResolver(fallback).resolveHostName(receiver, "www.zhuhai.gov.cn", 80)
    assert fallback.asked == ["www.zhuhai.gov.cn"] and answer == "fallback's resolution"
    assert receiver.events == []


def test_installed_once_in_front_of_the_current_resolver() -> None:
    class Reactor:
        def __init__(self) -> None:
            self.nameResolver: Any = Fallback()

        def installNameResolver(self, resolver: Any) -> None:  # noqa: N802
            self.nameResolver = resolver

    reactor = Reactor()
    original = reactor.nameResolver
    assert install(reactor) is True
    assert isinstance(reactor.nameResolver, LiteralFirstResolver) and reactor.nameResolver.fallback is original
    assert install(reactor) is False
    assert reactor.nameResolver.fallback is original
