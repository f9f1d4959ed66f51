"""Who may open what under /admin: every URL in the map and every method it answers (GET and POST), for
anonymous visitors, each role and a disabled user.

The table below is the specification. A new /admin blueprint that is not listed
fails the test until someone decides who may use it. POSTs carry no form data: a refused role must be
stopped (403) before the view reads anything, an allowed one gets the view's own answer.
"""

from __future__ import annotations

import io

import pytest
from factories import login, make_disclosure, make_entry, make_fund, make_news, make_page, make_project, make_user
from werkzeug.datastructures import FileStorage

from charity_site.extensions import db
from charity_site.finance import ledger_import
from charity_site.models import LedgerBatch, Pledge, ProjectUpdate

ADMIN, EDITOR, FINANCE, COORDINATOR = "admin", "editor", "finance", "coordinator"
ALL_ROLES = (ADMIN, EDITOR, FINANCE, COORDINATOR)

# blueprint → the roles that may use it (admin may use everything).
WHO_MAY_USE = {
    "admin_dashboard": set(ALL_ROLES),
    "admin_account": set(ALL_ROLES),
    "admin_preview": {ADMIN, EDITOR, FINANCE},  # those who write Markdown (disclosures are finance's too)
    "admin_pages": {ADMIN, EDITOR},
    "admin_news": {ADMIN, EDITOR},
    "admin_projects": {ADMIN, EDITOR},
    "admin_funds": {ADMIN, FINANCE},
    "admin_ledger": {ADMIN, FINANCE},
    "admin_pledges": {ADMIN, FINANCE},
    "admin_disclosures": {ADMIN, EDITOR, FINANCE},
    "admin_deadlines": {ADMIN, EDITOR, FINANCE},  # who publishes disclosures marks them published elsewhere
    "admin_uploads": {ADMIN, EDITOR, FINANCE},
    "admin_users": {ADMIN},
    "admin_audit": {ADMIN},
    "admin_settings": {ADMIN},
    "admin_volunteers": {ADMIN, COORDINATOR},
    "admin_volunteer_day": {ADMIN, COORDINATOR},
}
# Open to everybody by design: the sign-in page itself and signing out.
UNGUARDED = {"admin_auth"}


def admin_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")),
        key=lambda rule: rule.rule,
    )


@pytest.fixture
def samples(app, tmp_path):
    page, news, fund = make_page(), make_news(), make_fund()
    project = make_project(fund_id=fund.id)
    update = ProjectUpdate(project_id=project.id, slug="u1", happened_on=project.published_at.date(), title="进展")
    db.session.add(update)
    target = make_user("target@example.org", roles=(EDITOR,))
    entry = make_entry(fund, 10_000)
    # The import preview needs a real upload: a made-up token answers 404 by design.
    app.config["LEDGER_IMPORT_DIR"] = str(tmp_path / "imports")
    csv_file = FileStorage(io.BytesIO("日期,金额,摘要\n2024-10-01,1,x\n".encode()), filename="sample.csv")
    token = ledger_import.store_upload(csv_file)
    disclosure = make_disclosure(fund_id=fund.id)
    batch = LedgerBatch(filename="sample.xlsx")
    db.session.add(batch)
    pledge = Pledge(reference="ACCESS23", access_token="access-token", amount_fen=100, project_id=project.id)
    db.session.add(pledge)
    volunteer = volunteer_records()
    db.session.commit()
    return {
        **volunteer,
        ("admin_pages", "item_id"): page.id,
        ("admin_news", "item_id"): news.id,
        ("admin_projects", "item_id"): project.id,
        ("admin_funds", "item_id"): fund.id,
        ("admin_projects", "project_id"): project.id,
        ("admin_projects", "update_id"): update.id,
        ("admin_users", "user_id"): target.id,
        ("admin_ledger", "entry_id"): entry.id,
        ("admin_ledger", "token"): token,
        ("admin_ledger", "batch_id"): batch.id,
        ("admin_disclosures", "disclosure_id"): disclosure.id,
        **deadline_records(),
        ("admin_pledges", "pledge_id"): pledge.id,
        ("admin_pledges", "kind"): "project",
        ("admin_pledges", "owner_id"): project.id,
    }


def deadline_records() -> dict:
    """An owed annual report (the key of its page) and a published-elsewhere mark."""
    from datetime import date

    from factories import make_site_settings

    from charity_site.disclosures.elsewhere import PublishedElsewhere

    make_site_settings(disclosures_start_on=date(2020, 1, 1))
    mark = PublishedElsewhere(obligation_key="financial_report:2021", label="2021年度财务会计报告",
                              url="https://cszg.mca.gov.cn/", published_on=date(2022, 5, 1))
    db.session.add(mark)
    db.session.flush()
    return {("admin_deadlines", "key"): "annual_report:2021", ("admin_deadlines", "mark_id"): mark.id}


def volunteer_records() -> dict:
    """An opportunity with a shift and a sign-up, for the coordinators' pages."""
    from datetime import timedelta

    from charity_site.core.models import PublicationStatus, utcnow
    from charity_site.volunteers.models import Opportunity, ServiceCertificate, Shift, Signup, Volunteer

    now = utcnow()
    opportunity = Opportunity(slug="o1", title="探访", location="街道", status=PublicationStatus.PUBLISHED,
                              published_at=now)
    shift = Shift(opportunity=opportunity, task="陪伴", starts_at=now + timedelta(days=1),
                  ends_at=now + timedelta(days=1, hours=2), capacity=3, checkin_token="t1")
    volunteer = Volunteer(name="示例", phone="13900000000")
    signup = Signup(shift=shift, volunteer=volunteer, code="CODE1")
    certificate = ServiceCertificate(number="2024-000001", year=2024, sequence=1, volunteer=volunteer,
                                     issued_on=now.date())
    db.session.add_all([opportunity, shift, volunteer, signup, certificate])
    db.session.flush()
    return {("admin_volunteers", "item_id"): opportunity.id, ("admin_volunteers", "shift_id"): shift.id,
            ("admin_volunteers", "signup_id"): signup.id, ("admin_volunteer_day", "shift_id"): shift.id,
            ("admin_volunteer_day", "signup_id"): signup.id, ("admin_volunteer_day", "action"): "check_in",
            ("admin_volunteer_day", "volunteer_id"): volunteer.id, ("admin_volunteer_day", "fmt"): "csv",
            ("admin_volunteer_day", "number"): certificate.number}


def build_url(rule, samples) -> str:
    blueprint = rule.endpoint.split(".")[0]
    values = {}
    for argument in rule.arguments:
        key = (blueprint, argument)
        assert key in samples, f"add a sample value for {argument} of {rule.rule} to this test"
        values[argument] = samples[key]
    return rule.build(values)[1]


METHODS = ("GET", "POST")


def requests(client, rule, url):
    """(method, response) for every method of ``rule``: GET first, then an empty POST."""
    for method in METHODS:
        if method in rule.methods:
            yield method, client.open(url, method=method, data={} if method == "POST" else None)


def signed_in_client(app, role: str):
    user = make_user(f"{role}@example.org", roles=(role,))
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_every_admin_blueprint_has_an_access_rule(app):
    found = {rule.endpoint.split(".")[0] for rule in admin_rules(app)}
    unknown = found - set(WHO_MAY_USE) - UNGUARDED
    assert unknown == set(), f"decide who may use these admin blueprints and add them to WHO_MAY_USE: {unknown}"


def test_anonymous_visitors_are_sent_to_the_sign_in_page(app, client, samples):
    for rule in admin_rules(app):
        if rule.endpoint.split(".")[0] in UNGUARDED:
            continue
        for method, response in requests(client, rule, build_url(rule, samples)):
            assert response.status_code == 302, (method, rule.rule)
            assert "/admin/login" in response.headers["Location"], (method, rule.rule)


def test_an_account_disabled_while_signed_in_is_signed_out_everywhere(app, samples):
    user = make_user("disabled-admin@example.org", roles=(ADMIN,))
    for rule in admin_rules(app):
        if rule.endpoint.split(".")[0] in UNGUARDED:
            continue
        for method in METHODS:
            if method not in rule.methods:
                continue
            user.active = True
            db.session.commit()
            client = app.test_client()
            assert login(client, user.email).status_code == 302
            user.active = False
            db.session.commit()
            response = client.open(build_url(rule, samples), method=method, data={})
            assert response.status_code == 302, (method, rule.rule)
            assert "/admin/login" in response.headers["Location"], (method, rule.rule)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_reaches_exactly_its_own_areas(app, samples, role):
    client = signed_in_client(app, role)
    checked = 0
    for rule in admin_rules(app):
        blueprint = rule.endpoint.split(".")[0]
        if blueprint in UNGUARDED:
            continue
        for method, response in requests(client, rule, build_url(rule, samples)):
            checked += 1
            where = (role, method, rule.rule, response.status_code)
            if role not in WHO_MAY_USE[blueprint]:
                assert response.status_code == 403, where
                assert "没有访问权限" in response.get_data(as_text=True)
            elif method == "GET":
                assert response.status_code == 200, where
            else:  # the view's own answer: done (302), refused input (4xx), but not the guard's
                assert response.status_code != 403 and response.status_code < 500, where
                assert "/admin/login" not in response.headers.get("Location", ""), where
    posts = sum(1 for rule in admin_rules(app) if "POST" in rule.methods and rule.endpoint.split(".")[0] not in UNGUARDED)
    assert posts > 30 and checked > posts  # every POST route was tried, not only the POST-only ones


def test_the_markdown_preview_is_for_those_who_write_markdown(app):
    for role, expected in ((EDITOR, 200), (FINANCE, 200), (ADMIN, 200), (COORDINATOR, 403)):
        response = signed_in_client(app, role).post("/admin/preview/", data={"body_md": "**粗体**"})
        assert response.status_code == expected, role
        if expected == 200:
            assert response.get_json()["html"] == "<p><strong>粗体</strong></p>"
