"""A replica server that logs when each request was inside it, for politeness checks: every request is
held `serve_time` seconds, so two requests to one host at once would overlap in the log
(tests/test_cluster.py, bench/cluster_trial.py)."""

from __future__ import annotations

import threading
import time
from typing import Any

from replica.server import ReplicaServer


class TimedReplica(ReplicaServer):
    """ReplicaServer whose `timed` lists (start, end, path) of every request it answered."""

    serve_time = 0.01  # seconds; a subclass sets its own

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timed: list[tuple[float, float, str]] = []
        self._timed_lock = threading.Lock()

    def respond(self, method, raw_path, user_agent, host, headers=None, body=b""):  # type: ignore[no-untyped-def]
        start = time.monotonic()
        try:
            time.sleep(self.serve_time)
            return super().respond(method, raw_path, user_agent, host, headers, body)
        finally:
            with self._timed_lock:
                self.timed.append((start, time.monotonic(), raw_path))


def overlapping(timed: list[tuple[float, float, str]]) -> list[str]:
    """'A and B' for each request B that began while the one before it (by start time), A, was inside."""
    spans = sorted(timed)
    return [f"{a[2]} and {b[2]}" for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1]]
