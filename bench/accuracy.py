"""Parser accuracy on the issue-15 corpus: gold fields right / total, per field and per document type.

    .venv/bin/python bench/accuracy.py [--misses] [--write]

Reads tests/golden/corpus/*/*.yaml (real notices and near-misses with hand-checked gold fields, see
/work/team conventions in tests/golden/corpus/*/INDEX.md), parses each input the way its case says and
prints a markdown table, then one line with the overall figure. `--misses` lists every wrong field
(case, field, got, want); `--write` puts the table in the `## Parser accuracy` section of
bench/RESULTS.md (replacing the previous one). Goal (issue 15): ≥ 97 % of gold fields right.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.corpus import GOAL, CaseError, Score, load_cases, score, table  # noqa: E402

SECTION = "## Parser accuracy"


def misses_text(result: Score) -> str:
    return "\n".join(f"{m.case}: {m.field}: got {m.got!r}, want {m.want!r}" for m in result.misses)


def write_section(path: Path, body: str) -> None:
    """Replace (or append) the `## Parser accuracy` section of RESULTS.md, up to the next `## `."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    head, sep, rest = text.partition(SECTION)
    tail = ""
    if sep:
        after = rest.find("\n## ")
        tail = rest[after:] if after >= 0 else ""
    path.write_text(head.rstrip("\n") + f"\n\n{SECTION}\n\n{body}\n" + tail, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="list every wrong field")
    ap.add_argument("--write", action="store_true", help="write the table into bench/RESULTS.md")
    ap.add_argument("--skip-broken", action="store_true", help="leave out (and list) unreadable cases")
    args = ap.parse_args()
    broken: list[str] = []
    try:
        cases = load_cases(broken=broken if args.skip_broken else None)
    except CaseError as exc:
        sys.exit(f"Error: {str(exc).splitlines()[0]} (or run with --skip-broken)")
    for line in broken:
        print(f"skipped: {line}", file=sys.stderr)
    if not cases:
        sys.exit("Error: no corpus cases in tests/golden/corpus/*/*.yaml")
    result = score(cases)
    out = table(result)
    print(out)
    if args.misses:
        print()
        print(misses_text(result))
    if args.write:
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        body = f"Produced by `.venv/bin/python bench/accuracy.py --write` on {when}.\n\n{out}"
        write_section(ROOT / "bench" / "RESULTS.md", body)
    sys.exit(0 if result.accuracy >= GOAL else 1)


if __name__ == "__main__":
    main()
