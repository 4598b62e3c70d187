"""Recognise anti-bot challenge and ban responses so they are reported as "blocked", never parsed.

Patterns from DESIGN.md "Anti-bot": 412 + a JS cookie script (瑞数-style), 521 for non-browser
clients (a JS cookie challenge), captcha pages (ccdi), login redirects.
"""

from __future__ import annotations

import re

_BLOCK_STATUSES = {412: "412 with a JavaScript cookie challenge", 521: "521 JavaScript cookie challenge"}
_BODY_MARKERS = (
    (re.compile(r"验证码|captcha|滑动验证|安全验证|人机验证", re.I), "captcha page"),
    (
        re.compile(r"请开启JavaScript|please enable javascript|document\.cookie\s*=", re.I),
        "JavaScript cookie challenge",
    ),
    (re.compile(r"访问过于频繁|访问受限|access denied|您的IP|IP已被", re.I), "rate-limit or ban page"),
)
_LOGIN_PATH = re.compile(r"/(login|signin|passport|sso)\b", re.I)


def detect_challenge(status: int, url: str, text: str) -> str | None:
    """Return a short reason when the response is a challenge/ban page, else None.

    Only short pages are checked for body markers: a long notice that merely mentions 验证码 is content.
    """
    if status in _BLOCK_STATUSES:
        return _BLOCK_STATUSES[status]
    if _LOGIN_PATH.search(url):
        return "redirected to a login page"
    visible = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>|\s+", "", text, flags=re.S | re.I)
    if len(visible) > 600:
        return None
    for pattern, reason in _BODY_MARKERS:
        if pattern.search(text):
            return reason
    return None
