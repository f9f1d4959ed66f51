"""Forms for managing staff accounts, and the small validators the admin forms share."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from charity_site.core.labels import ROLE_LABELS
from charity_site.core.roles import Role
from charity_site.core.site_settings import FIELDS as SETTINGS_FIELDS
from charity_site.web.fields import MultiCheckboxField
from charity_site.web.input import BoundedDateField, BoundedIntegerField, SiteForm, parse_int

AT_MOST = _l("At most %(max)d characters.")
EMAIL_TOO_LONG = _l("The e-mail is too long.")

_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


def email_format(form, field):
    if field.data and not _EMAIL_PATTERN.match(field.data):
        raise ValidationError(_l("Please enter a valid e-mail address, such as name@example.org."))


def web_address(form, field):
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(_l("Please enter a web address starting with http:// or https://."))


def role_choices():
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


_ROLES_HINT = _l("Administrators can do everything, including users and settings. Editors: pages, news and "
                 "projects. Finance: funds, ledger, disclosures and pledges. Volunteer coordinators: "
                 "volunteers and activities.")
_TEMPORARY_HINT = _l("At least 10 characters. Tell it to the person in private; they must choose their own "
                     "password when they first sign in.")


def _name_field():
    return StringField(_l("Name"), filters=[strip_text], validators=[Length(max=80, message=AT_MOST)],
                       description=_l("Shown in the workspace and in the audit log, e.g. 王小红."))


def _roles_field():
    return MultiCheckboxField(_l("Roles"), choices=role_choices(), description=_ROLES_HINT,
                              validators=[DataRequired(_l("Choose at least one role."))])


def _password_field():
    return PasswordField(
        _l("Temporary password"), description=_TEMPORARY_HINT,
        validators=[DataRequired(_l("Please enter a temporary password.")), Length(max=200, message=AT_MOST)],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm_field():
    return PasswordField(
        _l("Repeat the temporary password"),
        validators=[DataRequired(_l("Please repeat the temporary password.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class UserCreateForm(SiteForm):
    email = EmailField(
        _l("E-mail"), filters=[strip_text],
        validators=[DataRequired(_l("Please enter an e-mail.")), Length(max=254, message=EMAIL_TOO_LONG),
                    email_format],
        description=_l("The person signs in with this address."),
        render_kw={"autocomplete": "off"},
    )
    display_name = _name_field()
    roles = _roles_field()
    password = _password_field()
    confirm_password = _confirm_field()


class UserEditForm(SiteForm):
    display_name = _name_field()
    roles = _roles_field()
    version = HiddenField()  # staff.edit_version of the account as the form showed it


class PasswordResetForm(SiteForm):
    password = _password_field()
    confirm_password = _confirm_field()


class LoginForm(SiteForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Please enter your e-mail.")), Length(max=254)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ChangePasswordForm(SiteForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Please enter a new password.")), Length(max=200)],
        description=_l("At least 10 characters; avoid common passwords such as 1234567890."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(_l("Please repeat the new password.")),
                    EqualTo("new_password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


def _text(label, max_length, description=None):
    return StringField(label, filters=[strip_text], description=description,
                       validators=[Length(max=max_length, message=AT_MOST)])


class SiteSettingsForm(SiteForm):
    org_name = StringField(
        _l("Organisation name"), filters=[strip_text],
        validators=[DataRequired(_l("Please enter the name of the organisation.")), Length(max=120, message=AT_MOST)],
        description=_l("The full registered name, e.g. 广州市番禺区慈善会."),
    )
    org_short_name = _text(_l("Short name"), 60, _l("Used where space is short, e.g. 番禺慈善会."))
    tagline = _text(_l("Tagline"), 255, _l("One short sentence under the name at the top of every page."))
    intro_md = TextAreaField(
        _l("Introduction"), filters=[strip_text], validators=[Length(max=20000, message=AT_MOST)],
        description=_l("Shown on the home page. Markdown: **bold**, a dash and a space for a list item, "
                       "an empty line between paragraphs."),
        render_kw={"rows": 14},  # the demo introduction is some 740 characters: it shows whole on a desktop
    )
    credit_code = _text(_l("Unified social credit code"), 40)
    address = _text(_l("Address"), 255)
    phone = _text(_l("Phone"), 40)
    supervision_phone = _text(_l("Supervision hotline"), 40)
    email = EmailField(_l("E-mail"), filters=[strip_text],
                       validators=[Length(max=254, message=EMAIL_TOO_LONG), email_format])
    icp_number = _text(_l("ICP licence number"), 60, _l("Shown at the bottom of every page, e.g. 粤ICP备12345678号."))
    charity_china_url = StringField(
        _l("Link on the China Charity Information Platform"), filters=[strip_text],
        validators=[Length(max=255, message=AT_MOST), web_address],
        description=_l("The address of your organisation's page there, starting with https://."),
    )
    founded_year = BoundedIntegerField(_l("Year founded"), validators=[Optional()], minimum=1800, maximum=2100,
                                       message=_l("Please enter a year such as 2008."))
    disclosures_start_on = BoundedDateField(
        _l("Publishing on this site since"),
        validators=[Optional()],
        description=_l("The day the organisation began publishing its disclosures on this site. Disclosure "
                       "deadlines count from it: no quarter or year that ended before it is listed as owed. "
                       "Left empty: the day the site was set up."),
    )
    version = HiddenField()

    def settings_data(self) -> dict:
        return {name: self[name].data if name in ("founded_year", "disclosures_start_on") else (self[name].data or "")
                for name in SETTINGS_FIELDS}

    def expected_version(self) -> int | None:
        return parse_int(self.version.data)
