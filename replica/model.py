"""The replica's site model: what a portal holds, read afresh on every request.

A `Site` is one column of one CMS (its URL scheme comes from its kind, e.g. NFCMS). Its `notices`
list may be edited between crawls (replace an item, remove it, append one); the server renders
whatever is there at request time, so tests can stage edits, withdrawals and new posts.
replica/mutations.py wraps the common edits (and keeps `expected` and modification times right).

Times are CMS times as the pages print them: "YYYY-MM-DD HH:MM:SS", China Standard Time (UTC+8).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from replica.faults import Fault

# The ground-truth fields a correct parser extracts from a notice page (names from
# crawler/notice.py). url, source_id, body_text and content_hash depend on where the page is
# served and how it is normalised, so they are not part of the replica's truth.
EXPECTED_FIELDS = (
    "doc_type",
    "title",
    "published_at",
    "script",
    "inspection_level",
    "inspection_kind",
    "inspection_round",
    "inspection_team",
    "inspected_org",
    "inspection_start",
    "inspection_end",
    "feedback_date",
    "disclosure_start",
    "disclosure_end",
    "phones",
    "emails",
    "postal_address",
    "postcode",
    "signer",
    "signed_date",
)

LIST_FIELDS = ("inspection_kind", "phones", "emails")


def expected_fields(**values: Any) -> dict[str, Any]:
    """A complete expected-fields dict: every EXPECTED_FIELDS key, unset ones null (lists empty).

    A single inspection kind may be given as a string ("专项"): the record holds a list of kinds."""
    unknown = set(values) - set(EXPECTED_FIELDS)
    if unknown:
        raise ValueError(f"unknown expected field(s) {sorted(unknown)} (valid: {EXPECTED_FIELDS})")
    out: dict[str, Any] = {name: ([] if name in LIST_FIELDS else None) for name in EXPECTED_FIELDS}
    out["script"] = "hans"
    out.update(values)
    if isinstance(out["inspection_kind"], str):
        out["inspection_kind"] = [out["inspection_kind"]]
    return out


@dataclass(frozen=True)
class Presentation:
    """How a post's page is dressed, apart from its content: none of it is notice text.

    `wrap` > 0 breaks body lines between two Chinese characters every `wrap` characters (as editors
    do; browsers show no space there); `chrome_date` is printed in the page's top bar ("今天是…");
    the view counter shows `views_base` plus the requests so far.
    """

    wrap: int = 0
    chrome_date: str | None = None  # "2024年10月3日 星期四"
    views_base: int = 100


@dataclass(frozen=True)
class ReplicaNotice:
    """One post: what the CMS stores (title, time, source, body) plus the parser's ground truth."""

    post_id: int
    title: str
    published: str  # "2024-09-26 11:00:00", as NFCMS shows it under the title
    source_name: str
    paragraphs: tuple[str, ...]  # body paragraphs, without indentation
    expected: dict[str, Any] = field(default_factory=dict, compare=False)
    modified: str | None = None  # last modification ("2024-10-08 09:30:00"); None: as published
    presentation: Presentation = Presentation()

    def __post_init__(self) -> None:
        # Accept any sequence for convenience; store a tuple so the notice stays immutable.
        object.__setattr__(self, "paragraphs", tuple(self.paragraphs))

    @property
    def published_date(self) -> str:
        """The date as lists show it: "2024-09-26"."""
        return self.published[:10]

    @property
    def published_minute(self) -> str:
        """The form of NFCMS's PubDate meta tag: "2024-09-26 11:00"."""
        return self.published[:16]

    @property
    def last_modified(self) -> str:
        """When the post last changed, in CMS time: its `modified` time, else its publication."""
        return self.modified or self.published

    @property
    def body_text(self) -> str:
        return "\n".join(self.paragraphs)

    def replace(self, **changes: Any) -> ReplicaNotice:
        """A copy with some fields changed (for staging an edit between crawls)."""
        return dataclasses.replace(self, **changes)


@dataclass
class Site:
    """One CMS column served by the replica. Mutable on purpose: see the module docstring."""

    id: str
    column: str  # "/xunshizgls/": starts and ends with "/"
    theme: str  # a key of replica.themes.THEMES, e.g. "wendang" or "list"
    per_page: int
    site_name: str  # "南粤清风网": in <title>, the header and as the default source
    column_name: str  # "整改落实"
    notices: list[ReplicaNotice] = field(default_factory=list)
    parent_name: str = ""  # breadcrumb level between 首页 and the column, e.g. 广东省巡视巡察工作专栏
    kind: str = "nfcms"
    # Last change to the column's lists (a post added, withdrawn, moved); None: its newest post.
    modified: str | None = None
    # Withdrawn posts by id, kept so they can be restored (replica.mutations.remove / restore).
    removed: dict[int, ReplicaNotice] = field(default_factory=dict)
    # Per-post faults answered instead of the detail page: redirects, challenge pages.
    detail_faults: dict[int, Fault] = field(default_factory=dict)
    # How pages are encoded ("utf-8", or "gbk" for the GBK TRS/Hanweb sites), and the kind's own
    # settings (Hanweb column/unit ids, gkmlpt sid/category, …): see replica/schemes.py.
    encoding: str = "utf-8"
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (self.column.startswith("/") and self.column.endswith("/")):
            raise ValueError(f"site {self.id}: column must start and end with '/': {self.column!r}")
        if self.per_page < 1:
            raise ValueError(f"site {self.id}: per_page must be >= 1, got {self.per_page}")

    def newest_first(self) -> list[ReplicaNotice]:
        """A snapshot of the notices in list order (newest first, then higher post id)."""
        return sorted(self.notices, key=lambda n: (n.published, n.post_id), reverse=True)

    def page_count(self) -> int:
        """Number of list pages; an empty column still has one (empty) index.html."""
        return max(1, -(-len(self.notices) // self.per_page))

    def find(self, post_id: int) -> ReplicaNotice | None:
        return next((n for n in self.notices if n.post_id == post_id), None)

    def get(self, post_id: int) -> ReplicaNotice:
        """The live post `post_id`; KeyError (naming the valid ids' range) if there is none."""
        notice = self.find(post_id)
        if notice is None:
            ids = sorted(n.post_id for n in self.notices)
            span = f"{ids[0]}..{ids[-1]}" if ids else "none"
            raise KeyError(f"site {self.id}: no live post {post_id} (posts: {len(ids)}, ids {span})")
        return notice

    def last_modified(self) -> str:
        """The lists' modification time: the latest of the column's own and its posts' times."""
        times = [n.last_modified for n in self.notices]
        if self.modified:
            times.append(self.modified)
        return max(times, default="2000-01-01 00:00:00")

    def list_url(self, page: int) -> str:
        """Path of list page `page` (1-based): NFCMS index.html, index_2.html, …; other kinds'
        schemes in replica/schemes.py."""
        if self.kind != "nfcms":
            from replica.schemes import scheme_for

            return scheme_for(self.kind).list_url(self, page)
        return f"{self.column}index.html" if page == 1 else f"{self.column}index_{page}.html"

    def detail_url(self, post_id: int) -> str:
        if self.kind != "nfcms":
            from replica.schemes import scheme_for

            notice = self.find(post_id) or self.removed.get(post_id)
            if notice is None:
                raise KeyError(f"site {self.id}: no post {post_id}")
            return scheme_for(self.kind).detail_url(self, notice)
        return f"{self.column}content/post_{post_id}.html"
