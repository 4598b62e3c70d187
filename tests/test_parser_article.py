"""extract_article: body container choice, title fallbacks, date fallbacks, chrome removal."""

from __future__ import annotations

import pytest

from crawler.parser import extract_article
from crawler.parser.article import date_from_url, strip_site_name

PARAS = "".join(
    f"<p>　　第{i}段,根据市委统一部署开展巡察整改工作,现将有关情况予以公布。</p>" for i in range(1, 4)
)


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_given_selector_wins():
    html = page(
        f"<div id='zoomcon'>{PARAS}</div><div class='mine'><p>我的选择器指定的正文内容,应当优先于已知容器。</p></div>"
    )
    assert extract_article(html, body_selectors=[".mine"]).body_text.startswith("我的选择器")


def test_known_container_innermost_match():
    html = page(
        f"<div class='content'><div class='nav'>首页 新闻</div><div class='content'>{PARAS}</div></div>"
    )
    body = extract_article(html).body_text
    assert body.startswith("第1段") and "首页" not in body


def test_fallback_picks_paragraph_block_not_whole_page():
    html = page(
        "<div class='menu'><p>首页</p><p>新闻中心</p></div>"
        f"<div class='x1'><div class='x2'>{PARAS}</div></div>"
        "<div class='copyright'><p>版权所有 主办单位某某市人民政府办公室</p></div>"
    )
    body = extract_article(html).body_text
    assert body.splitlines() == [
        f"第{i}段,根据市委统一部署开展巡察整改工作,现将有关情况予以公布。" for i in range(1, 4)
    ]


def test_ccdi_title_and_trs_body():
    html = page(
        "<div class='logo'><h1>中央纪委国家监委网站</h1></div>"
        "<h2 class='tit'>中共某某集团有限公司党委关于巡视整改进展情况的通报</h2>"
        "<div class='daty_con'><em>来源:中央纪委国家监委网站</em><em>发布时间:2024-01-15 18:30</em></div>"
        f"<div class='TRS_Editor'>{PARAS}</div>",
        "<title>中共某某集团有限公司党委关于巡视整改进展情况的通报_中央纪委国家监委网站</title>",
    )
    article = extract_article(html, "https://www.ccdi.gov.cn/yaowenn/202401/t20240116_321.html")
    assert article.title == "中共某某集团有限公司党委关于巡视整改进展情况的通报"
    assert article.published_at == "2024-01-15"
    assert article.source_name == "中央纪委国家监委网站"


def test_title_from_title_tag_without_site_name():
    html = page(
        f"<div class='article-content'>{PARAS}</div>",
        "<title>关于巡察整改进展情况的通报 - 某某区人民政府网站</title>",
    )
    assert extract_article(html).title == "关于巡察整改进展情况的通报"


def test_date_from_url_when_page_has_none():
    html = page(f"<div class='TRS_Editor'>{PARAS}</div>")
    assert (
        extract_article(html, "https://www.ccdi.gov.cn/a/202409/t20240926_1.html").published_at
        == "2024-09-26"
    )


@pytest.mark.parametrize(
    ("url", "date"),
    [
        ("https://www.ccdi.gov.cn/yaowenn/202409/t20240926_377000.html", "2024-09-26"),
        ("http://www.macaodaily.com/html/2024-09/27/content_1.htm", "2024-09-27"),
        ("https://www.zj.gov.cn/art/2024/9/6/art_1229_123.html", "2024-09-06"),
        ("https://www.gdjct.gd.gov.cn/xunshizgls/content/post_123456.html", None),
        (None, None),
    ],
)
def test_date_from_url(url, date):
    assert date_from_url(url) == date


@pytest.mark.parametrize(
    ("title", "clean"),
    [
        (
            "中共珠海市金湾区委关于巡视整改进展情况的通报_南粤清风网",
            "中共珠海市金湾区委关于巡视整改进展情况的通报",
        ),
        ("关于巡察整改进展情况的通报 - 珠海市人民政府门户网站", "关于巡察整改进展情况的通报"),
        (
            "中共某某局党组关于巡察整改进展情况的通报_通知公告_某某区人民政府网",
            "中共某某局党组关于巡察整改进展情况的通报",
        ),
        ("关于巡察整改进展情况的通报_2024", "关于巡察整改进展情况的通报_2024"),
        ("关于A-B项目的通报", "关于A-B项目的通报"),
    ],
)
def test_strip_site_name(title, clean):
    assert strip_site_name(title) == clean


def test_share_widget_inside_body_removed():
    html = page(
        f"<div id='zoomcon'>{PARAS}<div class='bdsharebuttonbox'>分享到:微信 微博</div><p>【打印】【关闭】</p></div>"
    )
    assert extract_article(html).body_text.splitlines()[-1].startswith("第3段")
