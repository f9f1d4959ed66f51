"""Disclosure deadlines (信息公开期限): which required disclosures are overdue or due soon.

The law: 慈善法 (2023) §79 and 慈善组织信息公开办法 (民政部令第81号). How it is applied here
(where the law leaves room, the choice made is written down):

Where the deadlines start
- From the day the organisation began publishing on this site (site settings,
  ``disclosures_start_on``; a new install: the day it was set up). No period that ended before
  that day is owed: the site does not ask for reports on years before it existed, and reports
  published elsewhere before then are not its business. Nor is any year before the founding year.

Periods are the ones the rules name: calendar quarters (第一季度 1 Jan–31 Mar ... 第四季度
1 Oct–31 Dec), calendar years, and for a final report the project's whole run. Never a range
stretched from a project's start to yesterday.

Which disclosures count
- Only disclosures that are published and public now count. A *withdrawn* disclosure does not:
  it was taken back, so the obligation it met is open again until a replacement is published.
- A disclosure counts for every project it covers (``disclosure_projects``).
- An owed item that staff marked as published on another platform (慈善中国, see
  disclosures/elsewhere.py) counts as done; it is listed with its link.

Projects (only public projects with a start date; drafts and projects without a start date are
skipped, since no period can be worked out for them)
- Long-running: the project runs more than 6 months, i.e. ``end_date >= start_date + 6 months``.
  Without an end date a project counts as long-running once 6 months have passed since its start.
- Quarterly progress disclosures (at least every 3 months, 办法 §19 and §20) for long-running
  projects whose status is 实施中 (active) while they have not ended: one for each calendar
  quarter of the project's run, due by the last day of the month after the quarter (Q1 by 30 April).
  The quarter in which the project ends is left to the final report, and once the project has
  ended or a final report is out no more progress disclosures are asked for.
  What counts: a progress report or a final report, and for a fundraising campaign (a project
  with a goal) also a fundraising report, since small organisations publish one combined
  quarterly notice. A disclosure counts for every quarter its period overlaps; without a period,
  for the quarter it was published in and the quarter before.
- Final report: due 3 months after the end date, for every project with an end date (long or
  short); its period is the project's run. Only a final report counts; a fundraising report does
  not cover how the project was carried out and what the money was spent on.

The organisation (annual work report and financial report)
- For each calendar year Y from the start (see above) up to last year, due 31 May of Y+1. A
  disclosure meets it when its period overlaps year Y (without a period: when it was published in Y+1).

Month arithmetic clamps to month ends: 30 Nov + 3 months = 28/29 Feb, 31 Aug + 3 months = 30 Nov.
An obligation is *due soon* from ``soon_days`` before its due date up to and including the due
date, and *overdue* from the day after.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from charity_site.core.formatting import local_date, local_today
from charity_site.core.site_settings import SiteSettings, disclosures_start
from charity_site.disclosures.elsewhere import PublishedElsewhere, marks_by_key
from charity_site.disclosures.models import Disclosure, DisclosureKind, DisclosureStatus, disclosure_projects
from charity_site.extensions import db
from charity_site.projects.models import Project, ProjectStatus

DUE_SOON_DAYS = 30
LONG_RUNNING_MONTHS = 6
FINAL_REPORT_WITHIN_MONTHS = 3
QUARTER_REPORT_WITHIN_MONTHS = 1  # a quarter's report is due by the end of the following month
ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY = 5, 31

OVERDUE, DUE_SOON, ELSEWHERE = "overdue", "due_soon", "elsewhere"

PROGRESS_KINDS = (DisclosureKind.PROGRESS_REPORT, DisclosureKind.FINAL_REPORT)
CAMPAIGN_PROGRESS_KINDS = PROGRESS_KINDS + (DisclosureKind.FUNDRAISING_REPORT,)
FINAL_KINDS = (DisclosureKind.FINAL_REPORT,)
ANNUAL_KINDS = (DisclosureKind.ANNUAL_REPORT, DisclosureKind.FINANCIAL_REPORT)
PROJECT_KINDS = CAMPAIGN_PROGRESS_KINDS


# --- dates --------------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the end of a shorter month (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter 1..4) of the calendar quarter ``day`` falls in."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a calendar quarter."""
    first_month = 3 * (quarter - 1) + 1
    return date(year, first_month, 1), month_end(year, first_month + 2)


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def quarter_due_on(year: int, quarter: int) -> date:
    """A quarter's report is due by the last day of the month after it (Q1 → 30 April, Q4 → 31 January)."""
    end = quarter_bounds(year, quarter)[1]
    due_month = add_months(date(end.year, end.month, 1), QUARTER_REPORT_WITHIN_MONTHS)
    return month_end(due_month.year, due_month.month)


def quarter_label(year: int, quarter: int) -> str:
    labels = {1: _("Q1 %(year)s", year=year), 2: _("Q2 %(year)s", year=year), 3: _("Q3 %(year)s", year=year),
              4: _("Q4 %(year)s", year=year)}
    return labels[quarter]


# --- results ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Obligation:
    """One required disclosure that has not been published on this site (yet)."""

    kind: DisclosureKind
    project: Project | None
    year: int | None
    quarter: int | None  # 1..4 for a quarterly progress report
    period_start: date
    period_end: date
    due_on: date
    state: str  # OVERDUE, DUE_SOON or ELSEWHERE
    days: int  # days late when overdue, days left when due soon (0: due today); 0 when published elsewhere
    elsewhere: PublishedElsewhere | None = None

    @property
    def overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def owed(self) -> bool:
        return self.state in (OVERDUE, DUE_SOON)

    @property
    def project_id(self) -> int | None:
        return self.project.id if self.project is not None else None

    @property
    def key(self) -> str:
        """Names the obligation for good (kind, project, period): what a published-elsewhere mark is kept under."""
        return obligation_key(self.kind, self.project_id, self.year, self.quarter)

    @property
    def period_label(self) -> str | None:
        """The quarter or year as the rules name it (2026年第三季度, 2025年度); None for a project's whole run."""
        if self.quarter is not None:
            return quarter_label(self.year, self.quarter)
        if self.year is not None:
            return _("Year %(year)s", year=self.year)
        return None

    @property
    def title(self) -> str:
        """What is missing, for display: plain text, escaped like any other where it is shown.

        Not lazy_gettext: a lazy string counts as markup in a template, so the project's title inside it
        would reach the page unescaped.
        """
        if self.kind is DisclosureKind.PROGRESS_REPORT:
            return _("%(project)s: progress report for %(period)s", project=self.project.title,
                     period=self.period_label)
        if self.kind is DisclosureKind.FINAL_REPORT:
            return _("%(project)s: final report", project=self.project.title)
        if self.kind is DisclosureKind.ANNUAL_REPORT:
            return _("Annual work report for %(year)s", year=self.year)
        return _("Financial report for %(year)s", year=self.year)


def obligation_key(kind: DisclosureKind, project_id: int | None, year: int | None, quarter: int | None) -> str:
    if kind is DisclosureKind.PROGRESS_REPORT:
        return f"{kind.value}:{project_id}:{year}Q{quarter}"
    if kind is DisclosureKind.FINAL_REPORT:
        return f"{kind.value}:{project_id}"
    return f"{kind.value}:{year}"


@dataclass
class Context:
    """What every rule needs: today, how soon is soon, where deadlines start, and the marks."""

    today: date
    soon_days: int
    start_on: date
    marks: dict[str, PublishedElsewhere]

    def obligation(self, kind, project, year, quarter, period_start, period_end, due_on) -> Obligation | None:
        """The obligation if it is marked as published elsewhere, overdue or due within ``soon_days``;
        None while it is further off."""
        mark = self.marks.get(obligation_key(kind, project.id if project else None, year, quarter))
        if mark is not None:
            state, days = ELSEWHERE, 0
        elif self.today > due_on:
            state, days = OVERDUE, (self.today - due_on).days
        elif (due_on - self.today).days <= self.soon_days:
            state, days = DUE_SOON, (due_on - self.today).days
        else:
            return None
        return Obligation(kind, project, year, quarter, period_start, max(period_start, period_end), due_on,
                          state, days, mark)


# --- queries ------------------------------------------------------------------------------------

def counting_clause():
    """SQL condition for a disclosure that meets an obligation: published, public, not withdrawn."""
    return Disclosure.public_clause() & (Disclosure.status == DisclosureStatus.PUBLISHED)


def last_disclosure_dates(project_ids) -> dict[int, date]:
    """{project id: local date of its latest counting disclosure of any kind}, in one query."""
    ids = list(project_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(disclosure_projects.c.project_id, func.max(Disclosure.published_at))
        .join(Disclosure, Disclosure.id == disclosure_projects.c.disclosure_id)
        .where(disclosure_projects.c.project_id.in_(ids), counting_clause())
        .group_by(disclosure_projects.c.project_id)
    )
    return {project_id: local_date(latest) for project_id, latest in rows}


@dataclass(frozen=True)
class Published:
    """A counting disclosure as the rules see it."""

    kind: DisclosureKind
    period_start: date | None
    period_end: date | None
    published_on: date

    def quarters(self) -> set[tuple[int, int]]:
        """The quarters it covers: those its period overlaps; without one, the quarter it was published in
        and the one before."""
        start, end = self.period_start or self.period_end, self.period_end or self.period_start
        if start is None:
            year, quarter = quarter_of(self.published_on)
            return {(year, quarter), previous_quarter(year, quarter)}
        found, current, last = set(), quarter_of(min(start, end)), quarter_of(max(start, end))
        while current <= last:
            found.add(current)
            current = next_quarter(*current)
        return found


def _project_disclosures() -> dict[int, list[Published]]:
    """{project id: its counting disclosures of the kinds the project rules look at}, in ONE query."""
    rows = db.session.execute(
        select(disclosure_projects.c.project_id, Disclosure.kind, Disclosure.period_start, Disclosure.period_end,
               Disclosure.published_at)
        .join(Disclosure, Disclosure.id == disclosure_projects.c.disclosure_id)
        .where(Disclosure.kind.in_(PROJECT_KINDS), counting_clause())
    )
    found: dict[int, list[Published]] = {}
    for project_id, kind, start, end, published_at in rows:
        found.setdefault(project_id, []).append(Published(kind, start, end, local_date(published_at)))
    return found


def _public_projects() -> list[Project]:
    return list(db.session.scalars(
        select(Project)
        .options(load_only(Project.id, Project.slug, Project.title, Project.start_date, Project.end_date,
                           Project.project_status, Project.goal_fen, Project.status, Project.published_at))
        .where(Project.public_clause(), Project.start_date.is_not(None))
        .order_by(Project.start_date, Project.id)
    ))


# --- the rules ----------------------------------------------------------------------------------

def is_long_running(project: Project, today: date) -> bool:
    """More than 6 months: by its end date, or — without one — once 6 months have passed."""
    six_months_on = add_months(project.start_date, LONG_RUNNING_MONTHS)
    if project.end_date is not None:
        return project.end_date >= six_months_on
    return today >= six_months_on


def _progress_obligations(project, published: list[Published], ctx: Context) -> list[Obligation]:
    if project.project_status is not ProjectStatus.ACTIVE or not is_long_running(project, ctx.today):
        return []
    if project.end_date is not None and ctx.today > project.end_date:
        return []  # ended: the final report is what is asked for now
    if any(item.kind in FINAL_KINDS for item in published):
        return []
    kinds = CAMPAIGN_PROGRESS_KINDS if project.goal_fen else PROGRESS_KINDS
    covered = set().union(*(item.quarters() for item in published if item.kind in kinds))
    found = []
    current = quarter_of(max(project.start_date, ctx.start_on))
    while True:
        first_day, last_day = quarter_bounds(*current)
        if first_day > ctx.today:
            break
        if project.end_date is not None and last_day >= project.end_date:
            break  # the quarter the project ends in: the final report covers it
        if current not in covered:
            obligation = ctx.obligation(DisclosureKind.PROGRESS_REPORT, project, current[0], current[1],
                                        max(first_day, project.start_date), last_day, quarter_due_on(*current))
            if obligation is not None:
                found.append(obligation)
        current = next_quarter(*current)
    return found


def _final_obligation(project, published: list[Published], ctx: Context) -> Obligation | None:
    if project.end_date is None or project.end_date < ctx.start_on:
        return None
    if any(item.kind in FINAL_KINDS for item in published):
        return None
    due_on = add_months(project.end_date, FINAL_REPORT_WITHIN_MONTHS)
    return ctx.obligation(DisclosureKind.FINAL_REPORT, project, None, None, project.start_date, project.end_date,
                          due_on)


def _covered_years(rows) -> dict[DisclosureKind, set[int]]:
    covered: dict[DisclosureKind, set[int]] = {kind: set() for kind in ANNUAL_KINDS}
    for kind, start, end, published_at in rows:
        start, end = start or end, end or start
        if start is None:
            covered[kind].add(local_date(published_at).year - 1)
            continue
        covered[kind].update(range(start.year, end.year + 1))
    return covered


def _annual_obligations(ctx: Context, founded_year: int | None) -> list[Obligation]:
    first_year = max(ctx.start_on.year, founded_year or 0)
    if first_year >= ctx.today.year:
        return []
    rows = db.session.execute(
        select(Disclosure.kind, Disclosure.period_start, Disclosure.period_end, Disclosure.published_at)
        .where(Disclosure.kind.in_(ANNUAL_KINDS), counting_clause())
    ).all()
    covered = _covered_years(rows)
    found = []
    for year in range(first_year, ctx.today.year):
        due_on = date(year + 1, ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY)
        for kind in ANNUAL_KINDS:
            if year in covered[kind]:
                continue
            obligation = ctx.obligation(kind, None, year, None, date(year, 1, 1), date(year, 12, 31), due_on)
            if obligation is not None:
                found.append(obligation)
    return found


_STATE_ORDER = {OVERDUE: 0, DUE_SOON: 1, ELSEWHERE: 2}


def disclosure_obligations(today: date | None = None, soon_days: int = DUE_SOON_DAYS) -> list[Obligation]:
    """Every required disclosure that is overdue, due within ``soon_days`` or marked as published elsewhere:
    overdue first, then due soon, then those published elsewhere; each by due date.

    A fixed number of queries however many projects there are: the settings row, public projects, one
    query for their counting disclosures, the annual reports and the published-elsewhere marks.
    """
    settings = db.session.get(SiteSettings, 1)
    ctx = Context(today or local_today(), soon_days, disclosures_start(settings), marks_by_key())
    projects = _public_projects()
    published = _project_disclosures()
    found: list[Obligation] = []
    for project in projects:
        mine = published.get(project.id, [])
        found.extend(_progress_obligations(project, mine, ctx))
        final = _final_obligation(project, mine, ctx)
        if final is not None:
            found.append(final)
    found.extend(_annual_obligations(ctx, settings.founded_year if settings is not None else None))
    found.sort(key=lambda item: (_STATE_ORDER[item.state], item.due_on, item.project_id or 0, item.kind.value))
    return found


def find_obligation(key: str, today: date | None = None) -> Obligation | None:
    """The owed (or marked) obligation named ``key``, whatever its due date; None if nothing by that name is owed."""
    for item in disclosure_obligations(today, soon_days=366 * 200):
        if item.key == key:
            return item
    return None

