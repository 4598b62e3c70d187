"""Faults: what goes wrong at a path, applied before (or instead of) the normal page.

The server keeps `faults: dict[str, Fault]`, keyed by exact path ("/xunshizgls/index.html") or by
a prefix ending in "*" ("/xunshizgls/content/*"); the exact key wins, then the longest prefix.
Edit the dict at any time — it is read on every request.

Only status codes and delays exist so far. Challenge pages (412 + JS cookie, 521, captcha), GBK or
mislabelled charsets and truncated bodies are meant to become further fields here, each a
transformation of the `Response` in `apply`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from replica.portal import Response


@dataclass(frozen=True)
class Fault:
    """Wait `delay` seconds, then answer `status` with an error page instead of the real one.

    `times` limits the fault to the first N matching requests (per key), after which the path
    is served normally — e.g. `Fault(status=503, times=1)` for "fails once, then recovers".
    """

    status: int | None = None
    delay: float = 0.0
    times: int | None = None

    def __post_init__(self) -> None:
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"Fault: status must be an HTTP status code, got {self.status}")
        if self.delay < 0:
            raise ValueError(f"Fault: delay must be >= 0, got {self.delay}")

    def apply(self, render: Callable[[], Response], error: Callable[[int], Response]) -> Response:
        """The response to send: the error page for `status`, else the normal page."""
        if self.status is not None:
            return error(self.status)
        return render()


def find_fault(faults: Mapping[str, Fault], path: str) -> tuple[str, Fault] | None:
    """The (key, fault) governing `path`: an exact key, else the longest matching "prefix*"."""
    if path in faults:
        return path, faults[path]
    prefixes = [k for k in faults if k.endswith("*") and path.startswith(k[:-1])]
    if not prefixes:
        return None
    key = max(prefixes, key=len)
    return key, faults[key]
