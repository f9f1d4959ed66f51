"""Helpers for the donation tests: an organisation ready for public gifts, open campaigns, pledges."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

from factories import make_fund, make_project, make_site_settings
from sqlalchemy import func, select

from charity_site.core.formatting import local_today
from charity_site.core.site_settings import get_settings
from charity_site.donations import campaigns, pledging, queries
from charity_site.donations.models import DonorDisplay, PaymentMethod, Pledge
from charity_site.extensions import db
from charity_site.models import FundKind

ORG_NAME = "测试慈善会"
CREDIT_CODE = "51440113MJL000000X"
QUALIFICATION = "粤民公募证〔2026〕001号"
BANK_ACCOUNT = "6222 0201 0000 8888"


def giving_ready(**settings) -> None:
    """Site settings with the organisation's name and credit code, giving settings with the qualification."""
    if get_settings() is None:
        make_site_settings(org_name=ORG_NAME, credit_code=CREDIT_CODE, phone="020-84800000")
    campaigns.save_giving_settings({
        "public_fundraising_qualified": True, "qualification_number": QUALIFICATION,
        "bank_account_name": ORG_NAME, "bank_name": "中国工商银行广州番禺支行", "bank_account_number": BANK_ACCOUNT,
        "preset_amounts": "50,100,500,1000", "min_amount_fen": 100, "max_amount_fen": 10_000_000,
        "expire_after_days": 30, "collection_code": "", **settings,
    })
    db.session.commit()


def campaign_values(**overrides) -> dict:
    today = local_today()
    return {"is_open": True, "goal_fen": 5_000_000, "starts_on": today - timedelta(days=10),
            "ends_on": today + timedelta(days=60), "filing_number": "51440113MJL000000X-2026-001",
            "responsible_person": "李主任", "platform_url": "", "collection_code": "", **overrides}


def open_project(**campaign_overrides):
    """A general fund, and a project under it open for gifts; returns the project."""
    general = queries.general_fund() or make_fund(kind=FundKind.GENERAL, title="测试慈善基金")
    project = make_project(fund_id=general.id, title="助学测试项目")
    campaign = campaigns.campaign_for(project_id=project.id)
    campaigns.save_campaign(campaign, campaign_values(**campaign_overrides))
    db.session.commit()
    return project


def designation_of(project):
    return next(choice for choice in queries.designations() if choice.project_id == project.id)


def make_pledge(project, amount_fen: int = 10_000, **fields):
    values = {"amount_fen": amount_fen, "designation": designation_of(project), "method": PaymentMethod.BANK,
              "display": DonorDisplay.MASKED, "donor_name": "王小明", "phone": "13912345678",
              "email": "wang@example.org", "consent": True, **fields}
    pledge = pledging.create_pledge(pledging.PledgeRequest(**values))
    db.session.commit()
    return pledge


def pledge_form(project, **overrides) -> dict:
    """What a donor submits on /donate."""
    return {"amount_choice": "10000", "custom_amount": "", "designation": f"project-{project.id}",
            "donor_name": "王小明", "display": "masked", "phone": "13912345678", "email": "wang@example.org",
            "method": "bank", "consent": "y", **overrides}


def pledge_count() -> int:
    return db.session.scalar(select(func.count(Pledge.id)))


def form_token(client, url="/donate") -> str:
    """The submission token of the donate form as ``url`` shows it."""
    body = client.get(url).get_data(as_text=True)
    return re.search(r'name="submission_token" type="hidden" value="([^"]+)"', body).group(1)


class FormState(HTMLParser):
    """What the pledge form shows: {name: value} of its text fields, the values of ticked boxes and radios and of
    selected options, and for each choice the values offered and how (as "radio" buttons or a "select" list)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self.ticked: set[tuple[str, str]] = set()
        self.selected: dict[str, str] = {}
        self.offered: dict[str, list[str]] = {}
        self.shown_as: dict[str, str] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "pledge-form" in (attrs.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
            self.offered.setdefault(name, []).append(attrs.get("value"))
            self.shown_as[name] = attrs["type"]
            if "checked" in attrs:
                self.ticked.add((name, attrs.get("value")))
        elif tag == "input":
            self.values[name] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""
        elif tag == "select":
            self._select = name
            self.shown_as[name] = "select"
        elif tag == "option" and self._select:
            self.offered.setdefault(self._select, []).append(attrs.get("value"))
            if "selected" in attrs:
                self.selected[self._select] = attrs.get("value")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data.strip()

    def chosen(self, name: str) -> str | None:
        """The value chosen for ``name``: its selected option, or its one ticked radio button."""
        ticked = [value for field, value in self.ticked if field == name]
        return self.selected.get(name) or (ticked[0] if len(ticked) == 1 else None)


def form_state(body: str) -> FormState:
    state = FormState()
    state.feed(body)
    return state
