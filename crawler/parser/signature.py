"""The signature block at the end of a notice: the issuing organisation, then the date.

中共珠海市金湾区委
2024年9月26日
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import parse_date

# Also mangled: "20251021日" (年 and 月 dropped).
_DATE_LINE = re.compile(
    r"^[((]?(?:(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
    r"\s*[\d一二三四五六七八九十]{1,3}\s*日?|(?:19|20)\d{5,6}日)[))]?$"
)
_SIGNER_LINE = re.compile(r"^[\u4e00-\u9fff()()·、]{3,40}$")
_COMBINED_LINE = re.compile(r"^(?P<org>[\u4e00-\u9fff()()]{3,40}?)\s+(?P<date>\S+年\S+月\S+日?)$")
_ORG_SUFFIX = re.compile(
    r"(?:委|党组|党委|委员会|工委|党工委|局|厅|办|办公室|政府|院|公司|集团|中心|支部|总支|学校|大学)$"
)


@dataclass(frozen=True)
class Signature:
    signer: str | None = None
    signed_date: str | None = None


def find_signature(lines: list[str]) -> Signature:
    """Signer and date from the last lines (width-folded, simplified). Lines must be clean paragraphs."""
    tail = [line.strip() for line in lines[-4:] if line.strip()]
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i]
        if _DATE_LINE.match(line):
            signer = tail[i - 1] if i >= 1 and _SIGNER_LINE.match(tail[i - 1]) else None
            # A name set on two lines: "中共乐至县委巡察工作" / "领导小组办公室".
            before = tail[i - 2] if i >= 2 else ""
            if signer and _SIGNER_LINE.match(before) and not _ORG_SUFFIX.search(before) and len(before) <= 20:
                signer = before + signer
            return Signature(signer, parse_date(line))
        # "中共X委 2024年9月26日" on one line (the regex backtracks a lot: test for 年 and 月 first).
        combined = _COMBINED_LINE.match(line) if "年" in line and "月" in line else None
        if combined and _DATE_LINE.match(combined["date"]) and _ORG_SUFFIX.search(combined["org"]):
            return Signature(combined["org"], parse_date(combined["date"]))
    if tail and _SIGNER_LINE.match(tail[-1]) and _ORG_SUFFIX.search(tail[-1]):
        return Signature(tail[-1], None)
    return Signature()
