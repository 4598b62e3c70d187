"""doc_type: the inspected organisation's own notice vs news about inspections vs anything else."""

from __future__ import annotations

from crawler.parser import parse_text
from crawler.parser.doctype import classify

NOTICE_OPENING = (
    "根据省委统一部署,2023年4月24日至7月26日,省委第十一巡视组对珠海市金湾区委开展了常规巡视。"
    "2023年10月26日,省委巡视组向珠海市金湾区委反馈了巡视意见。现将巡视整改进展情况予以公布。"
)


def test_notice_by_opening_formula():
    assert classify(None, NOTICE_OPENING + "\n一、……") == "rectification_notice"


def test_notice_reporting_instead_of_publishing():
    assert classify(None, NOTICE_OPENING.replace("予以公布", "报告如下:")) == "rectification_notice"


def test_notice_by_title_alone():
    body = "市委巡察组反馈意见后,局党组召开会议研究整改。"
    assert classify("中共某某局党组关于巡察整改进展情况的通报", body) == "rectification_notice"


def test_news_about_feedback_meeting():
    title = "省委第三巡视组向珠海市反馈巡视情况"
    body = "近日,省委第三巡视组向珠海市委反馈巡视情况。反馈会上,巡视组组长指出……巡视整改要求……"
    assert classify(title, body) == "feedback_news"


def test_news_quoting_a_notice_is_news():
    body = (
        "本报讯(记者 李明)近日,金湾区委发布通报。通报称,“"
        + NOTICE_OPENING
        + "”\n欢迎广大干部群众对巡视整改落实情况进行监督。"
    )
    assert classify("金湾区公布巡视整改进展情况", body) == "news"


def test_other():
    assert (
        classify("关于做好2024年防汛工作的通知", "各镇、各部门:为做好防汛工作,现将有关事项通知如下。")
        == "other"
    )


def test_parse_text_of_news():
    notice = parse_text(
        "省委第三巡视组向珠海市反馈巡视情况\n近日,省委第三巡视组向珠海市委反馈巡视情况。巡视组指出……"
    )
    assert notice.doc_type == "feedback_news"
    assert notice.inspection_team == "省委第三巡视组"
    assert notice.inspected_org == "珠海市委"
    assert notice.disclosure_end is None
