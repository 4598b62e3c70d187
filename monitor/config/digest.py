"""The `digest:` section of config.yaml: what a digest shows and where it is delivered.

Parsed into frozen dataclasses by `parse_digest_config`; every error is one `ConfigError` line
naming the place and the key, listing what is valid (like monitor/config/loader.py). Secrets are never in
the file: targets name the environment variables that hold them (`username_env`, `headers_env`, …),
read only when a digest is delivered.

    digest:
      closing_soon_days: 3
      silent_after_days: 14
      doc_types: [rectification_notice, inspection_announcement]   # the default
      targets:
        - {id: archive, type: file, path: digests/, format: html}
        - {id: newsroom-hook, type: webhook, url: "https://hooks.example.org/nw", retries: 2,
           doc_types: [rectification_notice, inspection_announcement, feedback_news]}
        - {id: team-mail, type: email, to: [desk@example.org], from: nw@example.org,
           smtp_host: smtp.example.org, username_env: NW_SMTP_USER, password_env: NW_SMTP_PASS}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.notice import DOC_TYPES
from monitor.config.errors import ConfigError

FILE_FORMATS = ("md", "html", "json", "atom")
TARGET_TYPES = ("file", "webhook", "email")
TARGET_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
DEFAULT_DOC_TYPES = ("rectification_notice", "inspection_announcement")


@dataclass(frozen=True)
class FileTarget:
    id: str
    path: Path
    format: str = "html"
    folder: bool = False  # path written with a trailing '/': one new file per digest; else replaced
    feed_entries: int = 100  # atom only: the feed keeps the latest N events, not just the new ones
    type: str = "file"
    doc_types: tuple[str, ...] | None = None  # None: the digest's `doc_types`


@dataclass(frozen=True)
class WebhookTarget:
    id: str
    url: str
    timeout: float = 10.0
    retries: int = 2  # extra tries after the first, on connection errors, 429 and 5xx
    retry_delay: float = 2.0  # seconds, doubled after each try
    headers_env: dict[str, str] = field(default_factory=dict)  # header name → env var with its value
    type: str = "webhook"
    doc_types: tuple[str, ...] | None = None  # None: the digest's `doc_types`
    format: str = "json"


@dataclass(frozen=True)
class EmailTarget:
    id: str
    to: tuple[str, ...]
    sender: str
    smtp_host: str
    smtp_port: int = 587
    starttls: bool = True
    ssl: bool = False  # implicit TLS (port 465); excludes starttls
    username_env: str | None = None
    password_env: str | None = None
    timeout: float = 30.0
    subject_prefix: str = "[noticewatch]"
    type: str = "email"
    doc_types: tuple[str, ...] | None = None  # None: the digest's `doc_types`
    format: str = "html"


Target = FileTarget | WebhookTarget | EmailTarget


@dataclass(frozen=True)
class DigestConfig:
    closing_soon_days: int = 3
    silent_after_days: int = 14
    backfill_days: int = 7  # a target's first digest covers this many days back, not the whole history
    title: str = "noticewatch digest"
    base_url: str | None = None  # where published digests/feeds live (Atom self link)
    targets: tuple[Target, ...] = ()
    doc_types: tuple[str, ...] = DEFAULT_DOC_TYPES  # what digests report (the rest stays searchable)

    def doc_types_for(self, target: Target | None) -> tuple[str, ...]:
        """The document types a target's digests report: its own `doc_types`, else the digest's."""
        return target.doc_types if target is not None and target.doc_types is not None else self.doc_types

    def target(self, target_id: str) -> Target:
        for target in self.targets:
            if target.id == target_id:
                return target
        known = ", ".join(t.id for t in self.targets) or "none configured under digest: targets"
        raise ConfigError(f"digest: no target with id '{target_id}' (known: {known})")


TOP_KEYS = ("closing_soon_days", "silent_after_days", "backfill_days", "title", "base_url", "doc_types", "targets")
TARGET_KEYS = {
    "file": ("id", "type", "path", "format", "feed_entries", "doc_types"),
    "webhook": ("id", "type", "url", "timeout", "retries", "retry_delay", "headers_env", "doc_types"),
    "email": ("id", "type", "to", "from", "smtp_host", "smtp_port", "starttls", "ssl", "username_env",
              "password_env", "timeout", "subject_prefix", "doc_types"),
}


def parse_digest_config(data: Any, where: str, config_path: Path | None = None) -> DigestConfig:
    """`data` is the value of the top-level `digest:` key ({} or None when absent).

    `where` prefixes every error ("config.yaml: digest"). A relative file-target path is taken
    relative to `config_path`'s folder, like storage.path."""
    if data is None:
        return DigestConfig()
    _mapping(data, where)
    _keys(data, TOP_KEYS, where)
    raw_targets = data.get("targets")
    raw_targets = [] if raw_targets is None else raw_targets
    if not isinstance(raw_targets, list):
        raise ConfigError(f"{where}: targets: expected a list of targets, got {type(raw_targets).__name__}")
    targets: list[Target] = []
    for index, raw in enumerate(raw_targets):
        label = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else index
        target = _target(raw, f"{where}: targets[{label}]", config_path)
        if any(t.id == target.id for t in targets):
            raise ConfigError(f"{where}: targets[{target.id}]: duplicate id '{target.id}'")
        targets.append(target)
    base_url = data.get("base_url")
    return DigestConfig(
        closing_soon_days=_int(data.get("closing_soon_days", 3), f"{where}: closing_soon_days", 0),
        silent_after_days=_int(data.get("silent_after_days", 14), f"{where}: silent_after_days", 1),
        backfill_days=_int(data.get("backfill_days", 7), f"{where}: backfill_days", 0),
        title=_str(data.get("title", DigestConfig.title), f"{where}: title"),
        base_url=_url(base_url, f"{where}: base_url") if base_url is not None else None,
        targets=tuple(targets),
        doc_types=_doc_types(data["doc_types"], f"{where}: doc_types") if "doc_types" in data else DEFAULT_DOC_TYPES,
    )


def _target(data: Any, where: str, config_path: Path | None) -> Target:
    _mapping(data, where)
    kind = data.get("type")
    if kind not in TARGET_TYPES:
        what = f"unknown type {kind!r}" if "type" in data else "missing key 'type'"
        raise ConfigError(f"{where}: {what} (valid: {', '.join(TARGET_TYPES)})")
    _keys(data, TARGET_KEYS[kind], where)
    for key in ("id", *{"file": ("path",), "webhook": ("url",), "email": ("to", "from", "smtp_host")}[kind]):
        if key not in data:
            raise ConfigError(f"{where}: missing key '{key}'")
    target_id = _str(data["id"], f"{where}: id")
    if not TARGET_ID.match(target_id):
        raise ConfigError(f"{where}: id: '{target_id}' must be lowercase letters, digits, '_' or '-'")
    target = _typed_target(kind, data, target_id, where, config_path)
    if "doc_types" in data:
        target = replace(target, doc_types=_doc_types(data["doc_types"], f"{where}: doc_types"))
    return target


def _typed_target(kind: str, data: dict, target_id: str, where: str, config_path: Path | None) -> Target:
    if kind == "file":
        return _file_target(data, target_id, where, config_path)
    if kind == "webhook":
        headers = data.get("headers_env") or {}
        _mapping(headers, f"{where}: headers_env")
        return WebhookTarget(
            id=target_id,
            url=_url(data["url"], f"{where}: url"),
            timeout=_number(data.get("timeout", 10.0), f"{where}: timeout"),
            retries=_int(data.get("retries", 2), f"{where}: retries", 0),
            retry_delay=_number(data.get("retry_delay", 2.0), f"{where}: retry_delay", allow_zero=True),
            headers_env={_str(k, f"{where}: headers_env"): _env(v, f"{where}: headers_env.{k}")
                         for k, v in headers.items()},
        )
    return _email_target(data, target_id, where)


def _file_target(data: dict, target_id: str, where: str, config_path: Path | None) -> FileTarget:
    fmt = data.get("format", "html")
    if fmt not in FILE_FORMATS:
        raise ConfigError(f"{where}: format: unknown format {fmt!r} (valid: {', '.join(FILE_FORMATS)})")
    text = _str(data["path"], f"{where}: path")
    path = Path(text)
    if not path.is_absolute() and config_path is not None:
        path = config_path.parent / path
    return FileTarget(id=target_id, path=path, format=fmt, folder=text.endswith(("/", "\\")) or path.is_dir(),
                      feed_entries=_int(data.get("feed_entries", 100), f"{where}: feed_entries", 1))


def _email_target(data: dict, target_id: str, where: str) -> EmailTarget:
    to = data["to"]
    to = [to] if isinstance(to, str) else to
    if not isinstance(to, list) or not to:
        raise ConfigError(f"{where}: to: expected an address or a list of addresses")
    addresses = tuple(_address(a, f"{where}: to") for a in to)
    ssl = _bool(data.get("ssl", False), f"{where}: ssl")
    starttls = _bool(data.get("starttls", not ssl), f"{where}: starttls")
    if ssl and starttls:
        raise ConfigError(f"{where}: ssl and starttls are exclusive (ssl: implicit TLS, port 465)")
    user_env = data.get("username_env")
    pass_env = data.get("password_env")
    if (user_env is None) != (pass_env is None):
        raise ConfigError(f"{where}: give both username_env and password_env, or neither")
    return EmailTarget(
        id=target_id,
        to=addresses,
        sender=_address(data["from"], f"{where}: from"),
        smtp_host=_str(data["smtp_host"], f"{where}: smtp_host"),
        smtp_port=_int(data.get("smtp_port", 465 if ssl else 587), f"{where}: smtp_port", 1),
        starttls=starttls,
        ssl=ssl,
        username_env=_env(user_env, f"{where}: username_env") if user_env is not None else None,
        password_env=_env(pass_env, f"{where}: password_env") if pass_env is not None else None,
        timeout=_number(data.get("timeout", 30.0), f"{where}: timeout"),
        subject_prefix=str(data.get("subject_prefix", "[noticewatch]")),
    )


# -- value checks: each raises ConfigError naming the place ------------------------------------
def _doc_types(value: Any, where: str) -> tuple[str, ...]:
    """A list of document types (`all`: every one)."""
    if value == "all":
        return DOC_TYPES
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        raise ConfigError(f"{where}: expected a list of document types (valid: {', '.join(DOC_TYPES)}, or all)")
    for item in values:
        if item not in DOC_TYPES:
            raise ConfigError(f"{where}: unknown document type {item!r} (valid: {', '.join(DOC_TYPES)}, or all)")
    return tuple(dict.fromkeys(values))


def _mapping(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping of keys, got {type(value).__name__}")


def _keys(data: dict, valid: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in valid:
            raise ConfigError(f"{where}: unknown key '{key}' (valid: {', '.join(valid)})")


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty string, got {value!r}")
    return value.strip()


def _int(value: Any, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where}: expected a whole number >= {minimum}, got {value!r}")
    return value


def _number(value: Any, where: str, allow_zero: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and (value > 0 or allow_zero and value == 0)
    if not ok:
        raise ConfigError(f"{where}: expected a number {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    return value


def _url(value: Any, where: str) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{where}: {value!r} is not an http(s) URL")
    return value


def _env(value: Any, where: str) -> str:
    if not isinstance(value, str) or not ENV_NAME.match(value):
        raise ConfigError(f"{where}: expected the NAME of an environment variable, got {value!r}")
    return value


def _address(value: Any, where: str) -> str:
    if not isinstance(value, str) or not ADDRESS.match(value.strip()):
        raise ConfigError(f"{where}: {value!r} is not an e-mail address")
    return value.strip()
