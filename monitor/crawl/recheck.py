"""Re-check known notices with conditional GETs (httpx): 304s cost nothing, changes become versions,
404s / redirects home / challenge pages count toward removal (DESIGN.md "What changed means").

Most urgent first: notices whose disclosure window is open, then failing ones, then recent ones.
Server errors and timeouts are problems of the source, not evidence of removal: they are reported
but not counted.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from crawler import detail_page, parsepool
from crawler import settings as crawl_defaults
from crawler.items import DetailFailure, NoticeItem
from monitor.config.loader import Config, Source
from monitor.crawl.politeness import DomainGate
from monitor.store.db import Store
from monitor.store.records import Known, RecheckPolicy
from monitor.window import china_today

MAX_REDIRECTS = 3
MAX_BYTES = crawl_defaults.DOWNLOAD_MAXSIZE  # as the crawler: a bigger page is refused, not read


class TooLarge(httpx.HTTPError):
    """The page is bigger than MAX_BYTES (read no further)."""


@dataclass
class RecheckResult:
    source_id: str
    run_id: int | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    requests: int = 0


@dataclass(frozen=True)
class Fetched:
    status: int
    url: str  # final URL
    content: bytes
    headers: httpx.Headers
    redirected_away: bool = False
    loop: bool = False  # a redirect loop, or more than MAX_REDIRECTS hops


async def recheck(config: Config, sources: Sequence[Source], store: Store, limit: int | None = None,
                  today: date | None = None, everything: bool = False) -> list[RecheckResult]:
    today = today or china_today()  # window open → due: China's date
    by_id = {s.id: s for s in sources}
    candidates = store.recheck_candidates(today, limit, by_id, RecheckPolicy(everything=everything))
    results = {s.id: RecheckResult(s.id) for s in sources}
    gate = DomainGate(config.defaults.download_delay)
    headers = {"User-Agent": config.defaults.user_agent or crawl_defaults.USER_AGENT}
    async with httpx.AsyncClient(timeout=config.defaults.timeout, headers=headers, follow_redirects=False) as client:
        groups: dict[str, list[Known]] = {}
        for known in candidates:
            groups.setdefault(urlsplit(known.url).hostname or "", []).append(known)

        async def check_group(group: list[Known]) -> None:
            for known in group:
                await check_one(client, gate, store, by_id[known.source_id], known, results[known.source_id])

        async with parsepool.held():  # stopped after, unless a daemon holds it for its crawls
            await asyncio.gather(*(check_group(g) for g in groups.values()))
    for result in results.values():
        if result.run_id is not None:
            status = "failed" if result.outcomes["blocked"] and not result.outcomes["fetched"] else "completed"
            store.finish_run(result.run_id, status, result.requests, result.problems,
                             dict(result.outcomes), requests=result.requests)
    return list(results.values())


async def check_one(client: httpx.AsyncClient, gate: DomainGate, store: Store, source: Source, known: Known,
                    result: RecheckResult) -> None:
    if gate.is_paused(known.url):
        result.outcomes["skipped_paused"] += 1
        return
    if result.run_id is None:
        result.run_id = store.start_run(source.id, mode="recheck")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        fetched = await fetch(client, gate, known, result)
    except httpx.HTTPError as exc:
        problem(result, "error", known.url, f"{type(exc).__name__}: {exc}")
        return
    if fetched.status == 304:
        result.outcomes[store.mark_not_modified(known.url, result.run_id, now)] += 1
        return
    if fetched.loop:  # a broken server, not a withdrawn page
        problem(result, "error", known.url, f"redirect loop (at {fetched.url})")
        return
    # Judged and parsed in the parse worker, as the spider does (crawler/detail_page.read).
    page = await parsepool.read_detail(
        True, fetched.status, fetched.url, fetched.content, fetched.headers.get("content-type"), source.encoding,
        fetched.redirected_away, url=known.url, source_id=source.id,
        body_selectors=tuple(s for s in (source.selectors.get("body"),) if s))
    if isinstance(page, detail_page.Failed):
        problem(result, page.kind, known.url, page.reason)
        if page.kind == "blocked":
            gate.pause(known.url, page.reason)  # one challenge per domain per run, then leave it alone
        if page.kind in ("gone", "redirected", "blocked"):
            failure = DetailFailure(source.id, known.url, page.reason, page.kind, now)
            result.outcomes[store.record_failure(failure, result.run_id)] += 1
        return
    item = NoticeItem(source.id, known.url, page, now, hashlib.sha256(fetched.content).hexdigest(),
                      fetched.status, etag=fetched.headers.get("etag"),
                      last_modified=fetched.headers.get("last-modified"))
    result.outcomes["fetched"] += 1
    result.outcomes[store.save_item(item, result.run_id)] += 1


async def fetch(client: httpx.AsyncClient, gate: DomainGate, known: Known, result: RecheckResult) -> Fetched:
    """Conditional GET; follows redirects to other detail-like URLs, flags redirects to home/lists."""
    headers = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    url = known.url
    visited = {url}
    for _ in range(MAX_REDIRECTS + 1):
        async with gate.slot(url):
            async with client.stream("GET", url, headers=headers) as response:
                result.requests += 1
                # `is_redirect` is true for any 3xx, 304 included; only a Location makes a redirect.
                if not response.has_redirect_location:
                    content = await read_limited(response)
                    return Fetched(response.status_code, url, content, response.headers)
        target = urljoin(url, response.headers.get("location", ""))
        if looks_like_home_or_list(target) or urlsplit(target).netloc != urlsplit(url).netloc:
            return Fetched(response.status_code, target, b"", response.headers, redirected_away=True)
        if target in visited:  # a loop is a broken server, not a withdrawn page
            return Fetched(response.status_code, target, b"", response.headers, loop=True)
        visited.add(target)
        url, headers = target, {}
    return Fetched(310, url, b"", httpx.Headers(), loop=True)


async def read_limited(response: httpx.Response, limit: int = MAX_BYTES) -> bytes:
    """The body, or TooLarge as soon as it passes `limit` bytes (declared or received)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"page of {declared} bytes is larger than the {limit}-byte limit")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"page larger than the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def looks_like_home_or_list(url: str) -> bool:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return path in ("", "/") or last == "" or last.startswith(("index", "default", "list"))


def problem(result: RecheckResult, kind: str, url: str, reason: str) -> None:
    result.outcomes[kind] += 1
    line = f"{kind}: {reason} ({url})"
    if line not in result.problems:
        result.problems.append(line)
