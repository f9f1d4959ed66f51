"""Human labels for enum values, translated through Flask-Babel."""

from flask_babel import lazy_gettext as _l

from .models import DisclosureKind, EntryKind, FundKind, ProjectStatus

PROJECT_STATUS_LABELS = {
    ProjectStatus.PREPARING: _l("In preparation"),
    ProjectStatus.ACTIVE: _l("In progress"),
    ProjectStatus.COMPLETED: _l("Completed"),
}

FUND_KIND_LABELS = {
    FundKind.GENERAL: _l("General charity fund"),
    FundKind.COMMUNITY: _l("Community charity fund"),
    FundKind.NAMED: _l("Named fund"),
}

ENTRY_KIND_LABELS = {
    EntryKind.INCOME: _l("Income"),
    EntryKind.EXPENSE: _l("Expense"),
}

DISCLOSURE_KIND_LABELS = {
    DisclosureKind.ANNUAL_REPORT: _l("Annual work report"),
    DisclosureKind.FINANCIAL_REPORT: _l("Financial / audit report"),
    DisclosureKind.PROGRESS_REPORT: _l("Project progress report"),
    DisclosureKind.FINAL_REPORT: _l("Project final report"),
    DisclosureKind.FUNDRAISING_REPORT: _l("Fundraising report"),
    DisclosureKind.FUND_USE: _l("Fund-use notice"),
    DisclosureKind.MAJOR_EVENT: _l("Major event notice"),
    DisclosureKind.CORRECTION: _l("Correction"),
}


def label_of(value) -> str:
    for table in (PROJECT_STATUS_LABELS, FUND_KIND_LABELS, ENTRY_KIND_LABELS, DISCLOSURE_KIND_LABELS):
        if value in table:
            return str(table[value])
    return str(getattr(value, "value", value))
