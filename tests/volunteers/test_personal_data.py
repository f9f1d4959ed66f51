"""No volunteer's name, phone or ID number on any public page; ID numbers masked on every staff page."""

from __future__ import annotations

from factories_volunteers import VALID_ID, details, make_opportunity
from route_walk import build_url, is_guarded, rules, samples_from_database, signed_in_client

from charity_site.extensions import db
from charity_site.volunteers import attendance, identity, signups

NAME, PHONE, EMAIL = "隐私测试甲", "13712345678", "yinsi@example.org"


def test_a_crawl_of_every_page_finds_no_personal_data_in_public_and_no_unmasked_id_anywhere(app):
    opportunity = make_opportunity(requires_id=True, capacity=1)
    shift = opportunity.shifts[0]
    person = details(0, name=NAME, phone=PHONE, email=EMAIL, emergency_contact="紧急联系人乙 13600000000",
                     id_type=identity.RESIDENT_CARD, id_number=VALID_ID, id_consent=True)
    signup = signups.sign_up(shift, person)
    signups.sign_up(shift, details(2, id_type=identity.RESIDENT_CARD, id_number="440101199001010011", id_consent=True))
    attendance.check_in(signup, now=shift.starts_at)
    attendance.confirm_hours(shift, {signup.id: 180})
    db.session.commit()

    visitor, coordinator = app.test_client(), signed_in_client(app, "coordinator")
    samples = samples_from_database(app, token=[])
    checked = 0
    for rule in rules(app):
        if "GET" not in rule.methods:
            continue
        for values in samples.combinations(rule):
            url = build_url(rule, values)
            if not is_guarded(app, rule):
                body = visitor.get(url).get_data().decode("utf-8", "replace")
                for secret in (NAME, PHONE, EMAIL, VALID_ID, VALID_ID[6:14], "紧急联系人乙"):
                    assert secret not in body, f"{secret} on the public page {url}"
                checked += 1
            if rule.endpoint.startswith("admin_volunteer"):
                body = coordinator.get(url).get_data().decode("utf-8", "replace")
                assert VALID_ID not in body and PHONE not in body, f"unmasked on {url}"
                checked += 1
    assert checked > 20
    assert "1101**********002X" in coordinator.get(f"/admin/volunteers/shifts/{shift.id}").get_data(as_text=True)
