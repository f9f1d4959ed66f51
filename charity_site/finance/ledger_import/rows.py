"""One data row of the file read into a ledger line, then checked by the rulebook (finance.rules).

Reading a row reports what only a spreadsheet can get wrong: a cell that is no date or no amount,
a fund or project name the site does not know, 收入 and 支出 both filled, a word that is neither
个人 nor 机构. The line is then checked like a line from any other source, so an import has the same
limits and messages as the staff form; a rule about a field whose cell was already reported is
left out, so each cell gets one problem, not two.

Decisions:
- Amounts are yuan with at most two decimals ("1,234.50", "¥1234.5", an Excel number). Either one amount
  column plus a 收支 column (收入/支出), or separate 收入 and 支出 columns (one of the two filled per row;
  a 0 on the other side counts as empty).
- 对方类型 left empty: the rulebook reads the kind from the name (finance.rules.counterparty_type_for), so
  番禺区某某有限公司 is shown in full and 张三 masked.
- When the file does not say per row whether a line is income or expense (one kind chosen for every
  row, or only a 收入 or only a 支出 column), a row whose summary says the opposite (捐赠/捐款/收入 in
  an expense file; 支出/采购/购买 in an income file) is not silently given the file's kind: it is
  marked ``ambiguous`` and the preview asks (ANSWER_KEY in the mapping) before anything is imported.
- A fund or project is named by its title or its web address (slug); a title two records share must be
  given as the slug.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from charity_site.core.formatting import format_yuan, mask_person_name
from charity_site.extensions import db
from charity_site.finance import rules
from charity_site.finance.ledger_import.cells import cell_text, parse_amount, parse_date
from charity_site.finance.ledger_import.fields import (
    COUNTERPARTY_WORDS,
    FIELDS,
    KIND_WORDS,
    column_label,
)
from charity_site.finance.models import CounterpartyType, EntryKind, Fund
from charity_site.projects.models import Project
from charity_site.web.input import parse_id

_FIELD_ORDER = {item.key: index for index, item in enumerate(FIELDS)}
# The import field (and so the column) each value of a line comes from; the amount's column is the row's own.
_SOURCE_OF = {"occurred_on": "occurred_on", "kind": "kind", "fund_id": "fund", "project_id": "project",
              "category": "category", "channel": "channel", "counterparty": "counterparty",
              "counterparty_type": "counterparty_type", "voucher_no": "voucher_no", "summary": "summary",
              "note": "note"}


@dataclass
class Problem:
    row: int | None  # as the spreadsheet shows it; None for the whole file
    column: str
    message: str


# The mapping key of the preview's answer to "are these rows income or expense?" ("v:收入" / "v:支出").
ANSWER_KEY = "ambiguous_kind"
# Words of a summary that contradict a kind given for the whole file.
CONTRARY_WORDS = {
    EntryKind.EXPENSE: ("捐赠", "捐款", "收入", "募捐", "善款", "捐助"),
    EntryKind.INCOME: ("支出", "采购", "购买", "付款", "支付"),
}


@dataclass
class PreviewRow:
    number: int
    values: dict
    display: dict
    problems: list[Problem] = field(default_factory=list)
    ambiguous: bool = False  # its summary contradicts the file's one kind; the preview asks which it is


class NameLookups:
    """Every fund and project by title and by slug, read once for the whole file."""

    def __init__(self):
        self.funds_by_slug, self.funds_by_title = {}, {}
        for fund in db.session.scalars(select(Fund)):
            self.funds_by_slug[fund.slug.lower()] = fund
            self.funds_by_title.setdefault(fund.title.strip(), []).append(fund)
        self.projects_by_slug, self.projects_by_title = {}, {}
        for project in db.session.scalars(select(Project)):
            self.projects_by_slug[project.slug.lower()] = project
            self.projects_by_title.setdefault(project.title.strip(), []).append(project)
        self.funds_by_id = {fund.id: fund for fund in self.funds_by_slug.values()}

    @staticmethod
    def find(text: str, by_slug: dict, by_title: dict):
        """(record, problem-kind): problem-kind is None, 'unknown' or 'ambiguous'."""
        found = by_title.get(text, [])
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            slug_match = by_slug.get(text.lower())
            return (slug_match, None) if slug_match else (None, "ambiguous")
        slug_match = by_slug.get(text.lower())
        return (slug_match, None) if slug_match else (None, "unknown")


class _Row:
    """One row while it is read: its cells through the mapping, and the problems found so far."""

    def __init__(self, reader: RowReader, number: int, cells: list):
        self.reader, self.number, self.cells = reader, number, cells
        self.found: list[tuple[str, str]] = []  # (import field key, message)
        self.reported: set[str] = set()  # import fields whose cell already has a problem

    def raw(self, key: str):
        source = self.reader.mapping.get(key, "")
        if source.startswith("c:"):
            index = int(source[2:])
            return self.cells[index] if index < len(self.cells) else None
        if source.startswith("v:"):
            return source[2:]
        return None

    def text(self, key: str) -> str:
        return cell_text(self.raw(key))

    def problem(self, key: str, message: str) -> None:
        self.found.append((key, message))
        self.reported.add(key)


class RowReader:
    """Reads the data rows of one file with one mapping."""

    def __init__(self, mapping: dict[str, str], headers: list[str]):
        self.mapping = mapping
        self.headers = headers
        self.names = NameLookups()
        self.amount_columns = [key for key in ("income", "expense") if mapping.get(key)]
        self.file_kind = self._file_kind()
        self.answer = KIND_WORDS.get(mapping.get(ANSWER_KEY, "")[2:]) if mapping.get(ANSWER_KEY) else None

    def _file_kind(self) -> EntryKind | None:
        """The kind every row gets when the file does not say it row by row, else None."""
        source = self.mapping.get("kind", "")
        if not self.amount_columns and source.startswith("v:"):
            return KIND_WORDS.get(source[2:])
        if len(self.amount_columns) == 1 and not source:
            return EntryKind.INCOME if self.amount_columns == ["income"] else EntryKind.EXPENSE
        return None

    def contradicts_file_kind(self, summary: str) -> bool:
        return self.file_kind is not None and any(word in summary for word in CONTRARY_WORDS[self.file_kind])

    def voucher_of(self, cells: list) -> str:
        return _Row(self, 0, cells).text("voucher_no")

    def read(self, number: int, cells: list, context: rules.LineContext) -> PreviewRow:
        row = _Row(self, number, cells)
        occurred_on = self._date(row)
        kind, amount_fen, amount_key = self._kind_and_amount(row)
        ambiguous = kind is not None and self.contradicts_file_kind(row.text("summary"))
        if ambiguous and self.answer is not None:
            kind, ambiguous = self.answer, False
        fund = self._fund(row)
        project = self._project(row)
        values = {
            "kind": kind, "occurred_on": occurred_on, "amount_fen": amount_fen,
            "fund_id": fund.id if fund else None, "project_id": project.id if project else None,
            "category": row.text("category"), "channel": row.text("channel"), "counterparty": row.text("counterparty"),
            "counterparty_type": self._counterparty_type(row), "voucher_no": row.text("voucher_no"),
            "summary": row.text("summary"), "note": row.text("note"),
        }
        checked = rules.check_line(values, context)
        problems = checked.problems
        if ambiguous:  # its category is checked against the kind once the question is answered
            problems = [problem for problem in problems if problem.field != "category"]
        for problem in problems:
            key = amount_key if problem.field == "amount_fen" else _SOURCE_OF[problem.field]
            if key not in row.reported:
                row.found.append((key, problem.message))
        if any(key == amount_key for key, _message in row.found):
            amount_fen = None  # show the cell as written
        found = sorted(row.found, key=lambda item: _FIELD_ORDER[item[0]])
        return PreviewRow(
            number=number,
            values=checked.values,
            display=self._display(row, checked.values, occurred_on, amount_fen, fund, project),
            problems=[Problem(number, column_label(self.mapping, self.headers, key), message)
                      for key, message in found],
            ambiguous=ambiguous,
        )

    def _date(self, row: _Row):
        value = row.raw("occurred_on")
        occurred_on = parse_date(value)
        if occurred_on is None and cell_text(value):
            row.problem("occurred_on", _("“%(value)s” is not a date. Write it like 2024-10-01.",
                                         value=cell_text(value)))
        return occurred_on

    def _kind_and_amount(self, row: _Row) -> tuple[EntryKind | None, int | None, str]:
        """The kind, the amount in fen and the field the amount was read from."""
        if self.amount_columns:
            return self._income_or_expense(row)
        fen, message = parse_amount(row.raw("amount"))
        if message:
            row.problem("amount", message)
        word = row.text("kind")
        kind = KIND_WORDS.get(word.lower())
        if kind is None and self.mapping.get("kind"):
            row.problem("kind", _("Write 收入 or 支出 here.") if not word else
                        _("“%(value)s” is neither 收入 nor 支出.", value=word))
        return kind, fen, "amount"

    def _income_or_expense(self, row: _Row) -> tuple[EntryKind | None, int | None, str]:
        """Separate 收入 and 支出 columns: exactly one of them holds the amount."""
        first = self.amount_columns[0]
        parsed, unreadable = {}, False
        for key in self.amount_columns:
            fen, message = parse_amount(row.raw(key))
            if message:
                row.problem(key, message)
                unreadable = True
            parsed[key] = fen
        if unreadable:
            row.reported.update(("kind", first))
            return None, None, first
        filled = {key: fen for key, fen in parsed.items() if fen}  # a 0 on the other side counts as empty
        if len(filled) == 1:
            key, fen = next(iter(filled.items()))
            return (EntryKind.INCOME if key == "income" else EntryKind.EXPENSE), fen, key
        if len(filled) == 2:
            row.problem("income", _("Fill in either income or expense in one row, not both."))
        elif any(fen is not None for fen in parsed.values()):
            row.problem(first, rules.amount_problem(0))
        else:
            row.problem(first, _("The amount is missing: fill in income or expense."))
        row.reported.update(("kind", first))
        return None, None, first

    def _fund(self, row: _Row) -> Fund | None:
        source = self.mapping.get("fund", "")
        if source.startswith("v:"):
            return self.names.funds_by_id.get(parse_id(source[2:]))
        text = row.text("fund")
        if not text:
            return None
        fund, trouble = self.names.find(text, self.names.funds_by_slug, self.names.funds_by_title)
        if trouble == "ambiguous":
            row.problem("fund", _("Several funds are called “%(value)s”. Write the fund's web address (slug) instead.",
                                  value=text))
        elif trouble:
            row.problem("fund", _("There is no fund called “%(value)s” on the site. Check the name or add the fund "
                                  "first.", value=text))
        return fund

    def _project(self, row: _Row) -> Project | None:
        text = row.text("project")
        if not text:
            return None
        project, trouble = self.names.find(text, self.names.projects_by_slug, self.names.projects_by_title)
        if trouble == "ambiguous":
            row.problem("project", _("Several projects are called “%(value)s”. Write the project's web address "
                                     "(slug) instead.", value=text))
        elif trouble:
            row.problem("project", _("There is no project called “%(value)s” on the site.", value=text))
        return project

    def _counterparty_type(self, row: _Row) -> CounterpartyType | None:
        word = row.text("counterparty_type")
        if not word:
            return None  # the rulebook reads it from the name
        counterparty_type = COUNTERPARTY_WORDS.get(word.lower())
        if counterparty_type is None:
            row.problem("counterparty_type", _("Write 个人 or 机构 here."))
        return counterparty_type

    def _display(self, row: _Row, values: dict, occurred_on, amount_fen, fund, project) -> dict:
        """The row as the preview table shows it: what was understood, or the cell as written."""
        if self.mapping.get("amount"):
            amount_text = row.text("amount")
        else:
            amount_text = " / ".join(row.text(key) for key in self.amount_columns if row.text(key))
        from_constant = self.mapping.get("fund", "").startswith("v:")
        return {
            "occurred_on": occurred_on.isoformat() if occurred_on else row.text("occurred_on"),
            "kind": values["kind"],
            "amount": format_yuan(amount_fen) if amount_fen is not None else amount_text,
            "fund": fund.title if fund else ("" if from_constant else row.text("fund")),
            "project": project.title if project else row.text("project"),
            "category": values["category"], "counterparty": values["counterparty"],
            "public_counterparty": public_counterparty(values["counterparty"], values["counterparty_type"]),
            "voucher_no": row.text("voucher_no"), "summary": values["summary"],
        }


def public_counterparty(name: str, counterparty_type: CounterpartyType | None) -> str:
    """The name as public pages will show it (masked for a person), the way the public ledger does."""
    if not name or counterparty_type is None:
        return ""
    return mask_person_name(name) if counterparty_type is CounterpartyType.PERSON else name
