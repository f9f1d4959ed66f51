"""The 360Giving grants file: each non-voided expense on a public project of a public fund, as a grant.

A private person is never named: only an anonymous id and the words “individual recipient”.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from charity_site.core.formatting import yuan_text
from charity_site.finance.models import CounterpartyType, EntryKind, Fund, LedgerEntry
from charity_site.open_data.fields import enum_value
from charity_site.open_data.queries import stream_rows
from charity_site.open_data.writers import CHUNK_ROWS, dumps
from charity_site.projects.models import Project
from charity_site.web.urls import canonical_url


def _identifier_part(credit_code: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", credit_code or "").upper()


def grant_prefix(credit_code: str) -> str:
    code = _identifier_part(credit_code)
    return f"360G-{code}" if code else "360G-charity-site"


def funder_identifier(credit_code: str) -> str:
    code = _identifier_part(credit_code)
    return f"CN-USC-{code}" if code else "360G-charity-site-funder"


def recipient_org_identifier(prefix: str, name: str) -> str:
    """A stable identifier for an organisation known only by its name."""
    return f"{prefix}-org-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:12]}"


def grant_rows() -> Iterator:
    query = (
        select(
            LedgerEntry.id, LedgerEntry.occurred_on, LedgerEntry.amount_fen, LedgerEntry.summary,
            LedgerEntry.counterparty, LedgerEntry.counterparty_type,
            Project.slug.label("project_slug"), Project.title.label("project_title"),
            Project.start_date, Project.end_date,
            Fund.slug.label("fund_slug"), Fund.title.label("fund_title"),
        )
        .join(Fund, Fund.id == LedgerEntry.fund_id)
        .join(Project, Project.id == LedgerEntry.project_id)
        .where(LedgerEntry.kind == EntryKind.EXPENSE, LedgerEntry.voided.is_(False),
               Fund.public_clause(), Project.public_clause())
        .order_by(LedgerEntry.occurred_on, LedgerEntry.id)
    )
    return stream_rows(query)


def grant_record(row, prefix: str, funder: dict) -> str:
    """One grant as JSON text; amountAwarded is written as an exact decimal number (1234.50)."""
    grant: dict[str, Any] = {
        "id": f"{prefix}-{row.id}",
        "title": row.project_title,
        "description": row.summary or row.project_title,
        "currency": "CNY",
        "awardDate": row.occurred_on.isoformat(),
        "fundingOrganization": [funder],
        "grantProgramme": [{"code": row.fund_slug, "title": row.fund_title}],
        "url": canonical_url("projects.detail", slug=row.project_slug),
    }
    if enum_value(row.counterparty_type) == CounterpartyType.PERSON.value:
        grant["recipientIndividual"] = {"id": f"anonymous-{row.id}", "name": _("Individual recipient")}
    else:
        name = row.counterparty or _("Recipient not recorded")
        grant["recipientOrganization"] = [{"id": recipient_org_identifier(prefix, name), "name": name}]
    if row.start_date or row.end_date:
        dates = {}
        if row.start_date:
            dates["startDate"] = row.start_date.isoformat()
        if row.end_date:
            dates["endDate"] = row.end_date.isoformat()
        grant["plannedDates"] = [dates]
    return dumps(grant)[:-1] + ',"amountAwarded":' + yuan_text(row.amount_fen) + "}"


def iter_grants(org_name: str, credit_code: str) -> Iterator[str]:
    """{"grants": [...]}: each non-voided expense on a public project of a public fund, streamed."""
    prefix = grant_prefix(credit_code)
    funder = {"id": funder_identifier(credit_code), "name": org_name}
    yield '{"grants":['
    parts: list[str] = []
    separator = ""
    for row in grant_rows():
        parts.append(separator + "\n" + grant_record(row, prefix, funder))
        separator = ","
        if len(parts) >= CHUNK_ROWS:
            yield "".join(parts)
            parts = []
    parts.append("\n]}\n")
    yield "".join(parts)


GRANT_FIELDS = (
    ("id", _l("Grant identifier: 360G-<our credit code>-<ledger line number>")),
    ("title", _l("Name of the project the money was spent on")),
    ("description", _l("Summary of the ledger line")),
    ("currency", _l("Always CNY")),
    ("amountAwarded", _l("Amount in yuan, with two decimals")),
    ("awardDate", _l("Date of the expense")),
    ("fundingOrganization", _l("Our organisation: id CN-USC-<credit code> and name")),
    ("recipientOrganization", _l("The organisation paid, when it is an organisation")),
    ("recipientIndividual",
     _l("A private person: only an anonymous id and the words “individual recipient”, never a name")),
    ("plannedDates", _l("Start and end of the project, when known")),
    ("grantProgramme", _l("The fund the money came from")),
)
