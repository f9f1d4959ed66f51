"""Human labels for enum values, translated through Flask-Babel."""

import enum

from flask_babel import lazy_gettext as _l

from charity_site.core.models import PublicationStatus
from charity_site.core.roles import Role
from charity_site.disclosures.models import DisclosureKind, DisclosureStatus
from charity_site.finance.models import EntryKind, FundKind
from charity_site.projects.models import ProjectStatus

PROJECT_STATUS_LABELS = {
    ProjectStatus.PREPARING: _l("In preparation"),
    ProjectStatus.ACTIVE: _l("In progress"),
    ProjectStatus.COMPLETED: _l("Completed"),
}

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.EDITOR: _l("Editor"),
    Role.FINANCE: _l("Finance"),
    Role.COORDINATOR: _l("Volunteer coordinator"),
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


OBJECT_KIND_LABELS = {
    "page": _l("Page"),
    "news": _l("News"),
    "project": _l("Project"),
    "project_update": _l("Project update"),
    "fund": _l("Fund"),
    "settings": _l("Site settings"),
    "staff_user": _l("User"),
    "attachment": _l("File"),
    "content": _l("Content files"),
    "ledger_entry": _l("Ledger line"),
    "disclosure": _l("Disclosure"),
    "opportunity": _l("Volunteer activity"),
    "shift": _l("Shift"),
    "signup": _l("Volunteer sign-up"),
    "volunteer": _l("Volunteer"),
    "service_certificate": _l("Volunteer service certificate"),
}

AUDIT_ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "publish": _l("Published"),
    "schedule": _l("Scheduled"),
    "unpublish": _l("Unpublished"),
    "delete": _l("Deleted"),
    "login": _l("Signed in"),
    "logout": _l("Signed out"),
    "login_failed": _l("Failed sign-in"),
    "login_locked": _l("Sign-in refused (locked)"),
    "set_password": _l("Password set"),
    "enable": _l("Account enabled"),
    "disable": _l("Account disabled"),
    "upload": _l("Uploaded"),
    "content_load": _l("Content loaded"),
    "void": _l("Voided"),
    "import": _l("Imported"),
    "revise": _l("Corrected"),
    "withdraw": _l("Withdrawn"),
    "attach": _l("Attachment added"),
    "detach": _l("Attachment removed"),
    "signup": _l("Signed up"),
    "waitlist": _l("Put on the waitlist"),
    "cancel": _l("Cancelled"),
    "promote": _l("Given a place from the waitlist"),
    "check_in": _l("Checked in"),
    "check_out": _l("Checked out"),
    "absent": _l("Marked absent"),
    "confirm_hours": _l("Hours confirmed"),
    "change_hours": _l("Hours changed"),
    "reveal_id": _l("ID number opened"),
    "issue_certificate": _l("Certificate issued"),
    "erase": _l("Personal data erased"),
}


PUBLICATION_STATUS_LABELS = {
    PublicationStatus.DRAFT: _l("Draft"),
    PublicationStatus.SCHEDULED: _l("Scheduled"),
    PublicationStatus.PUBLISHED: _l("Published"),
}


DISCLOSURE_STATUS_LABELS = {
    DisclosureStatus.DRAFT: _l("Draft"),
    DisclosureStatus.PUBLISHED: _l("Published"),
    DisclosureStatus.WITHDRAWN: _l("Withdrawn"),
}


def label_of(value) -> str:
    """The Chinese label of an enum member (or a known string code such as an audit action)."""
    for table in (PROJECT_STATUS_LABELS, FUND_KIND_LABELS, ENTRY_KIND_LABELS, DISCLOSURE_KIND_LABELS,
                  PUBLICATION_STATUS_LABELS, ROLE_LABELS, DISCLOSURE_STATUS_LABELS):
        if isinstance(value, enum.Enum) and value in table:
            return str(table[value])
    for table in (AUDIT_ACTION_LABELS, OBJECT_KIND_LABELS):
        if isinstance(value, str) and value in table:
            return str(table[value])
    return str(getattr(value, "value", value))
