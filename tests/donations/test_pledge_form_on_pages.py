"""The pledge form itself on project and fund pages open for gifts, designation fixed to that page."""

from __future__ import annotations

import re

import pytest
from factories import make_project
from factories_donations import campaign_values, giving_ready, open_project, pledge_form
from sqlalchemy import select

from charity_site.donations import campaigns
from charity_site.donations.models import Pledge
from charity_site.extensions import db


def hidden(body: str, name: str) -> str:
    return re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]*)"', body).group(1)


def pledge_forms(body: str) -> list[str]:
    return re.findall(r'<form method="post" action="/donate" class="form pledge-form"', body)


@pytest.fixture
def project(app):
    giving_ready()
    return open_project()


def test_a_project_open_for_gifts_shows_the_form_with_its_designation_fixed(client, project):
    response = client.get(f"/projects/{project.slug}")
    body = response.get_data(as_text=True)

    assert len(pledge_forms(body)) == 1
    assert hidden(body, "designation") == f"project-{project.id}"
    assert '<select id="designation"' not in body and project.title in body
    assert "个人信息处理告知" in body and 'name="website"' in body and hidden(body, "submission_token")
    assert "no-store" in response.headers["Cache-Control"]  # the submission token is this visitor's


def test_a_pledge_posted_from_the_project_page_is_designated_to_that_project(client, project):
    other = open_project()
    body = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    posted = {**pledge_form(other), "designation": hidden(body, "designation"),
              "submission_token": hidden(body, "submission_token")}

    response = client.post("/donate", data=posted)

    assert response.status_code == 303
    pledge = db.session.scalars(select(Pledge)).one()
    assert pledge.project_id == project.id and pledge.fund_id == project.fund_id


def test_a_fund_open_for_gifts_shows_the_form_too(client, project):
    fund = project.fund
    campaigns.save_campaign(campaigns.campaign_for(fund_id=fund.id), campaign_values())
    db.session.commit()

    body = client.get(f"/funds/{fund.slug}").get_data(as_text=True)

    assert len(pledge_forms(body)) == 1 and hidden(body, "designation") == f"fund-{fund.id}"


def test_pages_not_open_for_gifts_have_no_form(client, project):
    closed = make_project(fund_id=project.fund_id, title="未开放募捐的项目")
    ended = open_project(is_open=False)
    db.session.commit()

    for page in (closed, ended):
        body = client.get(f"/projects/{page.slug}").get_data(as_text=True)
        assert pledge_forms(body) == [] and 'name="submission_token"' not in body
