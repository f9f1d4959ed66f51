"""All models, importable from one place: ``from charity_site.models import Project``."""

from ..core.sequences import NumberSequence
from .base import IllegalTransition, PublicationStatus, utcnow
from .content import NewsPost, Page, SiteSettings, SlugRedirect, news_projects
from .disclosures import Attachment, Disclosure, DisclosureKind, DisclosureRevision, DisclosureStatus
from .finance import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    LEDGER_CHANNELS,
    CounterpartyType,
    EntryKind,
    Fund,
    FundKind,
    LedgerEntry,
)
from .people import (
    DonorDisplay,
    Opportunity,
    Pledge,
    PledgeStatus,
    Shift,
    Signup,
    SignupStatus,
    Volunteer,
)
from .projects import PROJECT_CATEGORIES, Project, ProjectStatus, ProjectUpdate
from .search import SearchEntry
from .staff import AuditLog, Role, StaffRole, StaffUser

__all__ = [name for name in dir() if not name.startswith("_")]
