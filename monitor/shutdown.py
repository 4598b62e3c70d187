"""SIGINT and SIGTERM for the long-running commands (crawl, recheck, demo, daemon, serve, replica
serve, worker): the first signal asks the work in progress to stop cleanly — what was fetched is
written, runs are recorded as aborted — and the command then exits 130 (SIGINT) or 143 (SIGTERM)
with one line; a second signal exits at once.

One process-wide `SHUTDOWN`: the command installs it (`with SHUTDOWN.installed():`), the work
registers how it stops (`SHUTDOWN.on_stop(callback)`) and looks at `SHUTDOWN.requested`. A callback
runs on the event loop that registered it (the signal may arrive in the middle of anything).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """The command was stopped by a signal; `exit_code` is 128 + its number."""

    def __init__(self, signum: int, what: str = "stopped"):
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"{signal.Signals(signum).name}: {what}")


@dataclass
class Shutdown:
    signum: int | None = None
    _stoppers: list[tuple[Callable[[], object], asyncio.AbstractEventLoop | None]] = field(default_factory=list)

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def on_stop(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Call `callback` when a stop is requested (at once if it was already); returns a function
        that unregisters it. Registered from a running event loop, it is called on that loop."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        entry = (callback, loop)
        self._stoppers.append(entry)
        if self.requested:
            self._call(entry)
        return lambda: self._stoppers.remove(entry) if entry in self._stoppers else None

    def request(self, signum: int) -> None:
        """What the signal handler does: the first time, stop the work; the second, exit now."""
        if self.signum is not None:
            os.write(2, f"{signal.Signals(signum).name} again: exiting at once\n".encode())
            os._exit(128 + self.signum)
        self.signum = signum
        if not self._stoppers:  # nothing to stop cleanly: stop where it is
            raise Interrupted(signum)
        for entry in list(self._stoppers):
            self._call(entry)

    def _call(self, entry: tuple[Callable[[], object], asyncio.AbstractEventLoop | None]) -> None:
        callback, loop = entry
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(_run, callback)
        else:
            _run(callback)

    def check(self, what: str = "stopped") -> None:
        """Raise Interrupted if a stop was requested."""
        if self.signum is not None:
            raise Interrupted(self.signum, what)

    @contextlib.contextmanager
    def installed(self) -> Iterator[Shutdown]:
        """Handle SIGINT and SIGTERM for the duration (the previous handlers come back after)."""
        previous = {s: signal.getsignal(s) for s in SIGNALS}
        for s in SIGNALS:
            signal.signal(s, lambda signum, _frame: self.request(signum))
        try:
            yield self
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    def reset(self) -> None:
        self.signum = None
        self._stoppers.clear()


def _run(callback: Callable[[], object]) -> None:
    result = callback()
    if asyncio.iscoroutine(result):
        asyncio.ensure_future(result)


def exit_interrupted(exc: Interrupted, line: str) -> None:
    """Print `line` (one line, on stderr) and exit with the signal's code."""
    sys.stderr.write(line.rstrip("\n") + "\n")
    sys.stderr.flush()
    sys.exit(exc.exit_code)


SHUTDOWN = Shutdown()
