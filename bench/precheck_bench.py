"""CPU and requests per unchanged source: the no-change check (monitor/crawl/precheck.py, issue 16).

    .venv/bin/python bench/precheck_bench.py                       # N = 50 and 200
    .venv/bin/python bench/precheck_bench.py --sources 100 400 --json
    .venv/bin/python bench/precheck_bench.py --tree /work/main     # the same against another tree

N sources, each an NFCMS column (5 notices, one list page) on its own replica server at 127.0.x.y
(replica/server.py, in this process: not measured). A first `noticewatch crawl` into a fresh
database, then a no-change one (nothing changed on the portals), each a child process
(`python -m monitor crawl`) of `--tree` (default: this one); per phase: wall, CPU of the child and
its children (the parse worker) from RUSAGE_CHILDREN, requests per source from the servers' logs,
the runs by mode. Per source is printed twice: total CPU / N (start-up included) and the marginal
cost between the smallest and the largest N (start-up excluded: what "flat in N" is about).
`--json` (NFCMS column JSON on every portal: its id in the list page) probes the JSON instead of
the list page.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from replica.generator import generate_notices  # noqa: E402
from replica.model import Site  # noqa: E402
from replica.server import ReplicaServer  # noqa: E402


def address(i: int) -> str:
    """The i-th portal's loopback address: 127.0.1.1, 127.0.1.2, … (254 per third octet)."""
    return f"127.0.{1 + i // 254}.{1 + i % 254}"


def portal(i: int, column_json: bool) -> Site:
    options = {"column_id": 40000 + i, "site_id": "756001"} if column_json else {}
    return Site(id=f"s{i}", column="/zhzf/xsxc/", theme="list", per_page=10, site_name="珠海市人民政府",
                column_name="巡视巡察", parent_name="政务公开", options=options,
                notices=generate_notices(5, seed=i, start_id=5_100_001 + 10 * i, source_name="珠海市纪委监委"))


def child_env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "tests" / "netguard"), str(tree)) if p)
    env.pop("NOTICEWATCH_CONFIG", None)
    env.pop("NOTICEWATCH_DB", None)
    return env


def crawl(tree: Path, config: Path, db: Path, profile: Path | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child and its children) of one `noticewatch crawl`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    python = [sys.executable, *(("-m", "cProfile", "-o", str(profile)) if profile else ())]
    out = subprocess.run([*python, "-m", "monitor", "crawl", "--config", str(config), "--db", str(db)],
                         cwd=tree, env=child_env(tree), capture_output=True, text=True, timeout=3600)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        sys.exit(f"crawl failed ({out.returncode}): {out.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(n: int, tree: Path, column_json: bool, tmp: Path, profile: Path | None = None) -> dict[str, dict[str, object]]:
    figures: dict[str, dict[str, object]] = {}
    with ExitStack() as stack:
        servers = [stack.enter_context(ReplicaServer([portal(i, column_json)], host=address(i))) for i in range(n)]
        sources = [{"id": f"p{i}", "kind": "nfcms", "max_pages": 5,
                    "start_urls": [server.url("/zhzf/xsxc/index.html")]} for i, server in enumerate(servers)]
        config = tmp / f"config_{n}.yaml"
        config.write_text(json.dumps({"defaults": {"download_delay": 0, "retries": 0}, "sources": sources}))
        db = tmp / f"notices_{n}.db"
        for phase in ("first", "no-change"):
            for server in servers:
                server.clear_requests()
            wall, cpu = crawl(tree, config, db, profile if phase == "no-change" else None)
            requests = sum(len(server.requests) for server in servers)
            kinds = Counter("robots" if p == "/robots.txt" else "json" if "/postmeta/" in p
                            else "detail" if "/content/" in p else "list" for s in servers for p in s.paths())
            figures[phase] = {"wall": round(wall, 2), "cpu": round(cpu, 3), "cpu_ms_per_source": round(1000 * cpu / n, 1),
                              "requests_per_source": round(requests / n, 2), "requests": dict(kinds)}
        with sqlite3.connect(db) as conn:
            modes = dict(conn.execute("select mode || ':' || status, count(*) from runs where id > ? group by 1",
                                      [n]).fetchall())
            notices = conn.execute("select count(*) from notices").fetchone()[0]
        figures["no-change"]["runs"] = modes
        figures["first"]["notices"] = f"{notices} of {5 * n}"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--tree", type=Path, default=ROOT, help="the noticewatch tree whose CLI is measured")
    parser.add_argument("--json", action="store_true", help="portals serve the NFCMS column JSON")
    parser.add_argument("--print-json", action="store_true", help="one JSON line with every figure")
    parser.add_argument("--profile", type=Path, help="cProfile the no-change crawl into this file (largest N)")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="precheck_bench") as tmp:
        for n in args.sources:
            profile = args.profile if n == max(args.sources) else None
            results[n] = run(n, args.tree.resolve(), args.json, Path(tmp), profile)
            for phase, f in results[n].items():
                print(f"N={n:<5} {phase:<9} wall {f['wall']:7.2f} s  CPU {f['cpu']:7.2f} s  "
                      f"{f['cpu_ms_per_source']:6.1f} ms/source  {f['requests_per_source']:5.2f} req/source "
                      f"{f['requests']}  {f.get('runs', f.get('notices', ''))}", flush=True)
    small, large = min(args.sources), max(args.sources)
    if large > small:
        for phase in ("first", "no-change"):
            marginal = (results[large][phase]["cpu"] - results[small][phase]["cpu"]) / (large - small)
            print(f"{phase}: marginal CPU per source (N {small} → {large}, start-up excluded): {1000 * marginal:.1f} ms")
    if args.print_json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
