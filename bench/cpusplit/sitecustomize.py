"""`crawl_bench.py --split`: where a process's CPU went, written at its exit.

Put on PYTHONPATH (with NOTICEWATCH_CPU_SPLIT=DIR) for a crawl, this is imported at start-up by every
Python process it starts — the crawl and its parse worker (crawler/parsepool.py passes PYTHONPATH
on). At exit each writes DIR/<pid>.json: its command line, RUSAGE_SELF, RUSAGE_CHILDREN (the
descendants it waited for) and the CPU of each of its threads (time.thread_time as a thread ends,
and the main thread's at exit). Nothing is changed otherwise; without the variable it does nothing.
"""

import os

if os.environ.get("NOTICEWATCH_CPU_SPLIT"):
    import atexit
    import json
    import resource
    import sys
    import threading
    import time

    _out = os.environ["NOTICEWATCH_CPU_SPLIT"]
    _threads: list[tuple[str, float]] = []
    _run = threading.Thread.run

    def _timed_run(self: threading.Thread) -> None:
        try:
            _run(self)
        finally:
            _threads.append((self.name, time.thread_time()))

    def _write() -> None:
        me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(os.path.join(_out, f"{os.getpid()}.json"), "w", encoding="utf-8") as f:
            json.dump({"argv": sys.argv, "self": me.ru_utime + me.ru_stime,
                       "children": children.ru_utime + children.ru_stime,
                       "threads": [*_threads, ("MainThread", time.thread_time())]}, f)

    threading.Thread.run = _timed_run  # type: ignore[method-assign]
    atexit.register(_write)
