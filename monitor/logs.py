"""One logging configuration for the CLI and the daemon (Scrapy's root handler stays off)."""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler


def configure_logging(verbose: int = 0) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = RichHandler(console=Console(stderr=True), show_path=False, rich_tracebacks=False, markup=False)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Scrapy is chatty at INFO; its warnings (retries, robots.txt) still show.
    for name in ("scrapy", "twisted", "filelock"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING) if verbose < 2 else logging.DEBUG)
