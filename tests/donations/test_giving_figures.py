"""The giving panel's figures and donor wall: received gifts and pending pledges of one project or fund,
never another's, and never a cancelled or expired pledge."""

from __future__ import annotations

import re

import pytest
from factories import make_fund
from factories_donations import giving_ready, make_pledge, open_project

from charity_site.core.formatting import local_today
from charity_site.donations import queries, receiving
from charity_site.extensions import db


def receive(pledge, amount_fen=None):
    receiving.confirm_receipt(pledge, amount_fen=amount_fen or pledge.amount_fen, received_on=local_today(),
                              channel="", actor=None)
    db.session.commit()


@pytest.fixture
def projects(app):
    """Two projects open for gifts, with pledges in every state."""
    giving_ready()
    first, second = open_project(), open_project()
    receive(make_pledge(first, 10_000, donor_name="王小明"))
    receive(make_pledge(first, 20_000, donor_name="李大华"), amount_fen=25_000)  # more arrived than promised
    make_pledge(first, 30_000)  # pending
    receiving.cancel(make_pledge(first, 40_000))
    make_pledge(second, 50_000)  # pending, of the other project
    receive(make_pledge(second, 70_000, donor_name="张三丰"))
    db.session.commit()
    return first, second


def test_a_projects_figures_count_its_received_gifts_and_its_pending_pledges_only(projects):
    first, second = projects

    figures = queries.gift_figures(project_id=first.id)
    assert (figures.received.count, figures.received.received_fen, figures.pledged_fen) == (2, 35_000, 30_000)
    other = queries.gift_figures(project_id=second.id)
    assert (other.received.count, other.received.received_fen, other.pledged_fen) == (1, 70_000, 50_000)
    everything = queries.gift_figures()
    assert (everything.received.count, everything.received.received_fen, everything.pledged_fen) == (3, 105_000, 80_000)
    assert queries.received_count(project_id=first.id) == figures.received


def test_the_wall_lists_a_projects_received_gifts_newest_first_up_to_its_limit(projects):
    first, second = projects

    assert [gift.received_fen for gift in queries.wall(project_id=first.id)] == [25_000, 10_000]
    assert [gift.received_fen for gift in queries.wall(project_id=first.id, limit=1)] == [25_000]
    assert [gift.received_fen for gift in queries.wall(project_id=second.id)] == [70_000]
    assert len(queries.wall()) == 3


def test_a_wall_entry_holds_what_the_wall_shows_and_no_contact_detail_or_hidden_name(app):
    giving_ready()
    project = open_project()
    receive(make_pledge(project, 10_000, donor_name="王小明", phone="13912345678", email="wang@example.org",
                        message="愿孩子们好", show_message=False))
    receive(make_pledge(project, 20_000, donor_name="李大华", phone="13800001111", message="加油", show_message=True))

    shown = queries.wall(project_id=project.id)

    assert [(gift.name, gift.message) for gift in shown] == [("李**", "加油"), ("王**", None)]
    for gift in shown:
        assert set(vars(gift)) == {"name", "received_fen", "received_on", "message"}
        assert not {"13912345678", "13800001111", "wang@example.org", "王小明", "李大华"} & {str(v) for v in vars(gift).values()}


def test_the_project_page_shows_its_pending_pledges_and_its_own_donors(client, projects):
    first, _ = projects

    body = client.get(f"/projects/{first.slug}").get_data(as_text=True)
    pledged = re.search(r'data-fact="campaign-pledged">([^<]+)<', body).group(1)
    assert "300" in pledged and "500" not in pledged  # ¥300 pending here; the other project's ¥500 is not
    wall = re.findall(r'<span class="donor-name">([^<]+)</span> <span class="donor-amount">([^<]+)</span>', body)
    assert [(name, amount.replace(",", "")) for name, amount in wall] == [("李**", "¥250.00"), ("王**", "¥100.00")]


def test_a_funds_figures_count_the_gifts_booked_to_it_and_an_empty_fund_shows_none(projects):
    first, _ = projects
    empty = make_fund(title="空基金")
    db.session.commit()

    general = queries.gift_figures(fund_id=first.fund_id)  # both projects' gifts are booked to the general fund
    assert (general.received.count, general.received.received_fen, general.pledged_fen) == (3, 105_000, 80_000)
    nothing = queries.gift_figures(fund_id=empty.id)
    assert (nothing.received.count, nothing.received.received_fen, nothing.pledged_fen) == (0, 0, 0)
    assert queries.wall(fund_id=empty.id) == []
