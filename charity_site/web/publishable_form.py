"""Editing forms for pages, news, projects, project updates and funds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from charity_site.core.models import PublicationStatus
from charity_site.core.slugs import MAX_SLUG_LENGTH, is_valid_slug
from charity_site.web.fields import LocalDateTimeField
from charity_site.web.input import SiteForm, parse_int

STATUS_CHOICES = [
    SelectChoice(PublicationStatus.DRAFT.value, _l("Draft (only staff can see it)")),
    SelectChoice(PublicationStatus.PUBLISHED.value, _l("Published now")),
    SelectChoice(PublicationStatus.SCHEDULED.value, _l("Scheduled (goes public at the time below)")),
]


def _slug_check(form, field):
    if field.data and not is_valid_slug(field.data.strip()):
        raise ValidationError(_l("Use lowercase letters, digits and hyphens only, e.g. zhu-xue-2025."))


class PublishableForm(SiteForm):
    """Fields shared by every slugged, Markdown-bodied item."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")), Length(max=200)])
    slug = StringField(
        _l("Web address (slug)"),
        validators=[Optional(), Length(max=MAX_SLUG_LENGTH), _slug_check],
        description=_l("Leave empty to make one from the title in pinyin. Changing it keeps the old address working."),
    )
    summary = TextAreaField(
        _l("Summary"), validators=[Optional(), Length(max=500)],
        description=_l("One or two sentences shown in lists and when the page is shared."),
        render_kw={"rows": 3},
    )
    body_md = TextAreaField(
        _l("Body (Markdown)"), validators=[Optional(), Length(max=200_000)],
        description=_l("Headings with ##, lists with -, tables with | columns |. Use Preview to check."),
        render_kw={"rows": 18, "data-markdown-editor": "true"},
    )
    status = RadioField(_l("Status"), choices=STATUS_CHOICES, default=PublicationStatus.DRAFT.value,
                        validators=[InputRequired(_l("Please choose a status."))])
    publish_at = LocalDateTimeField(
        _l("Publish at (Beijing time)"), validators=[Optional()],
        description=_l("Only for scheduled items."),
    )
    version = HiddenField()

    def validate_publish_at(self, field):
        if self.status.data == PublicationStatus.SCHEDULED.value and field.data is None:
            raise ValidationError(_l("Please give the date and time when it should go public."))

    def item_data(self) -> dict:
        """The submitted values, ready for core.editing.save_item."""
        data = {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "version")}
        for name, form_field in self._fields.items():
            if type(form_field) in (StringField, TextAreaField) and data.get(name) is None:
                data[name] = ""
        data["slug"] = (data.get("slug") or "").strip()
        data["title"] = data["title"].strip()
        data["summary"] = (data.get("summary") or "").strip()
        data["body_md"] = data.get("body_md") or ""
        data["status"] = PublicationStatus(data["status"])
        return data

    def submitted_version(self) -> int | None:
        return parse_int(self.version.data)






NEWS_CATEGORIES = ("机构动态", "项目进展", "行业资讯", "通知公告")








class PreviewForm(SiteForm):
    body_md = TextAreaField(validators=[Optional(), Length(max=200_000)])

