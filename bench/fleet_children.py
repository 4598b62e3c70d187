"""Child processes measured as bench/fleet_bench.py needs: CPU, peak memory, wall; stopped on Ctrl-C.

- CPU: `resource.getrusage(RUSAGE_CHILDREN)` deltas around children we wait for. A process's
  RUSAGE_CHILDREN grows by a child's CPU *and* that of the child's own waited-for children, so a
  crawl's parse worker (a grandchild, `python -m crawler.parseworker`, which the crawl waits for) is
  counted. This process is made a child subreaper (prctl), so a grandchild left running when its parent
  exits is re-parented here and counted once it is reaped (`reap_orphans`), not lost to init.
- Peak RSS, two ways: `ru_maxrss` from wait4() is the largest *single* process among the child and its
  reaped descendants (Linux: max of the child's own and its children's maxrss), not their sum; and the
  process tree's summed RSS, sampled from /proc every `SAMPLE_S` seconds (can miss a short spike).
- The fleet server is a child too, but is waited for only at the very end, so it is never in a delta.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_S = 0.25
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
PR_SET_CHILD_SUBREAPER = 36

_live: set[subprocess.Popen] = set()  # every child not yet waited for, stopped by `stop_all`


def become_subreaper() -> bool:
    """Orphaned descendants come to us, not init (Linux only); False where not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ppids() -> dict[int, int]:
    """pid → parent pid of every process now (from /proc/PID/stat)."""
    out: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(entry.path, "stat").read_text()
                out[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def tree(roots: Sequence[int]) -> list[int]:
    """The roots and all their descendants now."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _ppids().items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def rss_kb(pids: Sequence[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    return total


@dataclass
class Measured:
    """One phase's processes, waited for: exit codes, wall, CPU (RUSAGE_CHILDREN delta), memory."""

    codes: list[int]
    wall_s: float
    cpu_s: float
    maxrss_mb: float  # largest single process (wait4 ru_maxrss)
    tree_peak_mb: float  # sampled sum over the process tree
    descendants: int  # distinct processes seen in the tree (the children, their parse workers, …)


def start(argv: Sequence[str], log: Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A child with stdout and stderr to `log` (appended), tracked for `stop_all`."""
    with log.open("ab") as out:
        proc = subprocess.Popen(list(argv), cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                stdin=subprocess.DEVNULL)
    _live.add(proc)
    return proc


def watch(procs: Sequence[subprocess.Popen], cpu_before: float, started: float, *,
          tick: Callable[[float], None] | None = None, deadline: float | None = None,
          stop_when: Callable[[], bool] | None = None,
          more: Callable[[], Sequence[subprocess.Popen]] | None = None) -> Measured:
    """Wait for `procs`, and for those `more()` returns meanwhile (started later), sampling the tree's
    RSS; `tick(elapsed)` about once a second. Once `stop_when()` is true the ones left get SIGTERM;
    past `deadline` (monotonic) SIGKILL. Exit codes in start order."""
    order = list(procs)
    waiting = {p.pid: p for p in procs}
    codes: dict[int, int] = {}
    maxrss, peak, seen = 0, 0, set()
    last_tick = time.monotonic()
    terminated = False
    while waiting:
        for proc in more() if more is not None else ():
            order.append(proc)
            waiting[proc.pid] = proc
        pids = tree(list(waiting))
        seen.update(pids)
        peak = max(peak, rss_kb(pids))
        for pid, proc in list(waiting.items()):
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                proc.returncode = codes[pid] = os.waitstatus_to_exitcode(status)
                maxrss = max(maxrss, usage.ru_maxrss)
                _live.discard(proc)
                del waiting[pid]
        now = time.monotonic()
        if tick is not None and now - last_tick >= 1.0:
            tick(now - started)
            last_tick = now
        if waiting and not terminated and stop_when is not None and stop_when():
            terminated = True
            for proc in waiting.values():
                proc.send_signal(signal.SIGTERM)
        if waiting and deadline is not None and now > deadline:
            for proc in waiting.values():
                proc.kill()
            deadline = None
        if waiting:
            time.sleep(SAMPLE_S)
    reap_orphans(seen)
    return Measured([codes[p.pid] for p in order], time.monotonic() - started, children_cpu() - cpu_before,
                    maxrss / 1024, peak / 1024, len(seen))


def reap_orphans(seen: set[int], patience: float = 5.0) -> None:
    """Wait (up to `patience` s) for descendants of a phase re-parented to us, so their CPU is counted."""
    me = os.getpid()
    end = time.monotonic() + patience
    while True:
        mine = [pid for pid, ppid in _ppids().items() if ppid == me and pid in seen]
        for pid in mine:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        if not mine or time.monotonic() > end:
            return
        time.sleep(0.1)


def stop_all(timeout: float = 10.0) -> None:
    """SIGTERM every child still running, then SIGKILL what is left after `timeout`."""
    for proc in list(_live):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    end = time.monotonic() + timeout
    for proc in list(_live):
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, end - time.monotonic()))
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        _live.discard(proc)
