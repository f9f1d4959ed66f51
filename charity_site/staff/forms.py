"""Forms for managing staff accounts, and the small validators the admin forms share."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SearchField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from charity_site.core.labels import ROLE_LABELS
from charity_site.models import Role
from charity_site.web.input import SiteForm
from charity_site.web.fields import MultiCheckboxField


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


class UserFilterForm(SiteForm):
    class Meta:
        csrf = False

    q = SearchField(_l("E-mail or name"), filters=[strip_text], validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), validators=[Optional()], choices=[
        SelectChoice("", _l("All")), SelectChoice("active", _l("Active")),
        SelectChoice("disabled", _l("Disabled")),
    ])
