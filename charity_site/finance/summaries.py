"""Totals read from the summary tables (fund_money, project_money) instead of the ledger lines.

The summary rows hold every line; the public must not see lines of hidden (draft, scheduled) funds
and projects. Those are few, so a public figure is the summary minus the hidden owners' lines,
summed by a small indexed query. Nothing here reads more than the summary rows asked for and the
lines of hidden funds and projects.

``rebuild`` / ``differences`` recompute the tables from the lines (``flask ledger rebuild-totals``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, case, delete, func, insert, or_, select

from charity_site.core.statements import built_once
from charity_site.extensions import db
from charity_site.finance.models import EntryKind, FundMoney, LedgerEntry, ProjectMoney


@dataclass(frozen=True)
class Figures:
    """Income and expense of non-voided lines, and how many lines (voided ones included)."""

    income_fen: int = 0
    expense_fen: int = 0
    line_count: int = 0

    def __sub__(self, other: Figures) -> Figures:
        return Figures(self.income_fen - other.income_fen, self.expense_fen - other.expense_fen,
                       self.line_count - other.line_count)


def _live(kind: EntryKind):
    return case((LedgerEntry.voided.is_(False) & (LedgerEntry.kind == kind), LedgerEntry.amount_fen), else_=0)


_LINE_FIGURES = (func.coalesce(func.sum(_live(EntryKind.INCOME)), 0),
                 func.coalesce(func.sum(_live(EntryKind.EXPENSE)), 0),
                 func.count(LedgerEntry.id))


def _hidden_lines(fund_ids, project_ids):
    """SQL condition for the lines of the given hidden funds or projects, or None when there are none."""
    parts = []
    if fund_ids:
        parts.append(LedgerEntry.fund_id.in_(fund_ids))
    if project_ids:
        parts.append(LedgerEntry.project_id.in_(project_ids))
    return or_(*parts) if parts else None


def line_figures(*conditions) -> Figures:
    """Figures summed from the lines matching ``conditions`` (keep them few: for the hidden owners' lines)."""
    row = db.session.execute(select(*_LINE_FIGURES).where(*conditions)).one()
    return Figures(int(row[0]), int(row[1]), int(row[2]))


def _lines_by(column, *conditions) -> dict[int, Figures]:
    rows = db.session.execute(select(column, *_LINE_FIGURES).where(*conditions).group_by(column)).all()
    return {row[0]: Figures(int(row[1]), int(row[2]), int(row[3])) for row in rows}


def site_figures(hidden=None) -> Figures:
    """Every line's figures, or (given ``hidden``, a public_lines.HiddenOwners) the public lines' figures."""
    row = db.session.execute(select(func.coalesce(func.sum(FundMoney.income_fen), 0),
                                    func.coalesce(func.sum(FundMoney.expense_fen), 0),
                                    func.coalesce(func.sum(FundMoney.line_count), 0))).one()
    figures = Figures(int(row[0]), int(row[1]), int(row[2]))
    hidden_lines = _hidden_lines(hidden.fund_ids, hidden.project_ids) if hidden else None
    if hidden_lines is not None:
        figures -= line_figures(hidden_lines)
    return figures


@built_once
def _summary_statement(model, key_name: str):
    key = getattr(model, key_name)
    return (select(key, model.income_fen, model.expense_fen, model.line_count)
            .where(key.in_(bindparam("ids", expanding=True))))


def _summary_rows(model, key, ids) -> dict[int, Figures]:
    rows = db.session.execute(_summary_statement(model, key.key), {"ids": ids}).all()
    return {row[0]: Figures(int(row[1]), int(row[2]), int(row[3])) for row in rows}


def fund_figures(fund_ids, hidden=None) -> dict[int, Figures]:
    """{fund id: Figures} for each of ``fund_ids``; with ``hidden``, of public lines only (a hidden fund: 0)."""
    return _owner_figures(FundMoney, FundMoney.fund_id, LedgerEntry.fund_id, LedgerEntry.project_id, fund_ids,
                          hidden.fund_ids if hidden else (), hidden.project_ids if hidden else ())


def project_figures(project_ids, hidden=None) -> dict[int, Figures]:
    """{project id: Figures}; with ``hidden``, of public lines only (a hidden project, or a hidden fund's lines: 0)."""
    return _owner_figures(ProjectMoney, ProjectMoney.project_id, LedgerEntry.project_id, LedgerEntry.fund_id,
                          project_ids, hidden.project_ids if hidden else (), hidden.fund_ids if hidden else ())


def _owner_figures(summary, summary_key, line_owner, line_other, owner_ids, hidden_owners, hidden_others):
    """The summary rows of ``owner_ids`` (funds or projects), less their lines that belong to a hidden
    owner of the other kind; a hidden owner itself counts 0."""
    ids = list(owner_ids)
    if not ids:
        return {}
    found = _summary_rows(summary, summary_key, ids)
    if hidden_others:
        for owner_id, figures in _lines_by(line_owner, line_owner.in_(ids), line_other.in_(hidden_others)).items():
            found[owner_id] = found.get(owner_id, Figures()) - figures
    hidden = set(hidden_owners)
    return {id_: Figures() if id_ in hidden else found.get(id_, Figures()) for id_ in ids}


def public_balance_subquery(fund_id: int, hidden):
    """The public balance of one fund as a scalar subquery (to compute inside another query): its summary
    row less the non-voided lines it books to hidden projects."""
    balance = func.coalesce(select(FundMoney.income_fen - FundMoney.expense_fen)
                            .where(FundMoney.fund_id == fund_id).scalar_subquery(), 0)
    if hidden.project_ids:
        signed = case((LedgerEntry.kind == EntryKind.INCOME, LedgerEntry.amount_fen), else_=-LedgerEntry.amount_fen)
        balance = balance - func.coalesce(
            select(func.sum(signed)).where(LedgerEntry.fund_id == fund_id, LedgerEntry.voided.is_(False),
                                           LedgerEntry.project_id.in_(hidden.project_ids)).scalar_subquery(), 0)
    return balance


def funds_total(fund_ids_query, hidden=None) -> Figures:
    """Figures over every fund ``fund_ids_query`` (a select of fund ids) names; public lines with ``hidden``."""
    row = db.session.execute(select(func.coalesce(func.sum(FundMoney.income_fen), 0),
                                    func.coalesce(func.sum(FundMoney.expense_fen), 0),
                                    func.coalesce(func.sum(FundMoney.line_count), 0))
                             .where(FundMoney.fund_id.in_(fund_ids_query))).one()
    figures = Figures(int(row[0]), int(row[1]), int(row[2]))
    hidden_lines = _hidden_lines(hidden.fund_ids, hidden.project_ids) if hidden else None
    if hidden_lines is not None:
        figures -= line_figures(LedgerEntry.fund_id.in_(fund_ids_query), hidden_lines)
    return figures


def public_totals_subquery(summary, key, hidden_ids, other_hidden_ids, other_column):
    """Subquery (owner_id, income_fen, expense_fen) of the public money of every fund or project: the
    summary table ``summary`` (keyed by ``key``) less the lines whose ``other_column`` is among the hidden
    owners of the other kind; the owners in ``hidden_ids`` are left out."""
    income, expense = summary.income_fen, summary.expense_fen
    query = select(key.label("owner_id"))
    if other_hidden_ids:
        owner = LedgerEntry.fund_id if key is FundMoney.fund_id else LedgerEntry.project_id
        less = (select(owner.label("owner_id"), _LINE_FIGURES[0].label("income_fen"),
                       _LINE_FIGURES[1].label("expense_fen"))
                .where(other_column.in_(other_hidden_ids), owner.is_not(None)).group_by(owner).subquery())
        query = query.select_from(summary).outerjoin(less, less.c.owner_id == key)
        income = income - func.coalesce(less.c.income_fen, 0)
        expense = expense - func.coalesce(less.c.expense_fen, 0)
    else:
        query = query.select_from(summary)
    query = query.add_columns(income.label("income_fen"), expense.label("expense_fen"))
    if hidden_ids:
        query = query.where(key.not_in(hidden_ids))
    return query.subquery()


# --- rebuilding ------------------------------------------------------------------------------


def _recomputed(key_name: str):
    column = getattr(LedgerEntry, key_name)
    return select(column, *_LINE_FIGURES).where(column.is_not(None)).group_by(column)


def differences() -> list[str]:
    """What differs between the summary tables and the sums of the lines (empty when they agree)."""
    found = []
    for model, key_name, label in ((FundMoney, "fund_id", "fund"), (ProjectMoney, "project_id", "project")):
        stored = {row[0]: Figures(int(row[1]), int(row[2]), int(row[3])) for row in db.session.execute(
            select(getattr(model, key_name), model.income_fen, model.expense_fen, model.line_count))}
        actual = {row[0]: Figures(int(row[1]), int(row[2]), int(row[3]))
                  for row in db.session.execute(_recomputed(key_name))}
        for owner_id in sorted(set(stored) | set(actual)):
            have, want = stored.get(owner_id, Figures()), actual.get(owner_id, Figures())
            if have != want:
                found.append(f"{label} {owner_id}: summary {have.income_fen}/{have.expense_fen}/{have.line_count}, "
                             f"lines {want.income_fen}/{want.expense_fen}/{want.line_count} "
                             "(income/expense fen/lines)")
    return found


def rebuild() -> None:
    """Recompute both tables from the lines (in the caller's transaction)."""
    for model, key_name in ((FundMoney, "fund_id"), (ProjectMoney, "project_id")):
        db.session.execute(delete(model))
        db.session.execute(insert(model).from_select(
            [key_name, "income_fen", "expense_fen", "line_count"], _recomputed(key_name)))

