"""Demo giving data from content/giving.md: settings, open campaigns and received example pledges.

Idempotent: settings and campaigns are created only when missing (staff edits are kept), and an
example pledge only when its reference is new. Example pledges point at person income lines already
in the demo ledger (by voucher number), so the ledger's totals do not change; campaign dates are
relative to the day of loading so the demo is always within its campaigns.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select

from charity_site.core.formatting import local_today
from charity_site.core.models import utcnow
from charity_site.core.sequences import next_number
from charity_site.donations import campaigns
from charity_site.donations.models import (
    CERTIFICATE_SERIES,
    DonorDisplay,
    GiftCampaign,
    GivingSettings,
    PaymentMethod,
    Pledge,
    PledgeStatus,
)
from charity_site.donations.pledging import REFERENCE_ALPHABET
from charity_site.extensions import db
from charity_site.finance.models import Fund, LedgerEntry
from charity_site.projects.models import Project

FILE_NAME = "giving.md"
METHOD_OF_CHANNEL = {"银行转账": PaymentMethod.BANK, "微信": PaymentMethod.WECHAT, "支付宝": PaymentMethod.ALIPAY}


def _fen(value) -> int | None:
    return None if value in (None, "") else int(Decimal(str(value)) * 100)


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    _, front, _body = text.split("---", 2)
    return yaml.safe_load(front) or {}


def demo_reference(voucher: str) -> str:
    """A stable 8-character reference for an example pledge (same voucher, same reference)."""
    digest = hashlib.sha256(voucher.encode("utf-8")).digest()
    return "".join(REFERENCE_ALPHABET[byte % len(REFERENCE_ALPHABET)] for byte in digest[:8])


def load_giving(content_dir: str | Path) -> list[str]:
    """Load content/giving.md if present; returns labels of what was created. Flushes, never commits."""
    path = Path(content_dir) / FILE_NAME
    if not path.exists():
        return []
    data = _front_matter(path)
    created = []
    if db.session.get(GivingSettings, 1) is None and data.get("settings"):
        values = dict(data["settings"])
        values["min_amount_fen"] = _fen(values.pop("min_amount", None)) or 100
        values["max_amount_fen"] = _fen(values.pop("max_amount", None)) or 100_000_000
        campaigns.save_giving_settings(values)
        created.append("giving settings")
    today = local_today()
    for entry in data.get("campaigns") or []:
        owner = (db.session.scalar(select(Project).where(Project.slug == entry["project"])) if "project" in entry
                 else db.session.scalar(select(Fund).where(Fund.slug == entry.get("fund"))))
        if owner is None:
            continue
        kind = "project_id" if isinstance(owner, Project) else "fund_id"
        campaign = campaigns.campaign_for(**{kind: owner.id})
        if campaign.id is not None:
            continue
        values = {
            "is_open": True, "goal_fen": _fen(entry.get("goal")), "filing_number": entry["filing_number"],
            "responsible_person": entry["responsible_person"],
            "starts_on": today - timedelta(days=int(entry.get("starts_days_ago", 30))),
            "ends_on": today + timedelta(days=int(entry.get("ends_in_days", 90))),
            "platform_url": "", "collection_code": "",
        }
        candidate = GiftCampaign(**{kind: owner.id, **values})
        if campaigns.missing_for_opening(candidate):
            continue  # the settings it needs were removed by staff: leave it closed (a refusal would undo the load)
        campaigns.save_campaign(campaign, values)
        created.append(f"campaign {owner.slug}")
    for entry in data.get("pledges") or []:
        reference = demo_reference(entry["voucher"])
        if db.session.scalar(select(Pledge.id).where(Pledge.reference == reference)) is not None:
            continue
        line = db.session.scalar(select(LedgerEntry).where(LedgerEntry.voucher_no == entry["voucher"]))
        if line is None or line.voided:
            continue
        now = utcnow()
        pledge = Pledge(
            reference=reference, amount_fen=line.amount_fen, fund_id=line.fund_id, project_id=line.project_id,
            donor_name=entry.get("name") or line.counterparty or None, display=DonorDisplay(entry["display"]),
            message=entry.get("message", ""), show_message=bool(entry.get("message")),
            method=METHOD_OF_CHANNEL.get(line.channel, PaymentMethod.BANK), consent_at=now,
            consent_text_version="示例", status=PledgeStatus.RECEIVED, received_at=now,
            received_on=line.occurred_on, received_amount_fen=line.amount_fen, received_channel=line.channel,
            ledger_entry_id=line.id, certificate_year=line.occurred_on.year,
            certificate_number=next_number(CERTIFICATE_SERIES, line.occurred_on.year),
        )
        db.session.add(pledge)
        db.session.flush()
        created.append(f"example pledge {reference}")
    return created
