"""Benchmark: requests and wall time of a full crawl vs a no-change cycle (incremental crawl + re-check).

    .venv/bin/python bench/change_cycle.py [--sources 10] [--notices 100]

A replica with SOURCES columns × NOTICES notices (20 a page) on loopback. Prints one table.
Goal (issue "Change monitor"): the no-change cycle needs ≤ 1/20 of the requests of a full crawl.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from replica.generator import generate_notices  # noqa: E402
from replica.model import Site  # noqa: E402
from replica.server import ReplicaServer  # noqa: E402


def build_sites(count: int, notices: int) -> list[Site]:
    return [
        Site(id=f"s{i}", column=f"/col{i}/", theme="wendang" if i % 2 else "list", per_page=20,
             site_name="基准站", column_name=f"栏目{i}",
             notices=generate_notices(notices, seed=100 + i, start_id=1_000_000 * (i + 1)))
        for i in range(count)
    ]


def cli(*args: str) -> float:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"noticewatch {' '.join(args)} failed:\n{out.stderr[-2000:]}")
    return time.perf_counter() - started


def measure(sources: int = 10, notices: int = 100) -> dict:
    """Run the four steps against a fresh replica and store; returns the figures `main` prints."""
    with tempfile.TemporaryDirectory() as tmp, ReplicaServer(build_sites(sources, notices)) as server:
        config = Path(tmp) / "config.yaml"
        db = Path(tmp) / "bench.db"
        entries = [{"id": f"bench_{s.id}", "kind": "nfcms", "start_urls": [server.url(s.list_url(1))],
                    "max_pages": 1000} for s in server.sites]
        config.write_text(json.dumps({"defaults": {"download_delay": 0}, "sources": entries}), encoding="utf-8")
        rows = []
        for label, argv in (
            ("full crawl", ["crawl", "--full"]),
            ("no-change crawl", ["crawl"]),
            ("re-check (due)", ["recheck"]),
            ("re-check --all (info)", ["recheck", "--all"]),
        ):
            server.clear_requests()
            seconds = cli(*argv, "--config", str(config), "--db", str(db))
            rows.append((label, len(server.requests), seconds))
        not_modified = sum(1 for r in server.requests if r.path.endswith(".html"))
    cycle_requests = rows[1][1] + rows[2][1]
    return {"sources": sources, "notices": sources * notices, "rows": rows, "not_modified": not_modified,
            "full_requests": rows[0][1], "cycle_requests": cycle_requests,
            "cycle_seconds": rows[1][2] + rows[2][2], "ratio": cycle_requests / rows[0][1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--notices", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    f = measure(args.sources, args.notices)
    if args.json:
        print(json.dumps(f))
        return
    print(f"replica: {args.sources} sources × {args.notices} notices = {f['notices']} notices, 20 per list page")
    print(f"{'step':<22}{'requests':>10}{'wall s':>10}")
    for label, requests, seconds in f["rows"]:
        print(f"{label:<22}{requests:>10}{seconds:>10.2f}")
    ratio = f["ratio"]
    print(f"  (re-check --all: {f['not_modified']} conditional GETs; unchanged pages answer 304)")
    print(f"{'no-change cycle':<22}{f['cycle_requests']:>10}{f['cycle_seconds']:>10.2f}")
    print(f"ratio no-change / full: {ratio:.4f} (1/{1 / ratio:.0f}); goal ≤ 1/20: {'met' if ratio <= 0.05 else 'MISSED'}")


if __name__ == "__main__":
    main()
