"""httpx downloads under the crawl's rules (re-checks): a size limit on the *decoded* body, enforced
while inflating; robots.txt as the crawler reads it (crawler/robots.py, RFC 9309).

httpx inflates each received chunk whole, stage after stage: `Content-Encoding: gzip, gzip` of a
10 KB body became ~2 GB in memory before a size check could see it. Here the raw bytes go through
`Inflater`, whose every stage stops at the limit (zlib's `max_length`, brotli's
`output_buffer_limit`), so no more than the limit is ever held.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from crawler import robots as crawl_robots

ACCEPT_ENCODING = "gzip, deflate, br"


class TooLarge(httpx.HTTPError):
    """The page is bigger than the limit, on the wire or once inflated (read no further)."""


class BadEncoding(httpx.HTTPError):
    """A Content-Encoding that cannot be decoded (unknown, or corrupt data)."""


class _Zlib:
    def __init__(self, wbits: int):
        self.wbits = wbits
        self.d = zlib.decompressobj(wbits)
        self.started = False

    def process(self, data: bytes, room: int) -> bytes:
        try:
            out = self.d.decompress(data, room)
        except zlib.error:
            if self.started or self.wbits != zlib.MAX_WBITS:
                raise
            # "deflate" is sometimes raw deflate, without the zlib header (as httpx tries too).
            self.wbits, self.d = -zlib.MAX_WBITS, zlib.decompressobj(-zlib.MAX_WBITS)
            out = self.d.decompress(data, room)
        self.started = True
        return out

    def next_input(self) -> bytes | None:
        """What to process next for the output held back by the limit (None: done)."""
        return self.d.unconsumed_tail or None


class _Brotli:
    def __init__(self) -> None:
        import brotli

        self.d = brotli.Decompressor()

    def process(self, data: bytes, room: int) -> bytes:
        return self.d.process(data, output_buffer_limit=room)

    def next_input(self) -> bytes | None:
        # Output is pending until it can accept data again: asked for with empty input.
        return None if self.d.can_accept_more_data() else b""


_STAGES: dict[str, Callable[[], Any]] = {
    "gzip": lambda: _Zlib(16 + zlib.MAX_WBITS),
    "x-gzip": lambda: _Zlib(16 + zlib.MAX_WBITS),
    "deflate": lambda: _Zlib(zlib.MAX_WBITS),
    "br": _Brotli,
}


class Inflater:
    """Decodes a Content-Encoding chain (applied left to right, so undone right to left) as the
    bytes arrive; raises TooLarge as soon as any stage's output passes `limit` bytes."""

    def __init__(self, content_encoding: str, limit: int):
        names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        unknown = [n for n in names if n not in _STAGES]
        if unknown:
            raise BadEncoding(f"unsupported Content-Encoding {', '.join(unknown)}")
        self.stages = [_STAGES[n]() for n in reversed(names)]
        self.sizes = [0] * len(self.stages)
        self.limit = limit
        self.size = 0

    def feed(self, data: bytes) -> bytes:
        for index, stage in enumerate(self.stages):
            data = self._run(index, stage, data)
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge(f"page larger than the {self.limit}-byte limit once decoded")
        return data

    def _run(self, index: int, stage: Any, data: bytes) -> bytes:
        out: list[bytes] = []
        pending: bytes | None = data
        while pending is not None:
            room = self.limit - self.sizes[index] + 1
            try:
                chunk = stage.process(pending, room)
            except Exception as exc:  # noqa: BLE001 - zlib.error, brotli.error: corrupt data
                raise BadEncoding(f"cannot decode the page's Content-Encoding: {exc}") from None
            self.sizes[index] += len(chunk)
            if self.sizes[index] > self.limit:
                raise TooLarge(f"page larger than the {self.limit}-byte limit once decoded")
            out.append(chunk)
            pending = stage.next_input()
        return b"".join(out)


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, or TooLarge as soon as it passes `limit` bytes (declared, received or
    decoded). Reads the raw stream: httpx's own decoding is unbounded."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"page of {declared} bytes is larger than the {limit}-byte limit")
    inflater = Inflater(response.headers.get("content-encoding", ""), limit)
    chunks, wire = [], 0
    async for chunk in response.aiter_raw():
        wire += len(chunk)
        if wire > limit:
            raise TooLarge(f"page larger than the {limit}-byte limit")
        chunks.append(inflater.feed(chunk))
    return b"".join(chunks)


class RobotsRules:
    """robots.txt per host, fetched once with the re-check's client, read as the crawl reads it
    (crawler.robots.robots_rules: 4xx allows, 5xx or no answer disallows, the first 500 KiB)."""

    def __init__(self, user_agent: str):
        self.user_agent = user_agent
        self._rules: dict[str, tuple[Any, str | None]] = {}

    async def refusal(self, client: httpx.AsyncClient, url: str) -> str | None:
        """Why robots.txt forbids `url` (one line), or None when it may be fetched."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"  # without a start URL's credentials
        if origin not in self._rules:
            self._rules[origin] = await self._fetch(client, origin)
        parser, why = self._rules[origin]
        if why is not None:
            return f"{why}: crawling disallowed (RFC 9309)"
        if not parser.can_fetch(url, self.user_agent):
            return "forbidden by robots.txt"
        return None

    async def _fetch(self, client: httpx.AsyncClient, origin: str) -> tuple[Any, str | None]:
        from protego import Protego

        try:
            async with client.stream("GET", origin + "/robots.txt", follow_redirects=True,
                                     headers={"Accept-Encoding": ACCEPT_ENCODING}) as response:
                body = await read_robots(response)
                status = response.status_code
        except (httpx.HTTPError, TimeoutError) as exc:
            body, why = crawl_robots.DISALLOW_ALL, f"robots.txt unreachable ({type(exc).__name__}: {exc})"
        else:
            body, why = crawl_robots.robots_rules(status, body)
        return Protego.parse(body.decode("utf-8", "replace")), (" ".join(why.split())[:200] if why else None)


async def read_robots(response: httpx.Response) -> bytes:
    """A robots.txt answer's body as RFC 9309 asks it read: its first 500 KiB once decoded (the rest
    is not downloaded), a compressed one inflating past COMPRESSED_LIMIT refused (TooLarge)."""
    return await _read_prefix(response, crawl_robots.PARSE_LIMIT, crawl_robots.COMPRESSED_LIMIT)


async def _read_prefix(response: httpx.Response, keep: int, limit: int) -> bytes:
    """The first `keep` decoded bytes (robots.txt: the rest need not be read)."""
    inflater = Inflater(response.headers.get("content-encoding", ""), limit)
    chunks, size = [], 0
    async for chunk in response.aiter_raw():
        data = inflater.feed(chunk)
        chunks.append(data)
        size += len(data)
        if size > keep:
            break
    return b"".join(chunks)
