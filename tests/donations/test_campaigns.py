"""Opening a project or fund to public gifts needs the facts 慈善法 §§22-27 ask for; pages show them."""

from __future__ import annotations

import pytest
from factories import login, make_fund, make_project, make_site_settings
from factories_donations import CREDIT_CODE, ORG_NAME, QUALIFICATION, campaign_values, giving_ready, open_project

from charity_site.core.errors import EditError
from charity_site.donations import campaigns, queries
from charity_site.donations.models import GiftCampaign
from charity_site.extensions import db
from charity_site.models import FundKind


@pytest.mark.parametrize("missing, words", [
    ("filing_number", "备案编号"),
    ("starts_on", "开始和结束日期"),
    ("ends_on", "开始和结束日期"),
    ("responsible_person", "负责人"),
])
def test_a_campaign_without_its_filed_facts_cannot_be_opened(app, missing, words):
    giving_ready()
    project = make_project(fund_id=make_fund(kind=FundKind.GENERAL).id)
    campaign = campaigns.campaign_for(project_id=project.id)

    with pytest.raises(EditError) as refused:
        campaigns.save_campaign(campaign, campaign_values(**{missing: None if missing.endswith("_on") else ""}))

    assert refused.value.field == "is_open"
    assert words in refused.value.message
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(GiftCampaign.id))) == 0


def test_without_the_organisations_qualification_nothing_can_be_opened(app):
    make_site_settings(org_name=ORG_NAME, credit_code="")
    project = make_project(fund_id=make_fund(kind=FundKind.GENERAL).id)

    problems = campaigns.missing_for_opening(GiftCampaign(project_id=project.id, **{
        key: value for key, value in campaign_values().items() if key not in ("platform_url", "collection_code")}))

    assert any("统一社会信用代码" in problem for problem in problems)
    assert any("公开募捐资格" in problem for problem in problems)


def test_staff_see_why_a_campaign_cannot_be_opened(app, client, finance):
    giving_ready()
    project = make_project(fund_id=make_fund(kind=FundKind.GENERAL).id)
    db.session.commit()
    login(client, finance.email)

    response = client.post(f"/admin/pledges/campaigns/project/{project.id}",
                           data={**campaign_values(), "is_open": "y", "filing_number": "", "goal_fen": "50000",
                                 "starts_on": "2026-01-01", "ends_on": "2026-12-31"})

    assert response.status_code == 400
    assert "缺少募捐方案备案编号" in response.get_data(as_text=True)
    assert queries.campaign_of(project=project) is None


def test_an_open_campaign_shows_its_facts_on_the_giving_pages(app, client):
    giving_ready()
    project = open_project()

    for url in (f"/donate?project={project.id}", f"/projects/{project.slug}"):
        body = client.get(url).get_data(as_text=True)
        assert "51440113MJL000000X-2026-001" in body, url
    body = client.get("/donate").get_data(as_text=True)
    for fact in (ORG_NAME, CREDIT_CODE, QUALIFICATION, "查询认捐"):
        assert fact in body


def test_a_closed_or_ended_campaign_takes_no_gifts(app, client):
    giving_ready()
    ended = open_project(starts_on=None, ends_on=None, is_open=False)
    assert f"project-{ended.id}" not in client.get("/donate").get_data(as_text=True)
    assert "giving-panel" not in client.get(f"/projects/{ended.slug}").get_data(as_text=True)


def test_a_printable_poster_carries_the_campaign_facts_and_a_qr_code_to_the_giving_page(app, client):
    giving_ready()
    project = open_project(goal_fen=8_000_000)

    body = client.get(f"/donate/poster/{project.id}").get_data(as_text=True)

    for fact in ("扫码捐赠", project.title, "¥80,000.00", ORG_NAME, CREDIT_CODE, "51440113MJL000000X-2026-001",
                 f"/donate?project={project.id}", "<svg"):
        assert fact in body, fact
    closed = make_project()
    db.session.commit()
    assert client.get(f"/donate/poster/{closed.id}").status_code == 404


def test_a_giving_link_for_a_project_names_it_in_its_title_and_share_card(app, client):
    """A link passed on in WeChat shows little more than the page's title: /donate?project= says what it is for."""
    giving_ready()
    project = open_project()
    project.summary = "为困境儿童提供助学金"
    db.session.commit()

    body = client.get(f"/donate?project={project.id}").get_data(as_text=True)
    assert f"<title>捐赠：助学测试项目 - {ORG_NAME}</title>" in body
    assert '<meta property="og:title" content="捐赠：助学测试项目">' in body
    assert '<meta property="og:description" content="为困境儿童提供助学金">' in body
    assert f'<link rel="canonical" href="http://localhost/donate?project={project.id}">' in body

    general = client.get("/donate").get_data(as_text=True)  # the general page keeps its own name
    assert f"<title>我要捐赠 - {ORG_NAME}</title>" in general and "og:title" not in general
    closed = make_project(title="未开放捐赠的项目")
    db.session.commit()
    assert f"<title>我要捐赠 - {ORG_NAME}</title>" in client.get(f"/donate?project={closed.id}").get_data(as_text=True)


def test_plain_donate_keeps_its_own_title_when_a_project_comes_first_and_a_summaryless_one_is_described(app, client):
    giving_ready()
    community = make_fund(kind=FundKind.COMMUNITY, title="东兴社区慈善基金")  # no general fund: a project is first
    project = make_project(fund_id=community.id, title="长者饭堂", summary="", body_md="为社区长者提供**午餐**。")
    campaigns.save_campaign(campaigns.campaign_for(project_id=project.id), campaign_values())
    db.session.commit()

    plain = client.get("/donate").get_data(as_text=True)
    assert f"<title>我要捐赠 - {ORG_NAME}</title>" in plain and "og:title" not in plain
    named = client.get(f"/donate?project={project.id}").get_data(as_text=True)
    assert f"<title>捐赠：长者饭堂 - {ORG_NAME}</title>" in named
    assert '<meta property="og:description" content="为社区长者提供午餐。">' in named  # from the text, as the project page
