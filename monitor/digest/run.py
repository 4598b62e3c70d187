"""Making and delivering digests against the store: the I/O around the pure builder and renderers.

"Never twice": each target's watermark is the highest event id it has successfully received (the
`digests` table). `send_digests` builds, per target, a digest of the events past its watermark,
delivers it and records the attempt; a failed attempt leaves the watermark where it was, so the
same events (and any newer) go out on the next run. A digest without events is sent only when
its state (windows closing soon, source problems) differs from the last one the target received.

Per target, "read the watermark, build, deliver, record" holds the target's digest lock
(monitor.store.locks.digest_lock): of two senders at once (the daemon's job and a `digest --send`), the
second waits for the first, then reads the ledger it wrote and finds nothing new. One that waits
longer than `lock_wait` gives up on that target (outcome `busy`); the next run sends it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.config.digest import DigestConfig, FileTarget, Target, WebhookTarget
from monitor.config.errors import ConfigError
from monitor.config.loader import Config
from monitor.digest.build import Digest, build_digest, state_key
from monitor.digest.delivery import DeliveryError, Payload, deliver_email, deliver_file, deliver_webhook
from monitor.digest.render import EXTENSIONS, MEDIA_TYPES, render
from monitor.digest.render.markdown import render_markdown
from monitor.digest.sources import read_source_facts, source_problems
from monitor.store.db import Store
from monitor.store.locks import TargetBusy, digest_lock
from monitor.store.records import Event
from monitor.window import china_today


@dataclass(frozen=True)
class Outcome:
    target: str
    status: str  # delivered | failed | skipped (nothing new for this target) | busy (another sender)
    events: int = 0
    first_event_id: int | None = None
    last_event_id: int | None = None
    detail: str = ""

    def line(self) -> str:
        span = ""
        if self.first_event_id is not None:
            span = (
                f" (event #{self.first_event_id})"
                if self.first_event_id == self.last_event_id
                else f" (events #{self.first_event_id}–#{self.last_event_id})"
            )
        if self.status == "skipped":
            return f"{self.target}: nothing new"
        if self.status == "busy":
            return self.detail  # the lock's one line, naming the target and the other sender
        return f"{self.target}: {self.status}, {self.events} event{'s' if self.events != 1 else ''}{span}: {self.detail}"


def digest_config_for(config: Config | None) -> DigestConfig:
    """The digest section of a loaded config (defaults when there is no config file)."""
    return config.digest if config is not None and config.digest is not None else DigestConfig()


def load_configs(config_path: Path | None) -> tuple[Config | None, DigestConfig]:
    """The main config and its digest section (None: ./config.yaml if present, else defaults)."""
    from monitor.config.loader import DEFAULT_CONFIG, load_config

    path = Path(config_path) if config_path else DEFAULT_CONFIG
    if config_path is None and not path.exists():
        return None, DigestConfig()
    config = load_config(path)
    return config, digest_config_for(config)


def make_digest(
    store: Store,
    events: Sequence[Event],
    now: datetime,
    dconf: DigestConfig,
    *,
    scope: str = "",
    source_ids: Sequence[str] | None = None,
    doc_types: Sequence[str] | None = None,
) -> Digest:
    """The digest of `events`, reporting `doc_types` (default: the digest's `doc_types`)."""
    names = {r["id"]: r["name"] or r["id"] for r in store.rows("select id, name from sources")}
    problems = source_problems(read_source_facts(store, now, source_ids), now, dconf.silent_after_days)
    today = china_today(now)
    notices = store.notices_for_digest(
        (e.notice_id for e in events),
        today.isoformat(),
        (today + timedelta(days=dconf.closing_soon_days)).isoformat(),
        source_ids,
    )
    return build_digest(
        events,
        notices,
        now,
        source_names=names,
        problems=problems,
        closing_soon_days=dconf.closing_soon_days,
        title=dconf.title,
        scope=scope,
        doc_types=dconf.doc_types if doc_types is None else doc_types,
    )


def events_after(store: Store, event_id: int) -> list[Event]:
    """Events with id > event_id (narrowed by time first: ids and detection times rise together)."""
    row = next(iter(store.rows("select detected_at from events where id = ?", [event_id])), None)
    return [e for e in store.events(since=row["detected_at"] if row else None) if e.id > event_id]


def watermark(store: Store, target_id: str) -> int:
    row = next(
        iter(
            store.rows(
                "select max(last_event_id) as n from digests where target = ? and status = 'delivered'",
                [target_id],
            )
        )
    )
    return int(row["n"] or 0)


def last_state(store: Store, target_id: str) -> str | None:
    row = next(
        iter(
            store.rows(
                "select state_sha256 from digests where target = ? and status = 'delivered' "
                "order by id desc limit 1",
                [target_id],
            )
        ),
        None,
    )
    return row["state_sha256"] if row else None


def send_digests(
    store: Store,
    dconf: DigestConfig,
    now: datetime | None = None,
    *,
    target_ids: Sequence[str] = (),
    since: str | None = None,
    source_ids: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    lock_wait: float = 60.0,
    **transport: Any,
) -> list[Outcome]:
    """Deliver to every target (or `target_ids`): its undelivered events, or all since `since`.
    Each target under its digest lock, waited for at most `lock_wait` seconds."""
    now = now or datetime.now(UTC)
    targets = [dconf.target(t) for t in target_ids] if target_ids else list(dconf.targets)
    if not targets:
        raise ConfigError(
            "digest: no delivery targets configured (add digest: targets: in config.yaml; see docs/digests.md)"
        )
    outcomes = []
    for target in targets:
        try:
            with digest_lock(store.path, target.id, lock_wait):
                outcomes.append(_send_one(store, dconf, target, now, since, source_ids, env, transport))
        except TargetBusy as exc:
            outcomes.append(Outcome(target.id, "busy", detail=str(exc)))
    return outcomes


def _send_one(
    store: Store,
    dconf: DigestConfig,
    target: Target,
    now: datetime,
    since: str | None,
    source_ids: Sequence[str] | None,
    env: Mapping[str, str] | None,
    transport: dict,
) -> Outcome:
    mark = watermark(store, target.id)
    if since is None and mark == 0:
        # A target's first digest: the last `backfill_days`, not the database's whole history; older
        # events count as delivered once it is.
        since = (now - timedelta(days=dconf.backfill_days)).astimezone(UTC).isoformat(timespec="seconds")
        older = next(iter(store.rows("select max(id) as n from events where detected_at < ?", [since])))
        mark = int(older["n"] or 0)
    events = store.events(since=since) if since else events_after(store, mark)
    scope = f"events since {since}" if since else f"events not yet delivered to {target.id}"
    if isinstance(target, FileTarget) and target.format == "atom":
        if not events:  # a feed carries events only: no new event, nothing to write
            return Outcome(target.id, "skipped")
        upto = max(e.id for e in events)
        feed_events = [e for e in store.events() if e.id <= upto][-target.feed_entries :]
        digest = make_digest(
            store, feed_events, now, dconf, scope=f"latest {len(feed_events)} events", source_ids=source_ids,
            doc_types=dconf.doc_types_for(target),
        )
        sent_ids = [e.id for e in events]
    else:
        digest = make_digest(store, events, now, dconf, scope=scope, source_ids=source_ids,
                             doc_types=dconf.doc_types_for(target))
        sent_ids = list(digest.event_ids)
        # Events of document types the target does not watch make no digest of their own.
        if not digest.reports_events and (digest.is_empty or state_key(digest) == last_state(store, target.id)):
            return Outcome(target.id, "skipped")
    payload = payload_for(target, digest, dconf, now)
    first, last = (min(sent_ids), max(sent_ids)) if sent_ids else (None, None)
    try:
        detail = _deliver(target, payload, env, transport)
        status, error = "delivered", None
    except DeliveryError as exc:
        detail, status, error = str(exc), "failed", str(exc)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with store.db.atomic():
        store.db["digests"].insert(
            {
                "target": target.id,
                "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
                "delivered_at": stamp if status == "delivered" else None,
                "status": status,
                "first_event_id": first,
                "last_event_id": max(last or 0, mark) or None,
                "payload_sha256": payload.sha256,
                "error": error,
                "format": target.format,
                "event_count": len(sent_ids),
                "state_sha256": state_key(digest),
                "detail": detail,
            }
        )
    return Outcome(target.id, status, len(sent_ids), first, last, detail)


def payload_for(target: Target, digest: Digest, dconf: DigestConfig, now: datetime) -> Payload:
    fmt = target.format
    body = render(digest, fmt, base_url=dconf.base_url)
    sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
    name = f"digest-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    if digest.last_event_id is not None:
        name += f"-e{digest.last_event_id}"
    text = render_markdown(digest) if target.type == "email" else ""
    subject = f"{getattr(target, 'subject_prefix', '')} {digest.headline()}".strip()
    return Payload(
        body=body,
        media_type=MEDIA_TYPES[fmt],
        subject=subject,
        text=text,
        name=name,
        extension=EXTENSIONS[fmt],
        sha256=sha,
    )


def _deliver(target: Target, payload: Payload, env: Mapping[str, str] | None, transport: dict) -> str:
    if isinstance(target, FileTarget):
        return deliver_file(target, payload)
    if isinstance(target, WebhookTarget):
        return deliver_webhook(target, payload, env=env, **transport)
    return deliver_email(target, payload, env=env)


async def scheduled_digest(config: Config, db_path: Path) -> list[Outcome]:
    """The daemon's digest job (monitor.daemon.jobs.DigestJob): send undelivered events to every target.
    Raises DeliveryError when a target failed (or was busy), so the daemon records the job as failed."""
    import asyncio

    def work() -> list[Outcome]:
        dconf = digest_config_for(config)
        enabled = [s.id for s in config.sources if s.enabled] or None
        with Store(db_path, removal_after=config.defaults.removal_after_failures) as store:
            return send_digests(store, dconf, source_ids=enabled, env=os.environ)

    outcomes = await asyncio.to_thread(work)
    failed = [o.line() for o in outcomes if o.status in ("failed", "busy")]
    if failed:
        raise DeliveryError("; ".join(failed))
    return outcomes
