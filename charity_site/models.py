"""Every domain's models, importable from one place (Alembic and create_app load them all from here)."""

from charity_site.core.audit import AuditLog
from charity_site.core.models import IllegalTransition, PublicationStatus, utcnow
from charity_site.core.roles import Role
from charity_site.core.sequences import NumberSequence
from charity_site.core.site_settings import SiteSettings
from charity_site.core.slugs import SlugRedirect
from charity_site.disclosures.elsewhere import PublishedElsewhere
from charity_site.disclosures.models import (
    Attachment,
    Disclosure,
    DisclosureKind,
    DisclosureRevision,
    DisclosureStatus,
)
from charity_site.donations.models import DonorDisplay, Pledge, PledgeStatus
from charity_site.finance.models import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    LEDGER_CHANNELS,
    CounterpartyType,
    EntryKind,
    Fund,
    FundKind,
    FundMoney,
    LedgerBatch,
    LedgerEntry,
    ProjectMoney,
)
from charity_site.news.models import NewsPost, news_projects
from charity_site.pages.models import Page
from charity_site.projects.models import PROJECT_CATEGORIES, Project, ProjectStatus, ProjectUpdate
from charity_site.search.models import SearchEntry
from charity_site.staff.models import StaffRole, StaffUser
from charity_site.volunteers.models import Opportunity, ServiceCertificate, Shift, Signup, SignupStatus, Volunteer

__all__ = [name for name in dir() if not name.startswith("_")]
