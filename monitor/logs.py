"""One logging configuration for the CLI and the daemon (Scrapy's root handler stays off)."""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler

from crawler.links import redact


def configure_logging(verbose: int = 0) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = RichHandler(console=Console(stderr=True), show_path=False, rich_tracebacks=False, markup=False)
    if verbose < 2:
        handler.setFormatter(OneLine())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Scrapy is chatty at INFO; its warnings (retries, robots.txt) still show.
    for name in ("scrapy", "twisted", "filelock"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING) if verbose < 2 else logging.DEBUG)


class OneLine(logging.Formatter):
    """Each record one line, without a traceback (Scrapy logs a callback's exception with its
    traceback, and the crawl reports it as a problem of the run anyway); `-vv` shows all.

    A formatter, not a filter: a filter that edits the record would take the traceback away from
    every other handler too (a log file, pytest's capture)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if "\n" in message:
            message = message.split("\n", 1)[0].rstrip(".") + " (details with -vv)"
        return redact(message)  # Scrapy logs request URLs, credentials and all
