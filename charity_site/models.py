"""All models, importable from one place: ``from charity_site.models import Project``."""

from charity_site.core.sequences import NumberSequence
from charity_site.core.models import IllegalTransition, PublicationStatus, utcnow
from charity_site.pages.models import NewsPost, Page, SiteSettings, SlugRedirect, news_projects
from charity_site.disclosures.models import Attachment, Disclosure, DisclosureKind, DisclosureRevision, DisclosureStatus
from charity_site.finance.models import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    LEDGER_CHANNELS,
    CounterpartyType,
    EntryKind,
    Fund,
    FundKind,
    LedgerEntry,
)
from charity_site.donations.models import (
    DonorDisplay,
    Opportunity,
    Pledge,
    PledgeStatus,
    Shift,
    Signup,
    SignupStatus,
    Volunteer,
)
from charity_site.projects.models import PROJECT_CATEGORIES, Project, ProjectStatus, ProjectUpdate
from charity_site.search.models import SearchEntry
from charity_site.staff.models import AuditLog, Role, StaffRole, StaffUser

__all__ = [name for name in dir() if not name.startswith("_")]
