"""Faults: what goes wrong at a path, applied before (or instead of) the normal page.

The server keeps `faults: dict[str, Fault]`, keyed by exact path ("/xunshizgls/index.html") or by
a prefix ending in "*" ("/xunshizgls/content/*"); the exact key wins, then the longest prefix.
Edit the dict at any time — it is read on every request. A site's `detail_faults` (by post id)
take the same `Fault`s for one post's detail page (see replica/mutations.py).

A fault answers, after an optional `delay`, one of:
- an error `status` (with extra `headers`, e.g. Retry-After), a `redirect` (a path, a URL, or a
  template with "{path}"), a `challenge` page (replica/challenges.py), or a canned `page`
  ("empty": a 200 with no body; "binary": random bytes labelled text/html);
- the real page, mangled by a `transform` ("truncate", "gbk_as_utf8", "gbk_no_charset",
  "malformed", "zero_items", "huge");
- the real page, sent badly on the socket (`wire`): "close" (the connection is closed without a
  byte of answer), "reset" (headers and part of the body, then a TCP RST), "drip" (the body in
  small chunks over `drip_seconds`).

`FAULTS` is the catalogue: one named `Fault` per kind of trouble real portals cause, each
selectable per URL (`server.faults[path] = FAULTS["http_503"]`).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from html import escape

from replica.challenges import CHALLENGES, challenge_page
from replica.response import Response

PAGES = ("empty", "binary")
TRANSFORMS = ("truncate", "gbk_as_utf8", "gbk_no_charset", "malformed", "zero_items", "huge")
WIRES = ("close", "reset", "drip")

# Where the login redirect sends clients: the replica answers a login form there (server.py).
LOGIN_PATH = "/sso/login.jsp"
# The host off-site redirects point to: `.invalid` never resolves (RFC 2606), and the crawler must
# not even try — the tests' socket guard fails any non-loopback connection.
OFFSITE = "http://portal-moved.invalid"
# Bigger than the crawler's DOWNLOAD_MAXSIZE (10 MiB).
HUGE_BYTES = 10 * 1024 * 1024 + 512 * 1024
# How long the "timeout" fault stalls before answering: more than the timeouts tests configure
# (2 s), less than the crawler's default (30 s) so a careless run still ends.
TIMEOUT_DELAY = 3.0
TRUNCATE_AT = 0.55  # the share of the page "truncate" keeps (mid-body for every theme)
RESET_AT = 0.3  # the share of the body "reset" sends before the RST


@dataclass(frozen=True)
class Fault:
    """Wait `delay` seconds, then answer `status` with an error page instead of the real one —
    or, with `redirect` (a path, URL or "{path}" template), a 302 to it; or, with `challenge`
    ("js_cookie" → 412, "jsl" → 521, "captcha" → 200), an anti-bot page; or a canned `page`;
    or the real page changed by `transform`; `wire` says how the answer goes on the socket.

    `times` limits the fault to the first N matching requests (per key), after which the path
    is served normally — e.g. `Fault(status=503, times=1)` for "fails once, then recovers".
    """

    status: int | None = None
    delay: float = 0.0
    times: int | None = None
    redirect: str | None = None
    challenge: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    page: str | None = None
    transform: str | None = None
    wire: str | None = None
    drip_seconds: float = 1.0

    def __post_init__(self) -> None:
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"Fault: status must be an HTTP status code, got {self.status}")
        if self.delay < 0:
            raise ValueError(f"Fault: delay must be >= 0, got {self.delay}")
        if self.challenge is not None and self.challenge not in CHALLENGES:
            raise ValueError(f"Fault: unknown challenge {self.challenge!r} (valid: {', '.join(CHALLENGES)})")
        for name, valid in (("page", PAGES), ("transform", TRANSFORMS), ("wire", WIRES)):
            value = getattr(self, name)
            if value is not None and value not in valid:
                raise ValueError(f"Fault: unknown {name} {value!r} (valid: {', '.join(valid)})")
        chosen = [
            name
            for name in ("status", "redirect", "challenge", "page", "transform")
            if getattr(self, name) is not None
        ]
        if len(chosen) > 1:
            raise ValueError(f"Fault: give one of status, redirect, challenge, page, transform, not {' and '.join(chosen)}")
        if self.drip_seconds < 0:
            raise ValueError(f"Fault: drip_seconds must be >= 0, got {self.drip_seconds}")

    def apply(
        self,
        render: Callable[[], Response],
        error: Callable[[int], Response],
        path: str = "/",
        base_url: str = "",
    ) -> Response:
        """The response to send: the error page, redirect, challenge or canned page, else the
        normal page (transformed, if the fault says so)."""
        if self.status is not None:
            return error(self.status).with_headers(*self.headers)
        if self.redirect is not None:
            target = self.redirect.replace("{path}", path)
            location = target if "://" in target else base_url + target
            body = f'<html><body><a href="{escape(location)}">302 Found</a></body></html>\n'
            return Response(302, body.encode("utf-8"), headers=(("Location", location), *self.headers))
        if self.challenge is not None:
            return challenge_page(self.challenge, path)
        if self.page == "empty":
            return Response(200, b"", headers=self.headers)
        if self.page == "binary":
            return Response(200, binary_bytes(path), headers=self.headers)
        response = render()
        if self.transform is not None and response.status == 200:
            response = transform(self.transform, response)
        return response.with_headers(*self.headers) if self.headers else response


def find_fault(faults: Mapping[str, Fault], path: str) -> tuple[str, Fault] | None:
    """The (key, fault) governing `path`: an exact key, else the longest matching "prefix*"."""
    if path in faults:
        return path, faults[path]
    prefixes = [k for k in faults if k.endswith("*") and path.startswith(k[:-1])]
    if not prefixes:
        return None
    key = max(prefixes, key=len)
    return key, faults[key]


# -- canned pages and transformations -----------------------------------------------------------


def binary_bytes(path: str, size: int = 48 * 1024) -> bytes:
    """A JPEG-looking blob, the same for a path every time (a mis-served attachment or image)."""
    rng = random.Random(hashlib.sha1(path.encode("utf-8")).digest())
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(size)


_VALIDATORS = ("etag", "last-modified")
_META_CHARSET = re.compile(rb"<meta[^>]*charset\s*=\s*[\"']?[\w-]+[\"']?[^>]*>\s*", re.I)
_DETAIL_ITEM = re.compile(
    r"<(li|tr)\b[^>]*>(?:(?!</?\1\b).)*?content/m?post_\d+\.html?(?:(?!</?\1\b).)*?</\1>\s*", re.S | re.I
)
_DETAIL_LINK = re.compile(r"<a\b[^>]*content/m?post_\d+\.html?[^>]*>.*?</a>", re.S | re.I)


def transform(kind: str, response: Response) -> Response:
    """The real page `response`, mangled by `kind` (one of TRANSFORMS). The page's validators go:
    a different body must not be answered 304 to a client holding the real page's ETag."""
    headers = tuple((k, v) for k, v in response.headers if k.lower() not in _VALIDATORS)
    body = response.body
    content_type = response.content_type
    if kind == "truncate":
        body = body[: int(len(body) * TRUNCATE_AT)]  # may cut a multi-byte character: real ones do
    elif kind == "gbk_as_utf8":
        # Re-encoded to GBK (GB18030, its superset), still labelled UTF-8 in header and <meta>.
        body = body.decode("utf-8").encode("gb18030")
    elif kind == "gbk_no_charset":
        body = _META_CHARSET.sub(b"", body.decode("utf-8").encode("gb18030"))
        content_type = "text/html"
    elif kind == "malformed":
        body = malformed(body.decode("utf-8")).encode("utf-8")
    elif kind == "zero_items":
        text = _DETAIL_ITEM.sub("", body.decode("utf-8"))
        body = _DETAIL_LINK.sub("", text).encode("utf-8")
    elif kind == "huge":
        pad = HUGE_BYTES - len(body)
        filler = b'<script>var _img="data:image/png;base64,' + b"A" * max(pad, 0) + b'";</script>\n'
        at = body.rfind(b"</body>")
        at = at if at >= 0 else len(body)
        body = body[:at] + filler + body[at:]
    else:  # pragma: no cover - checked in Fault.__post_init__
        raise ValueError(f"unknown transform {kind!r}")
    return Response(response.status, body, content_type, headers)


def malformed(html: str) -> str:
    """HTML as sloppy CMS templates and editors write it — tags that recover the same way in every
    parser: no </p> or </li>, upper-case and unquoted attributes, a stray </font>, Word's <o:p>,
    bare ampersands and mis-nested tags after the article, `&nbsp` without its semicolon, a second
    <body> tag, a BOM and a comment before the doctype."""
    out = re.sub(r"</p>", "", html, flags=re.I)
    out = re.sub(r"</li>", "", out, flags=re.I)
    out = re.sub(r'class="([\w-]+)"', r"CLASS=\1", out)
    out = re.sub(r"<p\b", "<P", out)
    out = out.replace("<body", "<body><font color=#333></font></font><o:p></o:p><body", 1)
    at = out.rfind("</body>")
    at = at if at >= 0 else len(out)
    out = out[:at] + "<p>&nbsp&nbsp<b>R&D <i>Q&A</b></i>\n" + out[at:]
    return "\ufeff\n  <!-- generated -->\n" + out


# -- the catalogue ------------------------------------------------------------------------------

FAULTS: dict[str, Fault] = {
    # The socket: a real "connection refused" cannot be staged per URL on one listening port, so
    # "refused" accepts the connection and closes it without a byte of answer (what a crashed
    # backend behind a load balancer looks like to a client).
    "refused": Fault(wire="close"),
    "reset_mid_body": Fault(wire="reset"),
    "timeout": Fault(delay=TIMEOUT_DELAY),
    "slow_drip": Fault(wire="drip", drip_seconds=0.6),
    # Server errors, with and without Retry-After (a client must not sit out an hour for it).
    "http_500": Fault(status=500),
    "http_502": Fault(status=502),
    "http_503": Fault(status=503),
    "http_503_retry_after": Fault(status=503, headers=(("Retry-After", "3600"),)),
    # Client errors: forbidden, gone.
    "http_403": Fault(status=403),
    "http_404": Fault(status=404),
    "http_410": Fault(status=410),
    # Anti-bot and access control.
    "challenge_412": Fault(challenge="js_cookie"),
    "challenge_521": Fault(challenge="jsl"),
    "captcha": Fault(challenge="captcha"),
    "login_redirect": Fault(redirect=LOGIN_PATH + "?goto={path}"),
    # Redirects that lead nowhere.
    "redirect_loop": Fault(redirect="{path}?from=sso"),
    "redirect_offsite": Fault(redirect=OFFSITE + "{path}"),
    # Bodies that are not the page.
    "empty_200": Fault(page="empty"),
    "truncated_html": Fault(transform="truncate"),
    "gbk_as_utf8": Fault(transform="gbk_as_utf8"),
    "no_charset_gbk": Fault(transform="gbk_no_charset"),
    "huge_10mb": Fault(transform="huge"),
    "binary_as_html": Fault(page="binary"),
    "zero_items": Fault(transform="zero_items"),
    "malformed_html": Fault(transform="malformed"),
}


def fault(name: str, **changes: object) -> Fault:
    """The catalogue's fault `name`, optionally changed (e.g. `fault("http_503", times=1)`)."""
    try:
        chosen = FAULTS[name]
    except KeyError:
        raise KeyError(f"unknown fault {name!r} (valid: {', '.join(FAULTS)})") from None
    return replace(chosen, **changes) if changes else chosen  # type: ignore[arg-type]
