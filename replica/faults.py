"""Faults: what goes wrong at a path, applied before (or instead of) the normal page.

The server keeps `faults: dict[str, Fault]`, keyed by exact path ("/xunshizgls/index.html") or by
a prefix ending in "*" ("/xunshizgls/content/*"); the exact key wins, then the longest prefix.
Edit the dict at any time — it is read on every request. A site's `detail_faults` (by post id)
take the same `Fault`s for one post's detail page (see replica/mutations.py).

A fault answers an error status, a redirect, or a challenge page (replica/challenges.py), after an
optional delay. GBK or mislabelled charsets and truncated bodies are meant to become further fields
here, each a transformation of the `Response` in `apply`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape

from replica.challenges import CHALLENGES, challenge_page
from replica.response import Response


@dataclass(frozen=True)
class Fault:
    """Wait `delay` seconds, then answer `status` with an error page instead of the real one —
    or, with `redirect` (a path or URL), a 302 to it; or, with `challenge` ("js_cookie" → 412,
    "jsl" → 521, "captcha" → 200), an anti-bot page.

    `times` limits the fault to the first N matching requests (per key), after which the path
    is served normally — e.g. `Fault(status=503, times=1)` for "fails once, then recovers".
    """

    status: int | None = None
    delay: float = 0.0
    times: int | None = None
    redirect: str | None = None
    challenge: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"Fault: status must be an HTTP status code, got {self.status}")
        if self.delay < 0:
            raise ValueError(f"Fault: delay must be >= 0, got {self.delay}")
        if self.challenge is not None and self.challenge not in CHALLENGES:
            raise ValueError(f"Fault: unknown challenge {self.challenge!r} (valid: {', '.join(CHALLENGES)})")
        chosen = [name for name in ("status", "redirect", "challenge") if getattr(self, name) is not None]
        if len(chosen) > 1:
            raise ValueError(f"Fault: give one of status, redirect, challenge, not {' and '.join(chosen)}")

    def apply(
        self,
        render: Callable[[], Response],
        error: Callable[[int], Response],
        path: str = "/",
        base_url: str = "",
    ) -> Response:
        """The response to send: the error page, redirect or challenge, else the normal page."""
        if self.status is not None:
            return error(self.status)
        if self.redirect is not None:
            location = self.redirect if "://" in self.redirect else base_url + self.redirect
            body = f'<html><body><a href="{escape(location)}">302 Found</a></body></html>\n'
            return Response(302, body.encode("utf-8"), headers=(("Location", location),))
        if self.challenge is not None:
            return challenge_page(self.challenge, path)
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
