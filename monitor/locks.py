"""Per-source crawl locks: two processes never crawl the same source into the same database at once.

An advisory `flock` on `<db>.locks/<source>.lock`: released by the kernel when the holder exits,
even on SIGKILL, so a crash never leaves a stale lock behind. A second crawler waits up to
`wait` seconds, then gives up with a one-line error naming the holder.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path


class SourceBusy(RuntimeError):
    """Another process is crawling this source into this database."""


def lock_path(db_path: str | Path, source_id: str) -> Path:
    db = Path(db_path)
    return db.with_name(db.name + ".locks") / f"{source_id}.lock"


@asynccontextmanager
async def source_lock(db_path: str | Path, source_id: str, wait: float = 60.0) -> AsyncIterator[None]:
    path = lock_path(db_path, source_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole crawl
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise SourceBusy(
                        f"{db_path}: source '{source_id}' is being crawled by {holder}; "
                        "wait for it to finish (or stop it) and try again"
                    ) from None
                await asyncio.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()  # closing the file releases the lock
