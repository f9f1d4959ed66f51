"""Labels of the disclosure enums (registered for the ``label`` filter when the app is made)."""

from flask_babel import lazy_gettext as _l

from charity_site.core.labels import register_labels
from charity_site.disclosures.models import DisclosureKind, DisclosureStatus

DISCLOSURE_KIND_LABELS = register_labels({
    DisclosureKind.ANNUAL_REPORT: _l("Annual work report"),
    DisclosureKind.FINANCIAL_REPORT: _l("Financial / audit report"),
    DisclosureKind.PROGRESS_REPORT: _l("Project progress report"),
    DisclosureKind.FINAL_REPORT: _l("Project final report"),
    DisclosureKind.FUNDRAISING_REPORT: _l("Fundraising report"),
    DisclosureKind.FUND_USE: _l("Fund-use notice"),
    DisclosureKind.MAJOR_EVENT: _l("Major event notice"),
    DisclosureKind.CORRECTION: _l("Correction"),
})

DISCLOSURE_STATUS_LABELS = register_labels({
    DisclosureStatus.DRAFT: _l("Draft"),
    DisclosureStatus.PUBLISHED: _l("Published"),
    DisclosureStatus.WITHDRAWN: _l("Withdrawn"),
})

DEADLINE_AUDIT_LABELS = register_labels({
    "disclosure_deadline": _l("Disclosure deadline"),
    "mark_elsewhere": _l("Marked as published elsewhere"),
    "unmark_elsewhere": _l("Published-elsewhere mark removed"),
})
