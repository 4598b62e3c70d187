"""Crash trials: SIGKILL `noticewatch crawl` and `noticewatch daemon` at random moments, then check
the database (integrity_check, every committed notice exact, no version without its notice) and
that the next crawl completes. Prints one table.

    .venv/bin/python bench/crash_trials.py [--trials 50] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.store.db import Store  # noqa: E402
from replica.faults import Fault  # noqa: E402
from replica.server import ReplicaServer  # noqa: E402
from replica.sites import build_demo_sites  # noqa: E402
from tests.crash_checks import check_database, kill_at_random  # noqa: E402
from tests.helpers import replica_config, run_cli  # noqa: E402


def trial(command: str, rng: random.Random, tmp: Path) -> tuple[int, list[str]]:
    """One kill; returns (notices stored before the kill, problems found)."""
    with ReplicaServer(build_demo_sites()[:1]) as server:
        site = server.sites[0]
        server.faults[f"{site.column}content/*"] = Fault(delay=0.1)  # a ~4 s crawl
        data = replica_config(server)
        data["defaults"]["schedule"] = "every 1s"
        config = tmp / "config.yaml"
        config.write_text(json.dumps(data), encoding="utf-8")
        db = tmp / "k.db"
        kill_at_random(command, config, db, rng, max_delay=4.0, min_delay=1.0)
        stored = 0
        problems: list[str] = []
        if db.exists():
            problems += check_database(db, server)
            with Store(db) as store:
                stored = store.count("notices")
        out = run_cli("crawl", "--config", config, "--db", db)
        if out.returncode != 0:
            problems.append(f"next crawl failed: {out.stderr.strip().splitlines()[-1:]}")
        problems += check_database(db, server)
        with Store(db) as store:
            if store.count("notices") != len(site.notices):
                problems.append(f"after the next crawl {store.count('notices')} of {len(site.notices)} notices")
            if any(r["status"] == "running" for r in store.rows("select status from runs")):
                problems.append("a run is still marked running")
        return stored, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50, help="trials per command (crawl, daemon)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"{'killed':<10}{'trials':>8}{'survived':>10}{'mid-crawl':>11}{'failed checks':>15}")
    failures = []
    for command in ("crawl", "daemon"):
        survived = mid = 0
        for index in range(args.trials):
            with tempfile.TemporaryDirectory() as tmp:
                stored, problems = trial(command, rng, Path(tmp))
            mid += 0 < stored < 30
            survived += not problems
            failures += [f"{command} #{index}: {p}" for p in problems]
        print(f"{command:<10}{args.trials:>8}{survived:>10}{mid:>11}{args.trials - survived:>15}")
    print("mid-crawl: killed after some notices were committed and before all were; failed checks:")
    print("integrity_check, a committed notice missing or wrong, an orphan version or run, the next crawl failing")
    for line in failures:
        print("  " + line)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
