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
        handler.addFilter(one_line)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Scrapy is chatty at INFO; its warnings (retries, robots.txt) still show.
    for name in ("scrapy", "twisted", "filelock"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING) if verbose < 2 else logging.DEBUG)


def one_line(record: logging.LogRecord) -> bool:
    """Log filter: each record one line, without a traceback (Scrapy logs a callback's exception
    with its traceback, and the crawl reports it as a problem of the run anyway); `-vv` shows all."""
    if record.exc_info or record.exc_text:
        record.exc_info, record.exc_text = None, None
    message = record.getMessage()
    if "\n" in message:
        message = message.split("\n", 1)[0].rstrip(".") + " (details with -vv)"
    record.msg, record.args = redact(message), None  # Scrapy logs request URLs, credentials and all
    return True
