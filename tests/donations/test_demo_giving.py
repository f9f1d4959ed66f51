"""The demo content opens campaigns and shows received example pledges, without changing the demo ledger."""

from __future__ import annotations

from factories import line_count
from sqlalchemy import func, select

from charity_site.demo_content.loader import load_content
from charity_site.donations import queries
from charity_site.donations.models import Pledge, PledgeStatus
from charity_site.extensions import db


def test_the_demo_has_open_campaigns_and_a_donor_wall(app, client, demo):
    lines = line_count()
    campaigns = queries.accepting_campaigns()
    pledges = db.session.scalars(select(Pledge)).all()

    assert len(campaigns) == 3
    assert len(pledges) == 11 and {pledge.status for pledge in pledges} == {PledgeStatus.RECEIVED}
    assert all(pledge.ledger_entry_id is not None for pledge in pledges)
    wall = client.get("/donors").get_data(as_text=True)
    assert "陈耀祖（示例）" in wall and "匿名" in wall and "吴**" in wall
    assert "吴淑芬" not in wall
    donate = client.get("/donate").get_data(as_text=True)
    assert "（示例）" in donate and "6200 0000 0000 0000 000（示例）" not in donate  # the account shows after pledging

    assert queries.giving_settings().collection_code == "/static/img/demo-collection-code.png"
    assert client.get("/static/img/demo-collection-code.png").status_code == 200

    report = load_content(app.config["CONTENT_DIR"])

    assert report.ok
    assert db.session.scalar(select(func.count(Pledge.id))) == 11
    assert line_count() == lines
