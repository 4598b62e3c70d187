"""The `noticewatch` command line. Thin: commands call the library and print; errors are one line.

Every command accepts --config PATH and --db PATH (also after the command name).

This module is the group and what every command shares (Context, common options, consoles, error
translation). The commands live in monitor/cli_*.py, one module per command group, each imported
only when one of its commands runs (or when every command is listed, e.g. `noticewatch --help`).
Start-up time is most of what a read-only command costs (`status` reads its database in ~40 ms),
so the rule for this module and the cli_* modules: import at the top only what every command
needs (click); import the library, rich, Scrapy and the rest inside the command that uses it.
tests/test_startup.py fails if `status`, `notices`, `--help` and friends import Scrapy or Twisted.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config.loader import Config
    from monitor.store.db import Store

# Where each command is defined: the module's register(group) adds its commands (once).
COMMAND_MODULES = {
    "crawl": "monitor.cli.crawl",
    "recheck": "monitor.cli.crawl",
    "parse": "monitor.cli.crawl",
    "sources": "monitor.cli.sources",
    "notices": "monitor.cli.notices",
    "events": "monitor.cli.notices",
    "history": "monitor.cli.notices",
    "search": "monitor.cli.notices",
    "digest": "monitor.cli.digest",
    "daemon": "monitor.cli.daemon",
    "status": "monitor.cli.daemon",
    "record": "monitor.cli.record",
    "demo": "monitor.cli.demo",
    "replica": "monitor.cli.demo",
    "discover": "monitor.cli.discover",
    "serve": "monitor.cli.serve",
    "worker": "monitor.cli.cluster",
}

# Errors printed as one line `Error: …` (exit code 1), as (module, class): a module that was never
# imported cannot have raised one, so checking them imports nothing.
USER_ERRORS = (
    ("monitor.config.errors", "ConfigError"),
    ("monitor.store.records", "StoreError"),
    ("monitor.crawl.fetch", "FetchError"),
    ("crawler.parser", "ParseError"),
    ("monitor.cli.demo_run", "DemoError"),
)


@functools.cache
def console() -> Console:
    """Standard output for tables and text (made on first use: `--json` never imports rich)."""
    from rich.console import Console

    return Console()


@functools.cache
def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


class UserError(click.ClickException):
    """Printed as one line `Error: …`, exit code 1."""


class OneLineUsageError(click.UsageError):
    """A usage error (exit code 2) as one line: `Error: No such option '--x'. (see `noticewatch
    events --help`)` — not click's usage block."""

    def show(self, file: Any = None) -> None:
        command = self.ctx.command_path if self.ctx is not None else "noticewatch"
        message = " ".join(self.format_message().split())
        click.echo(f"Error: {message} (see `{command} --help`)", file=file or sys.stderr)


# The largest whole number SQLite stores: ids, limits and counts beyond it are refused by the
# option, not by an OverflowError deep in a query.
MAX_INT = 2**63 - 1


class _Count(click.IntRange):
    """A whole number written in ASCII digits (Python's int() also reads "٣" and "３" as 3)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip().lstrip("+-").isascii():
            self.fail(f"{value!r} is not a whole number in ASCII digits", param, ctx)
        return super().convert(value, param, ctx)


def count_type(minimum: int = 1) -> click.IntRange:
    """An option's whole number from `minimum` up to MAX_INT."""
    return _Count(min=minimum, max=MAX_INT)


def user_errors() -> tuple[type[Exception], ...]:
    return tuple(
        getattr(sys.modules[module], name) for module, name in USER_ERRORS if module in sys.modules
    )


class LazyCommands(dict):
    """The group's {name: command}, filled from COMMAND_MODULES as commands are asked for.

    click looks a command up with `get`; looking up one imports only its module. Listing them
    (iteration, `items()`, `len()`: help, error hints, tests) imports every module first.
    """

    def __init__(self, modules: dict[str, str]):
        super().__init__()
        self.modules = dict(modules)
        self.group: click.Group | None = None

    def load(self, name: str) -> None:
        module = self.modules.get(name)
        if module is None or self.group is None:
            return
        # Forget the module's names before register() runs: it checks `name in group.commands`.
        for other in [n for n, m in self.modules.items() if m == module]:
            del self.modules[other]
        # The import statement's machinery, not importlib.import_module: `-X importtime` lists it.
        __import__(module, fromlist=["register"]).register(self.group)

    def load_all(self) -> None:
        while self.modules:
            self.load(next(iter(self.modules)))

    def get(self, name: Any, default: Any = None) -> Any:
        self.load(name)
        return super().get(name, default)

    def __getitem__(self, name: Any) -> Any:
        self.load(name)
        return super().__getitem__(name)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.load(name)
        return super().__contains__(name)

    def __iter__(self) -> Any:
        self.load_all()
        return super().__iter__()

    def __len__(self) -> int:
        self.load_all()
        return super().__len__()

    def keys(self) -> Any:
        self.load_all()
        return super().keys()

    def values(self) -> Any:
        self.load_all()
        return super().values()

    def items(self) -> Any:
        self.load_all()
        return super().items()


class NoticewatchGroup(click.Group):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        lazy = LazyCommands(COMMAND_MODULES)
        lazy.update(self.commands)
        lazy.group = self
        self.commands = lazy

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:  # the group's own options (`noticewatch --bogus`)
            if isinstance(exc, OneLineUsageError):
                raise
            raise OneLineUsageError(exc.format_message(), exc.ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        from monitor.shutdown import SHUTDOWN, Interrupted

        try:
            result = super().invoke(ctx)
        except click.UsageError as exc:
            if isinstance(exc, OneLineUsageError):
                raise
            raise OneLineUsageError(exc.format_message(), exc.ctx) from None
        except Exception as exc:
            if isinstance(exc, Interrupted):
                raise
            if SHUTDOWN.requested and not isinstance(exc, click.exceptions.Exit):
                SHUTDOWN.check()  # whatever the work raised as it was stopped: the stop is the news
            if isinstance(exc, user_errors()):
                raise UserError(str(exc)) from None
            raise
        SHUTDOWN.check()  # a command that stopped early on SIGINT/SIGTERM exits 130/143
        return result


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config/--db/-v on every command, so `noticewatch crawl --config X --db Y` works."""

    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        envvar="NOTICEWATCH_CONFIG",
        help="Config file (default: ./config.yaml).",
    )
    @click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        envvar="NOTICEWATCH_DB",
        help="SQLite database (default: storage.path in the config).",
    )
    @click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
    @functools.wraps(func)
    def wrapper(
        *args: Any, config_path: Path | None, db_path: Path | None, verbose: int, **kwargs: Any
    ) -> Any:
        configure_logging(verbose)
        ctx = Context(config_path, db_path)
        return func(ctx, *args, **kwargs)

    return wrapper


def configure_logging(verbose: int) -> None:
    """monitor.logs.configure_logging; without -v its rich handler is made on the first record,
    so a command that logs nothing does not import rich."""
    if verbose > 0:
        from monitor.logs import configure_logging as configure

        configure(verbose)
        return
    # What monitor.logs.configure_logging(0) sets, its handler standing in.
    root = logging.getLogger()
    root.handlers[:] = [_LogsHandler()]
    root.setLevel(logging.WARNING)
    for name in ("scrapy", "twisted", "filelock"):
        logging.getLogger(name).setLevel(logging.WARNING)


class _LogsHandler(logging.Handler):
    """Passes records to the handler monitor.logs.configure_logging(0) installs, made on the first
    record. It stays in the root logger's list; whatever else is there (a test's caplog) stays too."""

    def __init__(self) -> None:
        super().__init__()
        self.handlers: list[logging.Handler] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.handlers is None:
            self.handlers = _handlers_of_logs()
        for handler in self.handlers:
            if record.levelno >= handler.level:
                handler.handle(record)


def _handlers_of_logs() -> list[logging.Handler]:
    """The handlers monitor.logs.configure_logging(0) installs, made without changing the root
    logger's handlers or any logger's level as they are now."""
    from monitor.logs import configure_logging as configure

    root = logging.getLogger()
    loggers = [root, *(v for v in root.manager.loggerDict.values() if isinstance(v, logging.Logger))]
    levels = [(logger, logger.level) for logger in loggers]
    handlers = root.handlers[:]
    configure(0)
    made = [h for h in root.handlers if h not in handlers]
    root.handlers[:] = handlers
    for logger, level in levels:
        logger.setLevel(level)
    return made


class Context:
    """Resolves the config and the DB path the same way for every command.

    Commands that only read the database load the config without checking kinds' own option
    values (that needs the kinds' spiders, i.e. Scrapy) or cron lines' fields (APScheduler):
    `config(full_check=False)`.
    """

    def __init__(self, config_path: Path | None, db_path: Path | None):
        self.config_path = config_path
        self.db_arg = db_path
        self._config: Config | None = None
        self._checked = False

    def config(self, full_check: bool = True) -> Config:
        if self._config is None or (full_check and not self._checked):
            from monitor.config.loader import DEFAULT_CONFIG, load_config

            path = self.config_path or DEFAULT_CONFIG
            self._config = load_config(path, full_check=full_check)
            self._checked = full_check
        return self._config

    def config_if_present(self, full_check: bool = True) -> Config | None:
        from monitor.config.loader import DEFAULT_CONFIG

        if self.config_path is None and not DEFAULT_CONFIG.exists():
            return None
        return self.config(full_check)

    def db_path(self) -> Path:
        if self.db_arg is not None:
            return self.db_arg
        from monitor.config.loader import DEFAULT_DB

        config = self.config_if_present(full_check=False)
        return config.storage.path if config else DEFAULT_DB

    def check_source(self, store: Store, source_id: str | None) -> None:
        """A `--source` that neither the database nor the config knows is a typo, not "nothing"."""
        if source_id is None:
            return
        stored = {r["id"] for r in store.rows("select id from sources")}
        config = self.config_if_present(full_check=False)
        configured = {s.id for s in config.sources} if config else set()
        if source_id not in stored | configured:
            known = ", ".join(sorted(stored | configured)[:10]) or "none"
            raise UserError(f"--source {source_id[:64]!r}: no such source in {self.db_path()} or the config "
                            f"(known: {known})")

    def store(self, must_exist: bool = True, removal_after: int = 3) -> Store:
        from monitor.store.db import Store

        path = self.db_path()
        if must_exist and not path.exists():
            raise UserError(f"{path}: no database yet (run `noticewatch crawl` first, or pass --db PATH)")
        return Store(path, removal_after=removal_after)


@click.group(cls=NoticewatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="noticewatch")
def cli() -> None:
    """noticewatch: find inspection-rectification notices (巡视/巡察整改进展情况的通报) on government
    portals, store them with their fields and disclosure windows, and report what changed.

    \b
    Quick start (offline, on the bundled replica portal):
      noticewatch demo
    Real portals (needs internet; edit config.yaml first):
      noticewatch crawl
      noticewatch notices list
    """


def main() -> None:
    from monitor.shutdown import SHUTDOWN, Interrupted, exit_interrupted

    try:
        with SHUTDOWN.installed():  # SIGINT/SIGTERM: one line, exit 130/143 (monitor/shutdown.py)
            cli.main(prog_name="noticewatch", standalone_mode=True)
    except Interrupted as exc:
        exit_interrupted(exc, f"Interrupted: {exc}")
    except KeyboardInterrupt:
        exit_interrupted(Interrupted(2), "Interrupted: SIGINT")
