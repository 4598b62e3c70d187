"""The demo's headline: recent notices whose comment windows are set relative to a given day, and the
changes a portal makes between two crawls (a window extended, a notice withdrawn while open, a new
notice).

The replica never reads a clock for this: the caller says which day it is (the demo passes the date
in China). With `today` = T, `add_recent` puts on the demo columns (replica.sites.build_demo_sites):

  gdjct_zgls   EXTENDED   published T-15, window to T+6    (the portal later extends it to T+20)
               CLOSING    published T-26, window to T+2    (closing within three days)
               WITHDRAWN  published T-8,  window to T+21   (the portal later withdraws it: still open)
               OPEN       published T-4,  window to T+25
  zhuhai_xsxc  CLOSED     published T-45, window to T-16
               OPEN_TOO   published T-10, window to T+19

and `apply_changes` stages the three edits with replica.mutations (so each notice's ground truth follows
its text), adding NEW (published T, window to T+29) to zhuhai_xsxc. Every other demo notice dates
from 2023–2025: closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from replica import mutations
from replica.generator import generate_notices
from replica.model import ReplicaNotice, Site
from replica.validators import cms_time


@dataclass(frozen=True)
class Recent:
    """One recent notice: where it goes, its post id, and its window relative to today (days)."""

    name: str
    site_id: str
    post_id: int
    published: int  # days from today (negative: in the past)
    window_end: int


RECENT = (
    Recent("EXTENDED", "gdjct_zgls", 5_600_011, -15, 6),
    Recent("CLOSING", "gdjct_zgls", 5_600_023, -26, 2),
    Recent("WITHDRAWN", "gdjct_zgls", 5_600_037, -8, 21),
    Recent("OPEN", "gdjct_zgls", 5_600_041, -4, 25),
    Recent("CLOSED", "zhuhai_xsxc", 5_700_013, -45, -16),
    Recent("OPEN_TOO", "zhuhai_xsxc", 5_700_029, -10, 19),
)
NEW = Recent("NEW", "zhuhai_xsxc", 5_700_047, 0, 29)
EXTENDED_TO = 20  # days from today
SEEDS_TRIED = 200  # generator seeds tried, from the post id on, until one states a window


@dataclass(frozen=True)
class Change:
    """One change `apply_changes` made, for the demo to print."""

    site_id: str
    post_id: int
    what: str  # "window extended to 2026-12-22", "withdrawn (window open until …)", "published"


def recent_notice(plan: Recent, today: dt.date, source_name: str) -> ReplicaNotice:
    """A generated notice published on today + plan.published whose window ends on today + plan.window_end."""
    day = today + dt.timedelta(days=plan.published)
    for seed in range(plan.post_id, plan.post_id + SEEDS_TRIED):
        [candidate] = generate_notices(1, seed=seed, start_id=plan.post_id, source_name=source_name,
                                       published_between=(day, day))
        if candidate.expected.get("disclosure_end"):
            break
    else:  # pragma: no cover - the generator states a window four times in five
        raise RuntimeError(f"recent_notice {plan.name}: no generated notice with a window in {SEEDS_TRIED} seeds")
    scratch = Site(id="scratch", column="/scratch/", theme="wendang", per_page=1, site_name="", column_name="",
                   notices=[candidate])
    end = today + dt.timedelta(days=plan.window_end)
    return mutations.edit_field(scratch, plan.post_id, "disclosure_end", end, at=candidate.published)


def add_recent(sites: list[Site], today: dt.date) -> None:
    """Put the RECENT notices on their demo columns (see the module docstring)."""
    by_id = {site.id: site for site in sites}
    for plan in RECENT:
        site = by_id[plan.site_id]
        site.notices.append(recent_notice(plan, today, _source_name(site)))


def apply_changes(sites: list[Site], today: dt.date) -> list[Change]:
    """Between two crawls: EXTENDED's window extended, WITHDRAWN withdrawn (its window still open),
    NEW published on top of its column. Times are "now" as mutations stamp them (after the last change)."""
    by_id = {site.id: site for site in sites}
    extended = _plan("EXTENDED")
    new_end = today + dt.timedelta(days=EXTENDED_TO)
    mutations.edit_field(by_id[extended.site_id], extended.post_id, "disclosure_end", new_end)
    withdrawn = _plan("WITHDRAWN")
    gone = mutations.remove(by_id[withdrawn.site_id], withdrawn.post_id)
    site = by_id[NEW.site_id]
    fresh = recent_notice(NEW, today, _source_name(site))
    mutations.publish(site, fresh.replace(published=_not_after_now(fresh.published), modified=None))
    return [
        Change(extended.site_id, extended.post_id, f"window extended to {new_end.isoformat()}"),
        Change(withdrawn.site_id, withdrawn.post_id,
               f"withdrawn while open (window until {gone.expected.get('disclosure_end')})"),
        Change(NEW.site_id, NEW.post_id, f"published (window until {fresh.expected.get('disclosure_end')})"),
    ]


def _plan(name: str) -> Recent:
    return next(p for p in RECENT if p.name == name)


def _source_name(site: Site) -> str:
    newest = site.newest_first()
    return newest[0].source_name if newest else site.site_name


def _not_after_now(published: str) -> str:
    """Today's notice published no later than the current time in China (the generator picks an hour)."""
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0, tzinfo=None)
    stamp = cms_time(published).replace(tzinfo=None)
    return min(stamp, max(now, stamp.replace(hour=0, minute=0, second=0))).strftime("%Y-%m-%d %H:%M:%S")
