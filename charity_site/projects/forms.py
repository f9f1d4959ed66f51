"""Staff forms for projects and their updates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from charity_site.projects.models import PROJECT_CATEGORIES, ProjectStatus
from charity_site.web.fields import YuanField
from charity_site.web.input import BoundedDateField, BoundedIntegerField, SiteForm, coerce_id, parse_int
from charity_site.web.publishable_form import PublishableForm


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
    cover_image = StringField(_l("Cover image"), validators=[Optional(), Length(max=255)])

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date is before the start date."))

    def validate_cover_image(self, field):
        if field.data and not field.data.startswith("/"):
            raise ValidationError(_l("Use an image uploaded to this site (an address starting with /)."))


class ProjectUpdateForm(SiteForm):
    happened_on = BoundedDateField(_l("Date"), validators=[DataRequired(_l("Please enter the date."))])
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")), Length(max=200)])
    body_md = TextAreaField(_l("Text (Markdown)"), validators=[Optional(), Length(max=50_000)],
                            render_kw={"rows": 8, "data-markdown-editor": "true"})
    published = BooleanField(_l("Show on the project page"), default=True)
    version = HiddenField()

    def submitted_version(self) -> int | None:
        return parse_int(self.version.data)
