"""Judge and parse detail pages in a worker process, beside the downloading.

A crawl is one request at a time per domain; without this, every page's decoding, challenge check
and parse (crawler.detail_page.read) sits on the reactor thread between one download and the next,
and Python's GIL rules out a thread. So the crawling process keeps one worker (`python -m
crawler.parseworker`, shared by its spiders) that does them while the reactor fetches the next page
(bench/crawl_bench.py measures the effect).

A plain child process on pipes, not multiprocessing: spawned and fork-server children re-import
the parent's main module (a script that crawls would crawl again in its worker), and the crawling
process — a Twisted reactor, an asyncio loop, SQLite connections — must not be forked.

`NOTICEWATCH_PARSE_WORKER` (Scrapy setting, default True): False parses in-process.
A worker that dies (killed, out of memory) is replaced and its pages parsed in-process; one that
cannot start (no fork allowed, a broken install) is given up for the life of the process with one
warning. A crawl never fails for the worker. It is replaced after TASKS_PER_WORKER pages, and
exits by itself when the crawling process ends (its input closes).

Pages go to the worker in batches: what arrives within GATHER seconds of the first (at most
MAX_GATHERED pages or MAX_GATHERED_BYTES), one frame, parsed back to back, answered with one flush.
A worker woken per page pays for it: on this machine a page parsed after 3 ms asleep cost ~0.4 ms
more CPU than one parsed straight after another (caches gone cold), a fifth of the page's cost;
batching a fast crawl's pages takes most of that back. A slow crawl's page waits GATHER longer.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import logging
import os
import pickle
import sys
import threading
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from crawler.detail_page import Failed
from crawler.notice import Notice
from crawler.parseworker import BATCH, HEADER, frame, tasks

logger = logging.getLogger(__name__)

TASKS_PER_WORKER = 5000  # bounds what a months-long daemon's parser could accumulate
GATHER = 0.05  # seconds a page waits for others to go with it to the worker (see above)
MAX_GATHERED = 32  # pages in one batch at most
MAX_GATHERED_BYTES = 2**20  # a batch is sent once its pages hold this much
ROOT = Path(__file__).resolve().parent.parent


class WorkerGone(RuntimeError):
    """The worker process ended before answering."""


class Worker:
    """One `crawler.parseworker` process; replies come back in request order."""

    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.pending: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.sent = 0
        self.answered = 0
        self.alive = True
        self.reader = asyncio.ensure_future(self._read())
        self._gathered: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self._gathered_bytes = 0
        self._send_timer: asyncio.TimerHandle | None = None
        self._sending: set[asyncio.Future[None]] = set()

    @classmethod
    async def start(cls) -> Worker:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "crawler.parseworker", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, env=env, limit=2**26)
        return cls(proc)

    async def call(self, task: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The worker's answer to one task (crawler.parseworker.tasks()); its exception re-raised."""
        assert self.proc.stdin is not None
        if not self.alive:
            raise WorkerGone("the parse worker has exited")
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[Any] = loop.create_future()
        self.pending.append(reply)
        self.sent += 1
        self._gathered.append((task, args, kwargs))
        self._gathered_bytes += sum(len(a) for a in args if isinstance(a, (bytes, str)))
        if len(self._gathered) >= MAX_GATHERED or self._gathered_bytes >= MAX_GATHERED_BYTES or GATHER <= 0:
            self._send()
        elif self._send_timer is None:
            self._send_timer = loop.call_later(GATHER, self._send)
        status, value = await reply
        if status == "ok":
            return value
        raise value

    def _send(self) -> None:
        """The gathered pages to the worker, as one batch frame (crawler.parseworker)."""
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None
        batch, self._gathered, self._gathered_bytes = self._gathered, [], 0
        if not batch or not self.alive:
            return
        assert self.proc.stdin is not None
        self.proc.stdin.write(frame((BATCH, tuple(batch), {})))
        sending = asyncio.ensure_future(self._drain())
        self._sending.add(sending)
        sending.add_done_callback(self._sending.discard)

    async def _drain(self) -> None:
        assert self.proc.stdin is not None
        try:
            await self.proc.stdin.drain()
        except (ConnectionError, RuntimeError) as exc:
            if self.alive:  # closed by us, the worker still answers what it was sent (_read)
                self._fail(WorkerGone(f"the parse worker stopped reading its input ({exc!r})"))

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            while True:
                (size,) = HEADER.unpack(await self.proc.stdout.readexactly(HEADER.size))
                answer = pickle.loads(await self.proc.stdout.readexactly(size))
                self.answered += 1
                if self.pending:
                    future = self.pending.popleft()
                    if not future.done():
                        future.set_result(answer)
        except Exception as exc:  # noqa: BLE001 - EOF, a broken pipe, a garbled reply: the worker is gone
            if not isinstance(exc, asyncio.IncompleteReadError):
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()  # garbled: it cannot be trusted with the next page either
            code = await self.proc.wait()
            if self.alive:  # not closed by us
                logger.warning("the parse worker (pid %s) ended unexpectedly (exit %s)", self.proc.pid, code)
            self._fail(WorkerGone(f"the parse worker ended ({exc.__class__.__name__}, exit {code})"))

    def _fail(self, exc: Exception) -> None:
        self.alive = False
        self._gathered, self._gathered_bytes = [], 0
        while self.pending:
            future = self.pending.popleft()
            if not future.done():
                future.set_exception(exc)

    async def close(self) -> None:
        """End of input: the worker answers what it has, then exits."""
        self._send()
        self.alive = False
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), timeout=10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        await asyncio.gather(self.reader, return_exceptions=True)


@dataclasses.dataclass
class _Pool:
    """One event loop's worker. Loops are independent: a process may run several at once (tests
    run re-checks on threads, each with its own loop), and a worker's pipes belong to one loop."""

    worker: Worker | None = None
    starting: asyncio.Future[Worker] | None = None
    retired: set[Worker] = dataclasses.field(default_factory=set)
    holders: int = 0  # open `held()` blocks: the last to leave stops the worker


_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pool] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_disabled: list[str] = []  # why workers are not used in this process (at most one reason)


def _pool() -> _Pool:
    loop = asyncio.get_running_loop()
    with _lock:
        pool = _pools.get(loop)
        if pool is None:
            pool = _pools[loop] = _Pool()
        return pool


def current_worker() -> Worker | None:
    """The running loop's worker, if one is started (None outside an event loop)."""
    try:
        return _pool().worker
    except RuntimeError:
        return None


def disabled() -> str | None:
    """Why this process parses in-process, if a worker could not start."""
    return _disabled[0] if _disabled else None


@contextlib.asynccontextmanager
async def held() -> AsyncIterator[None]:
    """Keep the worker for the length of the block (a batch of crawls, a re-check, the daemon's
    life); when the last holder leaves, the worker is stopped. Nested and concurrent holders share
    one worker."""
    pool = _pool()
    pool.holders += 1
    try:
        yield
    finally:
        pool.holders -= 1
        if pool.holders <= 0:
            await close()


async def _current() -> Worker | None:
    pool = _pool()
    worker = pool.worker
    if worker is not None and worker.alive and worker.sent < TASKS_PER_WORKER:
        return worker
    if worker is not None:
        pool.worker = None
        _retire(pool, worker)
    if _disabled:
        return None
    if pool.starting is None:
        pool.starting = asyncio.ensure_future(Worker.start())
    starting = pool.starting
    try:
        worker = await starting
    except OSError as exc:
        _disable(f"cannot start python -m crawler.parseworker: {exc}")
        return None
    finally:
        if pool.starting is starting:
            pool.starting = None
    if pool.worker is None:
        pool.worker = worker
    return pool.worker


def _retire(pool: _Pool, worker: Worker) -> None:
    pool.retired.add(worker)
    task = asyncio.ensure_future(worker.close())
    task.add_done_callback(lambda _: pool.retired.discard(worker))


def _disable(reason: str) -> None:
    with _lock:
        if _disabled:
            return
        _disabled.append(reason)
    logger.warning("parse worker unavailable (%s): parsing in-process from now on", reason)


def start(enabled: bool) -> None:
    """Start the worker ahead of the first detail page, if an event loop is running."""
    if not enabled:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return  # started on first use instead
    asyncio.ensure_future(_current())


async def close() -> None:
    """Stop the running loop's worker now (`held` does it when its last holder leaves); a later
    parse starts another."""
    pool = _pool()
    workers = [w for w in (pool.worker, *pool.retired) if w is not None]
    pool.worker = None
    await asyncio.gather(*(w.close() for w in workers), return_exceptions=True)


async def parse(in_worker: bool, text: str, url: str, **options: Any) -> Notice:
    """parse_html(text, url, **options) in the worker process (or here, if not `in_worker`)."""
    return await _run(in_worker, "parse", (text, url), options, url)  # type: ignore[no-any-return]


async def read_detail(in_worker: bool, status: int, final_url: str, body: bytes, content_type: str | None,
                      encoding: str | None, redirected_away: bool, *, url: str, **options: Any) -> Notice | Failed:
    """crawler.detail_page.read (judge, parse, judge_parsed: a fetched detail page → its notice or
    the failure) in the worker process (or here, if not `in_worker`). The bytes go as they came:
    decoding and the challenge check happen there too."""
    args = (status, final_url, body, content_type, encoding, redirected_away)
    return await _run(in_worker, "read", args, {"url": url, **options}, url)  # type: ignore[no-any-return]


async def _run(in_worker: bool, task: str, args: tuple[Any, ...], kwargs: dict[str, Any], url: str) -> Any:
    worker = await _current() if in_worker else None
    if worker is None:
        return tasks()[task](*args, **kwargs)
    try:
        return await worker.call(task, args, kwargs)
    except WorkerGone as exc:
        if worker.answered == 0:
            _disable(str(exc))
        else:
            logger.warning("%s; parsing %s in-process and starting another worker", exc, url)
        return tasks()[task](*args, **kwargs)
