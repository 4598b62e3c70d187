"""`noticewatch discover` on replica portals: the rectification column proposed first with the
right kind, generic columns with keywords, dead and unrelated columns passed over; politeness
(robots.txt, the request bound); `--add` appends validated entries and keeps the file's comments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from monitor.config.additions import append_sources, insertion_point
from monitor.config.errors import ConfigError
from monitor.config.loader import load_config
from replica.city_portal import build_city_portal
from replica.server import ReplicaServer
from replica.sites import build_demo_sites
from tests.helpers import run_cli


@pytest.fixture
def city() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_city_portal()) as srv:
        yield srv


def discover(server: ReplicaServer, *args: str | Path, ok: bool = True) -> tuple[dict, list[str]]:
    before = len(server.requests)
    out = run_cli("discover", server.url("/"), "--json", *args)
    assert (out.returncode == 0) == ok, out.stderr[-3000:]
    return (json.loads(out.stdout) if ok else {"error": out.stderr}), server.paths()[before:]


def test_the_rectification_column_comes_first_with_the_right_kind(
    city: ReplicaServer, tmp_path: Path
) -> None:
    found, _ = discover(city, "--config", tmp_path / "none.yaml")
    first = found["proposals"][0]
    assert first["source"]["kind"] == "nfcms"
    assert first["source"]["start_urls"] == [city.url("/xczg/")]
    assert first["dedicated"] and "keywords" not in first["source"]
    assert first["relevant_titles"] == 10 and "10 of 10 list titles" in first["why"]
    assert set(found["families"]) == {"nfcms", "gkmlpt"}


def test_dead_and_unrelated_columns_are_not_proposed(city: ReplicaServer, tmp_path: Path) -> None:
    found, _ = discover(city, "--config", tmp_path / "none.yaml")
    proposed = {u for p in found["proposals"] for u in p["source"]["start_urls"]}
    for column in ("/ztzl/", "/tpxw/", "/zwdt/"):
        assert not any(column in u for u in proposed), column
    passed = {p["url"]: p["why"] for p in found["passed_over"]}
    assert "404" in passed[city.url("/ztzl/index.html")]


def test_a_generic_column_is_proposed_with_keywords(city: ReplicaServer, tmp_path: Path) -> None:
    found, _ = discover(city, "--config", tmp_path / "none.yaml")
    generic = next(p for p in found["proposals"] if "/tzgg/" in p["source"]["start_urls"][0])
    assert generic["source"]["keywords"] == ["巡视", "巡察"] and not generic["dedicated"]
    assert generic["source"]["column_id"] == 30002
    assert (generic["relevant_titles"], generic["titles_seen"]) == (3, 39)  # from the column JSON


def test_a_gkmlpt_catalogue_is_proposed_by_category_name(city: ReplicaServer, tmp_path: Path) -> None:
    found, _ = discover(city, "--config", tmp_path / "none.yaml")
    catalogue = next(p["source"] for p in found["proposals"] if p["source"]["kind"] == "gkmlpt")
    assert catalogue["start_urls"] == [city.url("/gkmlpt/index")] and catalogue["categories"] == ["巡视巡察"]


def test_politeness_robots_txt_and_the_request_bound(city: ReplicaServer, tmp_path: Path) -> None:
    found, paths = discover(city, "--config", tmp_path / "none.yaml", "--max-requests", "4")
    assert paths[0] == "/robots.txt"
    assert len([p for p in paths if p != "/robots.txt"]) == found["requests"] <= 4
    _, paths = discover(city, "--config", tmp_path / "none.yaml")
    assert not [p for p in paths if p.startswith("/private/")]  # disallowed by robots.txt
    assert len(paths) == len(set(paths))  # no page asked twice


def test_another_portal_proposes_its_rectification_column_first(tmp_path: Path) -> None:
    with ReplicaServer(build_demo_sites()) as demo:
        found, _ = discover(demo, "--config", tmp_path / "none.yaml")
        column = demo.url("/xunshizgls/")
    first = found["proposals"][0]["source"]
    assert first["kind"] == "nfcms" and first["start_urls"][0].startswith(column)
    assert {p["source"]["kind"] for p in found["proposals"]} == {"nfcms"}


CONFIG = """\
# my sources
defaults:
  download_delay: 0   # loopback
  retries: 0

sources:
  # an existing source
  - id: existing
    kind: nfcms
    start_urls: [http://127.0.0.1:9/a/index.html]

# digests come last
digest:
  targets: []
"""


def test_add_appends_validated_entries_and_keeps_comments(city: ReplicaServer, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    found, _ = discover(city, "--config", config, "--add", "--pick", "site_xczg", "--pick", "site_tzgg")
    assert found["added"] == ["site_xczg", "site_tzgg"]
    text = config.read_text(encoding="utf-8")
    for comment in ("# my sources", "# loopback", "# an existing source", "# digests come last"):
        assert comment in text
    assert text.index("- id: site_tzgg") < text.index("# digests come last")
    assert "# Based on: noticewatch discover" in text
    loaded = load_config(config)
    assert [s.id for s in loaded.sources] == ["existing", "site_xczg", "site_tzgg"]
    assert loaded.source("site_tzgg").options["keywords"] == ("巡视", "巡察")
    # Added again: the ids are made free, the file still loads.
    found, _ = discover(city, "--config", config, "--add", "--pick", "site_xczg")
    assert found["added"] == ["site_xczg_2"]
    assert "site_xczg_2" in [s.id for s in load_config(config).sources]


def test_added_entries_crawl(city: ReplicaServer, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("defaults:\n  download_delay: 0\n  retries: 0\n", encoding="utf-8")
    discover(city, "--config", config, "--add", "--pick", "site_tzgg")
    out = run_cli("crawl", "--config", config, "--db", tmp_path / "n.db")
    assert out.returncode == 0, out.stderr[-2000:]
    notices = run_cli("notices", "list", "--json", "--config", config, "--db", tmp_path / "n.db")
    assert notices.returncode == 0, notices.stderr
    assert notices.stdout.count("巡") >= 3


def test_add_with_an_unknown_pick_is_an_error(city: ReplicaServer, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    found, _ = discover(city, "--config", config, "--add", "--pick", "nope", ok=False)
    assert "no proposal nope" in found["error"]
    assert config.read_text(encoding="utf-8") == CONFIG


def test_a_bad_entry_leaves_the_file_untouched(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    _, indent, _ = insertion_point(CONFIG)
    bad = f"{indent}- id: Bad Id\n{indent}  kind: nfcms\n{indent}  start_urls: [http://127.0.0.1:9/]\n"
    with pytest.raises(ConfigError, match="must be lowercase"):
        append_sources(config, bad)
    assert config.read_text(encoding="utf-8") == CONFIG


def test_append_to_a_file_without_sources(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("defaults:\n  retries: 0\n", encoding="utf-8")
    append_sources(config, "  - id: one\n    kind: nfcms\n    start_urls: [http://127.0.0.1:9/]\n")
    assert yaml.safe_load(config.read_text(encoding="utf-8"))["sources"][0]["id"] == "one"


def test_discover_has_help_with_an_example() -> None:
    out = run_cli("discover", "--help")
    assert out.returncode == 0 and "Example" in out.stdout and "--max-requests" in out.stdout


def test_a_bad_url_is_one_line(tmp_path: Path) -> None:
    out = run_cli("discover", "ftp://x/", "--config", tmp_path / "none.yaml")
    assert out.returncode != 0 and "not an http(s) URL" in out.stderr


def test_every_cms_family_is_recognised_and_its_entry_crawls(tmp_path: Path) -> None:
    """TRS, Hanweb, NFCMS themes and a list of no known CMS on one host: each proposed with its
    kind; the html_list entry's guessed selectors crawl every page of its column."""
    from replica import sites

    kinds = [*sites.build_trs_sites(), *sites.build_hanweb_sites(), *sites.build_html_list_sites()]
    with ReplicaServer(kinds + sites.build_theme_sites()) as portal:
        config = tmp_path / "config.yaml"
        config.write_text("defaults:\n  download_delay: 0\n  retries: 0\n", encoding="utf-8")
        found, _ = discover(portal, "--config", config)
        by_kind = {p["source"]["kind"]: p["source"] for p in found["proposals"]}
        assert set(by_kind) == {"nfcms", "trs", "hanweb", "html_list"}
        assert by_kind["html_list"]["selectors"] == {"item": "div.news-item", "next_page": "a.next-page"}
        assert by_kind["hanweb"]["start_urls"] == [portal.url("/col/col1234/")]
        found, _ = discover(portal, "--config", config, "--add", "--pick", by_kind["html_list"]["id"])
        out = run_cli("crawl", "--config", config, "--db", tmp_path / "n.db")
        assert out.returncode == 0, out.stderr[-2000:]
        listed = run_cli("notices", "list", "--json", "--config", config, "--db", tmp_path / "n.db")
        site = portal.site("other_cms")
        assert len([line for line in listed.stdout.splitlines() if line.strip()]) == len(site.notices)
