"""Public lists run a fixed number of SQL queries, however many items they show (no N+1)."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from factories import make_entry, make_fund, make_news, make_page, make_project
from sqlalchemy import event

from charity_site.extensions import db
from charity_site.models import (
    Disclosure,
    DisclosureKind,
    DisclosureStatus,
    EntryKind,
    Project,
    ProjectUpdate,
    utcnow,
)

LIST_PAGES = (
    "/",
    "/projects/",
    "/news/",
    "/disclosures/",
    "/feeds/news.atom",
    "/feeds/updates.atom",
    "/sitemap.xml",
)

_numbers = itertools.count(1)


def make_disclosure(**fields) -> Disclosure:
    if "project_id" in fields:  # the projects it covers (disclosure_projects)
        project_id = fields.pop("project_id")
        fields["projects"] = [db.session.get(Project, project_id)] if project_id else []
    n = next(_numbers)
    disclosure = Disclosure(**{
        "slug": f"disclosure-{n}", "kind": DisclosureKind.FUND_USE, "title": f"测试公示{n}", "summary": "摘要",
        "body_md": "正文", "status": DisclosureStatus.PUBLISHED, "published_at": utcnow() - timedelta(days=1),
        "period_start": date(2024, 1, 1), "period_end": date(2024, 3, 31), **fields,
    })
    db.session.add(disclosure)
    db.session.flush()
    return disclosure


def make_update(project, **fields) -> ProjectUpdate:
    n = next(_numbers)
    update = ProjectUpdate(**{
        "project_id": project.id, "slug": f"update-{n}", "title": f"进展{n}", "body_md": "本月开展活动。",
        "happened_on": date(2024, 5, 1) + timedelta(days=n % 200), **fields,
    })
    db.session.add(update)
    db.session.flush()
    return update


def add_items(count: int) -> None:
    """``count`` of everything a list shows, each wired to the others the way real content is."""
    fund = make_fund()
    for number in range(count):
        project = make_project(fund_id=fund.id, featured=True, budget_fen=100_000, goal_fen=200_000,
                               start_date=date(2024, 1, 1) + timedelta(days=number), beneficiaries=3)
        make_entry(fund, 50_000, project_id=project.id)
        make_entry(fund, 20_000, kind=EntryKind.EXPENSE, project_id=project.id)
        make_update(project)
        post = make_news(category="项目进展", source="本会", summary="摘要")
        post.projects.append(project)
        make_disclosure(project_id=project.id, fund_id=fund.id)
        make_page(nav_order=number)
    db.session.commit()


@contextmanager
def counting_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_for(client, path: str) -> int:
    """The queries of rendering ``path`` (the page cache is off: a hit would run none)."""
    client.application.config["PAGE_CACHE"] = False
    client.get(path)  # warm caches that live for the process, not the request
    db.session.remove()  # start empty, as a production request does: no object already in the identity map
    with counting_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.mark.parametrize("path", LIST_PAGES)
def test_a_public_list_runs_the_same_queries_for_one_item_and_for_fifty(app, client, path):
    add_items(1)
    with_one = queries_for(client, path)
    add_items(49)
    with_fifty = queries_for(client, path)

    assert with_one == with_fifty, f"{path}: {with_one} queries with 1 item, {with_fifty} with 50"
    assert with_fifty <= 12, f"{path}: {with_fifty} queries"


def test_the_counter_sees_an_n_plus_one(app):
    """The listener counts lazy loads, so an N+1 in a template would show up above."""
    add_items(3)
    db.session.remove()
    with counting_queries() as statements:
        for update in db.session.scalars(db.select(ProjectUpdate)):
            assert update.project.title
    assert len(statements) == 1 + 3
