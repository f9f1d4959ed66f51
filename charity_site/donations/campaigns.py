"""Writes for the giving settings and for opening a project or fund to public gifts.

慈善法 §§22-27: a public fundraising campaign needs the organisation's 公开募捐资格 and a filed
plan (募捐方案备案编号) with its dates and the person responsible. A campaign missing any of
these cannot be opened; ``missing_for_opening`` says what is missing, in words staff can act on.
"""

from __future__ import annotations

from flask_babel import gettext as _

from charity_site.core.audit import diff, record_audit, snapshot
from charity_site.core.errors import EditError
from charity_site.core.locking import claim
from charity_site.core.site_settings import get_settings
from charity_site.core.transaction import operation
from charity_site.donations.models import GiftCampaign, GivingSettings
from charity_site.donations.queries import giving_settings
from charity_site.extensions import db
from charity_site.files import uploads
from charity_site.files.kinds import UploadRejected

SETTINGS_ID = 1
SETTINGS_FIELDS = ("public_fundraising_qualified", "qualification_number", "bank_account_name", "bank_name",
                   "bank_account_number", "preset_amounts", "min_amount_fen", "max_amount_fen",
                   "expire_after_days", "collection_code")
CAMPAIGN_TEXT_FIELDS = ("filing_number", "responsible_person", "platform_url", "collection_code")
CAMPAIGN_FIELDS = ("is_open", "goal_fen", "starts_on", "ends_on", "filing_number", "responsible_person",
                   "platform_url", "collection_code")


@operation
def save_giving_settings(data: dict, actor=None) -> GivingSettings:
    """Store the giving settings (one row, created on first save); audited, flushed, not committed."""
    claim("giving_settings")  # two first saves at once must not both create the row
    settings = db.session.get(GivingSettings, SETTINGS_ID, populate_existing=True)
    creating = settings is None
    if creating:
        settings = GivingSettings(id=SETTINGS_ID)
        db.session.add(settings)
    before = {} if creating else snapshot(settings, SETTINGS_FIELDS)
    minimum, maximum = data.get("min_amount_fen"), data.get("max_amount_fen")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise EditError("max_amount_fen", _("The largest amount must not be below the smallest."))
    for name in SETTINGS_FIELDS:
        if name in data and data[name] is not None:
            value = data[name]
            setattr(settings, name, value.strip() if isinstance(value, str) else value)
    settings.updated_by_id = getattr(actor, "id", None)
    changes = diff(before, snapshot(settings, SETTINGS_FIELDS))
    db.session.flush()
    if changes or creating:
        record_audit("create" if creating else "update", "giving_settings", settings.id,
                     label=_("Giving settings"), changes=changes, user=actor)
        db.session.flush()
    return settings


@operation
def store_collection_code(file_storage, *, title: str, actor=None) -> str:
    """Store an uploaded collection code (收款码) image, re-encoded by files.uploads; return its address.

    ``field`` of the refusal is the upload field of the campaign and giving settings forms.
    """
    not_an_image = _("The collection code must be an image: JPEG, PNG or WebP.")
    try:
        attachment = uploads.store_upload(file_storage, title=title, actor=actor)
    except UploadRejected as error:
        raise EditError("collection_code_file", not_an_image if error.code == "unsupported" else error.message) from None
    if not uploads.is_image(attachment):  # a PDF is a file, not a code to scan; the rollback removes it again
        raise EditError("collection_code_file", not_an_image)
    return uploads.file_url(attachment)


def missing_for_opening(campaign: GiftCampaign) -> list[str]:
    """What keeps ``campaign`` from being opened to public gifts (empty when nothing does)."""
    problems = []
    organisation = get_settings()
    if organisation is None or not organisation.org_name.strip():
        problems.append(_("The organisation's full name is not set (Site settings)."))
    if organisation is None or not organisation.credit_code.strip():
        problems.append(_("The organisation's unified social credit code is not set (Site settings)."))
    settings = giving_settings()
    if not settings.public_fundraising_qualified or not settings.qualification_number.strip():
        problems.append(_("The organisation's public fundraising qualification and its certificate number are "
                          "not set (Giving settings)."))
    if not (campaign.filing_number or "").strip():
        problems.append(_("The filing number of the fundraising plan is missing."))
    if campaign.starts_on is None or campaign.ends_on is None:
        problems.append(_("The campaign's start and end dates are missing."))
    elif campaign.ends_on < campaign.starts_on:
        problems.append(_("The campaign ends before it starts."))
    if not (campaign.responsible_person or "").strip():
        problems.append(_("The person responsible for the campaign is missing."))
    return problems


def campaign_for(project_id: int | None = None, fund_id: int | None = None) -> GiftCampaign:
    """The campaign of a project or fund, a new unsaved one if there is none yet."""
    column = GiftCampaign.project_id if project_id is not None else GiftCampaign.fund_id
    found = db.session.scalar(db.select(GiftCampaign).where(column == (project_id or fund_id)))
    return found or GiftCampaign(project_id=project_id, fund_id=fund_id, is_open=False)


@operation
def save_campaign(campaign: GiftCampaign, data: dict, actor=None) -> GiftCampaign:
    """Save the campaign facts; opening is refused (EditError on ``is_open``) while facts are missing."""
    creating = campaign.id is None
    before = {} if creating else snapshot(campaign, CAMPAIGN_FIELDS)
    for name in CAMPAIGN_FIELDS:
        if name in data:
            value = data[name]
            if name in CAMPAIGN_TEXT_FIELDS:
                value = (value or "").strip()
            setattr(campaign, name, value)
    if campaign.is_open:
        problems = missing_for_opening(campaign)
        if problems:
            raise EditError("is_open", _("It cannot be opened for public gifts yet: %(reasons)s",
                                         reasons="；".join(problems)))
    if creating:
        db.session.add(campaign)
    db.session.flush()
    changes = diff(before, snapshot(campaign, CAMPAIGN_FIELDS))
    if changes or creating:
        record_audit("create" if creating else "update", "gift_campaign", campaign.id, label=campaign.title,
                     changes=changes, user=actor)
        db.session.flush()
    return campaign
