"""A parse worker: `python -m crawler.parseworker`, page → Notice over its standard input and output.

Started by crawler/parsepool.py. Frames are a 4-byte big-endian length and a pickle: requests
(task, args, kwargs) in, replies ("ok", result) or ("error", exception) out, one per task, in order.
A task is one of `tasks()`: "parse" (crawler.parser.parse_html: text → Notice) or "read"
(crawler.detail_page.read: a fetched detail page's status, URL and bytes → Notice or Failed); or
BATCH, whose args are such requests: each answered in turn, all flushed at once at the end (one
wake-up of the crawl for the lot, and the worker parses them back to back). The worker exits at end of
input — also when its parent dies, since the pipe then closes. Nothing else may be written to
standard output; logging goes to standard error.

It runs as batch work (crawler/cpu.py): its wake-ups do not preempt the crawl's reactor.
"""

from __future__ import annotations

import pickle
import signal
import struct
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

HEADER = struct.Struct(">I")
BATCH = "batch"


def read_frame(stream: BinaryIO) -> Any | None:
    """One unpickled frame, or None at end of input."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return pickle.loads(payload)


def frame(obj: Any) -> bytes:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(payload)) + payload


def reply(obj: Any) -> bytes:
    try:
        return frame(obj)
    except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled: send its text
        return frame(("error", RuntimeError(f"{obj[1].__class__.__name__}: {obj[1]}; ({exc})")))


def tasks() -> dict[str, Callable[..., Any]]:
    """What a request may ask for, by name (imported here: the crawling process imports these too)."""
    from crawler.detail_page import read
    from crawler.parser import parse_html

    return {"parse": parse_html, "read": read}


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl through its own process
    from crawler.cpu import run_as_batch_work

    run_as_batch_work()
    table = tasks()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (request := read_frame(stdin)) is not None:
        task, args, kwargs = request
        for one in args if task == BATCH else (request,):
            stdout.write(reply(answer(table, *one)))
        stdout.flush()


def answer(table: dict[str, Callable[..., Any]], task: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """("ok", what the task returned) or ("error", the exception it raised)."""
    try:
        return ("ok", table[task](*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - the crawling process re-raises it
        return ("error", exc)


if __name__ == "__main__":
    main()
