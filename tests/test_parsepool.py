"""The parse worker (crawler/parsepool.py): same notices as parsing in-process, and a crawl never
fails for it — a killed worker is replaced, one that cannot start is given up with a warning."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawler import parsepool
from crawler.parser import parse_html
from crawler.parser.decoding import decode
from tests.helpers import GUARD_DIR, ROOT, cli_env

GOLDEN = ROOT / "tests" / "golden" / "parser"


def pages() -> list[tuple[str, str]]:
    return [(decode(p.read_bytes(), None), f"http://127.0.0.1/{p.name}") for p in sorted(GOLDEN.glob("*.html"))]


@pytest.fixture(autouse=True)
def fresh_pool(monkeypatch: pytest.MonkeyPatch):
    # The worker inherits the environment: keep the socket guard in it.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(GUARD_DIR), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setattr(parsepool, "_disabled", [])
    yield


def run(coro):
    return asyncio.run(coro)


def test_worker_parses_exactly_as_in_process() -> None:
    async def main():
        try:
            got = [await parsepool.parse(True, html, url, source_id="s") for html, url in pages()]
            return got, parsepool.current_worker().proc.pid
        finally:
            await parsepool.close()

    got, pid = run(main())
    assert pid != os.getpid()
    assert got == [parse_html(html, url, source_id="s") for html, url in pages()]
    assert len(got) >= 3


def test_replies_stay_in_order_when_pages_are_sent_together() -> None:
    async def main():
        try:
            return await asyncio.gather(*(parsepool.parse(True, html, url) for html, url in pages()))
        finally:
            await parsepool.close()

    assert [n.url for n in run(main())] == [url for _, url in pages()]


def test_pages_sent_together_go_as_one_batch_and_a_failing_one_fails_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages that arrive within GATHER of each other reach the worker in one frame (one wake-up);
    each still gets its own answer, and an error in one leaves the others' notices intact."""
    sent: list[int] = []
    real_frame = parsepool.frame

    def counting_frame(obj):
        task, args, _ = obj
        sent.append(len(args) if task == parsepool.BATCH else 1)
        return real_frame(obj)

    monkeypatch.setattr(parsepool, "frame", counting_frame)
    monkeypatch.setattr(parsepool, "GATHER", 5.0)  # only the size cap or close() may send

    async def main():
        try:
            calls = [parsepool.parse(True, html, url) for html, url in pages()]
            calls.insert(1, parsepool.parse(True, "<html></html>", "http://127.0.0.1/x", no_such_option=1))
            return await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), timeout=60)
        finally:
            await parsepool.close()

    monkeypatch.setattr(parsepool, "MAX_GATHERED", len(pages()) + 1)  # the last call fills the batch
    got = run(main())
    assert sent == [len(pages()) + 1]
    assert isinstance(got[1], TypeError) and "no_such_option" in str(got[1])
    assert [n for i, n in enumerate(got) if i != 1] == [parse_html(html, url) for html, url in pages()]


def test_a_lone_page_is_sent_after_gather_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsepool, "GATHER", 0.3)
    (html, url), *_ = pages()

    async def main():
        try:
            await parsepool.parse(True, html, url)  # starts the worker
            loop = asyncio.get_running_loop()
            started = loop.time()
            await parsepool.parse(True, html, url)
            return loop.time() - started
        finally:
            await parsepool.close()

    waited = run(main())
    assert 0.3 <= waited < 5


def test_a_retired_worker_answers_its_batch_before_it_exits(monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """A worker is retired after TASKS_PER_WORKER pages while pages it was sent still wait for
    their answers: they come from it, not from parsing again in-process."""
    monkeypatch.setattr(parsepool, "TASKS_PER_WORKER", 2)
    many = pages() * 3

    async def main():
        try:
            return await asyncio.wait_for(asyncio.gather(*(parsepool.parse(True, h, u) for h, u in many)), 60)
        finally:
            await parsepool.close()

    with caplog.at_level(logging.WARNING, logger="crawler.parsepool"):
        got = run(main())
    assert got == [parse_html(html, url) for html, url in many]
    assert not [r for r in caplog.records if "in-process" in r.getMessage()]


def test_a_killed_worker_is_replaced_and_its_page_parsed_here(caplog: pytest.LogCaptureFixture) -> None:
    (html, url), *_ = pages()
    big = html.replace("</body>", "<p>" + "整改落实情况。" * 20_000 + "</p></body>")

    async def main():
        try:
            await parsepool.parse(True, html, url)
            first = parsepool.current_worker()
            in_flight = asyncio.ensure_future(parsepool.parse(True, big, url))
            await asyncio.sleep(0)  # sent; killed long before a page this size is parsed
            os.kill(first.proc.pid, signal.SIGKILL)
            during = await in_flight  # its worker died mid-parse: parsed in-process
            after = await parsepool.parse(True, html, url)  # by a new worker
            return first, during, after, parsepool.current_worker()
        finally:
            await parsepool.close()

    with caplog.at_level(logging.WARNING, logger="crawler.parsepool"):
        first, during, after, second = run(main())
    assert during == parse_html(big, url)
    assert after == parse_html(html, url)
    assert second is not None and second is not first and second.proc.pid != first.proc.pid
    assert parsepool.disabled() is None
    messages = [r.getMessage() for r in caplog.records]
    assert any("in-process" in m and "starting another worker" in m for m in messages), messages


def test_a_worker_that_cannot_start_is_given_up_once(monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(parsepool.sys, "executable", "/nonexistent/python")
    (html, url), *_ = pages()

    async def main():
        return [await parsepool.parse(True, html, url) for _ in range(3)]

    with caplog.at_level(logging.WARNING, logger="crawler.parsepool"):
        got = run(main())
    assert got == [parse_html(html, url)] * 3
    assert parsepool.disabled() and "cannot start" in parsepool.disabled()
    assert sum("parse worker unavailable" in r.getMessage() for r in caplog.records) == 1


def test_parser_errors_reach_the_caller() -> None:
    async def main():
        try:
            return await parsepool.parse(True, "<html></html>", "http://127.0.0.1/x", no_such_option=1)
        finally:
            await parsepool.close()

    with pytest.raises(TypeError, match="no_such_option"):
        run(main())


def test_an_unguarded_script_is_not_run_again_by_the_worker(tmp_path: Path) -> None:
    """multiprocessing's spawn/forkserver children re-import the main module: a script without
    `if __name__ == "__main__"` would crawl a second time. The worker never imports it."""
    marker = tmp_path / "runs"
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(f"""
        import asyncio
        from pathlib import Path
        from crawler import parsepool
        with Path({str(marker)!r}).open("a") as f:
            f.write("ran\\n")
        async def main():
            notice = await parsepool.parse(True, "<html><body><h1>标题</h1><p>正文。</p></body></html>", "http://127.0.0.1/a")
            await parsepool.close()
            print(notice.title)
        asyncio.run(main())
    """), encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], env=cli_env(), capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert marker.read_text().splitlines() == ["ran"]
    assert "parse worker" not in out.stderr


def test_the_worker_lives_while_held_and_stops_when_the_last_holder_leaves() -> None:
    (html, url), *_ = pages()

    async def main():
        async with parsepool.held():  # the daemon
            async with parsepool.held():  # a re-check inside it
                await parsepool.parse(True, html, url)
                worker = parsepool.current_worker()
            kept = parsepool.current_worker() is worker and worker.alive  # the re-check left: still there
            await parsepool.parse(True, html, url)
            same = parsepool.current_worker() is worker
        await asyncio.wait_for(worker.proc.wait(), 10)
        return kept, same, parsepool.current_worker(), worker.proc.returncode

    kept, same, after, code = run(main())
    assert kept and same
    assert after is None and code == 0


def test_event_loops_on_threads_each_get_their_own_worker() -> None:
    """Re-checks run on threads with a loop each (tests/test_faults.py): a worker's pipes belong to
    one loop, so sharing one between loops would hang the other."""
    from concurrent.futures import ThreadPoolExecutor

    (html, url), *_ = pages()

    def one() -> tuple[int, str | None]:
        async def main():
            async with parsepool.held():
                notices = [await parsepool.parse(True, html, url) for _ in range(5)]
                return parsepool.current_worker().proc.pid, notices[-1].title

        return asyncio.run(main())

    with ThreadPoolExecutor(3) as pool:
        results = [f.result(timeout=60) for f in [pool.submit(one) for _ in range(3)]]
    assert len({pid for pid, _ in results}) == 3
    assert {title for _, title in results} == {parse_html(html, url).title}


def test_detail_pages_are_judged_and_parsed_in_the_worker_as_they_would_be_here() -> None:
    """crawler.detail_page.read in the worker: raw bytes in (decoded, challenge-checked there),
    the notice or the failure out — equal to reading the page in-process."""
    from crawler.detail_page import Failed, read

    raw = [(p.read_bytes(), f"http://127.0.0.1/{p.name}") for p in sorted(GOLDEN.glob("*.html"))]
    cases = [(200, url, body, None) for body, url in raw] + [
        (200, "http://127.0.0.1/c.html", "<html><body>请输入验证码</body></html>".encode("gbk"), "text/html; charset=gbk"),
        (404, "http://127.0.0.1/gone.html", b"<html><body>not found</body></html>", "text/html"),
        (200, "http://127.0.0.1/empty.html", b"<html><body><script>x()</script></body></html>", "text/html"),
    ]

    async def main():
        try:
            got = [await parsepool.read_detail(True, status, url, body, ctype, None, False, url=url, source_id="s")
                   for status, url, body, ctype in cases]
            return got, parsepool.current_worker().proc.pid
        finally:
            await parsepool.close()

    got, pid = run(main())
    assert pid != os.getpid()
    assert got == [read(status, url, body, ctype, url=url, source_id="s") for status, url, body, ctype in cases]
    assert [type(g).__name__ for g in got[-3:]] == ["Failed"] * 3
    assert [g.kind for g in got[-3:] if isinstance(g, Failed)] == ["blocked", "gone", "error"]
    assert all(not isinstance(g, Failed) for g in got[:-3])


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="SCHED_BATCH is Linux's")
def test_the_worker_runs_as_batch_work() -> None:
    """crawler/cpu.py: the worker's wake-ups must not preempt the crawl's reactor."""
    (html, url), *_ = pages()

    async def main():
        try:
            await parsepool.parse(True, html, url)
            return os.sched_getscheduler(parsepool.current_worker().proc.pid)
        finally:
            await parsepool.close()

    assert run(main()) == os.SCHED_BATCH
    assert os.sched_getscheduler(0) != os.SCHED_BATCH  # the crawling process itself is not
