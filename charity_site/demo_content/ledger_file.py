"""Loading a content/ledger/*.md file: its ``entries`` become ledger lines, keyed by voucher number.

Each entry is read from YAML (a voucher, a kind, slugs, an amount in yuan, a date), then checked by
finance.rules like a line from the staff form or the spreadsheet import: the same limits, the same
messages. A stored line is never changed by a later load (a wrong line is voided on the site).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from charity_site.demo_content.files import (
    ContentFile,
    LoadReport,
    choice_field,
    date_field,
    money_field,
    text_field,
)
from charity_site.demo_content.upsert import upsert
from charity_site.extensions import db
from charity_site.finance import rules
from charity_site.finance.models import CounterpartyType, EntryKind, Fund, LedgerEntry
from charity_site.projects.models import Project

LEDGER_PERMANENT = "ledger lines are permanent; void the line on the site and enter a new one"
# The names a content file gives the values of a line, where they differ from the columns.
FILE_KEYS = {"occurred_on": "date", "amount_fen": "amount", "fund_id": "fund", "project_id": "project",
             "voucher_no": "voucher"}


def _voided_fields(cf: ContentFile, item: dict, hint: str) -> dict:
    """A line given with a ``void_reason`` is loaded as voided: shown struck through, out of every total."""
    reason = text_field(cf, item, "void_reason", max_length=None)
    if not reason:
        return {}
    problem = rules.void_reason_problem(reason)
    if problem:
        raise cf.error(f"entry {hint}: 'void_reason': {problem}", value=hint)
    return {"voided": True, "void_reason": reason}


def _line_values(cf: ContentFile, item: dict, voucher: str, funds: dict, projects: dict) -> dict:
    """The values of one entry as the rulebook takes them; raises ContentError for what is not readable."""
    fund_slug = item.get("fund")
    if fund_slug not in funds:
        raise cf.error(f"entry {voucher}: no fund with slug {fund_slug!r}", value=voucher)
    project_slug = item.get("project")
    if project_slug and project_slug not in projects:
        raise cf.error(f"entry {voucher}: no project with slug {project_slug!r}", value=voucher)
    return {
        "voucher_no": voucher,
        "kind": EntryKind(choice_field(cf, item, "kind", EntryKind, line_hint=voucher)),
        "occurred_on": date_field(cf, item, "date"),
        "amount_fen": money_field(cf, item, "amount", line_hint=voucher, limits=False),
        "fund_id": funds[fund_slug].id,
        "project_id": projects[project_slug].id if project_slug else None,
        "category": text_field(cf, item, "category", max_length=None),
        "channel": text_field(cf, item, "channel", max_length=None),
        "counterparty": text_field(cf, item, "counterparty", max_length=None),
        # Left out: read from the name by the rulebook (finance.rules.counterparty_type_for).
        "counterparty_type": CounterpartyType(
            choice_field(cf, item, "counterparty_type", CounterpartyType, line_hint=voucher)
        ) if item.get("counterparty_type") is not None else None,
        "summary": text_field(cf, item, "summary", max_length=None),
        "note": text_field(cf, item, "note", max_length=None),
    }


def load_ledger(cf: ContentFile, now: datetime, report: LoadReport) -> None:
    entries = cf.meta.get("entries")
    if not isinstance(entries, list) or not entries:
        raise cf.error("'entries' must be a non-empty list of ledger lines", "entries")
    funds = {fund.slug: fund for fund in db.session.scalars(select(Fund))}
    projects = {project.slug: project for project in db.session.scalars(select(Project))}
    # Lines are keyed by voucher number and a stored line is never changed, so a number already in the
    # ledger is this very line again, not a clash: no number counts as taken here.
    context = rules.ManyLinesContext(taken_vouchers=())
    parsed, seen = [], set()
    for index, item in enumerate(entries, start=1):
        if not isinstance(item, dict):
            raise cf.error(f"entry #{index} must be a mapping", "entries")
        voucher = text_field(cf, item, "voucher", max_length=None)
        if not voucher:
            raise cf.error(f"entry #{index}: 'voucher' is required", "voucher")
        if voucher in seen:
            raise cf.error(f"entry #{index}: voucher '{voucher}' appears twice in this file", value=voucher)
        seen.add(voucher)
        checked = rules.check_line(_line_values(cf, item, voucher, funds, projects), context)
        if checked.problems:
            problem = checked.problems[0]
            key = FILE_KEYS.get(problem.field, problem.field)
            raise cf.error(f"entry {voucher}: '{key}': {problem.message}", value=voucher)
        parsed.append((voucher, {**checked.values, **_voided_fields(cf, item, voucher)}))

    def stamp_voided(entry: LedgerEntry) -> None:
        if entry.voided and entry.voided_at is None:
            entry.voided_at = now

    for voucher, data in parsed:
        upsert(LedgerEntry, LedgerEntry.voucher_no, voucher, data, cf, now, report, f"ledger {voucher}",
               permanent=lambda record: LEDGER_PERMANENT, on_write=stamp_voided)
