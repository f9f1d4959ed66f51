"""A project page says where its money comes from: the funds that paid for it, and what was raised for it
directly only when it is open for gifts (or received some); never a bare "raised ¥0.00" beside spending."""

from __future__ import annotations

import re
from datetime import date

from donations.factories_donations import giving_ready, open_project
from factories import make_entry, make_fund, make_project

from charity_site.extensions import db
from charity_site.models import EntryKind

ZERO = re.compile(r"¥0\.00|(?<![\d.])0\.00万元")


def money_panel(client, project) -> str:
    page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    start = page.index('id="money-heading"')
    return page[start:page.index("</section>", start)]


def words(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def test_a_project_paid_by_funds_names_them_with_their_amounts(app, client):
    general = make_fund(title="番禺区慈善基金", slug="panyu-cishan-jijin")
    named = make_fund(title="紫坭村社区慈善基金", slug="zinicun")
    project = make_project(title="慈善救助", slug="cishan-jiuzhu", fund_id=general.id, featured=True)
    make_entry(general, 40_000_000, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2024, 12, 27))
    make_entry(general, 3_680_000, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2025, 1, 3))
    make_entry(named, 500_000, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2025, 1, 4))
    make_entry(general, 90_000_000, occurred_on=date(2024, 1, 2))  # the fund's income, given to the fund
    db.session.commit()
    panel = money_panel(client, project)
    text = words(panel)
    assert "已筹款" not in text and not ZERO.search(text)
    assert "由以下基金支付" in text
    # One unit for the panel (万元 from ¥100,000 up), the exact lines a click away in the ledger.
    assert re.search(r"番禺区慈善基金 43\.68万元 .*紫坭村社区慈善基金 0\.50万元", text)
    assert "/funds/panyu-cishan-jijin" in panel
    assert "/ledger/?project=cishan-jiuzhu&amp;fund=panyu-cishan-jijin" in panel
    assert "已支出 44.18万元" in text
    # The list card says so too.
    listing = words(client.get("/projects/").get_data(as_text=True))
    assert "由番禺区慈善基金及其他1个基金支付" in listing
    home = words(client.get("/").get_data(as_text=True))  # and its card on the home page
    assert "慈善救助" in home and "由番禺区慈善基金及其他1个基金支付" in home


def test_the_ledger_link_of_a_fund_opens_that_funds_lines_of_the_project(app, client):
    general = make_fund(title="番禺区慈善基金", slug="panyu-cishan-jijin")
    project = make_project(slug="zhumeng", fund_id=general.id)
    make_entry(general, 179_370_00, EntryKind.EXPENSE, project_id=project.id)
    db.session.commit()
    ledger = client.get("/ledger/?project=zhumeng&fund=panyu-cishan-jijin").get_data(as_text=True)
    assert re.search(r'data-total="expense"[^>]*>¥179,370\.00<', ledger)


def test_a_project_open_for_gifts_shows_what_was_raised_directly_and_from_funds(app, client):
    giving_ready()
    project = open_project()
    fund = project.fund
    make_entry(fund, 1_200_000, project_id=project.id, category="捐赠收入")
    make_entry(fund, 2_000_000, EntryKind.EXPENSE, project_id=project.id)
    db.session.commit()
    text = words(money_panel(client, project))
    assert re.search(r"本项目直接筹款 (¥12,000\.00|1\.20万元)", text), text
    assert re.search(rf"由以下基金支付 {fund.title} (¥20,000\.00|2\.00万元)", text), text


def test_a_project_open_for_gifts_with_nothing_yet_says_so(app, client):
    giving_ready()
    project = open_project()
    text = words(money_panel(client, project))
    assert re.search(r"本项目直接筹款 (¥0\.00|0\.00万元)", text), text
    assert "本项目尚未收到捐赠，也还没有支出。" in text


def test_a_project_with_no_money_yet_says_so_plainly(app, client):
    project = make_project(title="第十一届慈善健康行", budget_fen=30_000_000)
    db.session.commit()
    text = words(money_panel(client, project))
    assert "本项目尚无收入或支出记录。" in text
    assert not ZERO.search(text) and "已筹款" not in text and "已支出" not in text


def test_no_demo_project_shows_nothing_raised_beside_spending(app, client, demo):
    from sqlalchemy import select

    from charity_site.models import Project

    for project in db.session.scalars(select(Project)):
        text = words(money_panel(client, project))
        assert not re.search(r"已筹款 (¥0\.00|0\.00万元)", text), project.slug
        if re.search(r"本项目直接筹款 (¥0\.00|0\.00万元)", text):  # open for gifts: beside the funds that paid, or saying none yet
            assert "由以下基金支付" in text or "尚未收到捐赠" in text, project.slug
        if "已支出" in text:
            assert "由以下基金支付" in text, project.slug
