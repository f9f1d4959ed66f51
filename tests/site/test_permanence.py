"""Published means permanent: no route of the site deletes a ledger line or a published disclosure.

Every rule in the URL map that accepts a writing method is called as an administrator (who may use
every staff page), once with an empty form and once with a form that fills the usual confirmation and
reason fields. Afterwards the ledger line and the published disclosure must still be there, with
their amounts and their original text.
"""

from __future__ import annotations

from factories import make_disclosure, make_entry, make_fund, make_news, make_page, make_project, make_user

from charity_site.extensions import db
from charity_site.models import (
    Disclosure,
    DisclosureRevision,
    DisclosureStatus,
    LedgerEntry,
    Pledge,
    ProjectUpdate,
)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Signing out would end the administrator's session and make every later request a redirect.
SKIPPED_BLUEPRINTS = {"admin_auth"}
FILLED_FORM = {
    "reason": "测试原因", "withdrawn_reason": "测试原因", "void_reason": "测试原因",
    "confirm": "y", "confirmed": "y", "submit": "y",
}


def write_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.methods & WRITE_METHODS),
        key=lambda rule: rule.rule,
    )


def test_no_route_deletes_a_ledger_line_or_a_published_disclosure(app, admin_client):
    fund = make_fund()
    project = make_project(fund_id=fund.id)
    update = ProjectUpdate(project_id=project.id, slug="u1", happened_on=project.published_at.date(), title="进展")
    db.session.add(update)
    entry = make_entry(fund, 12_345, project_id=project.id)
    disclosure = make_disclosure(project_id=project.id, fund_id=fund.id, body_md="原始正文")
    target = make_user("target@example.org", roles=("editor",))
    page, news = make_page(), make_news()
    pledge = Pledge(reference="PERM2345", access_token="permanence-token", amount_fen=100, project_id=project.id)
    db.session.add(pledge)
    db.session.commit()
    entry_id, disclosure_id = entry.id, disclosure.id
    samples = {
        "entry_id": entry_id, "disclosure_id": disclosure_id, "project_id": project.id,
        "update_id": update.id, "user_id": target.id, "number": 1, "size": "large",
        "token": "no-such-import", "pledge_id": pledge.id, "kind": "project", "owner_id": project.id,
        # volunteer routes: ids no row has (404s are fine here; nothing of the ledger may change)
        "shift_id": 999_999, "signup_id": 999_999, "volunteer_id": 999_999, "code": "NOSUCHCODE",
        "checkin_token": "no-such-token", "action": "check_in", "slug": "no-such-activity",
        "key": "annual_report:2000", "mark_id": 999_999,  # disclosure deadlines: nothing of that name
        "batch_id": 999_999,  # no import batch: the line above was recorded by hand
    }
    item_ids = {"admin_funds": fund.id, "admin_projects": project.id, "admin_pages": page.id,
                "admin_news": news.id}

    called = []
    for rule in write_rules(app):
        blueprint = rule.endpoint.split(".")[0]
        if blueprint in SKIPPED_BLUEPRINTS:
            continue
        values = {}
        for argument in rule.arguments:
            if argument == "item_id":
                values[argument] = item_ids.get(blueprint, fund.id)
            else:
                assert argument in samples, f"add a sample value for {argument} of {rule.rule} to this test"
                values[argument] = samples[argument]
        url = rule.build(values)[1]
        for method in sorted(rule.methods & WRITE_METHODS):
            for data in ({}, FILLED_FORM):
                response = admin_client.open(url, method=method, data=data)
                assert response.status_code < 500, f"{method} {url} failed with {response.status_code}"
                called.append(rule.rule)

    assert any("/admin/ledger" in rule for rule in called), "the ledger workspace has no write routes to try"
    assert any("/admin/disclosures" in rule for rule in called), "the disclosure workspace has no write routes"

    db.session.expire_all()
    line = db.session.get(LedgerEntry, entry_id)
    assert line is not None and line.amount_fen == 12_345
    kept = db.session.get(Disclosure, disclosure_id)
    assert kept is not None and kept.status in (DisclosureStatus.PUBLISHED, DisclosureStatus.WITHDRAWN)
    original = db.session.scalar(
        db.select(DisclosureRevision).where(DisclosureRevision.disclosure_id == disclosure_id,
                                            DisclosureRevision.number == 1)
    )
    assert original is not None and original.body_md == "原始正文"


def test_no_route_answers_the_delete_method(app):
    assert [rule.rule for rule in app.url_map.iter_rules() if "DELETE" in rule.methods] == []
