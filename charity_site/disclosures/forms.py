"""Staff forms for disclosures: the editor, the correction reason, withdrawal and attachments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from charity_site.disclosures.labels import DISCLOSURE_KIND_LABELS
from charity_site.disclosures.models import DisclosureKind
from charity_site.disclosures.operations import REASON_MAX
from charity_site.web.fields import MultiCheckboxField
from charity_site.web.input import BoundedDateField, SiteForm, coerce_id, parse_id, parse_int


class DisclosureForm(SiteForm):
    """Kind, title, summary, period, project, fund and Markdown body of a disclosure."""

    kind = SelectField(_l("Kind of disclosure"), choices=[], coerce=DisclosureKind,
                       validators=[DataRequired(_l("Please choose the kind of disclosure."))])
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Please enter a title.")), Length(max=200)],
        description=_l("In the usual style of a public notice, e.g. 关于2024年第四季度慈善救助项目经费使用情况的公示."),
    )
    summary = TextAreaField(
        _l("Summary"), validators=[Optional(), Length(max=500)],
        description=_l("One or two sentences shown in the list of disclosures."), render_kw={"rows": 3},
    )
    period_start = BoundedDateField(_l("Period from"), validators=[Optional()],
                             description=_l("The first day the report covers, e.g. 2024-10-01."))
    period_end = BoundedDateField(_l("Period to"), validators=[Optional()],
                           description=_l("The last day the report covers, e.g. 2024-12-31."))
    project_ids = MultiCheckboxField(_l("Projects"), coerce=coerce_id, choices=[], validate_choice=True,
                                     description=_l("Tick every project the disclosure covers. It is shown on "
                                                    "their pages, and its ledger summary covers all of them."))
    fund_id = SelectField(_l("Fund"), coerce=coerce_id, choices=[], validate_choice=True,
                          description=_l("Used for the ledger summary when no project is chosen. With neither, only "
                                         "an annual work report or a financial or audit report shows a summary: "
                                         "the whole site’s ledger for its period."))
    body_md = TextAreaField(
        _l("Body (Markdown)"), validators=[Optional(), Length(max=200_000)],
        description=_l("Headings with ##, lists with -, tables with | columns |. Use Preview to check."),
        render_kw={"rows": 18, "data-markdown-editor": "true"},
    )
    version = HiddenField()

    def validate_period_end(self, field):
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError(_l("The end of the period is before its start."))

    def set_choices(self, projects, funds) -> None:
        self.kind.choices = [SelectChoice(kind.value, DISCLOSURE_KIND_LABELS[kind]) for kind in DisclosureKind]
        self.project_ids.choices = [SelectChoice(project.id, project.title) for project in projects]
        self.fund_id.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(fund.id, fund.title) for fund in funds]

    def values(self) -> dict:
        """The submitted values, ready for disclosures.operations."""
        return {
            "kind": self.kind.data, "title": (self.title.data or "").strip(),
            "summary": (self.summary.data or "").strip(), "body_md": self.body_md.data or "",
            "period_start": self.period_start.data, "period_end": self.period_end.data,
            "project_ids": list(self.project_ids.data or ()), "fund_id": self.fund_id.data,
        }

    def submitted_version(self) -> int | None:
        return parse_int(self.version.data)


class RevisionForm(DisclosureForm):
    """The editor of a published disclosure: every change needs a public reason."""

    reason = TextAreaField(
        _l("Reason for the correction (shown publicly)"),
        validators=[DataRequired(_l("Please explain publicly why this published disclosure is being changed.")),
                    Length(max=REASON_MAX)],
        description=_l("Say what was wrong and what was corrected, e.g. 第三季度支出合计误写为12,000元，更正为12,600元。"),
        render_kw={"rows": 3},
    )


class WithdrawForm(SiteForm):
    withdrawn_reason = TextAreaField(
        _l("Public reason for the withdrawal"),
        validators=[DataRequired(_l("Please give the public reason for the withdrawal.")), Length(max=REASON_MAX)],
        description=_l("Shown at the top of the disclosure. It stays online, marked as withdrawn."),
        render_kw={"rows": 4},
    )


class DetachForm(SiteForm):
    attachment_id = HiddenField(validators=[DataRequired()])

    def chosen_id(self) -> int | None:
        return parse_id(self.attachment_id.data)
