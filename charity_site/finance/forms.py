"""Forms of the ledger workspace: record a line, void a line, upload and map an import file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from charity_site.core.formatting import mask_person_name
from charity_site.finance.models import CounterpartyType, EntryKind, FundKind
from charity_site.finance.rules import MAX_LENGTHS, MAX_REASON_LENGTH, counterparty_type_for
from charity_site.web.fields import YuanField
from charity_site.web.input import NOT_AN_OPTION, BoundedDateField, SiteForm, coerce_id
from charity_site.web.publishable_form import PublishableForm


class EntryForm(SiteForm):
    kind = RadioField(
        _l("Income or expense"),
        choices=[SelectChoice(EntryKind.INCOME.value, _l("Income")),
                 SelectChoice(EntryKind.EXPENSE.value, _l("Expense"))],
        validators=[InputRequired(_l("Please choose income or expense."))],
    )
    occurred_on = BoundedDateField(_l("Date"), validators=[InputRequired(_l("Please enter the date."))],
                            description=_l("The day the money came in or went out, as on the voucher."))
    amount_fen = YuanField(_l("Amount (yuan)"), validators=[InputRequired(_l("Please enter the amount."))],
                           description=_l("In yuan, e.g. 1234.50. Always a positive number: choose income or "
                                          "expense above."))
    fund_id = SelectField(_l("Fund"), coerce=coerce_id, choices=[], validate_choice=False,
                          invalid_value_message=NOT_AN_OPTION,
                          validators=[InputRequired(_l("Please choose a fund."))])
    project_id = SelectField(_l("Project"), coerce=coerce_id, choices=[], validate_choice=False,
                             invalid_value_message=NOT_AN_OPTION,
                             description=_l("Optional. Choose it when the money belongs to one project."))
    category = SelectField(_l("Category"), choices=[], validate_choice=False,
                           validators=[InputRequired(_l("Please choose a category."))])
    channel = SelectField(_l("Channel"), choices=[], validate_choice=False)
    counterparty = StringField(_l("Counterparty"), validators=[Optional(), Length(max=MAX_LENGTHS["counterparty"])],
                               description=_l("Who gave the money or who received it."))
    counterparty_type = RadioField(
        _l("The counterparty is"),
        choices=[SelectChoice(CounterpartyType.PERSON.value, _l("A person (name masked on public pages, e.g. 张**)")),
                 SelectChoice(CounterpartyType.ORGANISATION.value, _l("An organisation (name shown in full)"))],
        # No default: a silent default publishes an organisation masked (番**) or a person in full.
        validators=[InputRequired(_l("Please choose person or organisation."))],
    )
    voucher_no = StringField(_l("Voucher number"), validators=[Optional(), Length(max=MAX_LENGTHS["voucher_no"])],
                             description=_l("Optional, but each number can be used only once."))
    summary = StringField(_l("Summary"), validators=[DataRequired(_l("Please enter a summary of the line.")),
                                                     Length(max=MAX_LENGTHS["summary"])],
                          description=_l("Shown on the public ledger, e.g. 重阳节慰问困难长者."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_LENGTHS["note"])],
                         render_kw={"rows": 3}, description=_l("Optional; only staff see it."))
    corrects = HiddenField()

    def public_counterparty(self) -> str | None:
        """How the counterparty will read on public pages, from the chosen kind or, before a choice, the name."""
        name = (self.counterparty.data or "").strip()
        if not name:
            return None
        try:
            kind = CounterpartyType(self.counterparty_type.data)
        except ValueError:
            kind = counterparty_type_for(name)
        return mask_person_name(name) if kind is CounterpartyType.PERSON else name

    def values(self) -> dict:
        """The submitted values, ready for finance.ledger.record_entry."""
        return {
            "kind": self.kind.data, "occurred_on": self.occurred_on.data, "amount_fen": self.amount_fen.data,
            "fund_id": self.fund_id.data, "project_id": self.project_id.data, "category": self.category.data or "",
            "channel": self.channel.data or "", "counterparty": self.counterparty.data or "",
            "counterparty_type": self.counterparty_type.data or None, "voucher_no": self.voucher_no.data or "",
            "summary": self.summary.data or "", "note": self.note.data or "",
        }


class VoidForm(SiteForm):
    reason = TextAreaField(
        _l("Reason for voiding"),
        validators=[DataRequired(_l("Please give the reason for voiding this line.")), Length(max=MAX_REASON_LENGTH)],
        description=_l(
            "Shown next to the struck-through line on the public ledger, e.g. 金额录入错误，已按凭证重新登记."),
        render_kw={"rows": 3},
    )


class BatchVoidForm(SiteForm):
    reason = TextAreaField(
        _l("Reason for voiding the whole import"),
        validators=[DataRequired(_l("Please give the reason for voiding this import.")),
                    Length(max=MAX_REASON_LENGTH)],
        description=_l("Given to every line of the import and shown next to them on the public ledger, e.g. "
                       "导入文件有误（重复导入），已整批作废."),
        render_kw={"rows": 3},
    )


ACCEPT = ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"


class ImportUploadForm(SiteForm):
    file = FileField(_l("Spreadsheet file"), validators=[FileRequired(_l("Please choose a file to upload."))],
                     render_kw={"accept": ACCEPT})


class ImportMappingForm(SiteForm):
    """One select per ledger field: which column holds it (choices are set by the view)."""

    previewed = HiddenField()  # the mapping the shown preview was made with
    # The answer to "are these rows income or expense?" about rows whose summary contradicts the file's one kind.
    ambiguous_kind = RadioField(
        _l("These rows are"),
        choices=[SelectChoice("v:收入", _l("Income")), SelectChoice("v:支出", _l("Expense"))],
        validate_choice=False,
    )

    def mapping(self, keys) -> dict[str, str]:
        mapping = {key: (self[f"map_{key}"].data or "") for key in keys}
        mapping["ambiguous_kind"] = self.ambiguous_kind.data or ""
        return mapping


def mapping_form_class(fields):
    """An ImportMappingForm with a ``map_<key>`` select for each import field."""
    attributes = {
        f"map_{item.key}": SelectField(item.label, choices=[], validate_choice=False)
        for item in fields
    }
    return type("LedgerMappingForm", (ImportMappingForm,), attributes)


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
