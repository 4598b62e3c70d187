"""Traditional → simplified Chinese (opencc t2s), skipping the conversion for text it cannot change.

Most pages are in simplified script, yet opencc reads every character of every text it is given. A
text converts to itself unless it holds (a) a character t2s changes on its own (found at first use
by converting every BMP character once), (b) a character t2s changes only inside one of its phrases
(深沈 → 深沉: listed below, from the dictionaries of OpenCC 1.4.2), or (c) an astral character (not
probed). Without any of these, `to_simplified` returns the text as it is; with another OpenCC version
the list in (b) may be stale, so every text is converted.

Finding (a) takes ~50 ms, so it is done once a process has converted `_WARM_UP` texts (a crawl), not
for a one-page `parse`.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import opencc

# The characters of OpenCC 1.4.2's changing TSPhrases entries whose characters t2s leaves alone one
# by one (深沈 → 深沉, 答覆 → 答复, 毛坏 → 毛坯, 藉口 → 借口, 明瞭 → 明了, 英哩 → 英里, 甦醒, 衹): every
# such entry holds one of them. Refresh both lines from the dictionaries when OpenCC changes.
_PHRASE_ONLY = "沈藉覆坏瞭哩甦衹"
_PHRASE_ONLY_VERSION = "1.4.2"
_WARM_UP = 64
_converted = 0


def char_class(chars: list[str] | set[str], extra: str = "") -> str:
    """A regex class of `chars` (plus `extra`, already escaped) as ranges of consecutive code points:
    far quicker to compile than the characters one by one."""
    ranges: list[list[int]] = []
    for point in sorted(map(ord, chars)):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges) + extra + "]"


@functools.cache
def _t2s() -> opencc.OpenCC:
    import opencc  # on first use: ~10 ms of start-up otherwise

    return opencc.OpenCC("t2s")


@functools.cache
def _changeable() -> re.Pattern[str] | None:
    """Any character that may make t2s change a text; None when that is not known (convert all)."""
    import opencc

    if opencc.__version__ != _PHRASE_ONLY_VERSION:
        return None
    # One call for all of the BMP, a character a line: no dictionary entry spans a line break.
    points = itertools.chain(range(1, 0x0A), range(0x0B, 0xD800), range(0xE000, 0x10000))
    probe = "\n".join(map(chr, points))
    chars, converted = probe.split("\n"), _t2s().convert(probe).split("\n")
    if len(converted) != len(chars):
        return None
    changing = {char for char, out in zip(chars, converted, strict=True) if char != out}
    changing.update(_PHRASE_ONLY, "\x00")  # NUL: not probed
    return re.compile(char_class(changing, extra="\\U00010000-\\U0010ffff"))


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (opencc t2s); simplified text passes through unchanged."""
    global _converted
    if not text:
        return text
    if _converted < _WARM_UP:
        _converted += 1
    else:
        changeable = _changeable()
        if changeable is not None and changeable.search(text) is None:
            return text
    return _t2s().convert(text)
