"""Re-check known notices with conditional GETs (httpx): 304s cost nothing, changes become versions,
404s / redirects home / challenge pages count toward removal (docs/portals.md "What changed means").

Most urgent first: notices whose disclosure window is open, then failing ones, then recent ones.
Server errors and timeouts are problems of the source, not evidence of removal: they are reported
but not counted.

Under the crawl's rules: robots.txt (crawler/robots.py), a deadline on each whole request (as
Scrapy's DOWNLOAD_TIMEOUT: a server dripping bytes cannot hold it), the size limit on the decoded
body (monitor/crawl/download.py), and redirects within the source's registered domain followed
(another host or port of zhuhai.gov.cn is the same portal), as the spider follows them.
A run ended by an exception or a cancellation (Ctrl-C, SIGTERM) is recorded as aborted.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from crawler import detail_page, parsepool
from crawler import settings as crawl_defaults
from crawler.domains import registered_domain
from crawler.items import DetailFailure, NoticeItem
from crawler.links import is_web_url, redact
from monitor.config.loader import Config, Source
from monitor.crawl.download import ACCEPT_ENCODING, RobotsRules, read_body
from monitor.crawl.politeness import DomainGate
from monitor.shutdown import SHUTDOWN
from monitor.store.db import Store
from monitor.store.locks import RecheckBusy, recheck_lock
from monitor.store.records import Known, RecheckPolicy
from monitor.window import china_today

MAX_REDIRECTS = 3
MAX_BYTES = crawl_defaults.DOWNLOAD_MAXSIZE  # as the crawler: a bigger page is refused, not read


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
    redirected_from: str | None = None  # the URL first asked for, when redirects led to `url`


@dataclass
class Session:
    """What every re-check of one `recheck` call shares."""

    client: httpx.AsyncClient
    gate: DomainGate
    robots: RobotsRules
    deadline: float  # seconds for one whole request


Progress = Callable[[int, int], None]  # (notices re-checked, notices due)


async def recheck(config: Config, sources: Sequence[Source], store: Store, limit: int | None = None,
                  today: date | None = None, everything: bool = False,
                  on_progress: Progress | None = None) -> list[RecheckResult]:
    today = today or china_today()  # window open → due: China's date
    locks = contextlib.ExitStack()
    try:
        by_id = _locked_sources(store, sources, locks)
        candidates = store.recheck_candidates(today, limit, by_id, RecheckPolicy(everything=everything))
    except BaseException:
        locks.close()
        raise
    results = {s.id: RecheckResult(s.id) for s in sources}
    user_agent = config.defaults.user_agent or crawl_defaults.USER_AGENT
    headers = {"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING}
    done = 0
    finished = False
    task = asyncio.current_task()
    unregister = SHUTDOWN.on_stop(task.cancel) if task is not None else (lambda: None)  # SIGINT/SIGTERM
    try:
        async with httpx.AsyncClient(timeout=config.defaults.timeout, headers=headers,
                                     follow_redirects=False) as client:
            session = Session(client, DomainGate(config.defaults.download_delay), RobotsRules(user_agent),
                              float(config.defaults.timeout))
            groups: dict[str, list[Known]] = {}
            for known in candidates:
                groups.setdefault(registered_domain(known.url), []).append(known)

            async def check_group(group: list[Known]) -> None:
                nonlocal done
                for known in group:
                    await check_one(session, store, by_id[known.source_id], known, results[known.source_id])
                    done += 1
                    if on_progress is not None:
                        on_progress(done, len(candidates))

            async with parsepool.held():  # stopped after, unless a daemon holds it for its crawls
                await asyncio.gather(*(check_group(g) for g in groups.values()))
        finished = True
    finally:
        unregister()
        _finish_runs(store, results.values(), finished)
        locks.close()
    return list(results.values())


def _locked_sources(store: Store, sources: Sequence[Source], locks: contextlib.ExitStack) -> dict[str, Source]:
    """The sources this call may re-check, each with its re-check lock taken (held in `locks`):
    one being re-checked by another process is left to it. Runs left `running` by a re-check
    that died (SIGKILL) are closed as aborted, now that no live process can own them."""
    mine = {}
    for source in sources:
        try:
            locks.enter_context(recheck_lock(store.path, source.id))
        except RecheckBusy:
            continue
        store.abort_orphaned_runs(source.id, "the re-check's process ended without closing it", recheck=True)
        mine[source.id] = source
    return mine


def _finish_runs(store: Store, results: Sequence[RecheckResult] | object, finished: bool) -> None:
    """Close every run this call opened: completed/failed, or aborted when it did not finish (an
    exception, a cancellation): a run is never left "running"."""
    for result in results:  # type: ignore[attr-defined]
        if result.run_id is None:
            continue
        if finished:
            status = "failed" if result.outcomes["blocked"] and not result.outcomes["fetched"] else "completed"
        else:
            status = "aborted"
            result.problems.append("aborted: the re-check was interrupted")
        store.finish_run(result.run_id, status, result.requests, result.problems,
                         dict(result.outcomes), requests=result.requests)


async def check_one(session: Session, store: Store, source: Source, known: Known, result: RecheckResult) -> None:
    gate = session.gate
    if gate.is_paused(known.url):
        result.outcomes["skipped_paused"] += 1
        return
    if result.run_id is None:
        result.run_id = store.start_run(source.id, mode="recheck")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        async with asyncio.timeout(session.deadline * 2):  # robots.txt, then the page
            refusal = await session.robots.refusal(session.client, known.url)
        if refusal is not None:  # not evidence of removal: reported, not counted
            problem(result, "error", known.url, refusal)
            return
        fetched = await fetch(session, known, result)
    except httpx.HTTPError as exc:
        problem(result, "error", known.url, f"{type(exc).__name__}: {exc}")
        return
    except TimeoutError:
        problem(result, "error", known.url, f"no whole answer within {session.deadline:g} s")
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
        fetched.redirected_away, url=known.url, redirected_from=fetched.redirected_from, source_id=source.id,
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


async def fetch(session: Session, known: Known, result: RecheckResult) -> Fetched:
    """Conditional GET; follows redirects within the source's registered domain to detail-like
    URLs (as the spider does), flags redirects to home/lists or off-site. Each request has
    `session.deadline` seconds in all, headers to last byte."""
    headers = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    url = known.url
    visited = {url}
    origin = None  # the URL first asked for, once a redirect was followed
    for _ in range(MAX_REDIRECTS + 1):
        async with session.gate.slot(url), asyncio.timeout(session.deadline):
            async with session.client.stream("GET", url, headers=headers) as response:
                result.requests += 1
                # `is_redirect` is true for any 3xx, 304 included; only a Location makes a redirect.
                if not response.has_redirect_location:
                    content = await read_body(response, MAX_BYTES)
                    return Fetched(response.status_code, url, content, response.headers, redirected_from=origin)
        try:
            target = urljoin(url, response.headers.get("location", "").strip())
        except ValueError:  # a Location no URL parser takes: a broken server
            return Fetched(response.status_code, url, b"", response.headers, loop=True)
        if looks_like_home_or_list(target) or not on_site(target, known.url):
            return Fetched(response.status_code, target, b"", response.headers, redirected_away=True,
                           redirected_from=known.url)
        if target in visited:  # a loop is a broken server, not a withdrawn page
            return Fetched(response.status_code, target, b"", response.headers, loop=True)
        visited.add(target)
        url, headers, origin = target, {}, known.url
    return Fetched(310, url, b"", httpx.Headers(), loop=True)


def on_site(target: str, url: str) -> bool:
    """Whether a redirect stays on the portal: the same registered domain, any host or port of it
    (the spider's OffsiteMiddleware rule), over http(s)."""
    return is_web_url(target) and registered_domain(target) == registered_domain(url)


def looks_like_home_or_list(url: str) -> bool:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return path in ("", "/") or last == "" or last.startswith(("index", "default", "list"))


def problem(result: RecheckResult, kind: str, url: str, reason: str) -> None:
    result.outcomes[kind] += 1
    line = redact(f"{kind}: {reason} ({url})")
    if line not in result.problems:
        result.problems.append(line)
