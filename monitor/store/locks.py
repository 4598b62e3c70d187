"""Locks between processes on one database: two processes never crawl the same source, or deliver a
digest to the same target, into the same database at once.

An advisory `flock` on `<db>.locks/<source>.lock` (a crawl) or `<db>.locks/<target>.digest.lock` (a
digest delivery; ids never hold a dot, so the two never share a file): released by the kernel when
the holder exits, even on SIGKILL, so a crash never leaves a stale lock behind. A second process
waits up to `wait` seconds, then gives up with a one-line error naming the holder.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

POLL_SECONDS = 0.2


class SourceBusy(RuntimeError):
    """Another process is crawling this source into this database."""


class TargetBusy(RuntimeError):
    """Another process is delivering a digest to this target from this database."""


def lock_path(db_path: str | Path, source_id: str) -> Path:
    db = Path(db_path)
    return db.with_name(db.name + ".locks") / f"{source_id}.lock"


def digest_lock_path(db_path: str | Path, target_id: str) -> Path:
    return lock_path(db_path, f"{target_id}.digest")


@asynccontextmanager
async def source_lock(db_path: str | Path, source_id: str, wait: float = 60.0) -> AsyncIterator[None]:
    message = (
        "{db}: source '{id}' is being crawled by {holder}; wait for it to finish (or stop it) and try again"
    )
    import asyncio  # loaded already where this runs; not at import (`noticewatch digest` uses this module)

    path = lock_path(db_path, source_id)
    with _Flock(path, wait, SourceBusy, message, db=db_path, id=source_id) as lock:
        while not lock.attempt():
            await asyncio.sleep(POLL_SECONDS)
        yield


class RecheckBusy(RuntimeError):
    """Another process is re-checking this source's notices in this database."""


@contextmanager
def recheck_lock(db_path: str | Path, source_id: str) -> Iterator[None]:
    """Held while a re-check has a run open for the source (not waited for: a source being
    re-checked by another process is skipped). Whoever holds it may close runs left `running` by
    a re-check that died (SIGKILL): no live process owns them."""
    message = "{db}: source '{id}' is being re-checked by {holder}"
    with _Flock(lock_path(db_path, f"{source_id}.recheck"), 0, RecheckBusy, message, db=db_path, id=source_id) as lock:
        lock.attempt()
        yield


@contextmanager
def digest_lock(db_path: str | Path, target_id: str, wait: float = 60.0) -> Iterator[None]:
    """Held around one target's "read the ledger, build, deliver, record" (blocking, as delivery is)."""
    message = (
        "{db}: a digest for target '{id}' is being delivered by {holder} (waited {wait:.0f} s); "
        "let it finish and try again"
    )
    path = digest_lock_path(db_path, target_id)
    with _Flock(path, wait, TargetBusy, message, db=db_path, id=target_id) as lock:
        while not lock.attempt():
            time.sleep(POLL_SECONDS)
        yield


class _Flock:
    """An open lock file; `attempt()` takes the lock, or says it is held, or raises `busy` (its
    `message` formatted with `holder`, `wait` and `names`) once `wait` seconds have passed."""

    def __init__(self, path: Path, wait: float, busy: type[Exception], message: str, **names: object):
        path.parent.mkdir(parents=True, exist_ok=True)
        # Read-write, not append: pwrite() on an O_APPEND file appends whatever the offset (Linux).
        self.handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o644), "r+")  # held while the lock is
        self.deadline = time.monotonic() + wait
        self.wait, self.busy, self.message, self.names = wait, busy, message, names

    def attempt(self) -> bool:
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= self.deadline:
                self.handle.seek(0)
                holder = self.handle.read().strip() or "another process"
                raise self.busy(self.message.format(holder=holder, wait=self.wait, **self.names)) from None
            return False
        # The holder's pid, padded to one width so it overwrites the last holder's in place: a
        # truncate() cost ~2 ms of journal wait per source on ext4, on the event loop's thread.
        os.pwrite(self.handle.fileno(), f"pid {os.getpid():<12}".encode(), 0)
        return True

    def __enter__(self) -> _Flock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()  # closing the file releases the lock
