"""Anti-bot answers a crawler meets on real portals (docs/portals.md, "Anti-bot"), as standalone pages.

- "js_cookie": HTTP 412 with an obfuscated script that sets a cookie and reloads (瑞数-style);
- "jsl": HTTP 521 with a cookie-setting script for non-browser clients (加速乐-style);
- "captcha": HTTP 200 with a captcha form (ccdi-style) — a success status carrying no notice.

None of them is in the site's chrome, and each is short, as real ones are.
"""

from __future__ import annotations

import hashlib
from html import escape

from replica.response import HTML, Response

CHALLENGES = ("js_cookie", "jsl", "captcha")


def _token(path: str) -> str:
    return hashlib.sha1(path.encode("utf-8")).hexdigest()


def _js_cookie(path: str) -> Response:
    token = _token(path)
    body = (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f'<meta id="9DhefwqGPrzO" content="{token[:24]}" r="m">\n'
        '<script type="text/javascript" r="m">'
        f"var _$ab='{token}';(function(){{var c='FSSBBIl1UgzbN7N80T='+_$ab.split('').reverse().join('');"
        "document.cookie=c+';path=/';location.reload();}})();</script>\n"
        '<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js"'
        ' r="m"></script>\n</head>\n<body>\n</body>\n</html>\n'
    )
    cookie = f"FSSBBIl1UgzbN7N80S={token[:32]}; Path=/; HttpOnly"
    return Response(412, body.encode("utf-8"), HTML, (("Set-Cookie", cookie),))


def _jsl(path: str) -> Response:
    token = _token(path)
    body = (
        "<html><script>"
        f"document.cookie=('_')+('_')+('jsl_clearance_s=')+('{token[:10]}')+('|-1|')+"
        "(-~[]+'')+(';max-age=3600;path=/');location.href=location.pathname+location.search"
        "</script></html>"
    )
    return Response(521, body.encode("utf-8"), HTML, (("Set-Cookie", f"__jsluid_s={token[:32]}; path=/"),))


def _captcha(path: str) -> Response:
    body = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>安全验证</title>\n'
        "</head>\n<body>\n"
        '<div class="verify">\n<h3>访问验证</h3>\n<p>您的访问过于频繁,请输入验证码后继续访问。</p>\n'
        f'<form method="post" action="/verify?from={escape(path)}">\n'
        '<img src="/captcha.jpg" alt="验证码"> <input type="text" name="code" placeholder="请输入验证码">\n'
        "<button>提交</button>\n</form>\n</div>\n</body>\n</html>\n"
    )
    return Response(200, body.encode("utf-8"))


_RENDER = {"js_cookie": _js_cookie, "jsl": _jsl, "captcha": _captcha}


def challenge_page(kind: str, path: str) -> Response:
    """The challenge answer of `kind` (one of CHALLENGES) to a request for `path`."""
    try:
        return _RENDER[kind](path)
    except KeyError:
        raise ValueError(f"unknown challenge {kind!r} (valid: {', '.join(CHALLENGES)})") from None
