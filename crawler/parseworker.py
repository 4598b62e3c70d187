"""A parse worker: `python -m crawler.parseworker`, page → Notice over its standard input and output.

Started by crawler/parsepool.py. Frames are a 4-byte big-endian length and a pickle: requests
(text, url, options) in, replies ("ok", Notice) or ("error", exception) out, in order. The worker
exits at end of input — also when its parent dies, since the pipe then closes. Nothing else may be
written to standard output; logging goes to standard error.
"""

from __future__ import annotations

import pickle
import signal
import struct
import sys
from typing import Any, BinaryIO

HEADER = struct.Struct(">I")


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


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl through its own process
    from crawler.parser import parse_html

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (request := read_frame(stdin)) is not None:
        text, url, options = request
        try:
            out = ("ok", parse_html(text, url, **options))
        except Exception as exc:  # noqa: BLE001 - the crawling process re-raises it
            out = ("error", exc)
        stdout.write(reply(out))
        stdout.flush()


if __name__ == "__main__":
    main()
