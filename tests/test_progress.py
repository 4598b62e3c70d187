"""What the crawl's progress display shows (monitor/crawl/progress.py), fed as crawl_sources feeds it.

No timing here: bench/progress_bench.py measures the cost.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from monitor.crawl.progress import BUSY_ROWS, LOG_EVERY, SUMMARY_ABOVE, Tally, crawl_display, summary_view


def terminal() -> Console:
    return Console(record=True, force_terminal=True, width=120, file=io.StringIO())


def plain() -> Console:
    return Console(file=io.StringIO(), width=120)  # not a terminal: cron, CI, a log file


def final(new: int = 0, reason: str = "finished", **extra: Any) -> dict[str, Any]:
    return {"finish_reason": reason, "source/pages/list": 1, "noticewatch/new": new, **extra}


def shown(renderable: Any) -> str:
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_tally_counts_each_state_once() -> None:
    tally = Tally(10)
    for source in ("a", "b", "c", "d"):
        tally.update(source, {"source/pages/list": 1})
    tally.update("a", {"source/pages/list": 2})  # a second poll: still one in flight
    assert (tally.in_flight, tally.queued) == (4, 6)
    assert tally.update("a", final(new=2)) == "completed"
    assert tally.update("a", final(new=2)) is None  # a poll that raced the final call: not counted again
    assert tally.update("b", final()) == "completed"
    assert tally.update("c", final(**{"source/broken": True})) == "failed"
    assert tally.update("d", final(reason="shutdown")) == "aborted"
    assert tally.update("e", final(**{"noticewatch/changed": 1})) == "completed"  # finished unseen
    assert (tally.done, tally.not_modified, tally.failed, tally.new, tally.changed) == (3, 1, 2, 2, 1)
    assert (tally.in_flight, tally.queued) == (0, 5)


def test_summary_shows_totals_and_only_the_oldest_busy_sources() -> None:
    tally = Tally(1000)
    sources = [f"src_{i:04d}" for i in range(1000)]
    for source in sources[:40]:
        tally.update(source, {"source/pages/list": 1})
    for source in sources[:10]:
        tally.update(source, final(new=1))
    text = shown(summary_view(tally))
    assert "10/1,000 sources" in text
    assert "done 10 (not modified 0) · failed 0 · in flight 30 · queued 960 · new 10 · changed 0" in text
    named = [s for s in sources if s in text]
    assert named == sources[10:10 + BUSY_ROWS]  # busy longest first, at most BUSY_ROWS of them
    assert f"… and {30 - BUSY_ROWS} more in flight" in text
    assert len(text.splitlines()) == 2 + BUSY_ROWS + 1


def test_many_sources_on_a_terminal_get_the_summary() -> None:
    console = terminal()
    sources = [f"src_{i:03d}" for i in range(SUMMARY_ABOVE + 1)]
    with crawl_display(console, sources) as callback:
        for source in sources:
            callback(source, {"source/pages/list": 1})
            callback(source, final(new=1))
    text = console.export_text()
    assert f"{len(sources)}/{len(sources)} sources" in text
    assert f"done {len(sources)} (not modified 0)" in text
    assert "src_000" not in text  # finished sources have no row


def test_few_sources_on_a_terminal_keep_a_row_each() -> None:
    console = terminal()
    sources = [f"src_{i}" for i in range(SUMMARY_ABOVE)]
    with crawl_display(console, sources) as callback:
        for source in sources:
            callback(source, final(new=3))
    text = console.export_text()
    assert all(source in text for source in sources)
    assert "3 new" in text
    assert "sources" not in text  # no total bar


def test_a_poll_that_saw_the_finish_before_the_final_counts_is_corrected() -> None:
    """Scrapy sets finish_reason before the store pipeline has counted the last notices."""
    tally = Tally(3)
    assert tally.update("a", final(new=0)) == "completed"  # a poll during the pipeline's close
    assert tally.update("a", final(new=30)) is None  # the final call
    assert (tally.done, tally.not_modified, tally.new) == (1, 0, 30)
    tally.update("b", final(new=2))
    tally.update("b", final(new=2, **{"source/broken": True}))
    assert (tally.done, tally.failed, tally.new, tally.queued) == (1, 1, 32, 1)


def test_not_a_terminal_few_sources_print_a_totals_line_no_escapes() -> None:
    console = plain()
    with crawl_display(console, ["a", "b"]) as callback:
        callback("a", {"source/pages/list": 1})
        callback("a", final(new=2))
        callback("b", final(reason="skipped"))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("crawl 2/2 sources after 0:00:00: ")
    assert lines[0].endswith("done 1 (not modified 0) · failed 1 · in flight 0 · queued 0 · new 2 · changed 0")
    assert "\x1b" not in console.file.getvalue()  # type: ignore[attr-defined] # no live display


def test_not_a_terminal_many_sources_print_totals_lines_not_a_line_per_source() -> None:
    console = plain()
    sources = [f"src_{i:04d}" for i in range(2000)]
    with crawl_display(console, sources) as callback:
        for source in sources:
            callback(source, {"source/pages/list": 1})
            callback(source, final())
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1  # the crawl took less than LOG_EVERY: only the closing totals line
    assert lines[0].startswith("crawl 2,000/2,000 sources after 0:00:0")
    assert "done 2,000 (not modified 2,000) · failed 0 · in flight 0 · queued 0" in lines[0]


def test_not_a_terminal_totals_lines_follow_the_clock() -> None:
    console, now = plain(), [0.0]
    sources = [f"src_{i:04d}" for i in range(1000)]
    with crawl_display(console, sources, clock=lambda: now[0]) as callback:
        for source in sources:
            now[0] += 1.0  # 1,000 s of crawl: a line every LOG_EVERY s, whatever the number of sources
            callback(source, final(new=1))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1000 // int(LOG_EVERY) + 1
    assert lines[0].startswith("crawl 30/1,000 sources after 0:00:30: done 30")
    assert lines[-1].startswith("crawl 1,000/1,000 sources after 0:16:40: done 1,000 (not modified 0)")


# -- the summary printed after the crawl (monitor/cli/display.py) ------------------------------

def result(source_id: str, status: str = "completed", new: int = 0, problems: tuple[str, ...] = ()) -> Any:
    from monitor.crawl.runner import CrawlResult

    return CrawlResult(source_id, status, 1, 1, new, new, 0, 0, 0, 0, 0, 0, problems)


def test_crawl_summary_at_many_sources_lists_totals_and_only_notable_sources() -> None:
    from monitor.cli.display import SUMMARY_ROWS, crawl_summary

    results = [result(f"quiet_{i:04d}") for i in range(300)]
    results[10] = result("broken_one", "failed", problems=("list page 1: HTTP 500",))
    results[20] = result("busy_one", new=4)
    text = shown(crawl_summary(results))
    assert "300 sources: 299 completed, 1 failed · 4 new · 0 updated · 1 with problems" in text
    assert "298 source(s) not listed" in text and "--list-all" in text
    assert "quiet_" not in text
    assert text.index("broken_one") < text.index("busy_one")  # failures first
    assert len(text.splitlines()) < 20
    everything = shown(crawl_summary(results, list_all=True))
    assert everything.count("quiet_") == 298
    many = [result(f"new_{i:04d}", new=1) for i in range(SUMMARY_ROWS + 30)]  # a first crawl: all new
    text = shown(crawl_summary(many))
    assert text.count("new_") == SUMMARY_ROWS and "30 source(s) not listed" in text


def test_crawl_summary_of_few_sources_is_the_whole_table() -> None:
    from monitor.cli.display import crawl_summary

    text = shown(crawl_summary([result("a"), result("b", "failed")]))
    assert "crawl summary" in text and "a " in text and "b " in text
    assert "sources:" not in text  # no totals line for a table this short


def test_problem_lines_are_bounded_after_a_cut_summary() -> None:
    from monitor.cli.display import PROBLEM_LINES, print_problems

    results = [result(f"s{i:03d}", "failed", problems=("blocked: challenge page", "list page 2: timeout"))
               for i in range(100)]
    console = plain()
    print_problems(console, results)
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == PROBLEM_LINES + 1
    assert lines[-1] == f"  … and {200 - PROBLEM_LINES} more problem line(s); --list-all prints every one"
    console = plain()
    print_problems(console, results, list_all=True)
    assert len(console.file.getvalue().splitlines()) == 200  # type: ignore[attr-defined]
