"""Which stored notice a fetched page is (issue 19): two notices alike in title and date are two
notices; one notice linked at two URLs is not "moved" to and fro on every crawl; a real move is
one `moved` event."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.store.db import Store
from replica import mutations
from replica.generator import generate_notices
from replica.model import Site
from replica.server import ReplicaServer
from tests.helpers import replica_config, run_cli


def _crawl(config: Path, db: Path, *extra: str) -> None:
    out = run_cli("crawl", *extra, "--config", config, "--db", db)
    assert out.returncode == 0, out.stderr


def _state(db: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    with Store(db) as store:
        notices = {s.notice.url: s.notice.body_text for s in store.notices()}
        events = [(e.kind, e.url) for e in store.events()]
    return notices, events


def _setup(tmp_path: Path, site: Site, server: ReplicaServer) -> tuple[Path, Path]:
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps(replica_config(server)), encoding="utf-8")
    return config, tmp_path / "nw.db"


def test_two_notices_with_the_same_title_and_date_stay_two(tmp_path: Path) -> None:
    first, second = generate_notices(2, seed=7, start_id=4_200_001)
    twin = second.replace(title=first.title, published=first.published)
    site = Site(id="twins", column="/xunshizgls/", theme="wendang", per_page=10, site_name="南粤清风网", column_name="整改落实", notices=[first, twin])
    with ReplicaServer([site]) as server:
        config, db = _setup(tmp_path, site, server)
        for extra in ((), ("--full",), ("--full",)):
            _crawl(config, db, *extra)
        notices, events = _state(db)
        urls = {server.url(site.detail_url(n.post_id)) for n in (first, twin)}
    assert set(notices) == urls and len(set(notices.values())) == 2
    assert sorted(kind for kind, _ in events) == ["new", "new"], events


def test_one_notice_at_two_urls_is_not_moved_on_every_crawl(tmp_path: Path) -> None:
    [notice] = generate_notices(1, seed=8, start_id=4_300_001)
    copy = notice.replace(post_id=4_300_002)
    site = Site(id="copies", column="/xunshizgls/", theme="wendang", per_page=10, site_name="南粤清风网", column_name="整改落实", notices=[notice, copy])
    with ReplicaServer([site]) as server:
        config, db = _setup(tmp_path, site, server)
        for extra in ((), ("--full",), ("--full",), ()):
            _crawl(config, db, *extra)
        notices, events = _state(db)
    assert len(notices) == 2
    assert [kind for kind, _ in events if kind != "new"] == [], events


def test_a_notice_that_really_moved_is_one_moved_event(tmp_path: Path) -> None:
    notices = generate_notices(3, seed=9, start_id=4_400_001)
    site = Site(id="moves", column="/xunshizgls/", theme="wendang", per_page=10, site_name="南粤清风网", column_name="整改落实", notices=list(notices))
    with ReplicaServer([site]) as server:
        config, db = _setup(tmp_path, site, server)
        _crawl(config, db)
        mutations.move(site, notices[0].post_id, 4_400_099)
        for extra in ((), ("--full",), ()):
            _crawl(config, db, *extra)
        stored, events = _state(db)
        new_url = server.url(site.detail_url(4_400_099))
        old_url = server.url(site.detail_url(notices[0].post_id))
    assert [e for e in events if e[0] == "moved"] == [("moved", new_url)], events
    assert new_url in stored and old_url not in stored
