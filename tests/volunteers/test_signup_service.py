"""Signing up, the waitlist and cancelling, without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories_volunteers import VALID_ID, details, make_opportunity
from sqlalchemy import select, text

from charity_site.core.errors import EditError
from charity_site.core.models import utcnow
from charity_site.extensions import db
from charity_site.volunteers import identity, signups
from charity_site.volunteers.models import Signup, SignupStatus, Volunteer


def test_places_then_waitlist_in_order_and_a_cancellation_promotes_the_first(app):
    shift = make_opportunity(capacity=2).shifts[0]
    made = [signups.sign_up(shift, details(number)) for number in range(4)]
    db.session.commit()

    assert [signup.status for signup in made] == [SignupStatus.SIGNED_UP] * 2 + [SignupStatus.WAITLISTED] * 2
    promoted = signups.cancel(made[0])
    db.session.commit()

    assert promoted.id == made[2].id
    assert made[2].status is SignupStatus.SIGNED_UP
    assert made[3].status is SignupStatus.WAITLISTED


def test_the_same_phone_signs_up_once_per_shift_but_again_after_cancelling(app):
    shift = make_opportunity().shifts[0]
    first = signups.sign_up(shift, details(1))
    db.session.commit()
    with pytest.raises(EditError) as refused:
        signups.sign_up(shift, details(1, name="另一个名字"))
    assert refused.value.field == "phone"
    db.session.rollback()

    signups.cancel(first)
    again = signups.sign_up(shift, details(1))
    db.session.commit()
    assert again.id == first.id and again.status is SignupStatus.SIGNED_UP


def test_cancelling_after_the_deadline_is_refused(app):
    shift = make_opportunity(signup_deadline=utcnow() + timedelta(days=1)).shifts[0]
    signup = signups.sign_up(shift, details(1))
    db.session.commit()

    with pytest.raises(EditError):
        signups.cancel(signup, now=utcnow() + timedelta(days=2))
    db.session.rollback()
    with pytest.raises(EditError):
        signups.sign_up(shift, details(2), now=utcnow() + timedelta(days=2))


def test_under_age_and_minors_without_guardian_consent_are_refused(app):
    adults_only = make_opportunity().shifts[0]
    this_year = utcnow().year
    with pytest.raises(EditError) as minor:
        signups.sign_up(adults_only, details(1, birth_year=this_year - 16))
    assert minor.value.field == "birth_year"
    db.session.rollback()

    family = make_opportunity(minimum_age=10, minors_with_guardian=True).shifts[0]
    with pytest.raises(EditError) as too_young:
        signups.sign_up(family, details(2, birth_year=this_year - 8))
    assert too_young.value.field == "birth_year"
    db.session.rollback()
    with pytest.raises(EditError) as no_consent:
        signups.sign_up(family, details(3, birth_year=this_year - 12, guardian_name="家长", guardian_phone="13900000099"))
    assert no_consent.value.field == "guardian_consent"
    db.session.rollback()

    child = signups.sign_up(family, details(4, birth_year=this_year - 12, guardian_name="家长",
                                            guardian_phone="13900000099", guardian_consent=True))
    db.session.commit()
    assert child.status is SignupStatus.SIGNED_UP and child.volunteer.guardian_consent_at is not None


def test_consent_is_required_and_stored_with_its_version(app):
    shift = make_opportunity().shifts[0]
    with pytest.raises(EditError) as refused:
        signups.sign_up(shift, details(1, consent=False))
    assert refused.value.field == "consent"
    db.session.rollback()

    signup = signups.sign_up(shift, details(1))
    db.session.commit()
    assert signup.consent_text_version == signups.CONSENT_TEXT_VERSION and signup.consent_at is not None


def test_an_id_number_is_checked_and_stored_encrypted(app):
    shift = make_opportunity(requires_id=True).shifts[0]
    wrong_check_digit = VALID_ID[:-1] + "1"
    with pytest.raises(EditError) as refused:
        signups.sign_up(shift, details(1, id_type=identity.RESIDENT_CARD, id_number=wrong_check_digit, id_consent=True))
    assert refused.value.field == "id_number"
    db.session.rollback()
    with pytest.raises(EditError) as no_consent:
        signups.sign_up(shift, details(1, id_type=identity.RESIDENT_CARD, id_number=VALID_ID))
    assert no_consent.value.field == "id_consent"
    db.session.rollback()

    signup = signups.sign_up(shift, details(1, id_type=identity.RESIDENT_CARD, id_number=VALID_ID, id_consent=True))
    db.session.commit()
    raw = db.session.execute(text("SELECT id_number_encrypted, id_number_masked FROM volunteers WHERE id = :id"),
                             {"id": signup.volunteer_id}).one()
    assert VALID_ID not in raw[0] and VALID_ID[6:14] not in raw[0]
    assert raw[1] == "1101**********002X"
    assert identity.decrypt_id_number(raw[0]) == VALID_ID


def test_id_check_digit_and_mask():
    assert identity.is_valid_id_number(identity.RESIDENT_CARD, VALID_ID)
    assert not identity.is_valid_id_number(identity.RESIDENT_CARD, VALID_ID[:-1] + "3")
    assert not identity.is_valid_id_number(identity.RESIDENT_CARD, VALID_ID[:17])
    assert identity.mask_id_number("440101199001010011") == "4401**********0011"
    assert identity.is_valid_id_number(identity.RESIDENT_CARD, "440101199001010011")


def test_a_repeated_form_creates_one_sign_up(app):
    shift = make_opportunity().shifts[0]
    token = "A" * 32
    first = signups.sign_up(shift, details(1, submission_token=token))
    db.session.commit()
    second = signups.sign_up(shift, details(1, submission_token=token))
    assert second.id == first.id
    assert db.session.scalar(select(db.func.count(Signup.id))) == 1
    assert db.session.scalar(select(db.func.count(Volunteer.id))) == 1


def test_reminders_go_once_to_people_with_a_place_tomorrow(app, runner, tmp_path):
    from datetime import datetime, time

    from charity_site.core.formatting import SITE_TZ

    tomorrow_morning = datetime.combine((utcnow().astimezone(SITE_TZ) + timedelta(days=1)).date(), time(9, 0),
                                        tzinfo=SITE_TZ)
    shift = make_opportunity(capacity=1, starts_in=tomorrow_morning - utcnow()).shifts[0]
    signups.sign_up(shift, details(1, email="one@example.org"))
    signups.sign_up(shift, details(2, email="two@example.org"))  # waitlisted: no reminder
    db.session.commit()
    outbox = tmp_path / "outbox"
    before = len(list(outbox.glob("*.eml")))

    assert "reminded 1" in runner.invoke(args=["volunteers", "remind"]).output
    assert "reminded 0" in runner.invoke(args=["volunteers", "remind"]).output
    new = sorted(outbox.glob("*.eml"))[before:]
    assert len(new) == 1 and "one@example.org" in new[0].read_text()


def test_in_production_id_numbers_need_a_key_from_the_environment(app):
    shift = make_opportunity(requires_id=True).shifts[0]
    app.config["ENV_NAME"] = "production"
    with pytest.raises(EditError) as refused:
        signups.sign_up(shift, details(1, id_type=identity.RESIDENT_CARD, id_number=VALID_ID, id_consent=True))
    assert refused.value.field is None
    db.session.rollback()
    from cryptography.fernet import Fernet

    app.config["VOLUNTEER_ID_KEY"] = Fernet.generate_key().decode()
    signup = signups.sign_up(shift, details(1, id_type=identity.RESIDENT_CARD, id_number=VALID_ID, id_consent=True))
    db.session.commit()
    assert identity.decrypt_id_number(signup.volunteer.id_number_encrypted) == VALID_ID
    app.config["VOLUNTEER_ID_KEY"] = Fernet.generate_key().decode()  # another key opens nothing
    assert identity.decrypt_id_number(signup.volunteer.id_number_encrypted) is None


def test_raising_a_shifts_capacity_gives_the_new_places_to_the_waitlist_in_order(app):
    from charity_site.volunteers import opportunities

    shift = make_opportunity(capacity=1).shifts[0]
    made = [signups.sign_up(shift, details(number)) for number in range(4)]
    db.session.commit()
    opportunities.save_shift(shift.opportunity, shift, {"task": shift.task, "starts_at": shift.starts_at,
                                                        "ends_at": shift.ends_at, "capacity": 3})
    db.session.commit()
    assert [signup.status for signup in made] == [SignupStatus.SIGNED_UP] * 3 + [SignupStatus.WAITLISTED]
    with pytest.raises(EditError) as refused:
        opportunities.save_shift(shift.opportunity, shift, {"task": shift.task, "starts_at": shift.starts_at,
                                                            "ends_at": shift.ends_at, "capacity": 2})
    assert refused.value.field == "capacity"
