"""Every benchmark figure in one table: figure, measured, goal, met?

    .venv/bin/python bench/run.py            # full sizes (~10 min; the 100k store is cached)
    .venv/bin/python bench/run.py --quick    # small sizes, a smoke run (~2 min)
    .venv/bin/python bench/run.py --refresh-store   # rebuild the cached 100k store first

Each benchmark runs in its own child process (`bench/<name>.py --json`): a crawl installs Twisted's
reactor, which runs once per process, and the memory figure must not carry the others' allocations.
The table is printed and written, with the date and machine facts, to bench/RESULTS.md
(`--results PATH` to write elsewhere, `--no-write` for none); the raw figures go to
bench/.cache/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

FULL = {"crawl": (10, 500), "cycle": (10, 500), "fleet": (20, 200), "parser": (400, 5), "daemon": (1000, 0.05),
        "store": (100_000, 20)}
QUICK = {"crawl": (2, 100), "cycle": (3, 60), "fleet": (3, 10), "parser": (60, 2), "daemon": (100, 0.05),
         "store": (5_000, 5)}


@dataclass(frozen=True)
class Row:
    figure: str
    measured: str
    goal: str
    met: bool | None  # None: no goal, or not measurable here

    def cells(self) -> tuple[str, str, str, str]:
        return self.figure, self.measured, self.goal, {True: "yes", False: "NO", None: "–"}[self.met]


def run_json(script: str, *args: Any, timeout: float = 3600) -> dict[str, Any]:
    argv = [sys.executable, str(BENCH / script), *map(str, args), "--json"]
    print(f"… {' '.join(argv[1:])}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{script} failed (exit {out.returncode}):\n{out.stderr[-3000:]}")
    print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def crawl_rows(f: dict[str, Any]) -> list[Row]:
    ratio = f["ratio_cpu"]
    return [
        Row(f"full crawl of a {f['notices']:,}-notice replica vs bare Scrapy spider, same {f['ours_requests']:,} "
            f"pages (our CPU per page / bare spider's; replica server excluded)",
            f"{ratio:.2f} ({f['ours_cpu_ms_per_page']:.1f} ms / {f['bare_cpu_ms_per_page']:.1f} ms)", "≤ 2",
            ratio is not None and ratio <= 2),
        Row("  same, wall end to end (bare time / our time)",
            f"{f['ratio_wall']:.2f} ({f['bare_wall_s']:.1f} s / {f['ours_wall_s']:.1f} s)", "(info)", None),
    ]


def cycle_rows(f: dict[str, Any]) -> list[Row]:
    return [Row(f"no-change cycle (incremental crawl + due re-check) vs full crawl, {f['notices']:,} notices "
                f"(requests)", f"{f['cycle_requests']} / {f['full_requests']} = 1/{1 / f['ratio']:.0f}", "≤ 1/20",
                f["ratio"] <= 0.05)]


def fleet_rows(f: dict[str, Any]) -> list[Row]:
    """bench/fleet_bench.py at two sizes, first and no-change crawl (its daemon and cluster rounds: run it alone)."""
    phases = f["phases"]
    big = max(p["sources"] for p in phases)
    by_name = {p["name"]: p for p in phases if p["sources"] == big}
    first, quiet = by_name["first crawl"], by_name["no-change crawl"]
    added = {m["phase"]: m for m in f["marginal"]}["no-change crawl"]
    stored, expected = first["store"]["stored"], first["store"]["expected"]
    rss = max(p["maxrss_mb"] for p in phases)
    inflight = max(p["max_inflight_per_host"] for p in phases)
    return [
        Row(f"fleet of {big:,} NFCMS sources on 127.0.x.y (bench/fleet_bench.py): first crawl, notices stored once",
            f"{stored:,} / {expected:,}", "all", stored == expected and first["store"]["duplicates"] == 0),
        Row("  no-change crawl: requests per source", f"{quiet['requests_per_source']:.2f}", "≤ 1",
            quiet["requests_per_source"] <= 1),
        Row(f"  no-change crawl: CPU per added source (N={added['from']} → {added['to']})",
            f"{added['cpu_ms_per_added_source']:.1f} ms", "≤ 10 ms", added["cpu_ms_per_added_source"] <= 10),
        Row(f"  no-change crawl: CPU per source at N={big}, start-up included",
            f"{quiet['cpu_ms_per_source']:.0f} ms", "(info)", None),
        Row("  peak RSS, largest process, any phase", f"{rss:.0f} MB", "≤ 500 MB", rss <= 500),
        Row("  most requests in flight to one host at once", str(inflight), "1", inflight == 1),
    ]


def parser_rows(f: dict[str, Any]) -> list[Row]:
    if not f.get("trafilatura"):
        return [Row("page → fields vs trafilatura", "trafilatura not installed", "≥ 3×", None)]
    return [
        Row(f"page → fields (parse_html) vs trafilatura.extract {f['trafilatura_version']}, {f['pages']} pages, "
            "one core", f"{f['speed_ratio']:.1f}× ({f['ours_pages_per_s']:.0f} vs {f['theirs_pages_per_s']:.0f} "
            "pages/s)", "≥ 3×", f["speed_ratio"] >= 3),
    ]


def daemon_rows(f: dict[str, Any]) -> list[Row]:
    return [Row(f"daemon RSS growth over {f['cycles']:,} crawl cycles (after {f['warm_cycles']} warm-up)",
                f"{f['growth_mb']:+.1f} MB ({f['warm_mb']:.0f} → {f['end_mb']:.0f} MB)", "< 10 MB",
                f["growth_mb"] < 10)]


def store_rows(f: dict[str, Any]) -> list[Row]:
    n = f"{f['notices'] // 1000}k" if f["notices"] >= 1000 else str(f["notices"])
    rows = []
    d = f["digest"]
    if not d.get("available"):
        rows.append(Row(f"digest build on {n} notices", "not available yet", "< 1 s", None))
    else:
        ms = d["make_digest"]["median_ms"]
        rows.append(Row(f"digest build on {n} notices, last week's {d['events']} events "
                        "(make_digest: store reads + build)", f"{ms / 1000:.2f} s", "< 1 s", ms < 1000))
        rows.append(Row(f"  of which pure build_digest, on the same events and the {d['notices']:,} notices "
                        "make_digest loads for them", f"{d['build_digest']['median_ms'] / 1000:.2f} s", "(info)",
                        None))
    for q in f["search"]:
        ms = q["p95_ms"]
        rows.append(Row(f"search on {n}: {q['label']} ({q['matching']:,} match)",
                        f"{q['median_ms']:.0f} ms median, {ms:.0f} ms p95", "< 200 ms", ms < 200))
    st, cli = f["status"], f["status_cli"]
    rows.append(Row(f"status on {n}, {st['sources']} sources, {f['store']['runs']:,} runs: `noticewatch status "
                    f"--json` end to end (a fresh interpreter each run, median of {cli['runs']})",
                    f"{cli['median_ms']:.0f} ms median, {cli['p95_ms']:.0f} ms p95 (python start-up alone "
                    f"{cli['python_startup_ms']:.0f} ms)", "< 200 ms", cli["median_ms"] < 200))
    rows.append(Row("  of which the database reads (read_status, warm, in process)",
                    f"{st['median_ms']:.0f} ms median, {st['p95_ms']:.0f} ms p95", "(info)", None))
    return rows


def markdown(rows: list[Row], facts: dict[str, str], command: str) -> str:
    lines = ["# Benchmark results", "", f"Produced by `{command}` on {facts['date']}.", "",
             "| figure | measured | goal | met? |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row.cells()) + " |" for row in rows]
    lines += ["", "Machine: " + "; ".join(f"{k} {v}" for k, v in facts.items() if k != "date") + ".", "",
              "Rerun: see [Benchmarks](../README.md#benchmarks) in the README.", ""]
    return "\n".join(lines)


def machine_facts() -> dict[str, str]:
    def version(name: str) -> str:
        try:
            from importlib.metadata import version as v

            return v(name)
        except Exception:  # noqa: BLE001 - a missing package is reported as such
            return "not installed"

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()), "cpu": model or platform.machine(),
        "python": platform.python_version(), "sqlite": __import__("sqlite3").sqlite_version,
        "os": platform.platform(terse=True), "load average at start": "",
        "packages": ", ".join(f"{p} {version(p)}" for p in ("scrapy", "sqlite-utils", "trafilatura")),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run, figures not comparable")
    ap.add_argument("--refresh-store", action="store_true", help="rebuild the cached store fixture first")
    ap.add_argument("--only", action="append", choices=list(FULL), help="run only these (repeatable)")
    ap.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    args = ap.parse_args()
    sizes = QUICK if args.quick else FULL
    facts = machine_facts()
    facts["load average at start"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    steps: dict[str, tuple[str, Callable[..., list[Row]], list[Any]]] = {
        "fleet": ("fleet_bench.py", fleet_rows, ["--sources", *sizes["fleet"], "--phases", "first", "nochange"]),
        "parser": ("parser_bench.py", parser_rows, ["--pages", sizes["parser"][0], "--repeat", sizes["parser"][1]]),
        "crawl": ("crawl_bench.py", crawl_rows, ["--sources", sizes["crawl"][0], "--notices", sizes["crawl"][1]]),
        "cycle": ("change_cycle.py", cycle_rows, ["--sources", sizes["cycle"][0], "--notices", sizes["cycle"][1]]),
        "daemon": ("daemon_memory.py", daemon_rows, ["--cycles", sizes["daemon"][0],
                                                     "--interval", sizes["daemon"][1]]),
        "store": ("store_bench.py", store_rows, ["--notices", sizes["store"][0], "--repeat", sizes["store"][1],
                                                 *(["--refresh"] if args.refresh_store else [])]),
    }
    order = ["crawl", "cycle", "fleet", "parser", "daemon", "store"]
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    for name in order:
        if args.only and name not in args.only:
            continue
        script, to_rows, script_args = steps[name]
        try:
            raw[name] = run_json(script, *script_args)
            rows += to_rows(raw[name])
        except (RuntimeError, subprocess.TimeoutExpired, KeyError, ValueError) as exc:
            rows.append(Row(f"{name}: {script}", f"failed: {str(exc).splitlines()[0]}", "", False))
            print(exc, file=sys.stderr)
    facts["load average at end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    width = [max(len(r.cells()[i]) for r in rows) for i in range(4)]
    head = ("figure", "measured", "goal", "met?")
    width = [max(w, len(h)) for w, h in zip(width, head, strict=True)]
    for cells in (head, *(r.cells() for r in rows)):
        print("  ".join(c.ljust(w) for c, w in zip(cells, width, strict=True)).rstrip())
    command = "bench/run.py" + (" --quick" if args.quick else "") + "".join(f" --only {o}" for o in args.only or [])
    (BENCH / ".cache").mkdir(exist_ok=True)
    (BENCH / ".cache" / "results.json").write_text(json.dumps({"facts": facts, "figures": raw}, ensure_ascii=False,
                                                              indent=1, default=str), encoding="utf-8")
    if not args.no_write:
        # bench/accuracy.py --write keeps its own "## Parser accuracy" section in the same file: carry it over.
        kept = ""
        if args.results.exists():
            _, sep, rest = args.results.read_text(encoding="utf-8").partition("\n## Parser accuracy")
            kept = sep + rest if sep else ""
        args.results.write_text(markdown(rows, facts, command).rstrip("\n") + "\n" + kept, encoding="utf-8")
        print(f"\nwritten: {args.results.relative_to(ROOT) if args.results.is_relative_to(ROOT) else args.results}")
    sys.exit(0 if all(r.met is not False for r in rows) else 1)


if __name__ == "__main__":
    main()
