"""Donation certificates (捐赠证书): what one shows, its number, and the amount in Chinese capitals.

A certificate is a thank-you and a proof of the gift; it is not the fiscal 捐赠票据. Its number
(2026-000123) is taken from a gapless yearly series when receipt is confirmed (receiving.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import cn2an
from sqlalchemy import select

from charity_site.core.site_settings import get_settings
from charity_site.disclosures import queries as disclosures_queries
from charity_site.donations.models import Pledge
from charity_site.donations.queries import certificate_name
from charity_site.extensions import db
from charity_site.finance.models import EntryKind, LedgerEntry
from charity_site.projects import queries as project_queries

LABEL_PATTERN = re.compile(r"([0-9]{4})-([0-9]{6})")


def amount_in_capitals(fen: int) -> str:
    """1000_00 → '壹仟元整', 5 → '伍分' (the RMB capitals written on certificates and cheques)."""
    yuan = (Decimal(fen) / 100).quantize(Decimal("0.01"))
    return cn2an.an2cn(str(yuan), "rmb")


def parse_certificate_label(label: str) -> tuple[int, int] | None:
    """'2026-000123' → (2026, 123); anything else → None."""
    match = LABEL_PATTERN.fullmatch(label or "")
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class Certificate:
    number: str
    donor: str
    amount_fen: int
    amount_capitals: str
    received_on: date
    purpose: str
    organisation: str
    credit_code: str


def certificate_of(pledge: Pledge) -> Certificate:
    """Exactly what the certificate shows; the verify page shows this and nothing more."""
    settings = get_settings()
    purpose = (pledge.project.title if pledge.project is not None else
               pledge.fund.title if pledge.fund is not None else "慈善事业")
    amount = pledge.received_amount_fen or pledge.amount_fen
    return Certificate(
        number=pledge.certificate_label or "", donor=certificate_name(pledge), amount_fen=amount,
        amount_capitals=amount_in_capitals(amount), received_on=pledge.received_on, purpose=purpose,
        organisation=settings.org_name if settings else "", credit_code=settings.credit_code if settings else "",
    )


@dataclass(frozen=True)
class WhatHappened:
    """慈善法 §42: what the project a donor gave to has done since (updates, spending, disclosures)."""

    updates: list
    spending: list
    disclosures: list


def latest_updates(pledge: Pledge) -> WhatHappened | None:
    if pledge.project is None or not pledge.project.is_public():
        return None
    spending = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.project_id == pledge.project_id, LedgerEntry.kind == EntryKind.EXPENSE,
                                  LedgerEntry.voided.is_(False))
        .order_by(LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc()).limit(5)
    ).all()
    return WhatHappened(
        updates=project_queries.project_updates(pledge.project)[:3],
        spending=list(spending),
        disclosures=disclosures_queries.linked_disclosures(3, project_id=pledge.project_id),
    )
