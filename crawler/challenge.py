"""Recognise anti-bot challenge and ban responses so they are reported as "blocked", never parsed.

Patterns from docs/portals.md "Anti-bot": 412 + a JS cookie script (瑞数-style), 521 for non-browser
clients (a JS cookie challenge), captcha pages (ccdi), login redirects.

Each verdict needs evidence of a challenge, not a trait a normal page may share: templates set
cookies from script for font-size switches and visit counters, and portals keep columns under
`/passport/` or `/sso/`. So a cookie script counts only on a page with (almost) no visible text that
also reloads or navigates (what a challenge does after setting its cookie), and a login path only
when a redirect led there from somewhere else.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_BLOCK_STATUSES = {412: "412 with a JavaScript cookie challenge", 521: "521 JavaScript cookie challenge"}
# Phrases only challenge and ban pages say; looked for on short pages only.
_BODY_MARKERS = (
    (re.compile(r"验证码|captcha|滑动验证|安全验证|人机验证", re.I), "captcha page"),
    (re.compile(r"请开启JavaScript|please enable javascript", re.I), "JavaScript cookie challenge"),
    (re.compile(r"访问过于频繁|访问受限|access denied|您的IP|IP已被", re.I), "rate-limit or ban page"),
)
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
# What a reader does not see: scripts and styles, then tags. Two passes that each start at a "<"
# (the regex engine skips to it) are ~3× faster than one alternation with whitespace in it that is
# tried at every character; the page's visible length is then that of its non-whitespace runs.
_SCRIPT_OR_STYLE = re.compile(r"<(?:script\b.*?</script>|style\b.*?</style>)", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_SETS_COOKIE = re.compile(r"document\s*\.\s*cookie\s*=", re.I)
_NAVIGATES = re.compile(r"location\s*\.\s*(?:reload|replace|assign)\s*\(|location(?:\s*\.\s*href)?\s*=", re.I)
_LOGIN_SEGMENT = re.compile(r"^(?:login|logon|signin|passport|sso)|^(?:cas|auth)(?:\b|_|$)", re.I)
# A short page: a notice that merely mentions 验证码 is content. A challenge page shows next to
# nothing (its script does the work): a cookie script is evidence only below this many characters.
SHORT_PAGE = 600
CHALLENGE_PAGE = 20  # "请稍候…", "Loading": a notice has at least its title


def detect_challenge(status: int, url: str, text: str, redirected_from: str | None = None) -> str | None:
    """Return a short reason when the response is a challenge/ban page, else None.

    `url` is where the request ended; `redirected_from` the URL it was first made for, when a
    redirect led to `url` (None: no redirect)."""
    if status in _BLOCK_STATUSES:
        return _BLOCK_STATUSES[status]
    if redirected_from is not None and _login_path(url, redirected_from):
        return "redirected to a login page"
    visible = sum(map(len, _TAG.sub("", _SCRIPT_OR_STYLE.sub("", text)).split()))
    if visible > SHORT_PAGE:
        return None
    for pattern, reason in _BODY_MARKERS:
        if pattern.search(text):
            return reason
    if visible <= CHALLENGE_PAGE and any(
        _SETS_COOKIE.search(script) and _NAVIGATES.search(script) for script in _SCRIPT.findall(text)
    ):
        return "JavaScript cookie challenge"
    return None


def _login_path(url: str, origin: str) -> bool:
    """Whether `url`'s path has a login segment (/sso/login.jsp, /passport/, /cas/) that `origin`'s
    path does not share: a column under /passport/ redirecting to its own page 2 is no login."""
    target = [s for s in urlsplit(url).path.split("/") if s]
    before = [s for s in urlsplit(origin).path.split("/") if s]
    for depth, segment in enumerate(target):
        if _LOGIN_SEGMENT.match(segment) and before[: depth + 1] != target[: depth + 1]:
            return True
    return False
