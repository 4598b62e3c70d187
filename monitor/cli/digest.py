"""`noticewatch digest`, added to the CLI group by `register(cli)` (monitor/cli/main.py imports this module
when `digest` runs, or when every command is listed)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

# monitor.digest.render.FORMATS, which tests/test_startup.py checks this equals: importing monitor.digest.render
# loads the digest builder and the store, ~250 ms on every `noticewatch --help`.
FORMATS = ("terminal", "md", "html", "json", "atom")


def register(cli: click.Group) -> None:
    """Add the `digest` command to `cli` (once)."""
    if "digest" in cli.commands:
        return
    from monitor.cli.main import Context, UserError, common_options, console

    @cli.command()
    @click.option("--since", default=None, help="Events detected since (2024-10-01, 12h, 3d, 2w).")
    @click.option("--undelivered", is_flag=True,
                  help="Events not yet delivered (to --target, or to every target).")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                  help="Output format (default: terminal, or by --output's extension).")
    @click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Write the digest to this file instead of the terminal.")
    @click.option("--send", is_flag=True, help="Deliver to the configured targets and record it.")
    @click.option("--target", "target_ids", multiple=True, help="Only this target (repeatable).")
    @click.option("--now", "now_text", default=None, hidden=True, help="Pretend it is this ISO time (tests).")
    @common_options
    def digest(ctx: Context, since: str | None, undelivered: bool, fmt: str | None, output: Path | None,
               send: bool, target_ids: tuple[str, ...], now_text: str | None) -> None:
        """What happened, for people: notices withdrawn while open for comment, new and changed
        notices, windows closing soon, removals, and sources with problems.

        Without --send it prints (or writes --output) a digest of the last 24 hours, or --since
        WHEN, or --undelivered. With --send it delivers to the targets under `digest: targets:` in
        the config, each in its own format: every target gets the events it has not received yet
        (a failed delivery is retried next time; nothing is sent twice). See docs/digests.md.

        \b
        Examples:
          noticewatch digest
          noticewatch digest --since 3d --format html --output digest.html
          noticewatch digest --undelivered --format md
          noticewatch digest --send
          noticewatch digest --send --target team-mail
        """
        from monitor.digest.render import render
        from monitor.digest.run import events_after, load_configs, make_digest, send_digests, watermark
        from monitor.since import parse_since

        if since is not None and undelivered:
            raise UserError("--since and --undelivered exclude each other: pick one")
        if send and (fmt or output):
            raise UserError("--send delivers each target in its own format: drop --format/--output "
                            "(or preview with `noticewatch digest --undelivered --format …`)")
        if output is not None and fmt is None and _format_for(output) is None:
            raise UserError(f"--output {output}: no digest format for '{output.suffix}' files (use .md, .html, "
                            ".json, .atom/.xml or .txt, or give --format)")
        try:
            now = datetime.fromisoformat(now_text) if now_text else datetime.now(UTC)
            now = now if now.tzinfo else now.replace(tzinfo=UTC)
            since_iso = parse_since(since, now) if since is not None else None
        except ValueError as exc:
            raise UserError(str(exc)) from None
        config, dconf = load_configs(ctx.config_path)
        if ctx.db_arg is None and config is not None:
            ctx.db_arg = config.storage.path
        enabled = ([s.id for s in config.sources if s.enabled] or None) if config else None
        with ctx.store() as store:
            if send:
                outcomes = send_digests(store, dconf, now, target_ids=target_ids, since=since_iso,
                                        source_ids=enabled, env=os.environ)
                for outcome in (o for o in outcomes if o.status != "busy"):  # busy: in the error below
                    style = {"delivered": "green", "failed": "bold red"}.get(outcome.status, "dim")
                    console().print(outcome.line(), style=style, markup=False, highlight=False)
                failed = [o.target for o in outcomes if o.status == "failed"]
                errors = [o.line() for o in outcomes if o.status == "busy"]
                if failed:
                    errors.append(f"delivery failed for {', '.join(failed)}; it is retried on the next "
                                  "`digest --send`")
                if errors:
                    raise UserError("; ".join(errors))
                return
            if undelivered:
                targets = [dconf.target(t) for t in target_ids] if target_ids else list(dconf.targets)
                mark = min((watermark(store, t.id) for t in targets), default=0)
                events = events_after(store, mark)
                scope = "events not yet delivered" + (f" to {', '.join(t.id for t in targets)}" if targets else "")
            else:
                since_iso = since_iso or parse_since("24h", now)
                events = store.events(since=since_iso)
                scope = f"events since {since_iso}"
            result = make_digest(store, events, now, dconf, scope=scope, source_ids=enabled)
        fmt = fmt or _format_for(output) or "terminal"
        if output is not None:
            text = render(result, fmt, base_url=dconf.base_url)
            blocking = next((p for p in output.parents if p.exists() and not p.is_dir()), None)
            if blocking is not None:
                raise UserError(f"{output}: cannot write the digest: {blocking} is a file, not a folder")
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UserError(f"{output}: cannot write the digest: {exc.strerror or exc}") from None
            console().print(f"wrote {output} ({fmt}): {result.headline()}", markup=False, highlight=False)
        elif fmt == "terminal":
            from monitor.digest.render.terminal import digest_renderable

            console().print(digest_renderable(result))
        else:
            click.echo(render(result, fmt, base_url=dconf.base_url), nl=False)


_BY_SUFFIX = {"md": "md", "markdown": "md", "html": "html", "htm": "html", "json": "json", "atom": "atom",
              "xml": "atom", "txt": "terminal"}


def _format_for(output: Path | None) -> str | None:
    """The format an --output file's extension names (None: it names none: `-o x.pdf` must not
    get terminal text under a .pdf name)."""
    if output is None:
        return "terminal"
    return _BY_SUFFIX.get(output.suffix.lower().lstrip("."))
