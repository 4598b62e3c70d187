"""The real seed notices (replica/seeds/*.txt) as replica notices with their ground truth.

The texts are real; the expected fields were read off them by hand. Seed 001 was captured with its
page header (breadcrumb, title, 来源 line, 【打印】), which the replica re-renders as chrome, so only
the body paragraphs are kept.
"""

from __future__ import annotations

import re
from pathlib import Path

from replica.model import ReplicaNotice, expected_fields

SEED_DIR = Path(__file__).parent / "seeds"

# Lines that are page chrome captured along with a seed's text, not body.
_CHROME = re.compile(r"^(--|所在位置[::]|来源[::]|【打印】|扫一扫)")
_INDENT = " \t\u3000\xa0"


def read_paragraphs(path: Path, title: str = "") -> tuple[str, ...]:
    """Body paragraphs of a seed file: stripped, blank lines and captured chrome dropped."""
    lines = (line.strip(_INDENT) for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line and line != title and not _CHROME.match(line))


def _seed(name: str) -> Path:
    matches = sorted(SEED_DIR.glob(f"{name}_*.txt"))
    if not matches:
        raise FileNotFoundError(f"seed {name}_*.txt not found in {SEED_DIR}")
    return matches[0]


_SEEDS = (
    (
        "000",
        4512001,
        "中共广东省委横琴工委关于巡视整改进展情况的通报",
        "2024-09-26 11:00:00",
        expected_fields(
            doc_type="rectification_notice",
            inspection_level="巡视",
            inspection_kind="专项",
            inspection_team="省委第十巡视组",
            inspected_org="省委横琴工委",
            inspection_start="2023-04-23",
            inspection_end="2023-07-31",
            feedback_date="2023-10-26",
            disclosure_start="2024-09-26",
            disclosure_end="2024-10-25",
            phones=["0756-8938790"],
            emails=["hqbzhcxxdcz@zhuhai.gov.cn"],
            postal_address="广东省珠海市香洲区港澳大道868号西裙楼355室",
            postcode="519000",
            signer="中共广东省委横琴工委",
            signed_date="2024-09-26",
        ),
    ),
    (
        "001",
        4512002,
        "中共珠海市金湾区委关于巡视整改进展情况的通报",
        "2024-09-26 11:00:00",
        expected_fields(
            doc_type="rectification_notice",
            inspection_level="巡视",
            inspection_kind="常规",
            inspection_team="省委第十一巡视组",
            inspected_org="珠海市金湾区委",
            inspection_start="2023-04-24",
            inspection_end="2023-07-26",
            feedback_date="2023-10-26",
            disclosure_start="2024-09-26",
            disclosure_end="2024-10-25",
            phones=["0756-7263766"],
            emails=["jwxszgb108@zhuhai.gov.cn"],
            postal_address="珠海市金湾区行政办公中心8号楼108室",
            postcode="519090",
            signer="中共珠海市金湾区委",
            signed_date="2024-09-26",
        ),
    ),
    (
        "003",
        4498003,
        "中共珠海市工业和信息化局党组关于巡察整改进展情况的通报",
        "2024-05-20 10:00:00",
        expected_fields(
            doc_type="rectification_notice",
            inspection_level="巡察",
            inspection_kind="机动",
            inspection_team="市委第二机动巡察组",
            inspected_org="市工业和信息化局",
            # "2023年3月上旬至6月中旬": a period starts on its xun's first day, ends on its last.
            inspection_start="2023-03-01",
            inspection_end="2023-06-20",
            feedback_date="2023-11-09",
            phones=["0756-2135627"],
            emails=["gxjbgs@zhuhai.gov.cn"],
            postal_address="珠海市香洲区兴华路111号中桥兴商业大厦2号楼510办公室",
            signer="中共珠海市工业和信息化局党组",
            signed_date="2024-05-20",
        ),
    ),
)


def seed_notices(source_name: str = "南粤清风网") -> list[ReplicaNotice]:
    """The three real notices, oldest first, with post ids in NFCMS's range."""
    notices = []
    for name, post_id, title, published, expected in _SEEDS:
        notices.append(
            ReplicaNotice(
                post_id=post_id,
                title=title,
                published=published,
                source_name=source_name,
                paragraphs=read_paragraphs(_seed(name), title),
                expected={**expected, "title": title, "published_at": published[:10]},
            )
        )
    return sorted(notices, key=lambda n: (n.published, n.post_id))
