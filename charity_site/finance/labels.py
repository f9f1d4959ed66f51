"""Labels of the fund and ledger enums (registered for the ``label`` filter when the app is made)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from charity_site.core.labels import register_labels
from charity_site.finance.models import CounterpartyType, EntryKind, FundKind

FUND_KIND_LABELS = register_labels({
    FundKind.GENERAL: _l("General charity fund"),
    FundKind.COMMUNITY: _l("Community charity fund"),
    FundKind.NAMED: _l("Named fund"),
})

ENTRY_KIND_LABELS = register_labels({
    EntryKind.INCOME: _l("Income"),
    EntryKind.EXPENSE: _l("Expense"),
})


def party_labels() -> dict[CounterpartyType, str]:
    """Who a line's counterparty is, as /flows and the ledger's filter name them."""
    return {CounterpartyType.PERSON: _("Individuals"), CounterpartyType.ORGANISATION: _("Organisations")}
