"""The config loader: valid files load; every mistake is one line naming file, source and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.kinds import KINDS
from monitor.config.errors import ConfigError
from monitor.config.loader import load_config, parse_config

VALID_SOURCE = {
    "id": "gdjct_zgls",
    "name": "整改落实",
    "kind": "nfcms",
    "start_urls": ["https://example.test/xunshizgls/index.html"],
}


def test_shipped_config_loads() -> None:
    config = load_config(Path(__file__).resolve().parent.parent / "config.yaml")
    assert config.sources, "config.yaml ships at least one source"
    for source in config.sources:
        assert source.kind in KINDS
        assert source.start_urls


def test_defaults_apply_and_sources_override() -> None:
    config = parse_config(
        {
            "defaults": {"max_pages": 7},
            "sources": [VALID_SOURCE, {**VALID_SOURCE, "id": "b", "max_pages": 2}],
        },
        Path("c.yaml"),
    )
    assert [s.max_pages for s in config.sources] == [7, 2]
    spec = config.sources[0].spec()
    assert spec.start_urls == ("https://example.test/xunshizgls/index.html",)
    assert config.storage.path == Path("noticewatch.db")


def test_relative_storage_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config = parse_config({"storage": {"path": "data/x.db"}, "sources": []}, tmp_path / "config.yaml")
    assert config.storage.path == tmp_path / "data" / "x.db"


def test_gbk_encoding_is_widened_to_gb18030() -> None:
    config = parse_config({"sources": [{**VALID_SOURCE, "encoding": "GBK"}]}, Path("c.yaml"))
    assert config.sources[0].encoding == "gb18030"


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"sources": [{**VALID_SOURCE, "start_ur": "x"}]},
            "c.yaml: sources[gdjct_zgls]: unknown key 'start_ur' (valid: id, name, kind, start_urls, schedule, enabled, download_delay, retries, pause_after_failures, spread_schedule, max_pages, encoding, selectors, keywords, match, column_id)",
        ),
        (
            {"sources": [{**VALID_SOURCE, "kind": "drupal"}]},
            "c.yaml: sources[gdjct_zgls]: kind: unknown kind 'drupal' (known kinds: founder_epaper, gkmlpt, hanweb, html_list, nfcms, trs)",
        ),
        ({"sources": [{"id": "x", "start_urls": ["http://a/"]}]}, "c.yaml: sources[x]: missing key 'kind'"),
        ({"sources": [{"id": "x", "kind": "nfcms"}]}, "c.yaml: sources[x]: missing key 'start_urls'"),
        (
            {"sources": [{**VALID_SOURCE, "start_urls": ["ftp://a/b"]}]},
            "c.yaml: sources[gdjct_zgls]: start_urls: 'ftp://a/b' is not an http(s) URL",
        ),
        (
            {"sources": [{**VALID_SOURCE, "max_pages": 0}]},
            "c.yaml: sources[gdjct_zgls]: max_pages: expected a whole number >= 1, got 0",
        ),
        (
            {"sources": [{**VALID_SOURCE, "schedule": "every day"}]},
            "c.yaml: sources[gdjct_zgls]: schedule: 'every day' is not a cron expression",
        ),
        ({"sources": [VALID_SOURCE, VALID_SOURCE]}, "c.yaml: sources[gdjct_zgls]: duplicate id 'gdjct_zgls'"),
        (
            {"sources": [{**VALID_SOURCE, "id": "Bad Id"}]},
            "c.yaml: sources[Bad Id]: id: 'Bad Id' must be lowercase",
        ),
        (
            {"sources": [{**VALID_SOURCE, "selectors": {"bodyy": "#x"}}]},
            "c.yaml: sources[gdjct_zgls]: selectors: unknown key 'bodyy' (valid: body, list)",
        ),
        (
            {"sources": [{**VALID_SOURCE, "encoding": "klingon"}]},
            "c.yaml: sources[gdjct_zgls]: encoding: unknown encoding 'klingon'",
        ),
        (
            {"defaults": {"download_delay": -1}},
            "c.yaml: defaults: download_delay: expected a number >= 0, got -1",
        ),
        (
            {"defaults": {"retrys": 1}},
            "c.yaml: defaults: unknown key 'retrys' (valid: schedule, max_pages, download_delay",
        ),
        ({"storage": {"file": "x"}}, "c.yaml: storage: unknown key 'file' (valid: path)"),
        ({"source": []}, "c.yaml: unknown key 'source' (valid: defaults, storage, sources, digest, cluster)"),
        ({"sources": {"id": "x"}}, "c.yaml: sources: expected a list of sources, got dict"),
        (["a"], "c.yaml: expected a mapping of keys, got list"),
    ],
)
def test_config_errors_name_file_source_and_key(data: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, Path("c.yaml"))
    text = str(info.value)
    assert text.startswith(message), text
    assert "\n" not in text


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("sources:\n  - id: a\n    kind: [nfcms\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.yaml: line \d+: invalid YAML"):
        load_config(path)


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_unknown_source_lookup_lists_known_ids() -> None:
    config = parse_config({"sources": [VALID_SOURCE]}, Path("c.yaml"))
    with pytest.raises(ConfigError, match=r"no source with id 'x' \(known: gdjct_zgls\)"):
        config.source("x")


def test_politeness_overrides_per_source() -> None:
    config = parse_config(
        {"defaults": {"download_delay": 8, "pause_after_failures": 3},
         "sources": [{**VALID_SOURCE, "download_delay": 15, "retries": 1, "pause_after_failures": 2}]},
        Path("c.yaml"),
    )
    spec = config.sources[0].spec()
    assert spec.scrapy_settings() == {"DOWNLOAD_DELAY": 15.0, "AUTOTHROTTLE_START_DELAY": 15.0, "RETRY_TIMES": 1,
                                      "NOTICEWATCH_PAUSE_AFTER_FAILURES": 2}
    assert parse_config({"sources": [VALID_SOURCE]}, Path("c.yaml")).sources[0].spec().scrapy_settings() == {}


def test_a_read_only_load_checks_a_cron_line_for_five_fields_only() -> None:
    """`full_check=False` (status, sources list) spares APScheduler's import: a cron line with bad
    fields loads there, and is refused by every command that schedules or crawls."""
    source = {"id": "s", "kind": "nfcms", "start_urls": ["https://www.example.gov.cn/a/"], "schedule": "99 * * * *"}
    config = parse_config({"sources": [source]}, full_check=False)
    assert config.sources[0].schedule == "99 * * * *"
    with pytest.raises(ConfigError, match=r"sources\[s\]: schedule: '99 \* \* \* \*' is not a cron"):
        parse_config({"sources": [source]})
    for full_check in (True, False):
        with pytest.raises(ConfigError, match="schedule"):
            parse_config({"sources": [{**source, "schedule": "0 */6 * *"}]}, full_check=full_check)
        with pytest.raises(ConfigError, match="recheck_schedule"):
            parse_config({"defaults": {"recheck_schedule": "0 */6 *"}, "sources": [source]}, full_check=full_check)
