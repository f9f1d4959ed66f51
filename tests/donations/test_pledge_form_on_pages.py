"""Giving from project and fund pages open for gifts: the figures, a 我要捐赠 button and preset amounts that
lead to the donate page's form with that project or fund (and amount) chosen. The pages themselves hold no
form, so every visitor gets the same page, and the page cache can serve it to a crowd."""

from __future__ import annotations

import html
import re

import pytest
from factories import make_project
from factories_donations import (
    campaign_values,
    form_state,
    giving_ready,
    make_pledge,
    open_project,
    pledge_form,
)
from sqlalchemy import select

from charity_site.core.formatting import local_today
from charity_site.donations import campaigns, receiving
from charity_site.donations.models import Pledge
from charity_site.extensions import db


def hidden(body: str, name: str) -> str:
    return re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]*)"', body).group(1)


def pledge_forms(body: str) -> list[str]:
    return re.findall(r'<form method="post" action="/donate" class="form pledge-form"', body)


def giving_links(body: str) -> dict[str, str]:
    """The giving panel's links: their text (the button, each preset amount) → address."""
    panel = body[body.index('class="panel giving-panel"'):]
    panel = panel[:panel.index("</section>")]
    return {html.unescape(text).strip(): html.unescape(href)
            for href, text in re.findall(r'<a class="[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>', panel)}


def checked_amount(body: str) -> str | None:
    found = re.search(r'<input checked id="amount_choice-\d+" name="amount_choice" type="radio" value="(\d+)"', body)
    return found.group(1) if found else None


@pytest.fixture
def project(app):
    giving_ready()
    return open_project()


def test_a_project_page_shows_the_figures_a_donate_button_and_preset_amounts_without_a_form(client, project):
    response = client.get(f"/projects/{project.slug}")
    body = response.get_data(as_text=True)

    assert pledge_forms(body) == [] and 'name="submission_token"' not in body
    assert 'data-fact="campaign-raised"' in body and 'data-fact="campaign-pledged"' in body
    links = giving_links(body)
    assert links["我要捐赠"] == f"/donate?project={project.id}"
    assert links["¥100"] == f"/donate?project={project.id}&amount=100"
    assert {"¥50", "¥500", "¥1,000"} <= links.keys()
    # The same page for everyone: shared caches may keep it, and the second visitor gets the stored copy.
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert client.get(f"/projects/{project.slug}").headers["X-Page-Cache"] == "hit"


def test_a_preset_amount_leads_to_the_form_with_the_project_and_amount_chosen_and_the_pledge_is_for_it(
        client, project):
    other = open_project()
    page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    form_page = client.get(giving_links(page)["¥500"]).get_data(as_text=True)

    assert form_state(form_page).chosen("designation") == f"project-{project.id}"
    assert checked_amount(form_page) == "50000"
    posted = {**pledge_form(other), "designation": f"project-{project.id}", "amount_choice": checked_amount(form_page),
              "submission_token": hidden(form_page, "submission_token")}
    response = client.post("/donate", data=posted)

    assert response.status_code == 303
    pledge = db.session.scalars(select(Pledge)).one()
    assert pledge.project_id == project.id and pledge.fund_id == project.fund_id and pledge.amount_fen == 50_000


def test_an_amount_that_is_no_preset_is_typed_in_and_a_strange_one_is_ignored(client, project):
    typed = client.get(f"/donate?project={project.id}&amount=88").get_data(as_text=True)
    assert checked_amount(typed) is None and 'name="custom_amount" type="text" value="88.00"' in typed.replace(
        'inputmode="decimal" ', "").replace('autocomplete="off" ', "").replace(' id="custom_amount"', "")

    for strange in ("-5", "abc", "99999999999999999999", "1e9"):
        body = client.get(f"/donate?project={project.id}&amount={strange}").get_data(as_text=True)
        assert checked_amount(body) == "10000", strange  # the usual preset, as without ?amount=


def test_a_fund_open_for_gifts_links_to_the_form_for_that_fund(client, project):
    fund = project.fund
    campaigns.save_campaign(campaigns.campaign_for(fund_id=fund.id), campaign_values())
    db.session.commit()

    body = client.get(f"/funds/{fund.slug}").get_data(as_text=True)

    assert pledge_forms(body) == []
    assert giving_links(body)["我要捐赠"] == f"/donate?fund={fund.id}"
    form_page = client.get(f"/donate?fund={fund.id}").get_data(as_text=True)
    assert form_state(form_page).chosen("designation") == f"fund-{fund.id}"


def test_pages_not_open_for_gifts_have_no_giving_panel(client, project):
    closed = make_project(fund_id=project.fund_id, title="未开放募捐的项目")
    ended = open_project(is_open=False)
    db.session.commit()

    for page in (closed, ended):
        body = client.get(f"/projects/{page.slug}").get_data(as_text=True)
        assert "giving-panel" not in body and "/donate?project=" not in body


def test_before_any_gift_arrives_the_donor_wall_says_so_instead_of_counting_nothing(client, project, finance):
    for page in (f"/projects/{project.slug}", "/donors"):
        body = client.get(page).get_data(as_text=True)
        assert "还没有到账的捐赠。捐赠到账、经工作人员确认后，会列在这里。" in body, page
        assert "已到账捐赠 0 笔" not in body, page

    pledge = make_pledge(project, amount_fen=5_000)
    receiving.confirm_receipt(pledge, amount_fen=5_000, received_on=local_today(), channel="", actor=finance)
    db.session.commit()
    for page in (f"/projects/{project.slug}", "/donors"):
        body = client.get(page).get_data(as_text=True)
        assert "已到账捐赠 1 笔，共 ¥50.00（含匿名捐赠）。" in body, page
        assert "还没有到账的捐赠" not in body, page
