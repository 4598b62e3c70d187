"""`noticewatch sources list` and `sources check`, added to the group by `register(cli)`."""

from __future__ import annotations

import click

from monitor.cli.main import Context, common_options, console, count_type, err_console


def register(cli: click.Group) -> None:
    """Add the `sources` group to `cli` (once)."""
    if "sources" in cli.commands:
        return
    cli.add_command(sources)


@click.group()
def sources() -> None:
    """List configured sources, or dry-run one."""


@sources.command("list")
@common_options
def sources_list(ctx: Context) -> None:
    """List the sources in the config, with what the database knows of them.

    Checks the config first, cron lines' fields included (kinds' own option values are checked
    by `sources check` and the crawl): the command to run after editing config.yaml.

    \b
    Example:
      noticewatch sources list --config config.yaml
    """
    from monitor.cli.display import sources_table
    from monitor.config.loader import check_schedules

    config = ctx.config(full_check=False)
    check_schedules(config)
    path = ctx.db_path()
    store = None
    if path.exists():
        from monitor.store.db import Store

        store = Store(path)
    console().print(sources_table(config, store))


@sources.command("check")
@click.argument("source_id")
@click.option("--max-pages", type=count_type(), default=1, show_default=True)
@common_options
def sources_check(ctx: Context, source_id: str, max_pages: int) -> None:
    """Dry run: crawl one source and show what it yields. Nothing is stored.

    \b
    Example:
      noticewatch sources check gdjct_zgls --max-pages 1
    """
    from monitor.cli.display import crawl_summary, notices_table, print_problems
    from monitor.crawl.run import run_crawl
    from monitor.window import china_today

    config = ctx.config()
    source = config.source(source_id)
    [result] = run_crawl(config, [source], None, max_pages=max_pages, console=err_console())
    found = [item.notice for item in result.scraped]
    console().print(
        notices_table(found, china_today(), title=f"{source_id}: {len(found)} notice(s), not stored",
                      width=console().width)
    )
    console().print(crawl_summary([result]))
    print_problems(console(), [result])
