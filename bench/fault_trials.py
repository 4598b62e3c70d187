"""Fault trials: every kind in the replica's fault catalogue (replica/faults.py FAULTS), N times each,
on a random target — the first list page, a stored notice's page (a `--full` crawl, then two
re-checks), or a new notice's page — checked as tests/test_faults.py does (tests/fault_checks.py):
expected problems, no crash, no bogus notice, nothing lost, no false event. Prints one table.

    .venv/bin/python bench/fault_trials.py [--trials 3] [--seed 1] [--fault http_503 ...]

Exit status 1 if any check failed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import GUARD_DIR  # noqa: E402

sys.path.insert(0, str(GUARD_DIR))
from netguard_socket import install  # noqa: E402

install()  # loopback only, here (re-checks) and in every crawl child (tests.helpers.cli_env)

from replica.faults import FAULTS  # noqa: E402
from replica.server import ReplicaServer  # noqa: E402
from tests.fault_checks import TARGETS, FaultLab, TrialResult, column, run_trial  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3, help="trials per fault kind (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fault", action="append", choices=list(FAULTS), help="only these kinds")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    names = args.fault or list(FAULTS)
    results: dict[str, list[TrialResult]] = {name: [] for name in names}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, ReplicaServer([column()]) as server:
        lab = FaultLab(server, Path(tmp))
        for name in names:
            for _ in range(args.trials):
                target = rng.choice(TARGETS)
                result = run_trial(lab, name, target)
                results[name].append(result)
                mark = "ok" if result.survived else "FAILED"
                print(f"  {name:<22} {target:<6} {mark}", file=sys.stderr, flush=True)
    elapsed = time.monotonic() - started

    header = f"{'fault kind':<22} {'trials':>6} {'targets':<18} {'survived':>8} {'data lost':>9} {'false events':>12}"
    print(header)
    print("-" * len(header))
    totals = [0, 0, 0, 0]
    for name, trials in results.items():
        targets = ",".join(sorted({r.target for r in trials}))
        survived = sum(r.survived for r in trials)
        lost = sum(r.data_lost for r in trials)
        false = sum(r.false_events for r in trials)
        print(f"{name:<22} {len(trials):>6} {targets:<18} {survived:>8} {lost:>9} {false:>12}")
        for i, value in enumerate((len(trials), survived, lost, false)):
            totals[i] += value
    print("-" * len(header))
    print(f"{f'total ({len(results)} kinds)':<22} {totals[0]:>6} {'':<18} {totals[1]:>8} {totals[2]:>9} {totals[3]:>12}")
    print(f"{elapsed:.0f} s")
    failed = [r for trials in results.values() for r in trials if not r.survived]
    for result in failed:
        print(f"\nFAILED {result.fault} on {result.target}:")
        for line in result.failures:
            print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
