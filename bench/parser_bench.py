"""Parser benchmark: page → fields, pages per second on one core, against trafilatura on the same pages.

    .venv/bin/python bench/parser_bench.py [--pages N] [--repeat R]

Pages are the replica's generated NFCMS detail pages (notices and news, ../shared/DESIGN.md) plus the
saved golden pages in tests/golden/parser/. For each page it times `parse_html` (the whole record:
extraction and every field) and `trafilatura.extract` (body text only, a bench-only dependency), and
compares the two bodies after `normalise_for_compare` (difflib ratio). Goal: ≥ 300 pages/s and ≥ 3×
trafilatura's speed. Single process, single thread: the figures are per core.
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.parser import normalise_for_compare, parse_html  # noqa: E402


def replica_pages(count: int) -> list[tuple[str, str]]:
    from replica import generator, model, themes

    site = model.Site(
        id="b", column="/b/", theme="list", per_page=10, site_name="某某网", column_name="整改落实"
    )
    items = [
        *generator.generate_notices(count - count // 8, seed=11, start_id=1),
        *generator.generate_news(count // 8, seed=11, start_id=900_000),
    ]
    site.notices = items
    return [
        (themes.render_detail(site, n, [site], 7), "http://127.0.0.1" + site.detail_url(n.post_id))
        for n in items
    ]


def golden_pages() -> list[tuple[str, str]]:
    folder = ROOT / "tests" / "golden" / "parser"
    return [
        (p.read_text(encoding="utf-8", errors="replace"), f"http://example.invalid/{p.name}")
        for p in sorted(folder.glob("*.html"))
    ]


def run_once(fn, pages: list[tuple[str, str]]) -> tuple[float, list]:
    # CPU time of this process: the figure is per core, and other processes on the machine do not count.
    start = time.process_time()
    out = [fn(html, url) for html, url in pages]
    return time.process_time() - start, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=400, help="generated replica pages (default 400)")
    ap.add_argument(
        "--repeat", type=int, default=5, help="interleaved runs per extractor; the best is reported"
    )
    args = ap.parse_args()
    pages = replica_pages(args.pages) + golden_pages()
    parse_html(*pages[0])  # warm caches (opencc, regex compilation) outside the timing
    try:
        import trafilatura
    except ImportError:
        trafilatura = None
    ours_s = theirs_s = float("inf")
    notices: list = []
    texts: list = []
    if trafilatura:
        trafilatura.extract(pages[0][0])
    # Interleaved runs, best of each: a busy machine slows both sides alike instead of one.
    for _ in range(args.repeat):
        seconds, notices = run_once(parse_html, pages)
        ours_s = min(ours_s, seconds)
        if trafilatura:
            seconds, texts = run_once(lambda h, u: trafilatura.extract(h, url=u) or "", pages)
            theirs_s = min(theirs_s, seconds)
    print(f"pages: {len(pages)} (replica {args.pages}, golden {len(pages) - args.pages})")
    print(
        f"noticewatch parse_html: {len(pages) / ours_s:8.1f} pages/s  ({ours_s * 1000 / len(pages):.2f} ms/page)"
    )
    if not trafilatura:
        print("trafilatura not installed: `.venv/bin/pip install trafilatura` for the comparison")
        return
    print(
        f"trafilatura.extract:    {len(pages) / theirs_s:8.1f} pages/s  ({theirs_s * 1000 / len(pages):.2f} ms/page)"
    )
    print(f"speed ratio (noticewatch / trafilatura): {theirs_s / ours_s:.1f}x  (fields included on our side)")
    ratios = []
    for notice, text in zip(notices, texts, strict=True):
        a, b = normalise_for_compare(notice.body_text), normalise_for_compare(text)
        ratios.append(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a or b else 1.0)
    exact = sum(1 for r in ratios if r == 1.0)
    print(
        f"body agreement (difflib ratio of normalised text): mean {statistics.mean(ratios):.3f}, "
        f"median {statistics.median(ratios):.3f}, min {min(ratios):.3f}, identical {exact}/{len(ratios)}"
    )
    goal = len(pages) / ours_s >= 300 and theirs_s / ours_s >= 3
    print(f"goal (>= 300 pages/s and >= 3x trafilatura): {'met' if goal else 'NOT met'}")


if __name__ == "__main__":
    main()
