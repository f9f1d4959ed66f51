"""The pledge form sent back with mistakes: every mistake is marked in one round (the unticked consent box with the
others, not after them), and what the visitor typed or ticked is still there."""

from __future__ import annotations

import re

import pytest
from factories_donations import form_state, form_token, giving_ready, open_project, pledge_count, pledge_form

CONSENT = "请阅读告知并勾选同意，否则无法登记您的认捐。"
CONTACT = "请填写手机号码或电子邮箱"


def field_errors(body: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="field-error" id="([^"]+)-error">([^<]*)</p>', body))


@pytest.fixture
def project(app):
    giving_ready()
    return open_project()


def test_the_form_sent_as_shown_marks_the_consent_box_together_with_the_missing_contact(client, project):
    # What a browser sends when the visitor presses 提交认捐 without touching anything: the preset amount,
    # the designation, the payment method and the donor-wall choice that are chosen when the page opens.
    shown = form_state(client.get(f"/donate?project={project.id}").get_data(as_text=True))
    data = {"submission_token": shown.values["submission_token"], **{name: value for name, value in shown.ticked}}
    assert {"amount_choice", "designation", "method", "display"} <= data.keys()

    response = client.post("/donate", data=data)

    body = response.get_data(as_text=True)
    errors = field_errors(body)
    assert response.status_code == 400
    assert errors.get("consent") == CONSENT, errors
    assert CONTACT in errors.get("phone", ""), errors
    assert "请修改下面标出的内容" in body
    assert pledge_count() == 0


def test_an_empty_form_marks_every_field_in_one_round(client, project):
    response = client.post("/donate", data={"submission_token": form_token(client)})

    errors = field_errors(response.get_data(as_text=True))
    assert response.status_code == 400
    assert {"custom_amount", "method", "display", "phone", "consent"} <= errors.keys(), errors
    assert errors["consent"] == CONSENT
    assert "请选择或填写捐赠金额" in errors["custom_amount"]
    assert pledge_count() == 0


def test_consent_is_marked_together_with_a_mistake_the_form_finds_itself(client, project):
    response = client.post("/donate", data={**pledge_form(project, consent="", amount_choice="",
                                                          custom_amount="12.345"),
                                            "submission_token": form_token(client)})

    errors = field_errors(response.get_data(as_text=True))
    assert response.status_code == 400
    assert set(errors) == {"custom_amount", "consent"}, errors
    assert "两位小数" in errors["custom_amount"]
    assert pledge_count() == 0


def test_a_form_with_mistakes_keeps_what_was_typed_and_ticked(client, project):
    typed = pledge_form(project, amount_choice="", custom_amount="88.88", donor_name="王小明", phone="",
                        email="wang@example", display="anonymous", method="wechat", message="加油，孩子们",
                        show_message="y", wants_receipt="y", wants_updates="y", consent="y")

    response = client.post("/donate", data={**typed, "submission_token": form_token(client)})

    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert set(field_errors(body)) == {"email"}
    shown = form_state(body)
    assert {name: shown.values[name] for name in ("custom_amount", "donor_name", "email", "message")} == {
        "custom_amount": "88.88", "donor_name": "王小明", "email": "wang@example", "message": "加油，孩子们"}
    assert {("designation", f"project-{project.id}"), ("display", "anonymous"), ("method", "wechat"), ("show_message", "y"), ("wants_receipt", "y"),
            ("wants_updates", "y"), ("consent", "y")} <= shown.ticked
    assert pledge_count() == 0


def test_the_consent_box_alone_unticked_is_still_refused(client, project):
    response = client.post("/donate", data={**pledge_form(project, consent=""), "submission_token": form_token(client)})

    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True)) == {"consent": CONSENT}
    assert pledge_count() == 0


def test_the_form_itself_checks_the_consent_box(app, project):
    from werkzeug.datastructures import MultiDict

    from charity_site.donations.forms import PledgeForm

    with app.test_request_context("/donate", method="POST"):
        form = PledgeForm(formdata=MultiDict({"display": "masked", "method": "bank", "amount_choice": "10000"}))
        assert not form.validate()
        assert form.consent.errors == [CONSENT]
        ticked = PledgeForm(formdata=MultiDict({"display": "masked", "method": "bank", "consent": "y"}))
        ticked.validate()
        assert "consent" not in ticked.errors
