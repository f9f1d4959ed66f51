"""The site settings form: the organisation's particulars shown on every page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from charity_site.core.site_settings import FIELDS as SETTINGS_FIELDS
from charity_site.web.input import BoundedIntegerField, SiteForm, parse_int
from charity_site.staff.forms import AT_MOST, EMAIL_TOO_LONG, email_format, strip_text, web_address


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
    version = HiddenField()

    def settings_data(self) -> dict:
        return {name: self[name].data if name == "founded_year" else (self[name].data or "")
                for name in SETTINGS_FIELDS}

    def expected_version(self) -> int | None:
        return parse_int(self.version.data)
