"""Which ledger lines the public sees: the lines of public funds whose project is public or absent.

The few funds and projects that are not public (drafts, items scheduled for later) are read once a
request (``hidden_owners``) and left out by id (``public_line_conditions``), so the usual case, everything
published, adds no condition to a query over a million lines. Statements built once
(core/statements.py) use the bound form of the same rule, one per shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import bindparam, literal, or_, select, union

from charity_site.core.models import PublicationStatus, now_param
from charity_site.core.statements import built_once
from charity_site.extensions import db
from charity_site.finance.models import Fund, LedgerEntry
from charity_site.projects.models import Project


@dataclass(frozen=True)
class HiddenOwners:
    fund_ids: tuple[int, ...] = ()
    project_ids: tuple[int, ...] = ()


def _not_public(model):
    """Ids of ``model`` rows that are not public, as three index lookups (status, no date, a future date)
    rather than a scan of every row: everything but the few drafts and scheduled items is public."""
    unlisted = [status for status in PublicationStatus
                if status not in (PublicationStatus.PUBLISHED, PublicationStatus.SCHEDULED)]
    return (
        select(model.id).where(model.status.in_(unlisted)),
        select(model.id).where(model.published_at.is_(None)),
        select(model.id).where(model.published_at > now_param()),
    )


@built_once
def _hidden_owners_statement():
    funds = union(*_not_public(Fund)).subquery()
    projects = union(*_not_public(Project)).subquery()
    return select(literal("f").label("owner"), funds.c.id).union_all(select(literal("p").label("owner"), projects.c.id))


def hidden_owners() -> HiddenOwners:
    """Funds and projects that are not public (drafts, scheduled for later): one query, once a request."""
    if has_request_context() and "ledger_hidden_owners" in g:
        return g.ledger_hidden_owners
    rows = db.session.execute(_hidden_owners_statement()).all()
    hidden = HiddenOwners(
        tuple(sorted(row.id for row in rows if row.owner == "f")),
        tuple(sorted(row.id for row in rows if row.owner == "p")),
    )
    if has_request_context():
        g.ledger_hidden_owners = hidden
    return hidden


def public_line_conditions() -> list:
    """SQL conditions for lines of public funds whose project is public or absent.

    The few hidden funds and projects are listed by id, so the usual case (everything published)
    adds no condition at all to a query over a million lines. Within a request the same list is
    returned each time, so the totals below recognise "only the public rule" and read the summaries.
    """
    if has_request_context() and "ledger_public_conditions" in g:
        return list(g.ledger_public_conditions)
    hidden = hidden_owners()
    conditions = _public_line_rule(hidden.fund_ids or None, hidden.project_ids or None)
    if has_request_context():
        g.ledger_public_conditions = tuple(conditions)
    return conditions


def _public_line_rule(hidden_fund_ids, hidden_project_ids) -> list:
    """The public rule's conditions: each argument is the hidden ids (a tuple, or a bound parameter), or
    None when none is hidden."""
    conditions = []
    if hidden_fund_ids is not None:
        conditions.append(LedgerEntry.fund_id.not_in(hidden_fund_ids))
    if hidden_project_ids is not None:
        conditions.append(or_(LedgerEntry.project_id.is_(None), LedgerEntry.project_id.not_in(hidden_project_ids)))
    return conditions


def public_line_parameters() -> tuple[tuple[bool, bool], dict]:
    """(shape, values) of the public rule now. The shape says which of its conditions apply (some fund is
    hidden, some project is hidden): a statement built once (core/statements.py) is built once per shape
    with ``bound_public_line_conditions(shape)`` and run with the values, the hidden ids."""
    hidden = hidden_owners()
    return ((bool(hidden.fund_ids), bool(hidden.project_ids)),
            {"hidden_fund_ids": list(hidden.fund_ids), "hidden_project_ids": list(hidden.project_ids)})


def bound_public_line_conditions(shape: tuple[bool, bool]) -> list:
    """``public_line_conditions()`` with the hidden ids as bound parameters (``public_line_parameters()``)."""
    hides_funds, hides_projects = shape
    return _public_line_rule(bindparam("hidden_fund_ids", expanding=True) if hides_funds else None,
                             bindparam("hidden_project_ids", expanding=True) if hides_projects else None)
