"""The public pledge form: amounts, designation, contact, consent, honeypot, double submit, rate limit."""

from __future__ import annotations

import re

import pytest
from factories_donations import (
    form_state,
    form_token,
    giving_ready,
    open_project,
    pledge_count,
    pledge_form,
)
from sqlalchemy import select

from charity_site.donations.models import DonorDisplay, PaymentMethod, Pledge, PledgeStatus
from charity_site.donations.pledging import CONSENT_TEXT_VERSION, REFERENCE_ALPHABET
from charity_site.extensions import db


@pytest.fixture
def project(app):
    giving_ready()
    return open_project()


def test_the_form_offers_the_presets_and_preselects_the_project(client, project):
    body = client.get(f"/donate?project={project.id}").get_data(as_text=True)

    for preset in ("¥50", "¥100", "¥500", "¥1,000"):
        assert preset in body
    assert form_state(body).chosen("designation") == f"project-{project.id}"
    assert "个人信息处理告知" in body and CONSENT_TEXT_VERSION in body


def test_a_pledge_is_stored_in_fen_with_consent_and_leads_to_its_page(client, project):
    response = client.post("/donate", data={**pledge_form(project), "submission_token": form_token(client),
                                            "amount_choice": "", "custom_amount": "88.88", "method": "wechat"})

    assert response.status_code == 303
    pledge = db.session.scalars(select(Pledge)).one()
    assert pledge.amount_fen == 8888
    assert pledge.project_id == project.id and pledge.fund_id == project.fund_id
    assert pledge.method is PaymentMethod.WECHAT and pledge.status is PledgeStatus.PENDING
    assert pledge.display is DonorDisplay.MASKED
    assert pledge.consent_at is not None and pledge.consent_text_version == CONSENT_TEXT_VERSION
    assert len(pledge.reference) == 8 and set(pledge.reference) <= set(REFERENCE_ALPHABET)
    assert response.headers["Location"].endswith(f"/pledge/{pledge.access_token}")


def test_the_full_name_is_shown_only_after_the_opt_in(client, project):
    client.post("/donate", data={**pledge_form(project), "submission_token": form_token(client)})
    client.post("/donate", data={**pledge_form(project), "submission_token": form_token(client),
                                 "show_full_name": "y"})

    displays = [pledge.display for pledge in db.session.scalars(select(Pledge).order_by(Pledge.id))]
    assert displays == [DonorDisplay.MASKED, DonorDisplay.FULL_NAME]


@pytest.mark.parametrize("changes, field, message", [
    ({"phone": "", "email": ""}, "phone", "请填写手机号码或电子邮箱"),
    ({"phone": "12345"}, "phone", "11位"),
    ({"email": "not-an-address"}, "email", "电子邮箱"),
    ({"consent": ""}, "consent", "请阅读告知并勾选同意"),
    ({"amount_choice": "", "custom_amount": "0.5"}, "custom_amount", "最低金额"),
    ({"amount_choice": "", "custom_amount": "200000"}, "custom_amount", "请直接与我们联系"),
    ({"amount_choice": "", "custom_amount": "abc"}, "custom_amount", "金额"),
    ({"amount_choice": "12345", "custom_amount": ""}, "custom_amount", "请选择或填写捐赠金额"),
    ({"wants_receipt": "y", "donor_name": ""}, "donor_name", "需要填写捐赠人姓名"),
    ({"designation": "project-999999"}, "designation", "选择"),
])
def test_mistakes_are_explained_in_chinese_beside_the_field_and_keep_what_was_typed(client, project, changes, field,
                                                                                    message):
    response = client.post("/donate", data={**pledge_form(project, **changes),
                                            "submission_token": form_token(client), "message": "加油"})

    body = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', body)
    assert error is not None, body[body.find('form-summary'):][:2000]
    assert message in error.group(1)
    assert "加油" in body
    assert pledge_count() == 0


def test_a_double_submit_or_a_refresh_makes_one_pledge(client, project):
    data = {**pledge_form(project), "submission_token": form_token(client)}

    first = client.post("/donate", data=data)
    second = client.post("/donate", data=data)

    assert pledge_count() == 1
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]


def test_a_form_filled_in_by_a_bot_stores_nothing(client, project):
    response = client.post("/donate", data={**pledge_form(project), "submission_token": form_token(client),
                                            "website": "http://spam.example"})

    assert response.status_code == 400
    assert pledge_count() == 0


def test_pledges_from_one_address_are_rate_limited(app, client, project):
    app.config["PLEDGE_RATE_LIMIT"] = "3 per hour"
    statuses = [client.post("/donate", data={**pledge_form(project), "submission_token": form_token(client)}).status_code
                for _ in range(4)]

    assert statuses == [303, 303, 303, 429]
    assert pledge_count() == 3


def test_without_anything_open_the_page_says_so(app, client):
    body = client.get("/donate").get_data(as_text=True)
    assert "目前暂未开放网上捐赠" in body


def test_the_form_page_is_never_cached_so_two_visits_get_two_submission_tokens(client, project):
    first, second = client.get("/donate"), client.get("/donate")

    assert first.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in first.headers
    tokens = [re.search(r'name="submission_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)
              for response in (first, second)]
    assert tokens[0] != tokens[1]
