"""Reads for giving: settings, open campaigns, pledges, the donor wall and the goal bars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_, select

from charity_site.core.formatting import local_today, mask_person_name
from charity_site.core.statements import built_once
from charity_site.donations.models import (
    DonorDisplay,
    GiftCampaign,
    GivingSettings,
    PaymentMethod,
    Pledge,
    PledgeStatus,
)
from charity_site.extensions import db
from charity_site.finance import money
from charity_site.finance.models import Fund, FundKind
from charity_site.projects.models import Project

DEFAULT_PRESETS_YUAN = (50, 100, 500, 1000)
PLEDGES_PER_PAGE = 25
WALL_SIZE = 20


def giving_settings() -> GivingSettings:
    """The stored giving settings, or unsaved defaults when staff have not saved any yet."""
    settings = db.session.get(GivingSettings, 1)
    if settings is None:
        settings = GivingSettings(id=1, public_fundraising_qualified=False, qualification_number="",
                                  bank_account_name="", bank_name="", bank_account_number="",
                                  preset_amounts=",".join(str(y) for y in DEFAULT_PRESETS_YUAN),
                                  min_amount_fen=100, max_amount_fen=100_000_000, expire_after_days=30,
                                  collection_code="")
    return settings


def preset_amounts_fen(settings: GivingSettings) -> list[int]:
    """The preset buttons' amounts in fen, from the comma-separated yuan in the settings."""
    amounts = []
    for part in (settings.preset_amounts or "").replace("，", ",").split(","):
        part = part.strip()
        if part.isdigit() and 0 < int(part) <= 10_000_000:
            amounts.append(int(part) * 100)
    return amounts or [yuan * 100 for yuan in DEFAULT_PRESETS_YUAN]


def accepting(campaign: GiftCampaign | None, today: date | None = None) -> bool:
    """Whether ``campaign`` takes gifts today: open, within its dates, its project or fund public."""
    if campaign is None or not campaign.is_open or campaign.starts_on is None or campaign.ends_on is None:
        return False
    today = today or local_today()
    owner = campaign.project or campaign.fund
    return campaign.starts_on <= today <= campaign.ends_on and owner is not None and owner.is_public()


@built_once
def _campaign_statement(owner: str):
    return select(GiftCampaign).where(getattr(GiftCampaign, owner) == bindparam("owner_id"))


def campaign_of(project: Project | None = None, fund: Fund | None = None) -> GiftCampaign | None:
    if project is not None:
        return db.session.scalar(_campaign_statement("project_id"), {"owner_id": project.id})
    if fund is not None:
        return db.session.scalar(_campaign_statement("fund_id"), {"owner_id": fund.id})
    return None


def accepting_campaigns() -> list[GiftCampaign]:
    today = local_today()
    campaigns = db.session.scalars(
        select(GiftCampaign).where(GiftCampaign.is_open.is_(True), GiftCampaign.starts_on <= today,
                                   GiftCampaign.ends_on >= today).order_by(GiftCampaign.id)
    ).all()
    return [campaign for campaign in campaigns if accepting(campaign, today)]


def general_fund() -> Fund | None:
    """Where an undesignated gift goes: the first public general fund."""
    return db.session.scalar(
        select(Fund).where(Fund.kind == FundKind.GENERAL, Fund.public_clause()).order_by(Fund.id).limit(1)
    )


@dataclass(frozen=True)
class Designation:
    key: str  # "general", "fund-3", "project-7"
    label: str
    fund_id: int | None
    project_id: int | None
    campaign: GiftCampaign | None = None


def designations() -> list[Designation]:
    """What a donor can give to: the general fund, then each fund and project open for gifts."""
    choices = []
    general = general_fund()
    if general is not None:
        choices.append(Designation("general", _("Where most needed (%(fund)s)", fund=general.title),
                                   general.id, None))
    for campaign in accepting_campaigns():
        if campaign.project is not None:
            fund_id = campaign.project.fund_id or (general.id if general else None)
            if fund_id is None:
                continue  # a ledger line needs a fund
            choices.append(Designation(f"project-{campaign.project_id}", campaign.project.title, fund_id,
                                       campaign.project_id, campaign))
        else:
            choices.append(Designation(f"fund-{campaign.fund_id}", campaign.fund.title, campaign.fund_id, None,
                                       campaign))
    return choices


def pledge_by_token(token: str) -> Pledge | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Pledge).where(Pledge.access_token == token))


def pledge_by_reference(reference: str) -> Pledge | None:
    reference = (reference or "").strip().upper()
    if not reference or len(reference) > 32:
        return None
    return db.session.scalar(select(Pledge).where(Pledge.reference == reference))


def pledge_by_certificate(year: int, number: int) -> Pledge | None:
    return db.session.scalar(select(Pledge).where(Pledge.certificate_year == year,
                                                  Pledge.certificate_number == number))


def shown_name(pledge: Pledge) -> str:
    """The donor as the public sees them: full name only after opting in, else masked or 匿名."""
    return _public_name(pledge.donor_name, pledge.display, erased=pledge.erased_at is not None, anonymous=_("Anonymous"))


def certificate_name(pledge: Pledge) -> str:
    """The name on a certificate: the donor's, or 爱心人士 for an anonymous or erased gift."""
    return _public_name(pledge.donor_name, pledge.display, erased=pledge.erased_at is not None, anonymous="爱心人士")


def _public_name(donor_name: str | None, display: DonorDisplay, erased: bool, anonymous: str) -> str:
    """The donor's name as they chose it to be shown: in full after opting in, else masked; ``anonymous``
    for an anonymous or erased gift."""
    if erased or display is DonorDisplay.ANONYMOUS or not donor_name:
        return anonymous
    if display is DonorDisplay.FULL_NAME:
        return donor_name
    return mask_person_name(donor_name)


# --- staff list --------------------------------------------------------------------------------

@dataclass
class PledgeFilters:
    status: PledgeStatus | None = None
    method: PaymentMethod | None = None
    project_id: int | None = None
    fund_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        return any((self.status, self.method, self.project_id, self.fund_id, self.date_from, self.date_to, self.q))


def staff_conditions(filters: PledgeFilters) -> list:
    from charity_site.core.personal import normalise_mobile

    conditions = []
    if filters.status is not None:
        conditions.append(Pledge.status == filters.status)
    if filters.method is not None:
        conditions.append(Pledge.method == filters.method)
    if filters.project_id is not None:
        conditions.append(Pledge.project_id == filters.project_id)
    if filters.fund_id is not None:
        conditions.append(Pledge.fund_id == filters.fund_id)
    if filters.date_from is not None:
        conditions.append(func.date(Pledge.created_at) >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(func.date(Pledge.created_at) <= filters.date_to)
    if filters.q:
        text = filters.q.strip()
        phone = normalise_mobile(text)
        options = [Pledge.reference == text.upper(), Pledge.donor_name.contains(text, autoescape=True)]
        if phone:
            options.append(Pledge.phone == phone)
        elif text.isdigit() and len(text) >= 4:
            options.append(Pledge.phone.endswith(text, autoescape=True))
        conditions.append(or_(*options))
    return conditions


def staff_page(filters: PledgeFilters, page: int):
    query = select(Pledge).where(*staff_conditions(filters)).order_by(Pledge.created_at.desc(), Pledge.id.desc())
    return db.paginate(query, page=page, per_page=PLEDGES_PER_PAGE, error_out=True)


def staff_rows(filters: PledgeFilters):
    query = select(Pledge).where(*staff_conditions(filters)).order_by(Pledge.created_at.desc(), Pledge.id.desc())
    return db.session.scalars(query).yield_per(500)


# --- public: donor wall and goal bars -------------------------------------------------------------

@dataclass(frozen=True)
class WallGift:
    """A received gift as the donor wall shows it, and nothing more: the name as the donor chose it to be
    shown (masked unless they opted in to their full name), the message only if they chose to show it.
    Phone and e-mail are never read; a template given these cannot show what they do not hold."""

    name: str
    received_fen: int
    received_on: date | None
    message: str | None


@built_once
def _wall_statement(owner: str | None):
    statement = (select(Pledge.donor_name, Pledge.display, Pledge.erased_at, Pledge.received_amount_fen,
                        Pledge.received_on, Pledge.show_message, Pledge.message)
                 .where(Pledge.status == PledgeStatus.RECEIVED))
    if owner is not None:
        statement = statement.where(getattr(Pledge, owner) == bindparam("owner_id"))
    return statement.order_by(Pledge.received_at.desc(), Pledge.id.desc()).limit(bindparam("limit"))


def wall(project_id: int | None = None, fund_id: int | None = None, limit: int = WALL_SIZE) -> list[WallGift]:
    """The latest received gifts (of one project or fund, or all)."""
    owner, owner_id = _owner(project_id, fund_id)
    rows = db.session.execute(_wall_statement(owner), {"owner_id": owner_id, "limit": limit})
    return [WallGift(name=_public_name(row.donor_name, row.display, erased=row.erased_at is not None,
                                       anonymous=_("Anonymous")),
                     received_fen=row.received_amount_fen, received_on=row.received_on,
                     message=row.message if row.show_message and row.message and row.erased_at is None else None)
            for row in rows]


def _owner(project_id: int | None, fund_id: int | None) -> tuple[str | None, int | None]:
    """Which Pledge column names the owner, and its id: a project, else a fund, else (None, None): all."""
    if project_id is not None:
        return "project_id", project_id
    if fund_id is not None:
        return "fund_id", fund_id
    return None, None


@dataclass(frozen=True)
class GiftCount:
    count: int
    received_fen: int


def received_count(project_id: int | None = None, fund_id: int | None = None) -> GiftCount:
    """Every received gift counted, anonymous ones included."""
    return gift_figures(project_id=project_id, fund_id=fund_id).received


@dataclass(frozen=True)
class GiftFigures:
    received: GiftCount
    pledged_fen: int  # promised and not yet arrived (pending pledges)


_received = Pledge.status == PledgeStatus.RECEIVED


@built_once
def _gift_figures_statement(owner: str | None):
    statement = select(func.count(Pledge.id).filter(_received),
                       func.coalesce(func.sum(Pledge.received_amount_fen).filter(_received), 0),
                       func.coalesce(func.sum(Pledge.amount_fen).filter(Pledge.status == PledgeStatus.PENDING), 0))
    if owner is not None:
        statement = statement.where(getattr(Pledge, owner) == bindparam("owner_id"))
    return statement


def gift_figures(project_id: int | None = None, fund_id: int | None = None) -> GiftFigures:
    """Received gifts (count and sum) and pending pledges of one project, one fund, or all, in one read."""
    owner, owner_id = _owner(project_id, fund_id)
    count, received, pledged = db.session.execute(_gift_figures_statement(owner), {"owner_id": owner_id}).one()
    return GiftFigures(GiftCount(int(count), int(received)), int(pledged))


@dataclass(frozen=True)
class GoalProgress:
    goal_fen: int | None
    raised_fen: int  # income in the ledger: the only money counted as raised
    pledged_fen: int  # promised, not arrived


def goal_progress(campaign: GiftCampaign, figures: GiftFigures | None = None) -> GoalProgress:
    """``figures``: the campaign owner's gift figures when the caller has read them already."""
    if campaign.project_id is not None:
        raised = money.project_totals([campaign.project_id])[campaign.project_id].income_fen
        figures = figures or gift_figures(project_id=campaign.project_id)
    else:
        raised = money.fund_totals([campaign.fund_id])[campaign.fund_id].income_fen
        figures = figures or gift_figures(fund_id=campaign.fund_id)
    return GoalProgress(campaign.goal_fen, raised, figures.pledged_fen)
