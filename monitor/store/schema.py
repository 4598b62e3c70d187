"""Database schema as sqlite-utils migrations. Append new migrations; never edit applied ones."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("noticewatch")

# The notice fields as of the first migration. Frozen: fields added later get their own migration.
NOTICE_FIELDS_V1 = (
    "doc_type", "title", "url", "source_id", "published_at", "script", "inspection_level",
    "inspection_kind", "inspection_round", "inspection_team", "inspected_org", "inspection_start",
    "inspection_end", "feedback_date", "disclosure_start", "disclosure_end", "phones", "emails",
    "postal_address", "postcode", "signer", "signed_date", "body_text", "content_hash",
)




@migrations()
def m001_initial(db: Database) -> None:
    db["sources"].create(
        {
            "id": str,
            "name": str,
            "kind": str,
            "start_urls": str,  # JSON list
            "first_seen": str,
            "updated_at": str,
        },
        pk="id",
    )
    notice_columns: dict[str, type] = {"id": int}
    notice_columns.update({name: str for name in NOTICE_FIELDS_V1})
    notice_columns.update(
        {
            "status": str,  # active | removed (removal detection: see the change monitor)
            "list_title": str,
            "list_date": str,
            "first_seen": str,
            "last_seen": str,
            "last_fetched": str,
            "raw_sha256": str,
            "version_count": int,
            "consecutive_failures": int,
        }
    )
    db["notices"].create(notice_columns, pk="id", not_null={"url", "source_id"})
    db["notices"].create_index(["url"], unique=True)
    db["notices"].create_index(["source_id", "published_at"])
    db["notice_versions"].create(
        {
            "id": int,
            "notice_id": int,
            "version": int,
            "fetched_at": str,
            "raw_sha256": str,
            "content_hash": str,
            "record": str,  # JSON of the full Notice at this version
        },
        pk="id",
        foreign_keys=[("notice_id", "notices", "id")],
    )
    db["notice_versions"].create_index(["notice_id", "version"], unique=True)
    db["runs"].create(
        {
            "id": int,
            "source_id": str,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running | completed | failed | aborted
            "pages": int,
            "items": int,
            "new": int,
            "changed": int,
            "unchanged": int,
            "problems": str,  # JSON list of one-line problems
            "stats": str,  # JSON of the crawl's stats
        },
        pk="id",
    )
    db["runs"].create_index(["source_id", "started_at"])
    db["events"].create(
        {
            "id": int,
            "kind": str,  # new | changed | removed | restored | moved | window
            "notice_id": int,
            "source_id": str,
            "run_id": int,
            "detected_at": str,
            "summary": str,
            "changes": str,  # JSON list of field changes
            "diff": str,
        },
        pk="id",
        foreign_keys=[("notice_id", "notices", "id")],
    )
    db["events"].create_index(["detected_at"])
    db["digests"].create(
        {
            "id": int,
            "target": str,
            "created_at": str,
            "delivered_at": str,
            "status": str,
            "first_event_id": int,
            "last_event_id": int,
            "payload_sha256": str,
            "error": str,
        },
        pk="id",
    )


@migrations()
def m002_change_monitor(db: Database) -> None:
    """Conditional re-check validators, failure/removal tracking, move identity, event detail."""
    notices = db["notices"]
    for column in ("etag", "last_modified", "last_checked", "last_listed", "removed_at", "identity",
                   "last_failure"):
        notices.add_column(column, str)
    notices.create_index(["source_id", "identity"])
    events = db["events"]
    events.add_column("url", str)
    events.add_column("window_open", int)  # 1: removed while its disclosure window was open
    runs = db["runs"]
    runs.add_column("mode", str)  # incremental | full | recheck
    runs.add_column("requests", int)
    runs.add_column("removed", int)
    runs.add_column("restored", int)
    runs.add_column("moved", int)
    runs.add_column("failures", int)


@migrations()
def m003_parser_fields(db: Database) -> None:
    """Parser v2 fields: how the window end was obtained, the body outline, item count, warnings."""
    notices = db["notices"]
    notices.add_column("disclosure_basis", str)
    notices.add_column("outline", str)  # JSON list of headings
    notices.add_column("item_count", int)
    notices.add_column("warnings", str)  # JSON list of one-line warnings


@migrations()
def m004_daemon_state(db: Database) -> None:
    """What the daemon must remember across restarts: per-job schedule state, paused domains, itself."""
    db["daemon_jobs"].create(
        {
            "job": str,  # crawl:<source id> | recheck | digest
            "source_id": str,  # crawl jobs only
            "schedule": str,  # the schedule text next_due was computed with
            "next_due": str,  # ISO UTC; a restart resumes from here
            "last_started": str,
            "last_finished": str,
            "last_status": str,  # completed | failed | aborted | skipped | error
            "last_run_id": int,
            "consecutive_failures": int,
            "last_error": str,
            "updated_at": str,
        },
        pk="job",
    )
    db["domain_pauses"].create(
        {
            "domain": str,  # registered domain: several subdomains share one firewall
            "paused_at": str,
            "paused_until": str,
            "source_id": str,  # the source whose run was blocked
            "reason": str,
        },
        pk="domain",
    )
    db["daemon"].create(
        {
            "id": int,  # always 1: one daemon per database
            "pid": int,
            "host": str,
            "config": str,
            "started_at": str,
            "heartbeat_at": str,
            "stopped_at": str,  # null while running, or after a crash
            "stop_reason": str,
        },
        pk="id",
    )


@migrations()
def m006_catalogue_fields(db: Database) -> None:
    """gkmlpt catalogue fields: 索引号 (identifier) and 文号 (document_number)."""
    notices = db["notices"]
    notices.add_column("identifier", str)
    notices.add_column("document_number", str)


@migrations()
def m005_digest_delivery(db: Database) -> None:
    """Digest delivery bookkeeping: format, how many events, the state fingerprint, where it went."""
    digests = db["digests"]
    digests.add_column("format", str)  # md | html | json | atom
    digests.add_column("event_count", int)
    digests.add_column("state_sha256", str)  # closing-soon windows + source problems (monitor.digest.build.state_key)
    digests.add_column("detail", str)  # where it went: a path, "HTTP 200", a Message-ID
    digests.create_index(["target", "status", "last_event_id"])


@migrations()
def m007_search_index(db: Database) -> None:
    """Full-text index for `noticewatch search` (monitor/store/search.py), built from existing notices."""
    from monitor.store.search import rebuild_index

    rebuild_index(db)


@migrations()
def m008_read_indexes(db: Database) -> None:
    """Indexes for `status` and digests on large stores (bench/run.py: 100k notices)."""
    db.execute("create index if not exists idx_notices_source_status on notices(source_id, status)")
    db.execute("create index if not exists idx_notices_disclosure_end on notices(disclosure_end)")
    db.execute("create index if not exists idx_runs_source_mode_status on runs(source_id, mode, status)")


@migrations()
def m009_source_fact_indexes(db: Database) -> None:
    """Per-source "newest notice" and "last success" lookups (digests' source problems, status)."""
    db.execute("create index if not exists idx_notices_source_first_seen on notices(source_id, first_seen)")
    db.execute("create index if not exists idx_runs_source_status_finished on runs(source_id, status, finished_at)")


@migrations()
def m010_newest_first_indexes(db: Database) -> None:
    """`notices list` (Store.notices: newest first, optionally of one source) read off an index
    instead of sorting every notice (~0.7 s at 100k notices)."""
    db.execute("create index if not exists idx_notices_newest on notices(coalesce(published_at, ''), id)")
    db.execute("create index if not exists idx_notices_source_newest "
               "on notices(source_id, coalesce(published_at, ''), id)")


@migrations()
def m011_job_periods(db: Database) -> None:
    """Each daemon job's period in seconds, as the daemon computed it from `schedule`: `status`
    judges "silent" sources by it without importing a cron evaluator (APScheduler: ~70 ms)."""
    db["daemon_jobs"].add_column("period", float)


@migrations()
def m012_skipped_listings(db: Database) -> None:
    """List entries a source's keywords passed over (crawler/relevance.py): seen, not fetched. An
    incremental crawl knows them (paging stops at a page of nothing new) and fetches those its
    widened keywords now match."""
    db["listings"].create(
        {"source_id": str, "url": str, "list_title": str, "list_date": str, "first_seen": str, "last_listed": str},
        pk=("source_id", "url"),
        if_not_exists=True,
    )


@migrations()
def m013_inspection_kinds(db: Database) -> None:
    """`inspection_kind` holds a list of kinds (issue 15: "常规" and "专项" at once): stored strings
    become JSON lists ("常规" → ["常规"], null → []), in the notices and in each stored version's record.
    The events' field changes keep the values as they were recorded."""
    db.execute("update notices set inspection_kind = '[]' where inspection_kind is null or inspection_kind = ''")
    db.execute("update notices set inspection_kind = json_array(inspection_kind) "
               "where substr(inspection_kind, 1, 1) != '['")
    db.execute("update notice_versions set record = json_set(record, '$.inspection_kind', json('[]')) "
               "where json_valid(record) and json_type(record, '$.inspection_kind') in ('null', 'text') "
               "and coalesce(json_extract(record, '$.inspection_kind'), '') = ''")
    db.execute("update notice_versions set record = json_set(record, '$.inspection_kind', "
               "json_array(json_extract(record, '$.inspection_kind'))) "
               "where json_valid(record) and json_type(record, '$.inspection_kind') = 'text'")


@migrations()
def m014_no_change_checks(db: Database) -> None:
    """The no-change check before a crawl (monitor/crawl/precheck.py): robots.txt per origin with its
    own expiry (RFC 9309 2.4), and per source the validators of the list its last clean crawl read,
    with a fingerprint of the source's crawl spec (a changed config is never skipped)."""
    db["robots_cache"].create(
        {"origin": str, "status": int, "rules": str, "fetched_at": str, "expires_at": str},
        pk="origin",
        if_not_exists=True,
    )
    db["list_validators"].create(
        {"source_id": str, "spec_fingerprint": str, "probe_url": str, "etag": str, "last_modified": str,
         "body_sha256": str, "run_id": int, "saved_at": str},
        pk="source_id",
        if_not_exists=True,
    )


@migrations()
def m015_daemon_backlog(db: Database) -> None:
    """The daemon's crawl slots as it last saw them (monitor/daemon/backlog.py), for `status`:
    in flight of the limit, how many wait and the oldest wait, since when a backlog has built up."""
    for column, kind in (("in_flight", int), ("slot_limit", int), ("queued", int), ("oldest_wait", float),
                         ("backlog_since", str), ("backlog_at", str)):
        db["daemon"].add_column(column, kind)
