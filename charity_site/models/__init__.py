"""All models, importable from one place: ``from charity_site.models import Project``."""

from charity_site.core.sequences import NumberSequence
from charity_site.models.base import IllegalTransition, PublicationStatus, utcnow
from charity_site.models.content import NewsPost, Page, SiteSettings, SlugRedirect, news_projects
from charity_site.models.disclosures import Attachment, Disclosure, DisclosureKind, DisclosureRevision, DisclosureStatus
from charity_site.models.finance import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    LEDGER_CHANNELS,
    CounterpartyType,
    EntryKind,
    Fund,
    FundKind,
    LedgerEntry,
)
from charity_site.models.people import (
    DonorDisplay,
    Opportunity,
    Pledge,
    PledgeStatus,
    Shift,
    Signup,
    SignupStatus,
    Volunteer,
)
from charity_site.models.projects import PROJECT_CATEGORIES, Project, ProjectStatus, ProjectUpdate
from charity_site.models.search import SearchEntry
from charity_site.models.staff import AuditLog, Role, StaffRole, StaffUser

__all__ = [name for name in dir() if not name.startswith("_")]
