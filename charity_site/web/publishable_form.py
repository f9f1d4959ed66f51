"""Editing forms for pages, news, projects, project updates and funds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from charity_site.models import PROJECT_CATEGORIES, FundKind, ProjectStatus, PublicationStatus
from charity_site.core.slugs import MAX_SLUG_LENGTH, is_valid_slug
from charity_site.web.input import NOT_AN_OPTION, BoundedDateField, BoundedIntegerField, SiteForm, coerce_id, parse_int
from charity_site.web.fields import LocalDateTimeField, YuanField

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
        """The submitted values, ready for services.editing.save_item."""
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


class PageForm(PublishableForm):
    nav_order = BoundedIntegerField(_l("Order in menus"), validators=[Optional()], maximum=999)


class NewsForm(PublishableForm):
    category = SelectField(_l("Category"), choices=[], default="", invalid_choice_message=NOT_AN_OPTION)
    source = StringField(_l("Source"), validators=[Optional(), Length(max=120)],
                         description=_l("Where the article comes from, e.g. 番禺区慈善会 or 广州民政."))
    author = StringField(_l("Author"), validators=[Optional(), Length(max=120)])
    project_ids = SelectMultipleField(_l("Related projects"), coerce=coerce_id, choices=[], validate_choice=True,
                                      render_kw={"size": 6})
    cover_image = StringField(_l("Cover image address"), validators=[Optional(), Length(max=255)],
                              description=_l("An address on this site, e.g. /uploads/… from Images and files."))

    def validate_cover_image(self, field):
        if field.data and not field.data.startswith("/"):
            raise ValidationError(_l("Use an image uploaded to this site (an address starting with /)."))


NEWS_CATEGORIES = ("机构动态", "项目进展", "行业资讯", "通知公告")


class ProjectForm(PublishableForm):
    category = SelectField(_l("Category"), choices=[SelectChoice(c, c) for c in PROJECT_CATEGORIES],
                           validators=[DataRequired(_l("Please choose a category."))])
    project_status = SelectField(
        _l("Project stage"),
        choices=[SelectChoice(ProjectStatus.PREPARING.value, _l("In preparation")),
                 SelectChoice(ProjectStatus.ACTIVE.value, _l("In progress")),
                 SelectChoice(ProjectStatus.COMPLETED.value, _l("Completed"))],
        default=ProjectStatus.ACTIVE.value,
        coerce=ProjectStatus,
    )
    start_date = BoundedDateField(_l("Start date"), validators=[Optional()])
    end_date = BoundedDateField(_l("End date"), validators=[Optional()], description=_l("Leave empty if open-ended."))
    budget_fen = YuanField(_l("Budget (yuan)"), validators=[Optional()],
                           description=_l("Typed in by you. Raised and spent are computed from the ledger."))
    goal_fen = YuanField(_l("Fundraising goal (yuan)"), validators=[Optional()])
    beneficiaries = BoundedIntegerField(_l("People helped"), validators=[Optional()])
    service_sessions = BoundedIntegerField(_l("Service sessions"), validators=[Optional()])
    people_served = BoundedIntegerField(_l("Services delivered (person-times)"), validators=[Optional()])
    responsible_person = StringField(_l("Responsible person"), validators=[Optional(), Length(max=120)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=120)],
                          description=_l("An office phone or e-mail. Never a private mobile number."))
    fund_id = SelectField(_l("Fund"), coerce=coerce_id, choices=[], validate_choice=True)
    featured = BooleanField(_l("Show on the home page"))
    cover_image = StringField(_l("Cover image address"), validators=[Optional(), Length(max=255)])

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date is before the start date."))

    def validate_cover_image(self, field):
        if field.data and not field.data.startswith("/"):
            raise ValidationError(_l("Use an image uploaded to this site (an address starting with /)."))


class FundForm(PublishableForm):
    kind = SelectField(
        _l("Kind of fund"),
        choices=[SelectChoice(FundKind.GENERAL.value, _l("General charity fund")),
                 SelectChoice(FundKind.COMMUNITY.value, _l("Community charity fund")),
                 SelectChoice(FundKind.NAMED.value, _l("Named fund"))],
        coerce=FundKind,
    )
    area = StringField(_l("Area (town / village)"), validators=[Optional(), Length(max=120)])
    established_on = BoundedDateField(_l("Established on"), validators=[Optional()])


class ProjectUpdateForm(SiteForm):
    happened_on = BoundedDateField(_l("Date"), validators=[DataRequired(_l("Please enter the date."))])
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")), Length(max=200)])
    body_md = TextAreaField(_l("Text (Markdown)"), validators=[Optional(), Length(max=50_000)],
                            render_kw={"rows": 8, "data-markdown-editor": "true"})
    published = BooleanField(_l("Show on the project page"), default=True)
    version = HiddenField()

    def submitted_version(self) -> int | None:
        return parse_int(self.version.data)


class PreviewForm(SiteForm):
    body_md = TextAreaField(validators=[Optional(), Length(max=200_000)])

