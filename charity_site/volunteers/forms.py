"""Forms of the volunteer pages: the staff editor, shifts, the public sign-up, check-in and look-up."""

from __future__ import annotations

import re
from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from charity_site.core.formatting import SITE_TZ, local_to_utc, local_today
from charity_site.core.models import PublicationStatus
from charity_site.core.personal import normalise_email, normalise_mobile
from charity_site.core.slugs import MAX_SLUG_LENGTH, is_valid_slug
from charity_site.volunteers import identity
from charity_site.web.fields import LocalDateTimeField
from charity_site.web.input import NOT_AN_OPTION, BoundedDateField, BoundedIntegerField, SiteForm, coerce_id, parse_int
from charity_site.web.public_forms import PublicIntakeForm

STATUS_CHOICES = [
    SelectChoice(PublicationStatus.DRAFT.value, _l("Draft (only staff can see it)")),
    SelectChoice(PublicationStatus.PUBLISHED.value, _l("Published now")),
]
_TIME = re.compile(r"([01]?\d|2[0-3])[:：]([0-5]\d)")


def _slug_check(form, field):
    if field.data and not is_valid_slug(field.data.strip()):
        raise ValidationError(_l("Use lowercase letters, digits and hyphens only, e.g. zhu-xue-2025."))


class OpportunityForm(SiteForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")), Length(max=200)])
    slug = StringField(_l("Web address (slug)"), validators=[Optional(), Length(max=MAX_SLUG_LENGTH), _slug_check],
                       description=_l("Leave empty to make one from the title in pinyin."))
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
    body_md = TextAreaField(_l("Description (Markdown)"), validators=[Optional(), Length(max=50_000)],
                            render_kw={"rows": 10, "data-markdown-editor": "true"})
    project_id = SelectField(_l("Project"), coerce=coerce_id, choices=[], validate_choice=True,
                             invalid_choice_message=NOT_AN_OPTION)
    location = StringField(_l("Place"), validators=[DataRequired(_l("Please say where it takes place.")),
                                                   Length(max=200)])
    area = StringField(_l("District or street (区/街道)"), validators=[Optional(), Length(max=60)],
                       description=_l("Used by the area filter of the public list, e.g. 市桥街道."))
    tasks = TextAreaField(_l("Tasks and requirements"), validators=[Optional(), Length(max=5000)],
                          render_kw={"rows": 4})
    risks = TextAreaField(_l("Risks volunteers should know"), validators=[Optional(), Length(max=5000)],
                          render_kw={"rows": 3})
    insurance_arranged = BooleanField(_l("Accident insurance is arranged for volunteers"))
    minimum_age = BoundedIntegerField(_l("Minimum age"), validators=[InputRequired(_l("Please give a minimum age."))],
                                      minimum=6, maximum=100, default=18)
    minors_with_guardian = BooleanField(_l("Minors may join with their guardian's consent"))
    requires_id = BooleanField(_l("A real-name ID number is required"),
                               description=_l("Only when the activity truly needs it (insurance, venue access)."))
    signup_deadline = LocalDateTimeField(_l("Sign-up deadline (Beijing time)"), validators=[Optional()],
                                         description=_l("Empty: sign-up closes when each shift starts."))
    organiser_contact = StringField(_l("Contact"), validators=[Optional(), Length(max=120)],
                                    description=_l("Shown publicly, e.g. 志愿服务部 020-0000-0000."))
    status = RadioField(_l("Status"), choices=STATUS_CHOICES, default=PublicationStatus.DRAFT.value,
                        validators=[InputRequired(_l("Please choose a status."))])
    version = HiddenField()

    def validate_minimum_age(self, field):
        if field.data is None:
            raise ValidationError(_l("Please give a minimum age."))

    def item_data(self) -> dict:
        data = {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "version")}
        for name in ("slug", "summary", "body_md", "location", "area", "tasks", "risks", "organiser_contact"):
            data[name] = (data.get(name) or "").strip()
        data["status"] = PublicationStatus(data["status"])
        return data

    def submitted_version(self) -> int | None:
        return parse_int(self.version.data)


class ShiftForm(SiteForm):
    day = BoundedDateField(_l("Date"), validators=[InputRequired(_l("Please give the date."))])
    start_time = StringField(_l("Starts (Beijing time)"), validators=[InputRequired(_l("Please give a time."))],
                             default="09:00", render_kw={"inputmode": "numeric"})
    end_time = StringField(_l("Ends"), validators=[InputRequired(_l("Please give a time."))],
                           default="12:00", render_kw={"inputmode": "numeric"})
    task = StringField(_l("Task"), validators=[DataRequired(_l("Please describe the task.")), Length(max=200)])
    capacity = BoundedIntegerField(_l("Places"), validators=[InputRequired(_l("Please give the number of places."))],
                                   minimum=1, maximum=10_000)

    def validate_day(self, field):
        if field.data is None:
            raise ValidationError(_l("Please give the date."))

    def validate_capacity(self, field):
        if field.data is None:
            raise ValidationError(_l("Please give the number of places."))

    def _time(self, field) -> time:
        match = _TIME.fullmatch((field.data or "").strip())
        if match is None:
            raise ValidationError(_l("Write the time like 09:30."))
        return time(int(match.group(1)), int(match.group(2)))

    def validate_start_time(self, field):
        self._time(field)

    def validate_end_time(self, field):
        self._time(field)

    def shift_data(self) -> dict:
        def moment(field):
            return local_to_utc(datetime.combine(self.day.data, self._time(field), tzinfo=SITE_TZ))
        return {"task": self.task.data.strip(), "starts_at": moment(self.start_time), "ends_at": moment(self.end_time),
                "capacity": self.capacity.data}

    def load(self, shift) -> None:
        start, end = shift.starts_at.astimezone(SITE_TZ), shift.ends_at.astimezone(SITE_TZ)
        self.day.data, self.start_time.data, self.end_time.data = start.date(), f"{start:%H:%M}", f"{end:%H:%M}"
        self.task.data, self.capacity.data = shift.task, shift.capacity


def _mobile(form, field):
    if field.data and normalise_mobile(field.data) is None:
        raise ValidationError(_l("Enter an 11-digit mainland mobile number, e.g. 13812345678."))


def _email(form, field):
    if field.data and normalise_email(field.data) is None:
        raise ValidationError(_l("Enter an e-mail address like name@example.org, or leave it empty."))


ID_TYPE_CHOICES = [
    SelectChoice("", "—"),
    SelectChoice(identity.RESIDENT_CARD, _l("Resident ID card")),
    SelectChoice(identity.OTHER_DOCUMENT, _l("Other ID (residence permit, passport)")),
]


class SignupForm(PublicIntakeForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Please enter your name.")), Length(max=80)],
                       render_kw={"autocomplete": "name"})
    phone = StringField(_l("Mobile number"), validators=[DataRequired(_l("Please enter your mobile number.")),
                                                        Length(max=30), _mobile],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    email = StringField(_l("E-mail (optional)"), validators=[Optional(), Length(max=254), _email],
                        description=_l("For the confirmation and a message if a place comes free."),
                        render_kw={"autocomplete": "email", "inputmode": "email"})
    birth_year = BoundedIntegerField(_l("Year of birth"), validators=[InputRequired(_l("Please enter your year of birth."))],
                                     minimum=1900, maximum=2100, message=_l("Enter a year of birth such as 1958."),
                                     # a hint, not a placeholder: a grey 1958 in the box reads as already filled in
                                     description=_l("Four digits, for example 1958."),
                                     render_kw={"inputmode": "numeric", "autocomplete": "bday-year"})
    skills = TextAreaField(_l("Skills (optional)"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
    emergency_contact = StringField(_l("Emergency contact (optional)"), validators=[Optional(), Length(max=120)],
                                    description=_l("Name and phone of someone we may call if you are unwell."))
    id_type = SelectField(_l("ID type"), choices=ID_TYPE_CHOICES, default="", invalid_choice_message=NOT_AN_OPTION)
    id_number = StringField(_l("ID number"), validators=[Optional(), Length(max=30)],
                            render_kw={"autocomplete": "off"})
    id_consent = BooleanField(_l("I agree that my ID number is used only for this activity's insurance and access, "
                                 "stored encrypted and deleted on request."))
    guardian_name = StringField(_l("Parent or guardian's name (under 18 only)"), validators=[Optional(), Length(max=80)])
    guardian_phone = StringField(_l("Parent or guardian's mobile"), validators=[Optional(), Length(max=30), _mobile],
                                 render_kw={"inputmode": "tel"})
    guardian_consent = BooleanField(_l("As parent or guardian I agree to this sign-up and to the use of the "
                                       "child's information described above."))
    consent = BooleanField(_l("I have read the notice above and agree to the use of my information for this "
                              "activity."))

    def validate_birth_year(self, field):
        if field.data is None:
            raise ValidationError(_l("Please enter your year of birth."))
        if not 1900 <= field.data <= local_today().year:
            raise ValidationError(_l("Enter a year of birth such as 1958."))

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(_l("Please read the notice and agree, or we cannot take your sign-up."))

    def validate_id_number(self, field):
        if field.data and not identity.is_valid_id_number(self._value("id_type"),
                                                          identity.normalise_id_number(field.data)):
            raise ValidationError(_l("This ID number is not valid. Please check it (a resident ID card has 18 "
                                     "characters)."))

    def fit(self, opportunity) -> SignupForm:
        """Leave out the ID fields, or the guardian's, when the opportunity does not ask for them."""
        if not opportunity.requires_id:
            for name in ("id_type", "id_number", "id_consent"):
                delattr(self, name)
        if not opportunity.minors_with_guardian:
            for name in ("guardian_name", "guardian_phone", "guardian_consent"):
                delattr(self, name)
        return self

    def _value(self, name: str, default=None):
        field = self._fields.get(name)
        return field.data if field is not None else default

    def details(self):
        from charity_site.volunteers.signups import SignupDetails

        return SignupDetails(
            name=self.name.data.strip(), phone=normalise_mobile(self.phone.data), email=normalise_email(self.email.data),
            birth_year=self.birth_year.data, consent=bool(self.consent.data), skills=self.skills.data or "",
            emergency_contact=self.emergency_contact.data or "", id_type=self._value("id_type") or "",
            id_number=identity.normalise_id_number(self._value("id_number")), id_consent=bool(self._value("id_consent")),
            guardian_name=self._value("guardian_name") or "", guardian_phone=normalise_mobile(self._value("guardian_phone")),
            guardian_consent=bool(self._value("guardian_consent")), submission_token=self.submission_token.data or None,
        )


class CodeForm(SiteForm):
    """Opens a sign-up by its personal code (the link in the confirmation carries it)."""

    code = StringField(_l("Personal code"), validators=[DataRequired(_l("Please enter your personal code.")),
                                                       Length(max=16)])


class CheckinForm(SiteForm):
    confirm = StringField(_l("Last 4 digits of your mobile, or your personal code"),
                          validators=[DataRequired(_l("Please enter the last 4 digits or your code.")),
                                      Length(max=16)], render_kw={"autocomplete": "off"})


class LookupForm(SiteForm):
    """A volunteer finds their own records: mobile number plus the personal code of any of their sign-ups."""

    phone = StringField(_l("Mobile number"), validators=[DataRequired(_l("Please enter your mobile number.")),
                                                        Length(max=30), _mobile],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    code = StringField(_l("Personal code"), validators=[DataRequired(_l("Please enter your personal code.")),
                                                       Length(max=16)], render_kw={"autocomplete": "off"},
                       description=_l("The 8-character code (letters and digits) shown when you signed up; if you "
                                      "gave an e-mail address, it is in the confirmation e-mail too."))
