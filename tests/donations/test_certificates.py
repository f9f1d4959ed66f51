"""Certificates: amounts in Chinese capitals, yearly numbers, and a verify page that shows only the certificate."""

from __future__ import annotations

import pytest
from factories_donations import CREDIT_CODE, ORG_NAME, giving_ready, make_pledge, open_project

from charity_site.core.formatting import local_today
from charity_site.donations import receiving
from charity_site.donations.certificates import amount_in_capitals, parse_certificate_label
from charity_site.donations.models import DonorDisplay
from charity_site.extensions import db


@pytest.mark.parametrize("fen, capitals", [
    (5, "伍分"),
    (50, "伍角"),
    (1_000, "壹拾元整"),
    (101, "壹元零壹分"),
    (100_000, "壹仟元整"),
    (10_001_050, "壹拾万零壹拾元伍角"),
    (100_000_000, "壹佰万元整"),
    (1_234_567, "壹万贰仟叁佰肆拾伍元陆角柒分"),
])
def test_amounts_in_chinese_capitals(fen, capitals):
    assert amount_in_capitals(fen) == capitals


@pytest.mark.parametrize("label, parsed", [("2026-000123", (2026, 123)), ("2026-123", None), ("x", None),
                                           ("2026-0001234", None), ("", None)])
def test_certificate_numbers_are_read_strictly(label, parsed):
    assert parse_certificate_label(label) == parsed


@pytest.fixture
def received(app, finance):
    giving_ready()
    pledge = make_pledge(open_project(), amount_fen=100_000, donor_name="赵敏", phone="13712340000",
                         email="zm@example.org", message="一点心意", display=DonorDisplay.MASKED)
    receiving.confirm_receipt(pledge, amount_fen=100_000, received_on=local_today(), channel="", actor=finance)
    db.session.commit()
    return pledge


def test_the_certificate_shows_what_it_must(client, received):
    body = client.get(f"/pledge/{received.access_token}/certificate").get_data(as_text=True)

    for fact in (received.certificate_label, "赵**", "¥1,000.00", "壹仟元整", "助学测试项目", ORG_NAME, CREDIT_CODE,
                 "不是财政部门监制的公益事业捐赠票据", f"/verify/{received.certificate_label}"):
        assert fact in body, fact


def test_the_verify_page_confirms_a_certificate_and_shows_nothing_beyond_it(client, received):
    response = client.get(f"/verify/{received.certificate_label}")
    body = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "此证书真实有效" in body and "壹仟元整" in body and "赵**" in body
    for hidden in ("赵敏", "13712340000", "5678", "zm@example.org", "一点心意", received.reference,
                   received.access_token):
        assert hidden not in body, hidden


def test_an_anonymous_donor_is_called_a_kind_person(app, client, finance):
    giving_ready()
    pledge = make_pledge(open_project(), donor_name="钱七", display=DonorDisplay.ANONYMOUS)
    receiving.confirm_receipt(pledge, amount_fen=500, received_on=local_today(), channel="", actor=finance)
    db.session.commit()

    body = client.get(f"/verify/{pledge.certificate_label}").get_data(as_text=True)

    assert "爱心人士" in body and "钱" not in body.split("<main", 1)[1]


@pytest.mark.parametrize("number", ["2026-999999", "1999-000001", "abc", "2026-00001"])
def test_an_unknown_number_is_not_confirmed(client, received, number):
    response = client.get(f"/verify/{number}")
    assert response.status_code == 404
    assert "此证书真实有效" not in response.get_data(as_text=True)
