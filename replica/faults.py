"""Faults: what goes wrong at a path, applied before (or instead of) the normal page.

The server keeps `faults: dict[str, Fault]`, keyed by exact path ("/xunshizgls/index.html") or by
a prefix ending in "*" ("/xunshizgls/content/*"); the exact key wins, then the longest prefix.
Edit the dict at any time — it is read on every request. A site's `detail_faults` (by post id)
take the same `Fault`s for one post's detail page (see replica/mutations.py).

A fault answers, after an optional `delay`, one of:
- an error `status` (with extra `headers`, e.g. Retry-After), a `redirect` (a path, a URL, or a
  template with "{path}"), a `challenge` page (replica/challenges.py), or a canned `page`
  ("empty": a 200 with no body; "binary": random bytes labelled text/html; "pdf": a PDF);
- the real page, mangled by a `transform` ("truncate", "gbk_as_utf8", "gbk_no_charset",
  "malformed", "zero_items", "huge"), or with hostile template habits: "cookie_script" (a head
  script that sets cookies and reloads, for a font-size switch), "deep_nesting" (the body inside
  DEEP_NESTING <div>s), "tracking_links" (every detail link twice, with tracking query strings that
  change on every request), "ftp_link" (an ftp:// link to a host that never answers FTP),
  "inflates_huge" (sent `Content-Encoding: gzip, gzip`, inflating past HUGE_BYTES), "bad_url_link"
  (a detail link no URL parser accepts: `http://[::1/…`, an unclosed IPv6 bracket);
- a canned answer: `body` with `content_type` (and `status`);
- the real page, sent badly on the socket (`wire`): "close" (the connection is closed without a
  byte of answer), "reset" (headers and part of the body, then a TCP RST), "drip" (the body in
  small chunks over `drip_seconds`).

`FAULTS` is the catalogue: one named `Fault` per kind of trouble real portals cause, each
selectable per URL (`server.faults[path] = FAULTS["http_503"]`).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import itertools
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from html import escape

from replica.challenges import CHALLENGES, challenge_page
from replica.response import Response

PAGES = ("empty", "binary", "pdf")
TRANSFORMS = ("truncate", "gbk_as_utf8", "gbk_no_charset", "malformed", "zero_items", "huge",
              "cookie_script", "deep_nesting", "tracking_links", "ftp_link", "inflates_huge", "bad_url_link")
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
DEEP_NESTING = 1000  # levels: past libxml2's default limit (256), within huge_tree's (2048)
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
    # A canned answer of the test's own: `body` sent with `content_type` (a gkmlpt answer with a
    # bad URL, an oversized robots.txt …), status 200 unless `status` says otherwise.
    body: bytes | None = None
    content_type: str = "text/html; charset=utf-8"

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
            for name in ("status", "redirect", "challenge", "page", "transform", "body")
            if getattr(self, name) is not None
        ]
        if self.body is not None and chosen == ["status", "body"]:
            chosen = ["body"]  # a canned answer may have its own status
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
        if self.body is not None:
            return Response(self.status or 200, self.body, self.content_type, self.headers)
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
        if self.page == "pdf":
            return Response(200, pdf_bytes(path), "application/pdf", headers=self.headers)
        response = render()
        if self.transform is not None and response.status == 200:
            response = transform(self.transform, response, base_url)
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


def pdf_bytes(path: str) -> bytes:
    """A small real-looking PDF (a scanned notice served at the article's URL): mostly text."""
    text = f"BT /F1 12 Tf 72 720 Td ({path}) Tj ET".encode("ascii", "replace")
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n"
            b"4 0 obj << /Length " + str(len(text)).encode() + b" >> stream\n" + text +
            b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


@functools.cache
def _inflating_body() -> bytes:
    """HUGE_BYTES of page once inflated, gzipped twice (`Content-Encoding: gzip, gzip`): ~10 KB."""
    filler = b"<html><body>" + b"<p>" + b" " * HUGE_BYTES + b"</p></body></html>"
    return gzip.compress(gzip.compress(filler, 9), 9)


_VALIDATORS = ("etag", "last-modified")
_HEAD_END = re.compile(rb"</head>", re.I)
_BODY_OPEN = re.compile(rb"<body\b[^>]*>", re.I)
_BODY_CLOSE = re.compile(rb"</body>", re.I)
_HREF = re.compile(r'href="([^"?#]*content/m?post_\d+\.html?)"', re.I)
_ITEM_OPEN = re.compile(rb"<li\b[^>]*>", re.I)
COOKIE_SCRIPT = (b"<script>function setFontSize(s){document.cookie='fontsize='+s+';path=/';location.reload();}"
                 b"document.cookie='visited=1;path=/';</script>\n")
_META_CHARSET = re.compile(rb"<meta[^>]*charset\s*=\s*[\"']?[\w-]+[\"']?[^>]*>\s*", re.I)
_DETAIL_ITEM = re.compile(
    r"<(li|tr)\b[^>]*>(?:(?!</?\1\b).)*?content/m?post_\d+\.html?(?:(?!</?\1\b).)*?</\1>\s*", re.S | re.I
)
_DETAIL_LINK = re.compile(r"<a\b[^>]*content/m?post_\d+\.html?[^>]*>.*?</a>", re.S | re.I)


def transform(kind: str, response: Response, base_url: str = "") -> Response:
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
    elif kind in _HOSTILE:
        body, content_type, extra = _HOSTILE[kind](body, content_type, base_url)
        headers = (*headers, *extra)
    else:  # pragma: no cover - checked in Fault.__post_init__
        raise ValueError(f"unknown transform {kind!r}")
    return Response(response.status, body, content_type, headers)


_Hostile = Callable[[bytes, str, str], tuple[bytes, str, tuple[tuple[str, str], ...]]]
_REQUESTS = itertools.count()


def _cookie_script(body: bytes, content_type: str, base_url: str) -> tuple[bytes, str, tuple]:
    return _HEAD_END.sub(lambda m: COOKIE_SCRIPT + m[0], body, count=1), content_type, ()


def _deep_nesting(body: bytes, content_type: str, base_url: str) -> tuple[bytes, str, tuple]:
    body = _BODY_OPEN.sub(lambda m: m[0] + b"<div>" * DEEP_NESTING, body, count=1)
    at = body.rfind(b"</body>")
    return body[:at] + b"</div>" * DEEP_NESTING + body[at:], content_type, ()


def _tracking_links(body: bytes, content_type: str, base_url: str) -> tuple[bytes, str, tuple]:
    """Each detail link with a query string new on every request and a fragment, then once more
    bare (a "more" link after it): one notice, two spellings per list, a new one every crawl."""
    tag = f"?from=index&t={next(_REQUESTS)}#top"

    def spell(m: re.Match[str]) -> str:
        link = m[0]
        href = _HREF.search(link)
        if href is None:
            return link
        return link.replace(href[0], f'href="{href[1]}{tag}"', 1) + f'<a href="{href[1]}">\u66f4\u591a</a>'

    return _DETAIL_LINK.sub(spell, body.decode("utf-8")).encode("utf-8"), content_type, ()


def _ftp_link(body: bytes, content_type: str, base_url: str) -> tuple[bytes, str, tuple]:
    """An ftp:// link on the replica's own address: an FTP client waits there for a greeting the
    HTTP server never sends (a hang, not a refusal)."""
    host = base_url.split("://", 1)[-1].encode()
    item = b'<li><a href="ftp://' + host + b'/xunshizgls/content/post_1.html">\xe9\x99\x84\xe4\xbb\xb6</a></li>'
    return _ITEM_OPEN.sub(lambda m: item + m[0], body, count=1), content_type, ()


def _bad_url_link(body: bytes, content_type: str, base_url: str) -> tuple[bytes, str, tuple]:
    item = b'<li><a href="http://[::1/xunshizgls/content/post_1.html">\xe9\x80\x9a\xe6\x8a\xa5</a></li>'
    return _ITEM_OPEN.sub(lambda m: item + m[0], body, count=1), content_type, ()


def _inflates_huge(body: bytes, content_type: str, base_url: str) -> tuple[bytes, str, tuple]:
    return _inflating_body(), content_type, (("Content-Encoding", "gzip, gzip"),)


_HOSTILE: dict[str, _Hostile] = {
    "cookie_script": _cookie_script, "deep_nesting": _deep_nesting, "tracking_links": _tracking_links,
    "ftp_link": _ftp_link, "inflates_huge": _inflates_huge, "bad_url_link": _bad_url_link,
}


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
    # Hostile template habits and answers (issue 19): none of them is a fault of the notice.
    "cookie_script": Fault(transform="cookie_script"),
    "deep_nesting": Fault(transform="deep_nesting"),
    "tracking_links": Fault(transform="tracking_links"),
    "ftp_link": Fault(transform="ftp_link"),
    "bad_url_link": Fault(transform="bad_url_link"),
    # Answers that are not the page: a PDF at the article's URL, a body inflating past the limit.
    "pdf_answer": Fault(page="pdf"),
    "inflates_huge": Fault(transform="inflates_huge"),
}


def fault(name: str, **changes: object) -> Fault:
    """The catalogue's fault `name`, optionally changed (e.g. `fault("http_503", times=1)`)."""
    try:
        chosen = FAULTS[name]
    except KeyError:
        raise KeyError(f"unknown fault {name!r} (valid: {', '.join(FAULTS)})") from None
    return replace(chosen, **changes) if changes else chosen  # type: ignore[arg-type]
