"""Normalisation for change detection, chrome removal, script detection."""

from __future__ import annotations

import re
import unicodedata

import pytest

from crawler.parser import content_hash, normalise_for_compare
from crawler.parser.text import clean_body, detect_script, is_chrome_line, to_simplified

BODY = "根据省委统一部署,2023年4月23日至7月31日,省委第十巡视组对省委横琴工委开展了专项巡视。\n欢迎监督。联系电话:0756-8938790。"


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_hash_is_sha256_hex():
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(BODY))


def test_hash_ignores_wrapping_indentation_and_width():
    rewrapped = "\u3000\u3000" + BODY.replace("。", "。\n\n  ").replace("0756", "０７５６")
    assert to_full_width("0756-8938790") == "０７５６－８９３８７９０"
    assert content_hash(rewrapped) == content_hash(BODY)
    assert content_hash(to_full_width(BODY)) == content_hash(BODY)


def test_hash_ignores_chrome_lines():
    assert content_hash(
        "【打印】\n" + BODY + "\n扫一扫,分享到微信朋友圈\n浏览次数:123\n【关闭】"
    ) == content_hash(BODY)


def test_hash_ignores_script():
    assert content_hash("根據省委統一部署,省委第十巡視組對橫琴開展了專項巡視。") == content_hash(
        "根据省委统一部署,省委第十巡视组对横琴开展了专项巡视。"
    )


def test_hash_sees_real_edits():
    assert content_hash(BODY.replace("7月31日", "8月31日")) != content_hash(BODY)


def test_normalise_for_compare():
    out = normalise_for_compare("\u3000\u3000公开期限：２０２４年9月26日\n\n【打印】\n浏覽次數:5")
    assert out == "公开期限:2024年9月26日"
    assert out == unicodedata.normalize("NFKC", out)


@pytest.mark.parametrize(
    "line",
    [
        "【打印】",
        "【 打印 】【关闭】",
        "【关闭窗口】",
        "扫一扫,分享到微信朋友圈",
        "分享到:",
        "浏览次数:123",
        "阅读量:88",
        "责任编辑:王芳",
        "字号:【大 中 小】",
        "上一篇:关于…",
    ],
)
def test_chrome_lines(line):
    assert is_chrome_line(line)


@pytest.mark.parametrize(
    "line", ["分享经验做法,推动整改落实。", "一、提高政治站位", "中共珠海市金湾区委", "2024年9月26日"]
)
def test_content_lines_are_not_chrome(line):
    assert not is_chrome_line(line)


def test_clean_body_folds_indentation_and_blank_lines():
    assert clean_body("\u3000\u3000第一段。\n\n\xa0\xa0第二段  有空格。\n") == "第一段。\n第二段 有空格。"


def test_detect_script():
    assert detect_script(BODY) == "hans"
    assert detect_script("根據省委統一部署,省委第十巡視組對橫琴開展了專項巡視。") == "hant"
    assert detect_script("") == "hans"
    assert detect_script("关于进一步做好工作的通知,於是") == "hans"  # one stray character is not a script
    assert to_simplified("巡視組") == "巡视组"
