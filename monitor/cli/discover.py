"""`noticewatch discover URL`: find a portal's columns that carry inspection notices and propose
config entries (crawler/discovery/), optionally appending them to the config."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from monitor.cli.main import Context, UserError, common_options


def register(cli: click.Group) -> None:
    """Add the `discover` command to `cli` (once)."""
    if "discover" in cli.commands:
        return
    cli.add_command(discover)


@click.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--add", "add", is_flag=True, help="Append the proposed entries to the config (validated).")
@click.option(
    "--pick", "picks", multiple=True, metavar="ID", help="With --add: only these proposals (repeatable)."
)
@click.option(
    "--max-requests",
    type=click.IntRange(min=1, max=500),
    default=30,
    show_default=True,
    help="Requests to spend (robots.txt aside).",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds between requests (default: the config's).",
)
@common_options
def discover(
    ctx: Context,
    url: str,
    as_json: bool,
    add: bool,
    picks: tuple[str, ...],
    max_requests: int,
    delay: float | None,
) -> None:
    """Find the columns of a portal that carry inspection notices, and propose config entries.

    From URL (a home page, or any page) follow the site's navigation for at most --max-requests
    requests, politely (robots.txt, one request at a time, the configured delay), recognise each
    column's CMS family, score it by how many of its list titles look like rectification notices
    or inspection announcements, and print ready-to-paste config entries, best first, each saying
    why. A generic column (通知公告) gets `keywords`, so only its matching entries are fetched.

    \b
    Examples:
      noticewatch discover https://www.example.gov.cn/
      noticewatch discover https://www.example.gov.cn/ --json
      noticewatch discover https://www.example.gov.cn/ --add --pick example_xczg
    """
    from urllib.parse import urlsplit

    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise UserError(f"discover: {url!r} is not an http(s) URL")
    result = run_discovery(ctx, url, max_requests, delay)
    proposals = list(result.proposals)
    if add:
        proposals = add_proposals(ctx, result, picks)
    elif picks:
        raise UserError("discover: --pick goes with --add")
    if as_json:
        click.echo(
            json.dumps(
                {**result.to_dict(), "added": [p.source["id"] for p in proposals] if add else []},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    print_discovery(result, added=proposals if add else None, config=str(config_path(ctx)))


def config_path(ctx: Context) -> Any:
    from monitor.config.loader import DEFAULT_CONFIG

    return ctx.config_path or DEFAULT_CONFIG


def run_discovery(ctx: Context, url: str, max_requests: int, delay: float | None) -> Any:
    from dataclasses import replace

    from crawler.discovery import DiscoveryError
    from crawler.discovery import discover as crawl_discovery
    from monitor.config.loader import Defaults
    from monitor.crawl.runner import crawl_settings, run_reactor

    # The config's politeness (delay, retries, user agent) when there is one; --add may make it.
    defaults = ctx.config().defaults if config_path(ctx).exists() else Defaults()
    if delay is not None:
        defaults = replace(defaults, download_delay=delay)
    settings = crawl_settings(defaults, None)
    try:
        return run_reactor(lambda: crawl_discovery(url, settings, max_requests=max_requests))
    except DiscoveryError as exc:
        raise UserError(f"discover: {exc}") from None


def add_proposals(ctx: Context, result: Any, picks: tuple[str, ...]) -> list[Any]:
    """Append the chosen proposals to the config (ids made free); the ones added."""
    from crawler.discovery.proposal import render_entry, with_ids_free
    from monitor.config.additions import append_sources, insertion_point, source_ids

    path = config_path(ctx)
    known = {p.source["id"] for p in result.proposals}
    unknown = [p for p in picks if p not in known]
    if unknown:
        raise UserError(
            f"discover: no proposal {', '.join(unknown)} (proposals: {', '.join(sorted(known)) or 'none'})"
        )
    chosen = [p for p in result.proposals if not picks or p.source["id"] in picks]
    if not chosen:
        raise UserError(
            f"discover: nothing to add: no column of {result.start_url} looked like it carries notices"
        )
    chosen = with_ids_free(chosen, source_ids(path))
    _, indent, _ = insertion_point(path.read_text(encoding="utf-8") if path.exists() else "")
    day = datetime.now(UTC).date().isoformat()
    text = "\n".join(render_entry(p, result.start_url, day, indent) for p in chosen)
    append_sources(path, text)
    return chosen


def print_discovery(result: Any, added: list[Any] | None, config: str) -> None:
    from crawler.discovery.proposal import render_entry

    families = ", ".join(result.families) or "none recognised"
    click.echo(f"{result.start_url}: {result.requests} request(s); CMS families: {families}")
    if not result.proposals:
        click.echo("No column looked like it carries inspection notices.")
    for rank, p in enumerate(result.proposals, 1):
        role = "dedicated" if p.dedicated else "generic, with keywords"
        click.echo(
            f"\n{rank}. {p.source['id']} ({p.source['kind']}, {role}): "
            f"{p.relevant} of {p.total} list titles look like inspection notices"
        )
        click.echo(f"   why: {p.why}")
        for title in p.examples[:2]:
            click.echo(f"   e.g. {title}")
    if result.passed_over:
        click.echo("\nPassed over:")
        for url, why in result.passed_over:
            click.echo(f"  {url}: {why}")
    if added is not None:
        click.echo(f"\nAdded to {config}: {', '.join(p.source['id'] for p in added)}")
    elif result.proposals:
        day = datetime.now(UTC).date().isoformat()
        click.echo("\nConfig entries (paste under sources:, or run again with --add):\n")
        click.echo("\n".join(render_entry(p, result.start_url, day) for p in result.proposals))
