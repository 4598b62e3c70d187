"""Crawl benchmark: a full `noticewatch crawl` of a replica vs a bare Scrapy spider on the same pages.

    .venv/bin/python bench/crawl_bench.py [--sources 10] [--notices 500] [--rounds 3] [--json]

The replica (bench/serve_replica.py: SOURCES NFCMS columns × NOTICES notices, 20 a page) runs in its
own process on loopback. Each round, `python -m monitor crawl --full` runs as users run it (a child
process: parse every page, store every notice, index it) into a fresh database; the replica's request
log then says which pages it downloaded, and bench/bare_spider.py (another child process, the same
Scrapy settings, no parsing, no storing) downloads exactly those pages. Both are timed end to end
(interpreter start-up included on both sides) and the crawl part alone (Scrapy's elapsed time; runs'
start/finish). Rounds alternate the two, and the figure is the median round's ratio: this machine's
speed drifts by tens of percent from minute to minute, so one pair of runs is not a measurement.

CPU seconds per page are reported too (ours: the crawl process with its threads and its parse
worker; bare: the spider; the replica server's share of each): where the time goes, and whether the
machine's cores, not waiting, bound the ratio.
Figure: bare time / our time. Goal (issue "Scale and speed"): ≥ 0.7.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Replica:
    """bench/serve_replica.py in a child process."""

    def __init__(self, sources: int, notices: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "serve_replica.py"), "--sources", str(sources),
             "--notices", str(notices)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert self.proc.stdout is not None
        info = json.loads(self.proc.stdout.readline())
        self.base_url: str = info["base_url"]
        self.start_urls: list[str] = info["start_urls"]

    def take_log(self) -> list[str]:
        return json.loads(self._ask("log"))

    def cpu(self) -> float:
        return float(json.loads(self._ask("cpu")))

    def _ask(self, command: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=10)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(replica: Replica, command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, float, float]:
    """Run a child; (result, wall seconds, its CPU seconds, the replica server's CPU seconds)."""
    cpu, server = _children_cpu(), replica.cpu()
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    return out, wall, _children_cpu() - cpu, replica.cpu() - server


def one_round(replica: Replica, sources: int, tmp: Path) -> dict[str, Any]:
    config, db = tmp / "config.yaml", tmp / "bench.db"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    entries = [{"id": f"bench_s{i}", "kind": "nfcms", "start_urls": [url], "max_pages": 10_000}
               for i, url in enumerate(replica.start_urls)]
    config.write_text(json.dumps({"defaults": {"download_delay": 0}, "sources": entries}), encoding="utf-8")
    replica.take_log()
    out, ours_wall, ours_cpu, ours_server = _timed(
        replica, [sys.executable, "-m", "monitor", "crawl", "--full", "--config", str(config), "--db", str(db)])
    if out.returncode != 0:
        raise RuntimeError(f"noticewatch crawl --full failed:\n{out.stderr[-2000:]}")
    ours_paths = replica.take_log()
    ours_crawl, stored = _runs_seconds(db)
    urls = tmp / "urls.txt"
    urls.write_text("\n".join(replica.base_url + p for p in ours_paths if p != "/robots.txt"), encoding="utf-8")
    bare, bare_wall, bare_cpu, bare_server = _timed(
        replica, [sys.executable, str(ROOT / "bench" / "bare_spider.py"), str(urls)])
    if bare.returncode != 0:
        raise RuntimeError(f"bench/bare_spider.py failed:\n{bare.stderr[-2000:]}")
    bare_stats = json.loads(bare.stdout.strip().splitlines()[-1])
    bare_paths = replica.take_log()
    pages = max(1, len(ours_paths))
    return {
        "stored": stored, "ours_requests": len(ours_paths), "bare_requests": len(bare_paths),
        "ours_wall_s": round(ours_wall, 2), "bare_wall_s": round(bare_wall, 2),
        "ours_crawl_s": round(ours_crawl, 2), "bare_crawl_s": round(float(bare_stats["elapsed"]), 2),
        "ratio_wall": round(bare_wall / ours_wall, 3),
        "ratio_crawl": round(float(bare_stats["elapsed"]) / ours_crawl, 3) if ours_crawl else None,
        "ours_cpu_ms_per_page": round(ours_cpu / pages * 1000, 2),
        "bare_cpu_ms_per_page": round(bare_cpu / pages * 1000, 2),
        "server_cpu_ms_per_page_ours": round(ours_server / pages * 1000, 2),
        "server_cpu_ms_per_page_bare": round(bare_server / pages * 1000, 2),
    }


def measure(sources: int = 10, notices: int = 500, rounds: int = 3) -> dict[str, Any]:
    """Alternate both crawls `rounds` times; the median round (by end-to-end ratio), plus every
    round's ratio."""
    replica = Replica(sources, notices)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            results = [one_round(replica, sources, Path(tmp)) for _ in range(max(1, rounds))]
    finally:
        replica.close()
    ranked = sorted(results, key=lambda r: r["ratio_wall"])
    median = ranked[len(ranked) // 2]
    return {"notices": sources * notices, "sources": sources, "rounds": len(results),
            "round_ratios": [r["ratio_wall"] for r in results], **median}


def _runs_seconds(db: Path) -> tuple[float, int]:
    """Time from the first run's start to the last one's finish (sources run one after another on
    one registered domain), and the notices stored."""
    from monitor.store.db import Store

    with Store(db) as store:
        row = next(iter(store.rows("select min(started_at) as a, max(finished_at) as b from runs")))
        stored = store.count("notices")
    return (datetime.fromisoformat(row["b"]) - datetime.fromisoformat(row["a"])).total_seconds(), stored


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=10)
    ap.add_argument("--notices", type=int, default=500, help="notices per source (default 500: 5,000 in all)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median is reported (default 3)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = ap.parse_args()
    figures = measure(args.sources, args.notices, args.rounds)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"replica: {figures['sources']} sources, {figures['notices']} notices; stored {figures['stored']}; "
          f"median of {figures['rounds']} rounds (ratios {figures['round_ratios']})")
    print(f"{'':<26}{'requests':>10}{'wall s':>10}{'crawl s':>10}{'CPU ms/page':>13}{'server ms/page':>16}")
    print(f"{'noticewatch crawl --full':<26}{figures['ours_requests']:>10}{figures['ours_wall_s']:>10.2f}"
          f"{figures['ours_crawl_s']:>10.2f}{figures['ours_cpu_ms_per_page']:>13.2f}"
          f"{figures['server_cpu_ms_per_page_ours']:>16.2f}")
    print(f"{'bare Scrapy spider':<26}{figures['bare_requests']:>10}{figures['bare_wall_s']:>10.2f}"
          f"{figures['bare_crawl_s']:>10.2f}{figures['bare_cpu_ms_per_page']:>13.2f}"
          f"{figures['server_cpu_ms_per_page_bare']:>16.2f}")
    print(f"ratio bare / ours: wall {figures['ratio_wall']:.2f}, crawl only {figures['ratio_crawl']:.2f} "
          f"(goal ≥ 0.7: {'met' if figures['ratio_wall'] >= 0.7 else 'MISSED'})")


if __name__ == "__main__":
    main()
