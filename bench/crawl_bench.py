"""Crawl benchmark: CPU per page of a full `noticewatch crawl` of a replica vs a bare Scrapy spider's.

    .venv/bin/python bench/crawl_bench.py [--sources 10] [--notices 500] [--rounds 3] [--json]

The replica (bench/serve_replica.py: SOURCES NFCMS columns × NOTICES notices, 20 a page) runs in its
own process on loopback. Each round, `python -m monitor crawl --full` runs as users run it (a child
process: parse every page, store every notice, index it) into a fresh database; the replica's request
log then says which pages it downloaded, and bench/bare_spider.py (another child process, the same
Scrapy settings, no parsing, no storing) downloads exactly those pages.

Figure (issue 16): CPU per page, ours / bare; goal ≤ 2. Ours is everything that does our work: the
crawl process with all its threads (reactor, store writer, resolver pool) and its parse worker
(`python -m crawler.parseworker`, a grandchild of this script). Both are counted by
getrusage(RUSAGE_CHILDREN) around each child: Linux adds a child's usage to its parent's
"children" total when the parent waits for it, so the worker's CPU reaches us only because the
crawl process waits for its worker before it exits (crawler/parsepool.py: close() awaits
proc.wait(), under parsepool.held()). Checked with a sitecustomize hook that printed, at each
process's exit, RUSAGE_SELF and RUSAGE_CHILDREN: the crawl process's children total equalled the
worker's own RUSAGE_SELF, and our delta here equalled crawl process + worker. A worker left
unwaited (killed parent, a leak) would silently drop out of the figure: `--split` runs that check
(bench/cpusplit/sitecustomize.py) and shows where our CPU went. The replica server is not
counted: it is our child too but is waited for only at the end, after every measurement; its own
CPU (asked of it, time.process_time) is shown apart.
Interpreter start-up is included on both sides. Rounds alternate the two and the median round (by
the CPU ratio) is reported: this machine's speed drifts from minute to minute. Wall time is info only
(two cores shared with the server and other work).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL = 2.0  # ours / bare, CPU per page (issue 16)
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


def _timed(replica: Replica, command: list[str], env: dict[str, str] | None = None
           ) -> tuple[subprocess.CompletedProcess[str], float, float, float]:
    """Run a child; (result, wall seconds, CPU seconds of it and its waited-for descendants, the
    replica server's CPU seconds meanwhile)."""
    cpu, server = _children_cpu(), replica.cpu()
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - started
    return out, wall, _children_cpu() - cpu, replica.cpu() - server


def _split_env(folder: Path) -> dict[str, str]:
    """The environment that makes every Python process of our crawl write its CPU split there."""
    env = dict(os.environ)
    env["NOTICEWATCH_CPU_SPLIT"] = str(folder)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "bench" / "cpusplit"), env.get("PYTHONPATH")) if p)
    return env


def read_split(folder: Path, pages: int) -> dict[str, Any]:
    """ms per page: the crawl process (by thread name, numbers dropped) and its waited-for
    descendants, each parse worker by itself, and whether the two agree."""
    split: dict[str, Any] = {"workers_ms_per_page": []}
    for path in sorted(folder.glob("*.json")):
        info = json.loads(path.read_text(encoding="utf-8"))
        if "crawler.parseworker" in info["argv"] or any(a.endswith("parseworker.py") for a in info["argv"]):
            split["workers_ms_per_page"].append(round(info["self"] / pages * 1000, 2))
            continue
        threads: dict[str, float] = {}
        for name, seconds in info["threads"]:
            group = re.sub(r"[-_ ]*\d+$", "", name.split(" (")[0])
            threads[group] = threads.get(group, 0.0) + seconds / pages * 1000
        split["crawl_process_ms_per_page"] = round(info["self"] / pages * 1000, 2)
        split["threads_ms_per_page"] = {k: round(v, 2) for k, v in sorted(threads.items(), key=lambda kv: -kv[1])}
        split["children_ms_per_page"] = round(info["children"] / pages * 1000, 2)
    return split


def one_round(replica: Replica, sources: int, tmp: Path, split: bool = False) -> dict[str, Any]:
    config, db = tmp / "config.yaml", tmp / "bench.db"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    entries = [{"id": f"bench_s{i}", "kind": "nfcms", "start_urls": [url], "max_pages": 10_000}
               for i, url in enumerate(replica.start_urls)]
    config.write_text(json.dumps({"defaults": {"download_delay": 0}, "sources": entries}), encoding="utf-8")
    replica.take_log()
    split_dir = Path(tempfile.mkdtemp(dir=tmp)) if split else None
    out, ours_wall, ours_cpu, ours_server = _timed(
        replica, [sys.executable, "-m", "monitor", "crawl", "--full", "--config", str(config), "--db", str(db)],
        env=_split_env(split_dir) if split_dir else None)
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
        "ratio_cpu": round(ours_cpu / bare_cpu, 3) if bare_cpu else None,
        "stored": stored, "ours_requests": len(ours_paths), "bare_requests": len(bare_paths),
        "ours_wall_s": round(ours_wall, 2), "bare_wall_s": round(bare_wall, 2),
        "ours_crawl_s": round(ours_crawl, 2), "bare_crawl_s": round(float(bare_stats["elapsed"]), 2),
        "ratio_wall": round(bare_wall / ours_wall, 3),
        "ratio_crawl": round(float(bare_stats["elapsed"]) / ours_crawl, 3) if ours_crawl else None,
        "ours_cpu_ms_per_page": round(ours_cpu / pages * 1000, 2),
        "bare_cpu_ms_per_page": round(bare_cpu / pages * 1000, 2),
        "server_cpu_ms_per_page_ours": round(ours_server / pages * 1000, 2),
        "server_cpu_ms_per_page_bare": round(bare_server / pages * 1000, 2),
        **({"split": read_split(split_dir, pages)} if split_dir else {}),
    }


def measure(sources: int = 10, notices: int = 500, rounds: int = 3, split: bool = False) -> dict[str, Any]:
    """Alternate both crawls `rounds` times; the median round (by CPU ratio, ours / bare), plus
    every round's ratio and CPU ms per page."""
    replica = Replica(sources, notices)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            results = [one_round(replica, sources, Path(tmp), split) for _ in range(max(1, rounds))]
    finally:
        replica.close()
    ranked = sorted(results, key=lambda r: r["ratio_cpu"] or 0.0)
    median = ranked[len(ranked) // 2]
    return {"notices": sources * notices, "sources": sources, "rounds": len(results),
            "round_ratios": [r["ratio_cpu"] for r in results],
            "round_ms_per_page": [(r["ours_cpu_ms_per_page"], r["bare_cpu_ms_per_page"]) for r in results],
            **median}


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
    ap.add_argument("--split", action="store_true", help="also show where our CPU went: the crawl process by "
                    "thread, the parse worker, and that the worker's CPU is in the crawl's children total")
    args = ap.parse_args()
    figures = measure(args.sources, args.notices, args.rounds, args.split)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"replica: {figures['sources']} sources, {figures['notices']} notices; stored {figures['stored']}; "
          f"median of {figures['rounds']} rounds (CPU ratios {figures['round_ratios']}, "
          f"ms/page ours/bare {figures['round_ms_per_page']})")
    print(f"{'':<26}{'requests':>10}{'CPU ms/page':>13}{'wall s':>10}{'crawl s':>10}{'server ms/page':>16}")
    print(f"{'noticewatch crawl --full':<26}{figures['ours_requests']:>10}{figures['ours_cpu_ms_per_page']:>13.2f}"
          f"{figures['ours_wall_s']:>10.2f}{figures['ours_crawl_s']:>10.2f}{figures['server_cpu_ms_per_page_ours']:>16.2f}")
    print(f"{'bare Scrapy spider':<26}{figures['bare_requests']:>10}{figures['bare_cpu_ms_per_page']:>13.2f}"
          f"{figures['bare_wall_s']:>10.2f}{figures['bare_crawl_s']:>10.2f}{figures['server_cpu_ms_per_page_bare']:>16.2f}")
    ratio = figures["ratio_cpu"]
    print(f"CPU per page, ours / bare: {ratio:.2f} (goal ≤ {GOAL}: {'met' if ratio <= GOAL else 'MISSED'}); "
          f"info: wall bare / ours {figures['ratio_wall']:.2f}, crawl part only {figures['ratio_crawl']:.2f}")
    if "split" in figures:
        split = figures["split"]
        print(f"ours, split (ms/page): crawl process {split.get('crawl_process_ms_per_page')} "
              f"{split.get('threads_ms_per_page')}; parse worker(s) {split['workers_ms_per_page']}; the crawl "
              f"process's waited-for children {split.get('children_ms_per_page')} (= the workers' sum when counted)")


if __name__ == "__main__":
    main()
