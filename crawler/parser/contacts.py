"""Feedback contacts in a notice: phones, e-mails, postal address, postcode.

Works on width-folded (NFKC) text, so "：" is ":" and "，" is ",". Phones are looked for only on lines
that carry a contact label, because the body is full of figures (项目123个, 2023年…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CONTACT_LINE = re.compile(r"电话|热线|手机|举报|联系|电子邮箱|电子信箱|邮箱|信箱|地址|邮编|邮政编码")
# A report channel (announcements, news about inspections): not any "联系电话" a report happens to print.
_REPORT_LINE = re.compile(r"举报|值班|信访|监督电话|受理|专门|巡视组|巡察组|反映")
_LANDLINE = re.compile(
    r"(?<!\d)[((]?(0\d{2,3})[))]?\s*[-－—]?\s*(\d{7,8})(?!\d)((?:\s*[、/,]\s*\d{7,8}(?!\d))*)"
)
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
# 12388 is the national discipline-inspection hotline; 12345 the government service line.
_SHORT = re.compile(r"(?<![\d-])(123\d{2})(?![\d-])")
_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ADDRESS = re.compile(
    r"(?:邮政地址|通信地址|通讯地址|邮寄地址|来信地址|信件地址|邮政信箱|邮政邮箱|来信请寄至?|信件请寄至?|请寄至?|地址)"
    r"\s*(?:为|是)?\s*[::]?\s*"
    r"(?P<addr>[^,;;。\n((|]+?)\s*(?=[,;;。\n((|]|邮政编码|邮编|电子邮箱|电子信箱|联系电话|$)"
)
_EXTRA_NUMBER = re.compile(r"\d{7,8}")
# A label followed by words, not an address: "邮政信箱、电子邮箱公布如下", "邮政信箱和电子邮箱".
_NOT_ADDRESS = re.compile(r"公布|如下|设立|设置|开通|受理|[和、](?:电子)?(?:邮箱|信箱)|^(?:电子)?(?:邮箱|信箱)$|电话")
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_POSTCODE = re.compile(r"(?:邮政编码|邮编)\s*(?:为|是)?\s*[::]?\s*(\d{6})(?!\d)")


@dataclass(frozen=True)
class Contacts:
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    postal_address: str | None = None
    postcode: str | None = None


def _area_split(area: str, local: str) -> str:
    # A 3-digit area code (010, 02x) glued to an 8-digit number comes out as 0xxx + 7 digits: fix it.
    if len(area) == 4 and area[:3] in {"010", *(f"02{d}" for d in range(10))} and len(local) == 7:
        return f"{area[:3]}-{area[3]}{local}"
    return f"{area}-{local}"


def _lines(text: str, report_only: bool) -> list[str]:
    # A line may hold several channels ("举报电话:… 邮箱:…"): sentences are the unit, not paragraphs.
    if not report_only:
        return text.splitlines()
    lines = [part for line in text.splitlines() for part in re.split(r"(?<=[。;])", line) if part]
    return [line for line in lines if _REPORT_LINE.search(line)]


def find_phones(text: str, report_only: bool = False) -> tuple[str, ...]:
    found: list[str] = []
    for line in _lines(text, report_only):
        if not _CONTACT_LINE.search(line):
            continue
        for m in _LANDLINE.finditer(line):
            found.append(_area_split(m[1], m[2]))
            found.extend(f"{m[1]}-{extra}" for extra in _EXTRA_NUMBER.findall(m[3] or ""))
        found.extend(_MOBILE.findall(line))
        found.extend(_SHORT.findall(line))
    return tuple(dict.fromkeys(found))


def find_emails(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.rstrip(".").lower() for e in _EMAIL.findall(text)))


def find_postal_address(text: str) -> str | None:
    """The first postal address; a P.O. box (邮政信箱) before a street address when both are given."""
    found = [m for m in _ADDRESS.finditer(text)]
    found.sort(key=lambda m: 0 if "信箱" in m[0][: m.start("addr") - m.start()] else 1)
    for m in found:
        addr = m["addr"].strip(" :")
        # "地址" also labels web addresses ("网站地址:www…") and e-mails; a postal address has CJK.
        if (
            len(addr) >= 4 and _HAS_CJK.search(addr) and "@" not in addr and "www" not in addr
            and not _NOT_ADDRESS.search(addr)
        ):
            return addr
    return None


def find_postcode(text: str) -> str | None:
    m = _POSTCODE.search(text)
    return m[1] if m else None


def find_contacts(text: str, *, report_only: bool = False) -> Contacts:
    """All feedback contacts in `text` (width-folded); with `report_only`, only report channels
    (举报电话, 值班电话, 专门邮政信箱 …): what a news page about an inspection lists for the public."""
    if report_only:
        text = "\n".join(_lines(text, True))
        # Only the discipline hotline among the short numbers: a report's 12345 is the government line.
        phones = tuple(p for p in find_phones(text) if len(p) > 5 or p in ("12388", "12380"))
        return Contacts(phones, find_emails(text), find_postal_address(text), find_postcode(text))
    return Contacts(find_phones(text), find_emails(text), find_postal_address(text), find_postcode(text))
