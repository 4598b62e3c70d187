"""Feedback contacts: phones, e-mails, postal address, postcode."""

from __future__ import annotations

import pytest

from crawler.parser.contacts import (
    find_contacts,
    find_emails,
    find_phones,
    find_postal_address,
    find_postcode,
)


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("联系电话:0756-8938790;", ("0756-8938790",)),
        ("联系电话:(0756)8938790", ("0756-8938790",)),
        ("联系电话:020-38881234、38881235", ("020-38881234", "020-38881235")),
        ("联系电话:02038881234", ("020-38881234",)),
        ("举报电话:12388;手机:13800138000", ("13800138000", "12388")),
        ("2023年完成项目12345个,投资8938790元", ()),  # no contact label on the line
    ],
)
def test_find_phones(text, phones):
    assert find_phones(text) == phones


def test_find_emails():
    assert find_emails("电子邮箱:HQ.bz@zhuhai.gov.cn。邮箱:a_b@163.com;") == (
        "hq.bz@zhuhai.gov.cn",
        "a_b@163.com",
    )


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "邮政信箱:广东省珠海市香洲区港澳大道868号西裙楼355室,邮政编码519000(信封请注明)",
            "广东省珠海市香洲区港澳大道868号西裙楼355室",
        ),
        ("邮政邮箱:珠海市金湾区行政办公中心8号楼108室,邮政编码519090;", "珠海市金湾区行政办公中心8号楼108室"),
        ("通讯地址:和平县阳明镇教育路8号(邮编:517200);", "和平县阳明镇教育路8号"),
        ("邮寄地址:广州市天河区华夏路10号邮编510623", "广州市天河区华夏路10号"),
        ("网站地址:www.example.gov.cn", None),
        ("没有地址信息。", None),
    ],
)
def test_find_postal_address(text, address):
    assert find_postal_address(text) == address


@pytest.mark.parametrize(
    ("text", "postcode"),
    [("邮政编码519000(", "519000"), ("(邮编:510620)", "510620"), ("邮编 5106201", None), ("无", None)],
)
def test_find_postcode(text, postcode):
    assert find_postcode(text) == postcode


def test_find_contacts_empty():
    contacts = find_contacts("")
    assert (contacts.phones, contacts.emails, contacts.postal_address, contacts.postcode) == (
        (),
        (),
        None,
        None,
    )
