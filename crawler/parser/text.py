"""Text normalisation: page text → clean paragraphs, and the canonical form used for change detection.

Chinese portals indent paragraphs with full-width spaces (U+3000) and NBSPs, sprinkle page chrome
("【打印】", share widgets, view counters) into the article area, and reprint the same notice in
traditional script. Change detection must see none of that (docs/changes.md).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from .simplify import char_class, to_simplified

# Whole lines that are page furniture, never notice content. Matched after width folding (NFKC),
# so ":" stands for both "：" and ":".
_CHROME_LINE = re.compile(
    r"""^(?:
        【?\s*(?:打印|关闭|关闭窗口|打印本页|返回顶部|收藏|纠错|字号|大|中|小|默认|加入收藏|打印正文)\s*】?
        (?:\s*【\s*(?:打印|关闭|关闭窗口|打印本页|返回顶部|收藏|纠错|大|中|小)\s*】)*
      | (?:扫一扫|微信扫一扫|手机扫一扫).{0,30}
      | 分享(?:到|至)?\s*:.{0,40}
      | 分享(?:到|至)
      | (?:浏览|阅读|访问|点击)(?:次数|量|数)?\s*:?\s*\d*\s*次?
      | (?:责任编辑|编辑|校对|审核|网站编辑)\s*:.{0,20}
      | (?:字号|字体)\s*:?\s*(?:[【\[]?\s*[大中小]\s*[】\]]?\s*)*
      | (?:上一篇|下一篇)\s*:.*
      | 相关(?:链接|阅读|新闻)\s*:?
      | 附件\s*:?\s*
    )$""",
    re.VERBOSE,
)
_HORIZONTAL_SPACE = re.compile(r"[ \t\u3000\xa0\u2002\u2003\u2009\u200b\ufeff]+")
_SPECIAL_SPACE = re.compile(r"[\t\u3000\xa0\u2002\u2003\u2009\u200b\ufeff]|  ")  # what _HORIZONTAL_SPACE changes
_CJK = re.compile(r"[\u3400-\u9fff]")
_NOT_CJK = re.compile(r"[^\u3400-\u9fff]+")


# Reprint sites annotate characters with pinyin in brackets ("區(qū)", "發(fā)布"): not part of any name.
_PINYIN_NOTE = re.compile(r"\((?<=[\u3400-\u9fff]\()(?:[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*)\)")


# Typesetting spaces between characters ("巡 察 公 告", "电 话", "邮 箱").
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff]) +(?=[\u3400-\u9fff])")


def close_cjk_gaps(text: str) -> str:
    return _CJK_GAP.sub("", text) if " " in text else text


def strip_pinyin(text: str) -> str:
    """Remove bracketed pinyin after a character ("衛(wèi)健委" → "衛健委"); width-folded text."""
    return _PINYIN_NOTE.sub("", text) if "(" in text else text


def detect_script(text: str) -> str:
    """'hant' when a noticeable share of the CJK characters change under t2s, else 'hans'.

    A threshold, not "any change", because a few characters (e.g. 於, 著) also occur in simplified
    texts and a single one must not flip the verdict.
    """
    if not _CJK.search(text):
        return "hans"
    simplified = to_simplified(text)
    if simplified == text:
        return "hans"
    cjk = cjk_count(text)
    changed = sum(1 for a, b in zip(text, simplified, strict=False) if a != b)
    return "hant" if changed >= 3 and changed / cjk >= 0.02 else "hans"


# NFKC of single characters in the blocks Chinese pages draw their compatibility characters from
# (full-width forms, ideographic space, NBSP, en spaces, ①, ㈠, compatibility ideographs …).
_FOLD_BLOCKS = (
    (0xA0, 0x100), (0x2000, 0x2500), (0x2F00, 0x2FE0), (0x3000, 0x3400), (0xF900, 0xFB00),
    (0xFE10, 0xFE70), (0xFF00, 0xFFF0),
)
_FOLD = {
    ch: folded
    for lo, hi in _FOLD_BLOCKS
    for ch in map(chr, range(lo, hi))
    if (folded := unicodedata.normalize("NFKC", ch)) != ch
}
_FOLDABLE = re.compile(char_class(list(_FOLD)))


def _fold_char(m: re.Match[str]) -> str:
    return _FOLD[m[0]]


# The compatibility characters of every Chinese paragraph: str.replace is cheaper than a match each.
_COMMON_FOLDS = tuple((ch, _FOLD[ch]) for ch in "，：；（）\u3000\xa0！？")


def fold_width(text: str) -> str:
    """NFKC: full-width letters, digits and punctuation → ASCII (":" for "：", "1" for "１")."""
    # Replacing each character by its own NFKC gives an equivalent string with the same NFKC; when that
    # string is already normalised (no combining marks, no astral compatibility characters …) it *is*
    # the NFKC. This is ~10x faster than unicodedata.normalize on Chinese text, where every "，" and
    # "：" would send normalize down its slow path; anything else still goes through normalize.
    folded = text
    for wide, narrow in _COMMON_FOLDS:
        if wide in folded:
            folded = folded.replace(wide, narrow)
    folded = _FOLDABLE.sub(_fold_char, folded)
    if unicodedata.is_normalized("NFKC", folded):
        return folded
    return unicodedata.normalize("NFKC", text)


# First characters a chrome line can start with, in both scripts (and full-width 【/［): a cheap test
# that spares NFKC and t2s for the body paragraphs, which are most lines (see bench/parser_bench.py).
_CHROME_FIRST = frozenset(
    "【[［打关關返收纠糾字大中小默加扫掃微手分浏瀏阅閱访訪点點责責编編校审審网網上下相附"
)


def is_chrome_line(line: str) -> bool:
    # Short lines only: chrome is short, and t2s per long paragraph would be wasted work.
    stripped = line.strip()
    if not stripped or len(stripped) > 80 or stripped[0] not in _CHROME_FIRST:
        return False
    folded = fold_width(stripped).strip()
    return len(folded) <= 60 and bool(_CHROME_LINE.match(to_simplified(folded)))


def clean_line(line: str) -> str:
    """Fold indentation and runs of spaces inside one paragraph."""
    return _HORIZONTAL_SPACE.sub(" ", line).strip()


def clean_lines(text: str) -> list[str]:
    """Paragraphs of `text`, one per non-empty, non-chrome line."""
    out = []
    for raw in text.splitlines():
        # `clean_line`, with the substitution only where it can change something: after strip(), a
        # line whose spaces are single " " stays as it is (indentation is all most lines have).
        line = raw.strip()
        if line and _SPECIAL_SPACE.search(line):
            line = _HORIZONTAL_SPACE.sub(" ", line).strip()
        if line and not is_chrome_line(line):
            out.append(line)
    return out


def clean_body(text: str) -> str:
    return "\n".join(clean_lines(text))


def cjk_count(text: str) -> int:
    # Deleting the non-CJK runs is ~3x faster than findall's list of one-character strings.
    return len(_NOT_CJK.sub("", text))


def has_cjk(text: str, count: int) -> bool:
    """cjk_count(text) >= count, without counting past `count`."""
    return count <= 0 or _cjk_at_least(count).match(text) is not None


@functools.lru_cache(maxsize=8)
def _cjk_at_least(count: int) -> re.Pattern[str]:
    return re.compile(rf"(?:[^\u3400-\u9fff]*+[\u3400-\u9fff]){{{count}}}")


def normalise_for_compare(text: str) -> str:
    """Canonical text for change detection: width-folded, simplified, chrome-free, no whitespace."""
    return normalise_folded(fold_width(text))


def normalise_folded(folded: str) -> str:
    """`normalise_for_compare` of a text whose `fold_width` is `folded`."""
    joined = "".join(clean_lines(folded))
    # str.split() splits at exactly the characters \s matches: this deletes all whitespace.
    return "".join(to_simplified(joined).split())


def content_hash(body_text: str) -> str:
    """sha256 hex of `normalise_for_compare(body_text)`."""
    return folded_hash(fold_width(body_text))


def folded_hash(folded: str) -> str:
    """`content_hash` of a text whose `fold_width` is `folded` (saves folding it twice)."""
    return hashlib.sha256(normalise_folded(folded).encode("utf-8")).hexdigest()
