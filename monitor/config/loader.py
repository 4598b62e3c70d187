"""config.yaml: read once, validated by one loader, turned into frozen dataclasses.

Every error names the file, the source and the key, and lists what is valid, e.g.
`config.yaml: sources[gdjct_zgls]: unknown key 'start_ur' (valid: id, kind, name, …)`.

Every command loads the config, so loading it stays light: kind names and keys come from the
registry in crawler/kinds/__init__.py, and a kind's spider (Scrapy, the parser) is imported only to
check the values of the kind's own options when a source sets some. Read-only commands, which never
use those options, pass `full_check=False` and skip that import too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.kinds import REGISTRY, Kind
from crawler.source import SourceSpec
from monitor.config.digest import parse_digest_config
from monitor.config.errors import ConfigError

DEFAULT_CONFIG = Path("config.yaml")
DEFAULT_DB = Path("noticewatch.db")
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
MAX_ID = 64  # ids name lock files and appear in every table; 64 is plenty
# A config expanding to more values than this is an alias bomb (a few hundred bytes of YAML anchors
# make billions of references), refused before anything formats it.
MAX_VALUES = 100_000


@dataclass(frozen=True)
class Defaults:
    schedule: str = "0 */6 * * *"  # cron line or "every 6h" (monitor.schedule), used by the daemon
    max_pages: int = 20
    download_delay: float = 8.0  # seconds between requests to one domain (loopback excepted)
    retries: int = 2
    timeout: float = 30.0
    user_agent: str | None = None  # None: crawler.settings.USER_AGENT
    removal_after_failures: int = 3
    # The daemon (monitor/daemon/lifecycle.py); schedules as in monitor.schedule, durations in seconds or "6h".
    recheck_schedule: str | None = "every 1d"  # None or "off": the daemon does not re-check
    digest_schedule: str | None = None
    jitter: float = 60.0  # capped at a tenth of each schedule's period
    backoff_max: float = 86400.0  # ceiling of the wait after repeated failures
    block_pause: float = 21600.0  # how long a domain that served a challenge/ban page is left alone
    misfire_grace: float = 3600.0  # a run late by more than this waits for the next one
    stop_timeout: float = 30.0  # how long SIGTERM waits for running crawls to close
    full_sweep: float = 604800.0  # the daemon re-fetches everything when the last full crawl is older
    timezone: str = "UTC"  # IANA name; cron lines are read in it
    pause_after_failures: int = 3  # consecutive errors before a crawl stops asking that domain
    max_concurrent_sources: int = 32  # sources crawled at once (crawl and daemon); the rest queue
    # The daemon moves each source's runs by a stable offset (monitor.schedule Schedule.spread):
    # true: an interval over its whole period, a cron line within an hour; a duration caps the
    # offset; false: runs exactly on the schedule.
    spread_schedule: bool | float = True


@dataclass(frozen=True)
class Storage:
    path: Path = DEFAULT_DB


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    kind: str
    start_urls: tuple[str, ...]
    max_pages: int
    schedule: str
    enabled: bool = True
    encoding: str | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    download_delay: float | None = None  # politeness overrides (None: defaults)
    retries: int | None = None
    pause_after_failures: int | None = None
    options: dict[str, Any] = field(default_factory=dict)  # the kind's own keys, checked by the kind
    spread_schedule: bool | float = True  # as Defaults.spread_schedule (the default's value unless set)
    # False: loaded with full_check=False, `options` as written in the file (not for crawling).
    options_checked: bool = field(default=True, compare=False, repr=False)

    def spec(self) -> SourceSpec:
        if not self.options_checked:
            raise RuntimeError(f"source {self.id}: its kind options were not checked (load_config with "
                               "full_check=True to crawl it)")
        return SourceSpec(
            id=self.id,
            kind=self.kind,
            start_urls=self.start_urls,
            name=self.name,
            max_pages=self.max_pages,
            encoding=self.encoding,
            selectors=dict(self.selectors),
            download_delay=self.download_delay,
            retries=self.retries,
            pause_after_failures=self.pause_after_failures,
            options=dict(self.options),
        )


@dataclass(frozen=True)
class Config:
    path: Path | None
    defaults: Defaults
    storage: Storage
    sources: tuple[Source, ...]
    digest: Any = None  # monitor.config.digest.DigestConfig (digest section: targets, days)
    cluster: Any = None  # monitor.config.cluster.ClusterConfig (cluster section: redis URL, timings)

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources) or "none"
        raise ConfigError(f"{self.path}: no source with id '{source_id}' (known: {known})")


TOP_KEYS = ("defaults", "storage", "sources", "digest", "cluster")
DEFAULT_KEYS = tuple(Defaults.__dataclass_fields__)
STORAGE_KEYS = ("path",)
COMMON_SOURCE_KEYS = (
    "id",
    "name",
    "kind",
    "start_urls",
    "schedule",
    "enabled",
    "download_delay",
    "retries",
    "pause_after_failures",
    "spread_schedule",
)


def load_config(path: str | Path, *, full_check: bool = True) -> Config:
    """Read and validate a config file; raise ConfigError with a one-line message.

    full_check=False, for commands that only read the database: every check but two that cost
    start-up time — the values of kinds' own options (their spiders check those: importing one
    costs ~400 ms) and the fields of cron lines (APScheduler: ~70 ms; a line must still have five
    fields). Commands that crawl or schedule load with full_check=True."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (pass --config PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    try:
        data = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: {where}invalid YAML: {problem}") from None
    _check_expansion(data, path)
    return parse_config(data if data is not None else {}, path, full_check=full_check)


def check_schedules(config: Config) -> None:
    """The fields of every cron line in a config loaded with full_check=False (APScheduler, not
    Scrapy): `sources list`, the validation command, refuses what the daemon would."""
    where = str(config.path or "config")
    d = config.defaults
    _schedule(d.schedule, f"{where}: defaults: schedule")
    for key in ("recheck_schedule", "digest_schedule"):
        _optional_schedule(getattr(d, key), f"{where}: defaults: {key}")
    for source in config.sources:
        _schedule(source.schedule, f"{where}: sources[{source.id}]: schedule")


def _check_expansion(data: Any, path: Path) -> None:
    """ConfigError when `data`, aliases expanded, holds more than MAX_VALUES values. Counted
    without expanding: each shared list or mapping once, with what it expands to memoised."""
    sizes: dict[int, int] = {}

    def size(value: Any) -> int:
        if not isinstance(value, list | dict):
            return 1
        key = id(value)
        if key not in sizes:
            sizes[key] = MAX_VALUES + 1  # a reference cycle (a self-alias) counts as too many
            items = value.values() if isinstance(value, dict) else value
            total = 1
            for item in items:
                total += size(item)
                if total > MAX_VALUES:
                    break
            sizes[key] = total
        return sizes[key]

    if size(data) > MAX_VALUES:
        raise ConfigError(f"{path}: the config expands to more than {MAX_VALUES} values (YAML aliases "
                          "repeated inside each other?); write the values out")


def _shown(value: Any) -> str:
    """A value as an error message quotes it: repr, cut to 60 characters."""
    import reprlib

    shown = reprlib.Repr()
    shown.maxstring, shown.maxother, shown.maxlist, shown.maxdict, shown.maxlevel = 60, 60, 4, 4, 2
    return shown.repr(value)


def _load_yaml(text: str) -> Any:
    """yaml.safe_load, with libyaml's parser when PyYAML has it (several times faster). A file it
    refuses is read again by the pure-Python parser, whose error messages ours quote."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def parse_config(data: Any, path: Path | None = None, *, full_check: bool = True) -> Config:
    where = str(path or "config")
    _require_mapping(data, where)
    _check_keys(data, TOP_KEYS, where)
    defaults = _parse_defaults(data.get("defaults") or {}, f"{where}: defaults", full_check)
    storage = _parse_storage(data.get("storage") or {}, f"{where}: storage", path)
    raw_sources = data.get("sources") or []
    if not isinstance(raw_sources, list):
        raise ConfigError(f"{where}: sources: expected a list of sources, got {type(raw_sources).__name__}")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_sources):
        label = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else index
        label = label if not isinstance(label, str) or len(label) <= MAX_ID else f"{label[:20]}…"
        source = _parse_source(raw, defaults, f"{where}: sources[{label}]", full_check)
        if source.id in seen:
            raise ConfigError(f"{where}: sources[{source.id}]: duplicate id '{source.id}'")
        seen.add(source.id)
        sources.append(source)

    digest = parse_digest_config(data.get("digest"), f"{where}: digest", path)
    from monitor.config.cluster import parse_cluster_config

    cluster = parse_cluster_config(data.get("cluster"), f"{where}: cluster")
    return Config(path=path, defaults=defaults, storage=storage, sources=tuple(sources), digest=digest,
                  cluster=cluster)


def _parse_defaults(data: Any, where: str, full_check: bool = True) -> Defaults:
    _require_mapping(data, where)
    _check_keys(data, DEFAULT_KEYS, where)
    values: dict[str, Any] = {}
    for key, value in data.items():
        expected = type(getattr(Defaults(), key))
        if key == "user_agent":
            values[key] = _string(value, f"{where}: user_agent")
        elif key == "schedule":
            values[key] = _schedule(value, f"{where}: schedule", full_check)
        elif key in ("recheck_schedule", "digest_schedule"):
            values[key] = _optional_schedule(value, f"{where}: {key}", full_check)
        elif key in ("jitter", "backoff_max", "block_pause", "misfire_grace", "stop_timeout", "full_sweep"):
            values[key] = _duration(value, f"{where}: {key}")
        elif key == "timezone":
            values[key] = _timezone(value, f"{where}: timezone")
        elif key in ("retries", "pause_after_failures"):
            values[key] = _whole_number(value, f"{where}: {key}", minimum=0)
        elif key == "max_concurrent_sources":
            values[key] = _concurrency(value, f"{where}: {key}")
        elif key == "spread_schedule":
            values[key] = _spread(value, f"{where}: {key}")
        elif expected is int:
            values[key] = _positive_int(value, f"{where}: {key}")
        else:
            values[key] = _non_negative_number(value, f"{where}: {key}")
    return Defaults(**values)


def _parse_storage(data: Any, where: str, config_path: Path | None) -> Storage:
    _require_mapping(data, where)
    _check_keys(data, STORAGE_KEYS, where)
    if "path" not in data:
        return Storage()
    raw = Path(_string(data["path"], f"{where}: path"))
    # A relative DB path is relative to the config file, so `--config other/config.yaml` works anywhere.
    if not raw.is_absolute() and config_path is not None:
        raw = config_path.parent / raw
    return Storage(path=raw)


def _parse_source(data: Any, defaults: Defaults, where: str, full_check: bool = True) -> Source:
    _require_mapping(data, where)
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind:
        raise ConfigError(f"{where}: missing key 'kind' (known kinds: {', '.join(sorted(REGISTRY))})")
    if kind not in REGISTRY:
        raise ConfigError(f"{where}: kind: unknown kind '{kind}' (known kinds: {', '.join(sorted(REGISTRY))})")
    registered = REGISTRY[kind]
    _check_keys(data, COMMON_SOURCE_KEYS + registered.option_keys, where)
    for key in ("id", "kind", "start_urls"):
        if key not in data:
            raise ConfigError(f"{where}: missing key '{key}'")
    source_id = _string(data["id"], f"{where}: id")
    if len(source_id) > MAX_ID:
        raise ConfigError(f"{where}: id: '{source_id[:20]}…' is {len(source_id)} characters long (at most {MAX_ID})")
    if not SOURCE_ID.match(source_id):
        raise ConfigError(f"{where}: id: {_shown(source_id)} must be lowercase letters, digits, '_' or '-'")
    selectors = data.get("selectors") or {}
    _require_mapping(selectors, f"{where}: selectors")
    _check_keys(selectors, registered.selector_keys, f"{where}: selectors")
    options = {key: data[key] for key in registered.kind_option_keys() if key in data}
    if full_check:
        options = _check_options(registered, options, where)
    encoding = data.get("encoding")
    if encoding is not None:
        encoding = _encoding(encoding, f"{where}: encoding")
    return Source(
        id=source_id,
        name=_string(data.get("name", source_id), f"{where}: name"),
        kind=kind,
        start_urls=_urls(data["start_urls"], f"{where}: start_urls"),
        max_pages=_positive_int(data.get("max_pages", defaults.max_pages), f"{where}: max_pages"),
        schedule=_schedule(data.get("schedule", defaults.schedule), f"{where}: schedule", full_check),
        enabled=_bool(data.get("enabled", True), f"{where}: enabled"),
        spread_schedule=_spread(data.get("spread_schedule", defaults.spread_schedule), f"{where}: spread_schedule"),
        encoding=encoding,
        selectors={k: _string(v, f"{where}: selectors.{k}") for k, v in selectors.items()},
        download_delay=_optional(data, "download_delay", _non_negative_number, where),
        retries=_optional(data, "retries", lambda v, w: _whole_number(v, w, minimum=0), where),
        options=options,
        options_checked=full_check or not options,
        pause_after_failures=_optional(
            data, "pause_after_failures", lambda v, w: _whole_number(v, w, minimum=0), where
        ),
    )


def _check_options(kind: Kind, options: dict[str, Any], where: str) -> dict[str, Any]:
    if not options:
        return {}  # what every kind's check makes of {} (tests/test_startup.py), without its spider
    from crawler.kinds.base import OptionError  # the spider's module is imported to check anyway

    try:
        return kind.check_options(options)
    except OptionError as exc:
        raise ConfigError(f"{where}: {exc.key}: {exc}") from None


def _optional(data: dict, key: str, check: Any, where: str) -> Any:
    return check(data[key], f"{where}: {key}") if key in data else None


# -- value checks: each raises ConfigError naming the place -------------------------------------
def _require_mapping(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping of keys, got {type(value).__name__}")


def _check_keys(data: dict, valid: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in valid:
            raise ConfigError(f"{where}: unknown key '{key}' (valid: {', '.join(valid)})")


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty string, got {_shown(value)}")
    return value.strip()


def _positive_int(value: Any, where: str) -> int:
    return _whole_number(value, where, minimum=1)


def _whole_number(value: Any, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where}: expected a whole number >= {minimum}, got {_shown(value)}")
    return value


MAX_CONCURRENT_SOURCES = 1000  # each source in flight holds a Scrapy crawler (~1-2 MB) and sockets


def _concurrency(value: Any, where: str) -> int:
    count = _whole_number(value, where, minimum=1)
    if count > MAX_CONCURRENT_SOURCES:
        raise ConfigError(
            f"{where}: {count} sources at once is more than this process can hold "
            f"(at most {MAX_CONCURRENT_SOURCES}); lower defaults.max_concurrent_sources"
        )
    return count


def _non_negative_number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where}: expected a number >= 0, got {_shown(value)}")
    return float(value)


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {_shown(value)}")
    return value


def _spread(value: Any, where: str) -> bool | float:
    """true, false, or the longest offset as a duration ("30m", seconds); 0 means false."""
    if isinstance(value, bool):
        return value
    try:
        from monitor.schedule import parse_duration

        seconds = parse_duration(value)
    except ValueError:
        raise ConfigError(f'{where}: expected true, false or a duration like "30m", got {_shown(value)}') from None
    return seconds if seconds > 0 else False


def _urls(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: expected a list of http(s) URLs")
    for url in value:
        try:
            parts = urlsplit(url) if isinstance(url, str) else None
            _ = parts.port if parts is not None else None  # a port out of range raises here
        except ValueError as exc:  # "http://[::1/…": an unclosed IPv6 bracket
            raise ConfigError(f"{where}: {_shown(url)} is not a valid URL ({exc})") from None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{where}: {_shown(url)} is not an http(s) URL")
    return tuple(value)


def _schedule(value: Any, where: str, check_cron: bool = True) -> str:
    from monitor.schedule import parse_schedule  # a cron line or "every 6h"

    text = _string(value, where)
    try:
        return parse_schedule(text, check_cron).text
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _optional_schedule(value: Any, where: str, check_cron: bool = True) -> str | None:
    from monitor.schedule import parse_optional_schedule

    try:
        schedule = parse_optional_schedule(value, check_cron)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return schedule.text if schedule else None


def _duration(value: Any, where: str) -> float:
    from monitor.schedule import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _timezone(value: Any, where: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = _string(value, where)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: unknown timezone '{text}' (an IANA name like Asia/Shanghai, or UTC)"
        ) from None
    return text


def _encoding(value: Any, where: str) -> str:
    import codecs

    text = _string(value, where)
    try:
        info = codecs.lookup(text)
    except LookupError:
        raise ConfigError(f"{where}: unknown encoding {_shown(text)}") from None
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib: not bytes → text
        raise ConfigError(f"{where}: '{text}' is not a text encoding (e.g. utf-8, gb18030, big5)")
    # gb2312/gbk pages routinely contain characters outside those sets (docs/internals.md, "Library facts").
    return "gb18030" if text.lower().replace("-", "") in ("gb2312", "gbk") else text
