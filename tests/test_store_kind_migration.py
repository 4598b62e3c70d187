"""m013: stored inspection kinds (one string each, before issue 15) become JSON lists, and read back as tuples."""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from crawler.notice import Notice
from monitor.store.db import Store
from monitor.store.schema import migrations


def old_store(path: Path) -> None:
    """A store as it was before m013, holding kinds as plain strings (and no kind at all)."""
    db = Database(path)
    migrations.apply(db, stop_before="m013_inspection_kinds")
    for i, kind in enumerate(("常规", None, "")):
        record = Notice(url=f"https://example.invalid/{i}", source_id="s").to_dict()
        record["inspection_kind"] = kind
        db.execute(
            "insert into notices (id, url, source_id, inspection_kind, status, version_count) values (?, ?, ?, ?, ?, 1)",
            [i + 1, record["url"], "s", kind, "active"],
        )
        db.execute(
            "insert into notice_versions (notice_id, version, record) values (?, 1, ?)",
            [i + 1, json.dumps(record, ensure_ascii=False)],
        )
    db.conn.commit()
    db.close()


def test_kinds_become_lists(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_store(path)
    with Store(path) as store:
        columns = [r["inspection_kind"] for r in store.rows("select inspection_kind from notices order by id")]
        records = [json.loads(r["record"])["inspection_kind"]
                   for r in store.rows("select record from notice_versions order by notice_id")]
        kinds = [store.find_notice(f"https://example.invalid/{i}").notice.inspection_kind for i in range(3)]
        versions = [store.versions(i + 1)[0].notice.inspection_kind for i in range(3)]
    assert columns == ['["常规"]', "[]", "[]"]
    assert records == [["常规"], [], []]
    assert kinds == versions == [("常规",), (), ()]


def test_new_notices_store_their_kinds_as_lists(tmp_path: Path) -> None:
    notice = Notice(url="https://example.invalid/n", source_id="s", inspection_kind=("常规", "专项"))
    assert notice.to_dict()["inspection_kind"] == ["常规", "专项"]
    assert Notice.from_dict(json.loads(json.dumps(notice.to_dict()))).inspection_kind == ("常规", "专项")
    # What a column of the old store gives back: a bare string.
    assert Notice.from_dict({"inspection_kind": "机动"}).inspection_kind == ("机动",)
    assert Notice.from_dict({"inspection_kind": ""}).inspection_kind == ()
