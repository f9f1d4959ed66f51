"""Statements built once per process (core/statements.py) still answer for the moment and the data of
each call: the clock is read when a statement runs, and the hidden funds and projects are those of now.

The public pages' queries are built on their first call in the test process and reused by every later
test, so each test here also checks the reuse: the same query asked twice with something changed between.
"""

from __future__ import annotations

from datetime import timedelta

from factories import make_disclosure, make_entry, make_fund, make_news, make_project
from flask import g

from charity_site.core.models import PublicationStatus, utcnow
from charity_site.disclosures.queries import latest_disclosures, linked_disclosures
from charity_site.extensions import db
from charity_site.finance import money, sources
from charity_site.finance.models import EntryKind, LedgerEntry
from charity_site.finance.queries import latest_ledger_lines
from charity_site.news.queries import latest_news


def test_a_scheduled_post_becomes_public_when_its_time_comes_without_any_write(app, monkeypatch):
    due = utcnow() + timedelta(hours=1)
    make_news(title="定时发布的新闻", status=PublicationStatus.SCHEDULED, published_at=due)
    make_disclosure(title="定时发布的公示", published_at=due)
    db.session.commit()
    assert "定时发布的新闻" not in [post.title for post in latest_news()]
    assert "定时发布的公示" not in [item.title for item in latest_disclosures()]

    monkeypatch.setattr("charity_site.core.models.utcnow", lambda: due + timedelta(minutes=1))
    assert "定时发布的新闻" in [post.title for post in latest_news()]
    assert "定时发布的公示" in [item.title for item in latest_disclosures()]


def test_a_project_page_follows_its_funds_being_hidden_and_published_again(app):
    project = make_project()
    general, named = make_fund(title="综合基金"), make_fund(title="专项基金")
    make_entry(general, 10_000, project_id=project.id)
    make_entry(general, 3_000, EntryKind.EXPENSE, project_id=project.id)
    make_entry(named, 50_000, project_id=project.id)
    db.session.commit()

    def shown():
        db.session.expire_all()
        for key in ("ledger_hidden_owners", "ledger_public_conditions"):
            g.pop(key, None)
        summary = money.public_summary(LedgerEntry.project_id, project.id)
        shares = {share.fund_title: share.income_fen for share in sources.fund_shares([project.id])[project.id]}
        lines = sorted(line.amount_fen for line in latest_ledger_lines(project_id=project.id))
        return summary.totals.income_fen, summary.totals.expense_fen, shares, lines

    with app.test_request_context("/"):
        assert shown() == (60_000, 3_000, {"综合基金": 10_000, "专项基金": 50_000}, [3_000, 10_000, 50_000])

        named.status = PublicationStatus.DRAFT  # a fund taken back to draft: its lines leave the page
        db.session.commit()
        assert shown() == (10_000, 3_000, {"综合基金": 10_000}, [3_000, 10_000])

        named.status = PublicationStatus.PUBLISHED
        general.published_at = utcnow() + timedelta(days=1)  # the other one scheduled for tomorrow
        db.session.commit()
        assert shown() == (50_000, 0, {"专项基金": 50_000}, [50_000])

        general.published_at = utcnow() - timedelta(days=1)
        db.session.commit()
        assert shown() == (60_000, 3_000, {"综合基金": 10_000, "专项基金": 50_000}, [3_000, 10_000, 50_000])


def test_disclosures_linked_to_a_project_and_to_a_fund_are_not_mixed_up(app):
    project, fund = make_project(), make_fund()
    make_disclosure(title="项目的公示", project_id=project.id)
    make_disclosure(title="基金的公示", fund_id=fund.id)
    db.session.commit()
    assert [item.title for item in linked_disclosures(5, project_id=project.id)] == ["项目的公示"]
    assert [item.title for item in linked_disclosures(5, fund_id=fund.id)] == ["基金的公示"]
    assert [item.title for item in linked_disclosures(5, project_id=project.id)] == ["项目的公示"]
