"""CPU scheduling of a crawl's background work (the parse worker, the store's writer thread).

A crawl's reactor thread is its critical path: one request at a time, each sent only when the
reactor gets to it. Background work woken by the reactor (a page handed to the parse worker, items
to the writer) would otherwise be placed on the reactor's own core and preempt it there — measured
by cProfile on bench/crawl_bench.py's crawl: the pipe write that hands a page over took 450 µs on
average, the worker's parse running inside it, against 80 µs as batch work. Linux's SCHED_BATCH
says exactly this: CPU-bound work, same fair share, but its wake-ups preempt no one. Elsewhere
(or where the call is refused) nothing changes.
"""

from __future__ import annotations

import os


def run_as_batch_work() -> bool:
    """Mark the calling thread (and the threads it starts later) as batch work; True if the OS
    took it. Called first thing in the parse worker's process and in the writer thread."""
    setter = getattr(os, "sched_setscheduler", None)
    if setter is None or not hasattr(os, "SCHED_BATCH"):
        return False
    try:
        setter(0, os.SCHED_BATCH, os.sched_param(0))  # 0: the calling thread, on Linux
    except OSError:
        return False
    return True
