"""Cross-check against the replica's ground truth: every generated page parses to its expected fields.

The replica (replica/) renders generated notices and news into NFCMS detail pages and records what a
correct parser extracts; this keeps the parser and the replica's notion of "correct" in step.
"""

from __future__ import annotations

import pytest

from crawler.parser import parse_html

generator = pytest.importorskip("replica.generator")
themes = pytest.importorskip("replica.themes")
model = pytest.importorskip("replica.model")


def pages():
    site = model.Site(
        id="t", column="/t/", theme="list", per_page=10, site_name="某某网", column_name="整改落实"
    )
    items = [
        *generator.generate_notices(120, seed=5, start_id=1),
        *generator.generate_news(20, seed=5, start_id=90_000),
    ]
    site.notices = items
    return [
        (n, themes.render_detail(site, n, [site], 7), "http://127.0.0.1" + site.detail_url(n.post_id))
        for n in items
    ]


def test_replica_pages_parse_to_ground_truth():
    mismatches = []
    for notice, html, url in pages():
        got = parse_html(html, url).to_dict()
        mismatches += [
            (notice.post_id, k, got[k], want) for k, want in notice.expected.items() if got[k] != want
        ]
    assert not mismatches, mismatches[:10]
