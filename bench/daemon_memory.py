"""Benchmark: the daemon's resident memory over many crawl cycles of one small replica source.

    .venv/bin/python bench/daemon_memory.py [--cycles 1000] [--interval 0.05]

Runs the real daemon (monitor.daemon.lifecycle.Daemon: APScheduler job, Scrapy AsyncCrawlerRunner, store
pipeline, state writes) in this process against the replica's 15-notice column on loopback, with the
source scheduled "every INTERVAL s", until CYCLES crawl runs are recorded. Samples RSS (VmRSS from
/proc/self/status, plus the parse worker's) after a warm-up and every 10 % of the way. Goal (issue "The scheduled daemon"):
< 10 MB growth from the warm-up sample to the end. The first crawl stores every notice; the following
ones are incremental (robots.txt and the first list page), as a months-long daemon's mostly are.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config.loader import Config, Defaults, Source, Storage  # noqa: E402
from monitor.crawl.runner import run_reactor  # noqa: E402
from monitor.daemon.lifecycle import Daemon, DaemonSettings  # noqa: E402
from replica.server import ReplicaServer  # noqa: E402
from replica.sites import build_demo_sites  # noqa: E402

WARM_UP = 50


def rss_mb() -> float:
    """This process's resident memory plus its parse worker's (crawler/parsepool.py), if running."""
    from crawler import parsepool

    worker = parsepool.current_worker()
    pids = ["self", *([str(worker.proc.pid)] if worker is not None and worker.alive else [])]
    total = 0.0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except FileNotFoundError:  # the worker was just replaced
            continue
        total += next((int(line.split()[1]) / 1024 for line in lines if line.startswith("VmRSS:")), 0.0)
    if not total:
        raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")
    return total


def measure(cycles: int = 1000, interval: float = 0.05, quiet: bool = False) -> dict:
    """Run the daemon until `cycles` crawl runs are recorded; returns the RSS figures `main` prints.
    Installs and runs the Twisted reactor: once per process."""
    args = argparse.Namespace(cycles=cycles, interval=interval)
    say = (lambda *a, **k: None) if quiet else print
    logging.basicConfig(level=logging.ERROR)  # the daemon's INFO lines would dominate the run time

    site = next(s for s in build_demo_sites() if s.id == "zhuhai_xsxc")
    with ReplicaServer([site]) as server, tempfile.TemporaryDirectory() as tmp:
        source = Source(
            id="bench",
            name="bench",
            kind="nfcms",
            start_urls=(server.url(site.list_url(1)),),
            max_pages=5,
            schedule=f"every {args.interval}s",
        )
        defaults = Defaults(download_delay=0, retries=0)
        config = Config(path=None, defaults=defaults, storage=Storage(Path(tmp) / "b.db"), sources=(source,))
        settings = DaemonSettings(jitter=0, recheck_schedule=None, misfire_grace=60)
        daemon = Daemon(config, Path(tmp) / "b.db", settings=settings)
        samples: list[tuple[int, float, float]] = []
        started = time.monotonic()

        async def watch() -> None:
            await daemon.open()
            assert daemon.store is not None
            marks = {WARM_UP, *(args.cycles * k // 10 for k in range(1, 11))}
            while True:
                await asyncio.sleep(0.2)
                done = daemon.store.db.execute("select count(*) from runs").fetchone()[0]
                for mark in sorted(m for m in marks if m <= done):
                    marks.discard(mark)
                    gc.collect()
                    samples.append((done, rss_mb(), time.monotonic() - started))
                    say(
                        f"{done:6d} cycles  RSS {samples[-1][1]:7.1f} MB  {samples[-1][2]:6.1f} s", flush=True
                    )
                if done >= args.cycles:
                    break
            daemon.request_stop("benchmark done")
            await daemon.close()

        start_rss = rss_mb()
        say(f"RSS before the daemon starts: {start_rss:.1f} MB")
        run_reactor(watch)
    base = next((s for s in samples if s[0] >= WARM_UP), samples[0])
    end = samples[-1]
    per_cycle = (end[2] - base[2]) / max(1, end[0] - base[0]) * 1000
    return {"cycles": end[0], "start_mb": start_rss, "warm_cycles": base[0], "warm_mb": base[1],
            "end_mb": end[1], "growth_mb": end[1] - base[1], "ms_per_cycle": per_cycle, "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between scheduled crawls")
    parser.add_argument("--json", action="store_true", help="print only the figures, as one JSON line")
    args = parser.parse_args()
    f = measure(args.cycles, args.interval, quiet=args.json)
    if args.json:
        print(json.dumps(f))
        return
    print(
        f"\ncycles: {f['cycles']}  RSS after {f['warm_cycles']} (warm-up): {f['warm_mb']:.1f} MB  "
        f"at the end: {f['end_mb']:.1f} MB  growth: {f['growth_mb']:+.1f} MB (goal < 10 MB)  "
        f"{f['ms_per_cycle']:.0f} ms per cycle"
    )


if __name__ == "__main__":
    main()
