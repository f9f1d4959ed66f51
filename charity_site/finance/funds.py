"""Staff writes to funds: the generic editor's kind (core/editing.py). Their money comes from the ledger."""

from __future__ import annotations

from charity_site.core.editing import EditableKind
from charity_site.disclosures.operations import deletion_refusal as disclosures_refusal
from charity_site.finance.ledger import deletion_refusal as ledger_refusal
from charity_site.finance.models import Fund


def _deletion_refusal(fund: Fund) -> str | None:
    return ledger_refusal(fund_id=fund.id) or disclosures_refusal(fund_id=fund.id)


FUND = EditableKind("fund", Fund, fields=("kind", "area", "established_on"), deletion_refusal=_deletion_refusal)
