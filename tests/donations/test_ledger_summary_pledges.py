"""A confirmed pledge's ledger line reaches the fund and project totals (finance/summaries.py) at once."""

from __future__ import annotations

from factories_donations import giving_ready, make_pledge, open_project

from charity_site.core.formatting import local_today
from charity_site.donations import receiving
from charity_site.extensions import db
from charity_site.finance import money, summaries
from charity_site.models import FundMoney, ProjectMoney


def test_a_confirmed_pledge_adds_its_line_to_the_totals(app, finance):
    giving_ready()
    project = open_project()
    pledge = make_pledge(project, amount_fen=88_800)
    receiving.confirm_receipt(pledge, amount_fen=88_800, received_on=local_today(), channel="", actor=finance)
    db.session.commit()

    row = db.session.get(ProjectMoney, project.id)
    assert (row.income_fen, row.expense_fen, row.line_count) == (88_800, 0, 1)
    assert db.session.get(FundMoney, project.fund_id).income_fen == 88_800
    assert money.project_totals([project.id])[project.id].income_fen == 88_800
    assert summaries.differences() == []
