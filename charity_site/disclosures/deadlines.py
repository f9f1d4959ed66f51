"""Disclosure deadlines (信息公开期限): which required disclosures are overdue or due soon.

The law: 慈善法 (2023) §79 and 慈善组织信息公开办法 (民政部令第81号). How it is applied here
(where the law leaves room, the choice made is written down):

Which disclosures count
- Only disclosures that are published and public now count. A *withdrawn* disclosure does not:
  it was taken back, so the obligation it met is open again until a replacement is published.
- A disclosure counts for a project when its ``project_id`` is that project.

Projects (only public projects with a start date; drafts and projects without a start date are
skipped, since no period can be worked out for them)
- Long-running: the project runs more than 6 months, i.e. ``end_date >= start_date + 6 months``.
  Without an end date a project counts as long-running once 6 months have passed since its start.
- Progress disclosures (every 3 months) for long-running projects whose status is 实施中 (active)
  while they have not ended: the first is due 3 months after the start, each next one 3 months
  after the latest counting disclosure was published (the law asks for at least one every 3
  months, so a late report restarts the clock). What counts: a progress report or a final
  report, and for a fundraising campaign (a project with a goal) also a fundraising report, since
  small organisations publish one combined quarterly notice. Once the project has ended, or a
  final report is out, no more progress disclosures are asked for: the final report covers them.
- Final report: due 3 months after the end date, for every project with an end date (long or
  short). Only a final report counts; a fundraising report does not cover how the project was
  carried out and what the money was spent on.
- The period a missing progress disclosure should cover starts the day after the latest
  counting disclosure's period ended (or on its publication date, or on the project start), and
  ends the day before the due date — or, when already late, yesterday, so one catch-up report
  closes the gap. A final report covers the whole project.

The organisation (annual work report and financial report)
- For each year Y, due 31 May of Y+1, from max(founded year, year of the first ledger line or
  project start) up to last year. A disclosure meets it when its period overlaps year Y (without
  a period: when it was published in Y+1).

Month arithmetic clamps to month ends: 30 Nov + 3 months = 28/29 Feb, 31 Aug + 3 months = 30 Nov.
An obligation is *due soon* from ``soon_days`` before its due date up to and including the due
date, and *overdue* from the day after.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from charity_site.core.formatting import local_date, local_today
from charity_site.core.site_settings import SiteSettings
from charity_site.disclosures.models import Disclosure, DisclosureKind, DisclosureStatus
from charity_site.extensions import db
from charity_site.finance.models import LedgerEntry
from charity_site.projects.models import Project, ProjectStatus

DUE_SOON_DAYS = 30
PROGRESS_EVERY_MONTHS = 3
LONG_RUNNING_MONTHS = 6
FINAL_REPORT_WITHIN_MONTHS = 3
ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY = 5, 31

OVERDUE, DUE_SOON = "overdue", "due_soon"

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


# --- results ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Obligation:
    """One required disclosure that has not been published (yet)."""

    kind: DisclosureKind
    project: Project | None
    year: int | None
    period_start: date
    period_end: date
    due_on: date
    state: str  # OVERDUE or DUE_SOON
    days: int  # days late when overdue, days left when due soon (0: due today)

    @property
    def overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def project_id(self) -> int | None:
        return self.project.id if self.project is not None else None

    @property
    def title(self) -> str:
        """What is missing, for display: plain text, escaped like any other where it is shown.

        Not lazy_gettext: a lazy string counts as markup in a template, so the project's title inside it
        would reach the page unescaped.
        """
        if self.kind is DisclosureKind.PROGRESS_REPORT:
            return _("%(project)s: progress report", project=self.project.title)
        if self.kind is DisclosureKind.FINAL_REPORT:
            return _("%(project)s: final report", project=self.project.title)
        if self.kind is DisclosureKind.ANNUAL_REPORT:
            return _("Annual work report for %(year)s", year=self.year)
        return _("Financial report for %(year)s", year=self.year)


def _obligation(kind, project, year, period_start, period_end, due_on, today, soon_days) -> Obligation | None:
    """The obligation if it is overdue or due within ``soon_days``; None while it is further off."""
    if today > due_on:
        state, days = OVERDUE, (today - due_on).days
    elif (due_on - today).days <= soon_days:
        state, days = DUE_SOON, (due_on - today).days
    else:
        return None
    return Obligation(kind, project, year, period_start, max(period_start, period_end), due_on, state, days)


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
        select(Disclosure.project_id, func.max(Disclosure.published_at))
        .where(Disclosure.project_id.in_(ids), counting_clause())
        .group_by(Disclosure.project_id)
    )
    return {project_id: local_date(latest) for project_id, latest in rows}


def _project_disclosures() -> dict[int, dict[DisclosureKind, tuple[date, date | None]]]:
    """{project id: {kind: (latest publication date, latest period end)}} in ONE grouped query."""
    rows = db.session.execute(
        select(Disclosure.project_id, Disclosure.kind, func.max(Disclosure.published_at),
               func.max(Disclosure.period_end))
        .where(Disclosure.project_id.is_not(None), Disclosure.kind.in_(PROJECT_KINDS), counting_clause())
        .group_by(Disclosure.project_id, Disclosure.kind)
    )
    found: dict[int, dict] = {}
    for project_id, kind, published_at, period_end in rows:
        found.setdefault(project_id, {})[kind] = (local_date(published_at), period_end)
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


def _progress_obligation(project, published, today, soon_days) -> Obligation | None:
    if project.project_status is not ProjectStatus.ACTIVE or not is_long_running(project, today):
        return None
    if project.end_date is not None and today > project.end_date:
        return None  # ended: the final report is what is asked for now
    if DisclosureKind.FINAL_REPORT in published:
        return None
    kinds = CAMPAIGN_PROGRESS_KINDS if project.goal_fen else PROGRESS_KINDS
    counted = [published[kind] for kind in kinds if kind in published]
    last_published = max((when for when, _end in counted), default=None)
    last_covered = max((end for _when, end in counted if end is not None), default=None)
    anchor = max(project.start_date, last_published) if last_published else project.start_date
    due_on = add_months(anchor, PROGRESS_EVERY_MONTHS)
    if project.end_date is not None and due_on > project.end_date:
        return None  # the next report would fall after the end: the final report takes over
    if last_covered is not None and last_covered >= project.start_date:
        period_start = last_covered + timedelta(days=1)
    else:
        period_start = anchor
    period_end = (today if today > due_on else due_on) - timedelta(days=1)
    if project.end_date is not None:
        period_end = min(period_end, project.end_date)
    return _obligation(DisclosureKind.PROGRESS_REPORT, project, None, period_start, period_end, due_on,
                       today, soon_days)


def _final_obligation(project, published, today, soon_days) -> Obligation | None:
    if project.end_date is None or any(kind in published for kind in FINAL_KINDS):
        return None
    due_on = add_months(project.end_date, FINAL_REPORT_WITHIN_MONTHS)
    return _obligation(DisclosureKind.FINAL_REPORT, project, None, project.start_date, project.end_date, due_on,
                       today, soon_days)


def _first_year(projects: list[Project]) -> int | None:
    """The first year the organisation has data on the site, but not before it was founded."""
    first_line = db.session.scalar(select(func.min(LedgerEntry.occurred_on)).where(LedgerEntry.voided.is_(False)))
    starts = [day for day in [first_line, *(project.start_date for project in projects)] if day is not None]
    if not starts:
        return None
    settings = db.session.get(SiteSettings, 1)
    founded = settings.founded_year if settings is not None else None
    return max(min(starts).year, founded or 0)


def _covered_years(rows) -> dict[DisclosureKind, set[int]]:
    covered: dict[DisclosureKind, set[int]] = {kind: set() for kind in ANNUAL_KINDS}
    for kind, start, end, published_at in rows:
        start, end = start or end, end or start
        if start is None:
            covered[kind].add(local_date(published_at).year - 1)
            continue
        covered[kind].update(range(start.year, end.year + 1))
    return covered


def _annual_obligations(projects, today, soon_days) -> list[Obligation]:
    first_year = _first_year(projects)
    if first_year is None or first_year >= today.year:
        return []
    rows = db.session.execute(
        select(Disclosure.kind, Disclosure.period_start, Disclosure.period_end, Disclosure.published_at)
        .where(Disclosure.kind.in_(ANNUAL_KINDS), counting_clause())
    ).all()
    covered = _covered_years(rows)
    found = []
    for year in range(first_year, today.year):
        due_on = date(year + 1, ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY)
        for kind in ANNUAL_KINDS:
            if year in covered[kind]:
                continue
            obligation = _obligation(kind, None, year, date(year, 1, 1), date(year, 12, 31), due_on, today,
                                     soon_days)
            if obligation is not None:
                found.append(obligation)
    return found


def disclosure_obligations(today: date | None = None, soon_days: int = DUE_SOON_DAYS) -> list[Obligation]:
    """Every required disclosure that is overdue or due within ``soon_days``: overdue first, then by due date.

    A fixed number of queries however many projects there are: public projects, one grouped query
    for their latest counting disclosures, the first ledger date, the settings row and the annual reports.
    """
    today = today or local_today()
    projects = _public_projects()
    published = _project_disclosures()
    found: list[Obligation] = []
    for project in projects:
        mine = published.get(project.id, {})
        for rule in (_progress_obligation, _final_obligation):
            obligation = rule(project, mine, today, soon_days)
            if obligation is not None:
                found.append(obligation)
    found.extend(_annual_obligations(projects, today, soon_days))
    found.sort(key=lambda item: (not item.overdue, item.due_on, item.project_id or 0, item.kind.value))
    return found

