"""Disclosure deadlines (信息公开期限): the rules of 慈善法 §79 and 民政部令第81号 as the service applies them,
and the dashboard section that shows them to the staff who publish disclosures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from factories import login, make_disclosure, make_entry, make_fund, make_project, make_site_settings, make_user
from test_query_counts import counting_queries

from charity_site.core.formatting import local_today
from charity_site.disclosures.deadlines import (
    DUE_SOON,
    OVERDUE,
    add_months,
    disclosure_obligations,
    last_disclosure_dates,
    quarter_bounds,
    quarter_due_on,
    quarter_of,
)
from charity_site.extensions import db
from charity_site.models import DisclosureKind, DisclosureStatus, ProjectStatus, PublicationStatus, SiteSettings

PROGRESS, FINAL = DisclosureKind.PROGRESS_REPORT, DisclosureKind.FINAL_REPORT
ANNUAL, FINANCIAL = DisclosureKind.ANNUAL_REPORT, DisclosureKind.FINANCIAL_REPORT


def published_on(day: date) -> datetime:
    """10:00 in Shanghai on ``day``, as a UTC timestamp."""
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def report(kind, project=None, on=date(2025, 1, 1), **fields):
    return make_disclosure(kind=kind, project_id=project.id if project else None, published_at=published_on(on),
                           **fields)


def for_project(project, today, kind=None):
    return [item for item in disclosure_obligations(today)
            if item.project_id == project.id and (kind is None or item.kind is kind)]


def only(items):
    assert len(items) == 1, items
    return items[0]


# --- month arithmetic ---------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2024, 11, 30), 3, date(2025, 2, 28)),
    (date(2023, 11, 30), 3, date(2024, 2, 29)),
    (date(2025, 8, 31), 3, date(2025, 11, 30)),
    (date(2025, 11, 15), 3, date(2026, 2, 15)),
    (date(2025, 12, 31), 6, date(2026, 6, 30)),
    (date(2025, 3, 31), -1, date(2025, 2, 28)),
])
def test_add_months_clamps_to_the_end_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


@pytest.fixture
def started_2020(app):
    """An organisation publishing on the site since 2020: every rule below is in force."""
    return make_site_settings(disclosures_start_on=date(2020, 1, 1))


# --- progress disclosures: one per calendar quarter ------------------------------------------------

def test_quarters_and_their_due_dates():
    assert quarter_of(date(2026, 8, 15)) == (2026, 3)
    assert quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds(2024, 4) == (date(2024, 10, 1), date(2024, 12, 31))
    assert [quarter_due_on(2026, q) for q in (1, 2, 3, 4)] == [
        date(2026, 4, 30), date(2026, 7, 31), date(2026, 10, 31), date(2027, 1, 31)]


def test_a_long_project_owes_a_report_for_each_calendar_quarter(app, started_2020):
    project = make_project(start_date=date(2025, 2, 15), end_date=date(2026, 1, 30))  # 12 months
    due = date(2025, 4, 30)  # Q1 2025, by the end of April

    assert for_project(project, due - timedelta(days=31)) == []
    soon = only(for_project(project, due - timedelta(days=1)))
    assert (soon.kind, soon.state, soon.due_on, soon.days) == (PROGRESS, DUE_SOON, due, 1)
    assert (soon.year, soon.quarter) == (2025, 1)
    assert (soon.period_start, soon.period_end) == (date(2025, 2, 15), date(2025, 3, 31))  # from the start
    assert soon.title == f"{project.title}：2025年第一季度项目进展报告"
    late = only(for_project(project, due + timedelta(days=1)))
    assert (late.state, late.days) == (OVERDUE, 1)

    items = for_project(project, date(2025, 11, 5))
    assert [(item.quarter, item.state, item.period_start, item.period_end) for item in items] == [
        (1, OVERDUE, date(2025, 2, 15), date(2025, 3, 31)),
        (2, OVERDUE, date(2025, 4, 1), date(2025, 6, 30)),
        (3, OVERDUE, date(2025, 7, 1), date(2025, 9, 30))]


def test_a_report_counts_for_the_quarters_its_period_overlaps(app, started_2020):
    project = make_project(start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    report(PROGRESS, project, on=date(2025, 5, 20), period_start=date(2025, 1, 1), period_end=date(2025, 3, 31))

    assert for_project(project, date(2025, 6, 1)) == []  # Q1 is covered, though late
    late = only(for_project(project, date(2025, 8, 5)))
    assert (late.year, late.quarter, late.due_on, late.state) == (2025, 2, date(2025, 7, 31), OVERDUE)
    assert (late.period_start, late.period_end) == (date(2025, 4, 1), date(2025, 6, 30))


def test_a_report_without_a_period_counts_for_the_quarter_it_came_out_in_and_the_one_before(app, started_2020):
    project = make_project(start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    report(PROGRESS, project, on=date(2025, 4, 10))

    assert for_project(project, date(2025, 8, 5)) == []  # Q1 and Q2
    assert only(for_project(project, date(2025, 11, 5))).quarter == 3


@pytest.mark.parametrize("status", [DisclosureStatus.DRAFT, DisclosureStatus.WITHDRAWN])
def test_a_draft_or_withdrawn_report_does_not_count(app, started_2020, status):
    project = make_project(start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    report(PROGRESS, project, on=date(2025, 3, 20), status=status)

    assert only(for_project(project, date(2025, 5, 2))).due_on == date(2025, 4, 30)


def test_other_kinds_and_other_projects_do_not_count(app, started_2020):
    project, other = (make_project(start_date=date(2025, 1, 1), end_date=date(2025, 12, 31)) for _ in range(2))
    report(DisclosureKind.FUND_USE, project, on=date(2025, 3, 20))
    report(PROGRESS, other, on=date(2025, 3, 20))
    report(PROGRESS, None, on=date(2025, 3, 20))  # an organisation-wide report names no project

    assert only(for_project(project, date(2025, 5, 2))).state == OVERDUE
    assert for_project(other, date(2025, 5, 2)) == []


def test_a_fundraising_report_counts_as_progress_only_for_a_campaign(app, started_2020):
    campaign = make_project(start_date=date(2025, 1, 1), end_date=date(2025, 12, 31), goal_fen=1_000_000)
    plain = make_project(start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    for project in (campaign, plain):
        report(DisclosureKind.FUNDRAISING_REPORT, project, on=date(2025, 3, 20))

    assert for_project(campaign, date(2025, 5, 2)) == []
    assert only(for_project(plain, date(2025, 5, 2))).state == OVERDUE


def test_a_project_without_an_end_date_reports_progress_once_it_has_run_six_months(app, started_2020):
    project = make_project(start_date=date(2025, 1, 1))

    assert for_project(project, date(2025, 5, 1)) == []  # may still end within six months
    late = for_project(project, date(2025, 7, 2))
    assert [(item.quarter, item.state) for item in late] == [(1, OVERDUE), (2, DUE_SOON)]
    assert for_project(project, date(2026, 9, 1), FINAL) == []  # no end date: no final report yet


def test_the_quarter_a_project_ends_in_is_left_to_the_final_report(app, started_2020):
    project = make_project(start_date=date(2025, 1, 1), end_date=date(2025, 8, 15))

    assert [item.quarter for item in for_project(project, date(2025, 8, 10))] == [1, 2]


def test_a_project_that_is_not_under_way_needs_no_progress_report(app, started_2020):
    preparing = make_project(start_date=date(2025, 1, 1), project_status=ProjectStatus.PREPARING)
    completed = make_project(start_date=date(2025, 1, 1), project_status=ProjectStatus.COMPLETED)

    assert for_project(preparing, date(2025, 9, 1)) == []
    assert for_project(completed, date(2025, 9, 1)) == []


# --- final reports ------------------------------------------------------------------------------

@pytest.mark.parametrize(("end", "due"), [(date(2024, 11, 30), date(2025, 2, 28)),
                                          (date(2023, 11, 30), date(2024, 2, 29))])
def test_a_short_project_needs_only_a_final_report_three_months_after_its_end(app, started_2020, end, due):
    project = make_project(start_date=date(end.year, 7, 1), end_date=end)  # 5 months

    assert for_project(project, date(end.year, 10, 15)) == []  # a long project would owe a progress report
    soon = only(for_project(project, due))
    assert (soon.kind, soon.state, soon.days) == (FINAL, DUE_SOON, 0)
    assert (soon.period_start, soon.period_end) == (project.start_date, end)
    late = only(for_project(project, due + timedelta(days=1)))
    assert (late.kind, late.state) == (FINAL, OVERDUE)

    report(FINAL, project, on=due + timedelta(days=5))
    assert for_project(project, due + timedelta(days=10)) == []


def test_an_ended_long_project_is_asked_for_its_final_report_not_old_progress_reports(app, started_2020):
    project = make_project(start_date=date(2024, 1, 1), end_date=date(2024, 12, 31))

    late = only(for_project(project, date(2025, 4, 5)))
    assert (late.kind, late.due_on, late.state) == (FINAL, date(2025, 3, 31), OVERDUE)


def test_a_fundraising_report_is_not_a_final_report(app, started_2020):
    project = make_project(start_date=date(2024, 7, 1), end_date=date(2024, 11, 30), goal_fen=500_000)
    report(DisclosureKind.FUNDRAISING_REPORT, project, on=date(2024, 12, 20))

    assert only(for_project(project, date(2025, 3, 1))).kind is FINAL


def test_a_draft_project_is_ignored(app, started_2020):
    make_project(start_date=date(2024, 1, 1), end_date=date(2024, 12, 31), status=PublicationStatus.DRAFT,
                 published_at=None)

    assert [item for item in disclosure_obligations(date(2025, 9, 1)) if item.project is not None] == []


# --- annual work report and financial report ----------------------------------------------------

@pytest.fixture
def organisation_with_2025_accounts(app):
    make_site_settings(founded_year=2025, disclosures_start_on=date(2024, 6, 1))


def annual(today):
    return [item for item in disclosure_obligations(today) if item.kind in (ANNUAL, FINANCIAL)]


def test_last_years_reports_are_due_by_31_may(app, organisation_with_2025_accounts):
    assert annual(date(2026, 4, 20)) == []
    soon = annual(date(2026, 5, 15))
    assert {item.kind for item in soon} == {ANNUAL, FINANCIAL}
    assert {(item.state, item.due_on, item.days, item.year) for item in soon} == {
        (DUE_SOON, date(2026, 5, 31), 16, 2025)}
    assert {(item.period_start, item.period_end) for item in soon} == {(date(2025, 1, 1), date(2025, 12, 31))}
    late = annual(date(2026, 6, 1))
    assert {(item.kind, item.state, item.days) for item in late} == {(ANNUAL, OVERDUE, 1), (FINANCIAL, OVERDUE, 1)}


def test_a_published_annual_report_for_the_year_meets_it(app, organisation_with_2025_accounts):
    report(ANNUAL, on=date(2026, 4, 28), period_start=date(2025, 1, 1), period_end=date(2025, 12, 31))
    report(FINANCIAL, on=date(2026, 4, 28), period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))

    assert [(item.kind, item.year) for item in annual(date(2026, 6, 1))] == [(FINANCIAL, 2025)]


@pytest.mark.parametrize("status", [DisclosureStatus.DRAFT, DisclosureStatus.WITHDRAWN])
def test_a_draft_or_withdrawn_annual_report_does_not_meet_it(app, organisation_with_2025_accounts, status):
    report(ANNUAL, on=date(2026, 4, 28), period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
           status=status)

    assert {item.kind for item in annual(date(2026, 6, 1))} == {ANNUAL, FINANCIAL}


def test_annual_reports_start_with_the_year_publishing_began_but_not_before_the_founding(app):
    settings = make_site_settings(founded_year=2023, disclosures_start_on=date(2021, 6, 1))

    assert {item.year for item in annual(date(2025, 7, 1))} == {2023, 2024}

    settings.founded_year = None
    db.session.flush()
    assert {item.year for item in annual(date(2025, 7, 1))} == {2021, 2022, 2023, 2024}


# --- ordering, queries, helpers -----------------------------------------------------------------

def test_overdue_come_first_then_by_due_date(app, organisation_with_2025_accounts):
    soon = make_project(start_date=date(2026, 4, 20), end_date=date(2027, 6, 30))  # Q2 due 31 July
    late = make_project(start_date=date(2025, 6, 1), end_date=date(2025, 11, 30))  # final due 28 Feb

    items = disclosure_obligations(date(2026, 7, 10), soon_days=60)
    assert [(item.project_id, item.kind, item.state) for item in items] == [
        (late.id, FINAL, OVERDUE), (None, ANNUAL, OVERDUE), (None, FINANCIAL, OVERDUE),
        (soon.id, PROGRESS, DUE_SOON)]


def test_the_number_of_queries_does_not_grow_with_the_projects(app, started_2020):
    def add(count):
        for _ in range(count):
            project = make_project(start_date=date(2024, 1, 1), end_date=date(2025, 6, 30))
            report(PROGRESS, project, on=date(2024, 3, 1))
        db.session.commit()

    def queries():
        db.session.remove()
        with counting_queries() as statements:
            found = disclosure_obligations(date(2025, 9, 1))
        return len(statements), sum(item.kind is FINAL for item in found)

    add(1)
    with_one, found_one = queries()
    add(19)
    with_twenty, found_twenty = queries()
    assert (found_one, found_twenty) == (1, 20)
    assert with_one == with_twenty <= 5


def test_last_disclosure_dates(app):
    project, quiet = make_project(), make_project()
    report(PROGRESS, project, on=date(2025, 3, 1))
    report(DisclosureKind.FUND_USE, project, on=date(2025, 5, 2))
    report(PROGRESS, project, on=date(2025, 6, 1), status=DisclosureStatus.DRAFT)

    assert last_disclosure_dates([project.id, quiet.id]) == {project.id: date(2025, 5, 2)}
    assert last_disclosure_dates([]) == {}


# --- the dashboard ------------------------------------------------------------------------------

def last_finished_quarter(today):
    year, quarter = quarter_of(today)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def overdue_project(start=None):
    """A project that started a year ago and has published nothing: its quarterly reports are late."""
    start = start or add_months(local_today(), -12)
    project = make_project(title="长者饭堂助餐项目", start_date=start)
    db.session.commit()
    return project


def publishing_since(day):
    settings = db.session.get(SiteSettings, 1) or make_site_settings()
    settings.disclosures_start_on = day
    db.session.commit()


def test_finance_staff_see_an_overdue_quarter_with_a_link_to_write_it(app, client):
    today = local_today()
    publishing_since(add_months(today, -24))
    project = overdue_project()
    make_user("finance@example.org", roles=("finance",))
    login(client, "finance@example.org")
    year, quarter = quarter_of(add_months(today, -4))  # surely finished and past its due date
    first, last = quarter_bounds(year, quarter)
    due = quarter_due_on(year, quarter)

    page = client.get("/admin/").get_data(as_text=True)

    assert "信息公开期限" in page
    label = f"{year}年第{'一二三四'[quarter - 1]}季度"
    assert f"长者饭堂助餐项目：{label}项目进展报告" in page
    assert f"{due.year}年{due.month}月{due.day}日" in page
    assert f"已逾期 {(today - due).days} 天" in page
    with app.test_request_context():
        new_path = app.url_for("admin_disclosures.new")
    links = [part.split('"', 1)[0] for part in page.split('href="')[1:] if part.startswith(new_path + "?")]
    queries = [parse_qs(urlsplit(link.replace("&amp;", "&")).query) for link in links]
    assert {"kind": ["progress_report"], "project": [str(project.id)],
            "period_start": [max(first, project.start_date).isoformat()],
            "period_end": [last.isoformat()]} in queries
    assert "至 " + f"{today.year}年{today.month}月" not in page  # no period stretched to yesterday


def test_a_fresh_install_owes_nothing_from_before_the_site_was_set_up(app, client):
    """A new site with old projects: no red wall of reports for the years before it existed."""
    make_site_settings()  # created today: the day the site was set up
    make_project(title="长期救助项目", start_date=date(2020, 1, 1))
    make_project(title="已结束项目", start_date=date(2021, 1, 1), end_date=date(2022, 12, 31))
    fund = make_fund()
    make_entry(fund, 10_000, occurred_on=date(2020, 3, 1))
    make_user("finance@example.org", roles=("finance",))
    db.session.commit()
    login(client, "finance@example.org")

    page = client.get("/admin/").get_data(as_text=True)

    assert [item for item in disclosure_obligations() if item.overdue] == []
    assert "已逾期" not in page
    today = local_today()
    assert f"从 {today.year}年{today.month}月{today.day}日 起计算" in page


def test_the_start_date_decides_what_is_owed(app):
    settings = make_site_settings(disclosures_start_on=date(2026, 7, 1))
    project = make_project(start_date=date(2020, 1, 1))
    ended = make_project(start_date=date(2021, 1, 1), end_date=date(2026, 6, 30))
    today = date(2026, 12, 6)

    items = disclosure_obligations(today)
    assert [(item.project_id, item.kind, item.year, item.quarter, item.state) for item in items] == [
        (project.id, PROGRESS, 2026, 3, OVERDUE)]  # Q3 2026, due 31 October; the ended project's run ended before
    assert (items[0].period_start, items[0].period_end, items[0].days) == (date(2026, 7, 1), date(2026, 9, 30), 36)

    settings.disclosures_start_on = date(2026, 1, 1)
    db.session.flush()
    owed = {(item.project_id, item.kind, item.year, item.quarter) for item in disclosure_obligations(today)}
    assert owed == {(project.id, PROGRESS, 2026, 1), (project.id, PROGRESS, 2026, 2), (project.id, PROGRESS, 2026, 3),
                    (ended.id, FINAL, None, None)}
    assert all(item.period_label is None or "2020" not in item.period_label for item in disclosure_obligations(today))


def test_a_volunteer_coordinator_does_not_see_the_deadlines(app, client):
    publishing_since(date(2020, 1, 1))
    overdue_project()
    make_user("coordinator@example.org", roles=("coordinator",))
    login(client, "coordinator@example.org")

    page = client.get("/admin/").get_data(as_text=True)

    assert "工作台" in page
    assert "信息公开期限" not in page
    assert "长者饭堂助餐项目" not in page


def test_the_dashboard_says_so_when_nothing_is_due(app, client):
    make_user("editor@example.org", roles=("editor",))
    login(client, "editor@example.org")

    page = client.get("/admin/").get_data(as_text=True)

    assert "信息公开期限" in page
    assert "暂无到期或逾期的公示" in page


def test_the_dashboard_runs_the_same_queries_for_one_late_project_and_for_twenty(app, admin_client):
    publishing_since(date(2020, 1, 1))

    def add(count):
        for _ in range(count):
            overdue_project()

    def queries():
        admin_client.get("/admin/")
        db.session.remove()
        with counting_queries() as statements:
            response = admin_client.get("/admin/")
        assert response.status_code == 200
        return len(statements)

    add(1)
    with_one = queries()
    add(19)
    assert queries() == with_one
