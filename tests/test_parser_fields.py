"""Notice fields from text: inspection clause, timeline, signature block, header."""

from __future__ import annotations

import pytest

from crawler.parser import parse_text
from crawler.parser.header import split_header
from crawler.parser.inspection import find_inspection, find_round
from crawler.parser.signature import find_signature
from crawler.parser.timeline import find_disclosure_window


@pytest.mark.parametrize(
    ("text", "team", "org", "kind", "level"),
    [
        (
            "2023年4月至7月,省委第十巡视组对省委横琴工委推进横琴粤澳深度合作区建设情况开展了专项巡视。",
            "省委第十巡视组",
            "省委横琴工委",
            "专项",
            "巡视",
        ),
        (
            "中央第十五巡视组对中国某某集团有限公司党委进行了常规巡视。",
            "中央第十五巡视组",
            "中国某某集团有限公司党委",
            "常规",
            "巡视",
        ),
        (
            "市委第二机动巡察组对市工业和信息化局进行了巡察。",
            "市委第二机动巡察组",
            "市工业和信息化局",
            "机动",
            "巡察",
        ),
        (
            "区委第三巡察组对区卫健局党组开展了巡察“回头看”。",
            "区委第三巡察组",
            "区卫健局党组",
            "回头看",
            "巡察",
        ),
        ("市委第巡察组对市交通局开展了巡察。", "市委第巡察组", "市交通局", None, "巡察"),
        (
            "县委第一巡察组对县教育局落实全面从严治党主体责任情况开展了交叉巡察。",
            "县委第一巡察组",
            "县教育局",
            "交叉",
            "巡察",
        ),
    ],
)
def test_inspection_clause(text, team, org, kind, level):
    found = find_inspection(text)
    assert (found.team, found.org, found.kind, found.level) == (team, org, (kind,) if kind else (), level)


def test_inspection_without_clause_falls_back_to_feedback_recipient_then_title():
    assert find_inspection("2024年1月5日,市委巡察组向市民政局党组反馈了巡察意见。").org == "市民政局党组"
    found = find_inspection("整改工作取得成效。", title="中共某某县委关于巡视整改进展情况的通报")
    assert (found.org, found.level, found.team) == ("中共某某县委", "巡视", None)
    assert find_inspection("整改。", signer="中共某某局党组").org == "中共某某局党组"


def test_round():
    assert find_round("关于十二届省委第四轮巡视整改进展情况的通报") == "十二届省委第四轮"
    assert find_round("根据市委第五轮巡察工作部署") == "市委第五轮"
    assert find_round("第一轮整改") is None


def test_feedback_in_same_sentence_with_implicit_year():
    notice = parse_text(
        "2023年9月至11月,省委第三巡视组对某某集团党委开展了常规巡视,并于1月15日反馈了巡视意见。现将巡视整改进展情况予以公布。"
    )
    assert (notice.inspection_start, notice.inspection_end, notice.feedback_date) == (
        "2023-09-01",
        "2023-11-30",
        "2024-01-15",
    )


def test_window_from_today():
    assert find_disclosure_window("公开期限:即日起至2024年10月25日。", "2024-09-26") == (
        "2024-09-26",
        "2024-10-25",
    )
    assert find_disclosure_window("公开期限:自即日起至10月25日。", None) == (None, None)


def test_window_without_year_uses_publication_year():
    assert find_disclosure_window("公开期限:9月26日至10月25日。", "2024-09-26") == (
        "2024-09-26",
        "2024-10-25",
    )


def test_no_window_means_no_window():
    text = "欢迎广大干部群众对巡察整改落实情况进行监督。联系电话:0756-2135627。截至2024年5月,已整改。"
    assert find_disclosure_window(text, "2024-05-20") == (None, None)


@pytest.mark.parametrize(
    ("lines", "signer", "date"),
    [
        (["正文。", "中共珠海市金湾区委", "2024年9月26日"], "中共珠海市金湾区委", "2024-09-26"),
        (["正文。", "中共某某局党组 2024年5月20日"], "中共某某局党组", "2024-05-20"),
        (
            ["正文。", "中共龙门县交通运输局党组", "二〇二四年十月八日"],
            "中共龙门县交通运输局党组",
            "2024-10-08",
        ),
        (["正文。", "2024年9月26日"], None, "2024-09-26"),
        (["本报讯 近日,会议召开。", "(记者 李明)"], None, None),
    ],
)
def test_signature(lines, signer, date):
    assert find_signature(lines) == type(find_signature([]))(signer, date)


def test_header_plain_text_title_only_with_hint():
    header = split_header(["中共某局党组关于巡察整改进展情况的通报", "根据市委统一部署,……予以公布。"])
    assert header.title == "中共某局党组关于巡察整改进展情况的通报"
    assert header.body == ["根据市委统一部署,……予以公布。"]
    assert split_header(["一、提高政治站位", "正文。"]).title is None


def test_notice_record_round_trips_with_new_fields():
    import json

    from crawler.notice import Notice

    notice = parse_text(
        "市委第巡察组对市交通局开展了巡察。现将巡察整改进展情况予以公布。\n二、巡察整改任务落实情况\n"
        "1.问题一。已整改。\n欢迎监督。公示期:自2024年9月26日起10个工作日。"
    )
    assert notice.outline and notice.item_count == 1 and notice.warnings
    assert notice.disclosure_basis == "working_days"
    data = json.loads(json.dumps(notice.to_dict(), ensure_ascii=False))
    assert Notice.from_dict(data) == notice
    # What a text-typed store column gives back: JSON text for tuples, "1" for the count.
    stored = {**data, "outline": json.dumps(data["outline"]), "warnings": json.dumps(data["warnings"])}
    assert Notice.from_dict({**stored, "item_count": "1"}) == notice
    assert Notice.from_dict({"phones": None}).outline == ()
