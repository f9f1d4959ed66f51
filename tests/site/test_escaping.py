"""HTML that staff type or content files hold never reaches a page unescaped.

An HTML payload goes into every text column of every model: first through the content loader and
the staff forms (every free-text field of every form in the URL map, tests/route_walk.py), then,
for the columns neither of them writes, straight into the database. Then every page in the URL map
is rendered for every stored item, as an administrator and as a visitor, and no page may hold the
payload's markup raw. Sanitised Markdown needs no exception: the sanitiser drops the payload's
attribute and its meta tag, so their raw form cannot come from there either.

A new model column or a new route is covered without touching this test. What it cannot derive is
written down here: columns that never hold typed text (NOT_TYPED_TEXT), rows for models that no form
or content file writes yet, query strings that make a page show more (EXTRA_QUERIES), and staff
actions that are not submitted because they would remove what the pages should show.
"""

from __future__ import annotations

import csv
import io
import itertools
import time
from datetime import date, timedelta

from factories import make_user
from route_walk import (
    build_url,
    discover,
    form_fields,
    is_guarded,
    is_html_or_xml,
    png_bytes,
    recording,
    rules,
    samples_from_database,
    send,
    signed_in_client,
)
from sqlalchemy import Enum, String, cast, func, literal, select, update
from werkzeug.datastructures import FileStorage

from charity_site.core.transaction import transaction
from charity_site.demo_content.loader import load_content
from charity_site.donations.models import GiftCampaign, GivingSettings
from charity_site.extensions import db
from charity_site.files import uploads
from charity_site.finance import ledger_import
from charity_site.models import (
    DonorDisplay,
    LedgerBatch,
    Opportunity,
    Pledge,
    PledgeStatus,
    Project,
    PublicationStatus,
    PublishedElsewhere,
    ServiceCertificate,
    Shift,
    Signup,
    SiteSettings,
    Volunteer,
    utcnow,
)

PAYLOAD = '测试<b data-x=1>"><meta http-equiv=refresh content=0>'
SHORT_PAYLOAD = '"><b data-x=1>'  # for columns too short for the whole payload
MARK = "<b data-x=1"
RAW_MARKUP = ("<b data-x=1", "<meta http-equiv=refresh")

# Columns that never hold text a person typed: the site makes them, or they are validated to a fixed form.
NOT_TYPED_TEXT = {
    "slug": "an address part: the forms and the loader allow only a-z, 0-9 and hyphens",
    "old_slug": "an earlier slug, with the same rule",
    "source_path": "the loader's record of which file an item came from; never shown",
    "source_hash": "the loader's hash of that file; never shown",
    "password_hash": "a hash the site makes",
    "attachments.stored_name": "a random file name the site makes",
    "attachments.thumbnail_name": "a random file name the site makes",
    "attachments.sha256": "a hash of the file",
    "attachments.content_type": "the type the site found in the file",
    "disclosures_published_elsewhere.obligation_key": "a key the site makes from kind, project and period",
    "search_entries.kind": "one of the site's own words (project, news, page, disclosure)",
    "number_sequences.name": "the name of a certificate series, chosen in the code",
    "search_entries.title_tokens": "the title cut into words for the full-text index; never shown",
    "search_entries.body_tokens": "the text cut into words for the full-text index; never shown",
    "slug_redirects.kind": "one of the site's own words",
    "audit_log.action": "one of the site's own words",
    "audit_log.object_type": "one of the site's own words",
    "audit_log.ip_address": "the address the request came from",
    "pledges.reference": "a reference the site makes",
    "consent_text_version": "the version label of the consent text, set by the site",
    "pledges.access_token": "the secret of a donor's private page, made by the site",
    "pledges.submission_token": "a random token the site puts in the form",
    "signups.code": "a personal code the site makes",
    "signups.submission_token": "a random token the site puts into the form",
    "shifts.checkin_token": "a random token the site makes",
    "volunteers.id_number_encrypted": "ciphertext the site makes; never shown",
    "volunteers.id_type": "one of the site's own words (resident_card, other)",
    "service_certificates.number": "a certificate number the site makes",
}

# Staff actions not submitted: they would delete what the pages should show.
NOT_SUBMITTED = {"delete", "delete_update", "detach"}
# Later steps first need earlier ones (an item to publish, a line to void): (endpoint name → order).
SUBMIT_ORDER = {"new": 0, "create": 0, "new_update": 0, "import_upload": 0, "publish": 2, "void": 2, "withdraw": 3}
EXTRA_FORM_VALUES = {"admin_ledger.import_preview": {"action": "import"}}


def payload_for(limit: int | None) -> str | None:
    if limit is None or limit >= len(PAYLOAD):
        return PAYLOAD
    return SHORT_PAYLOAD if limit >= len(SHORT_PAYLOAD) else None


# --- the content loader -----------------------------------------------------------------------------

def quoted(text: str) -> str:
    """A YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def write_content(root):
    p, s = quoted(PAYLOAD), quoted(SHORT_PAYLOAD)
    body = f"{PAYLOAD}\n\n正文：{PAYLOAD}\n"
    files = {
        "settings.md": f"org_name: {p}\norg_short_name: {p}\ntagline: {p}\ncredit_code: {s}\naddress: {p}\n"
                       f"phone: {s}\nsupervision_phone: {s}\nemail: {p}\nicp_number: {p}\n"
                       f"charity_china_url: {p}\nfounded_year: 2008\n",
        "funds/p-fund.md": f"name: {p}\nkind: community\narea: {p}\nestablished_on: 2020-01-01\nsummary: {p}\n",
        "pages/about.md": f"title: {p}\nsummary: {p}\nnav_order: 1\n",
        "projects/p-project.md": f"title: {p}\ncategory: 社区慈善\nstatus: active\nsummary: {p}\n"
                                 f"start_date: 2024-01-01\nresponsible_person: {p}\ncontact: {p}\nfund: p-fund\n"
                                 f"budget: \"1000.00\"\nupdates:\n  - date: 2024-06-30\n    title: {p}\n"
                                 f"    body: {p}\n",
        "news/p-news.md": f"title: {p}\nsummary: {p}\ncategory: {s}\nsource: {p}\nauthor: {p}\n"
                          f"projects: [p-project]\n",
        "disclosures/p-disclosure.md": f"title: {p}\nkind: progress_report\nperiod_start: 2024-01-01\n"
                                       f"period_end: 2024-03-31\nproject: p-project\nfund: p-fund\nsummary: {p}\n",
        "ledger/p-ledger.md": "entries:\n"
                              f"  - voucher: {quoted(SHORT_PAYLOAD + '1')}\n    date: 2024-05-01\n    kind: income\n"
                              f"    amount: \"500.00\"\n    fund: p-fund\n    project: p-project\n"
                              f"    category: 捐赠收入\n    channel: 微信\n    counterparty: {p}\n"
                              f"    counterparty_type: person\n    summary: {p}\n    note: {p}\n"
                              f"  - voucher: {quoted(SHORT_PAYLOAD + '2')}\n    date: 2024-05-02\n    kind: expense\n"
                              f"    amount: \"100.00\"\n    fund: p-fund\n    category: 救助\n    channel: 现金\n"
                              f"    counterparty: {p}\n    counterparty_type: organisation\n    summary: {p}\n"
                              f"    void_reason: {p}\n",
    }
    for name, front_matter in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front_matter}---\n{body}", encoding="utf-8")
    return root


def add_rows_no_form_writes_yet():
    """One row of each model that no form or content file writes yet; the text comes with the direct fill."""
    now = utcnow()
    volunteer = Volunteer()
    opportunity = Opportunity(slug="p-opportunity", title="活动", status=PublicationStatus.PUBLISHED,
                              published_at=now - timedelta(days=1))
    shift = Shift(opportunity=opportunity, starts_at=now, ends_at=now + timedelta(hours=2), capacity=5,
                  checkin_token="p-checkin")
    certificate = ServiceCertificate(number="2024-000001", year=2024, sequence=1, volunteer=volunteer,
                                     issued_on=now.date())
    db.session.add_all([volunteer, opportunity, shift, Signup(shift=shift, volunteer=volunteer, code="PCODE"), certificate,
                        Pledge(reference="p-pledge", access_token="p-pledge-token", amount_fen=100,
                               display=DonorDisplay.FULL_NAME, status=PledgeStatus.RECEIVED, received_amount_fen=100,
                               received_on=now.date(), received_at=now, certificate_year=now.year,
                               certificate_number=1, show_message=True)])
    project = db.session.scalars(select(Project).order_by(Project.id)).first()
    db.session.add_all([GiftCampaign(project_id=project.id, is_open=True, starts_on=now.date() - timedelta(days=1),
                                     ends_on=now.date() + timedelta(days=30)),
                        GivingSettings(id=1, public_fundraising_qualified=True)])
    # An import batch: its file name and void reason are shown on the staff batch pages.
    db.session.add(LedgerBatch(filename="p-batch.xlsx", voided=True, void_reason="p-reason", voided_at=now))
    # Disclosures marked as published elsewhere, owed since last year, so the dashboard shows their links.
    # Two: the route walk's plain POST to "take the mark back" removes the first.
    settings = db.session.get(SiteSettings, 1)
    settings.disclosures_start_on = date(now.year - 1, 1, 1)
    db.session.add_all([PublishedElsewhere(obligation_key=f"{kind}:{now.year - 1}", url="https://example.org/",
                                           published_on=now.date())
                        for kind in ("annual_report", "financial_report")])
    db.session.commit()


# --- files the forms upload -------------------------------------------------------------------------------

def import_csv(*, with_problem: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["日期", "收支", "金额", "基金", "类别", "摘要", "对方", "备注", "凭证号"])
    writer.writerow(["2024-07-01", "收入", "1.00", "p-fund", "捐赠收入", PAYLOAD, PAYLOAD, PAYLOAD, SHORT_PAYLOAD + "c"])
    if with_problem:
        writer.writerow(["2024-07-02", "收入", "1.00", PAYLOAD, "捐赠收入", PAYLOAD, "", "", ""])
    return buffer.getvalue().encode()


def payload_file(field_):
    accept = (field_.render_kw or {}).get("accept", "")
    if ".csv" in accept:
        return import_csv(with_problem=True), "ledger.csv"
    return png_bytes(), f"{SHORT_PAYLOAD}.png"


# --- checking pages ----------------------------------------------------------------------------------------

class Pages:
    def __init__(self):
        self.checked = 0
        self.failures: list[str] = []

    def check(self, response, where: str):
        if not is_html_or_xml(response):
            return
        self.checked += 1
        body = response.get_data(as_text=True)
        for markup in RAW_MARKUP:
            position = body.find(markup)
            if position >= 0:
                context = body[max(0, position - 120):position + 60].replace("\n", " ")
                self.failures.append(f"{where}: {markup!r} unescaped in …{context}…")
                return


def submit_with_payload(client, recorder, plan, samples, pages) -> set[str]:
    """Submit the plan's form with the payload in every free-text field; a field that refuses it gets
    its ordinary value on the next try. Publishable items are saved once published and once as a draft."""
    url = build_url(plan.rule, samples.first(plan.rule))
    chosen = {name: payload_for(limit) for name, limit in plan.text_fields.items() if payload_for(limit)}
    variations = [{}]
    if plan.accepted.get("status") in {status.value for status in PublicationStatus}:
        variations = [{"status": "published"}, {"status": "draft"}]
    stored = set()
    for variation in variations:
        fields = dict(chosen)
        for _attempt in range(4):
            values = plan.values({**fields, **variation, **EXTRA_FORM_VALUES.get(plan.rule.endpoint, {})})
            response, reads = send(client, plan, url, values, recorder=recorder)
            pages.check(response, f"POST {url}")
            if response.status_code in (301, 302, 303):
                pages.check(client.get(response.headers["Location"]), f"after POST {url}")
            refused = {name for name, field_ in form_fields(reads).items() if field_.errors and name in fields}
            if response.status_code < 400 or not refused:
                stored |= set(fields) if response.status_code < 400 else set()
                break
            for name in refused:
                del fields[name]
    return stored


# --- the direct fill and coverage ----------------------------------------------------------------------

def text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String) and not isinstance(column.type, Enum):
                yield table, column


def typed_text(table, column) -> bool:
    return column.name not in NOT_TYPED_TEXT and f"{table.name}.{column.name}" not in NOT_TYPED_TEXT


def holds_payload(table, column) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(table).where(column.contains(MARK))))


def fill_remaining_columns() -> list[str]:
    """Put the payload (and the row id, for unique columns) into every typed-text column still without it."""
    filled = []
    for table, column in text_columns():
        if not typed_text(table, column) or holds_payload(table, column):
            continue
        text = payload_for(None if column.type.length is None else column.type.length - 6)  # room for the id
        assert text is not None, f"{table.name}.{column.name} is too short for even the short payload"
        db.session.execute(update(table).values({column: literal(text) + cast(table.c.id, String)}))
        filled.append(f"{table.name}.{column.name}")
    db.session.commit()
    return filled


# --- the test ------------------------------------------------------------------------------------------------

EXTRA_QUERIES = {
    "search.index": lambda ids: [{"q": "测试"}],
    "ledger.index": lambda ids: [{"fund": "p-fund"}, {"project": "p-project"}],
    "disclosures.index": lambda ids: [{"fund": "p-fund", "project": "p-project"}],
    "admin_disclosures.new": lambda ids: [{"project": ids["project"], "fund": ids["fund"],
                                           "kind": "progress_report"}],
    "admin_ledger.new": lambda ids: [{"corrects": ids["entry"]}],
    "admin_ledger.index": lambda ids: [{"fund": ids["fund"], "project": ids["project"], "q": "测试"}],
    "admin_news.index": lambda ids: [{"q": "测试"}],
}


def test_html_stored_in_any_text_field_is_escaped_on_every_page(app, tmp_path):
    started = time.perf_counter()
    app.config["LEDGER_IMPORT_DIR"] = str(tmp_path / "imports")
    admin = signed_in_client(app, "admin")
    make_user("target@example.org", roles=("editor",))
    pages = Pages()

    with transaction():
        report = load_content(write_content(tmp_path / "content"))
    assert report.ok, [str(error) for error in report.errors]
    add_rows_no_form_writes_yet()

    with transaction():
        uploads.store_upload(FileStorage(io.BytesIO(png_bytes()), filename=f"{SHORT_PAYLOAD}.png"), title=PAYLOAD)
    token = ledger_import.store_upload(FileStorage(io.BytesIO(import_csv(with_problem=False)), filename="p.csv"))
    counter = itertools.count(1).__next__
    stored_by_forms = set()
    with recording(app) as recorder:
        samples = samples_from_database(app, token=[token])
        plans = [plan for plan in discover(app, recorder, admin, samples, counter, file_for=payload_file)
                 if plan.method == "POST" and is_guarded(app, plan.rule) and plan.text_fields
                 and plan.rule.endpoint.split(".")[1] not in NOT_SUBMITTED]
        plans.sort(key=lambda plan: SUBMIT_ORDER.get(plan.rule.endpoint.split(".")[1], 1))
        for plan in plans:
            stored = submit_with_payload(admin, recorder, plan, samples, pages)
            stored_by_forms |= {f"{plan.rule.endpoint}:{name}" for name in stored}
    assert stored_by_forms, "no form took the payload"

    by_forms_and_loader = [f"{table.name}.{column.name}" for table, column in text_columns()
                           if typed_text(table, column) and holds_payload(table, column)]
    filled_directly = fill_remaining_columns()
    without = [f"{table.name}.{column.name}" for table, column in text_columns()
               if typed_text(table, column) and not holds_payload(table, column)]
    assert not without, f"no row holds the payload in {without}: add a row of that model in add_rows_no_form_writes_yet"
    named = {name for name in NOT_TYPED_TEXT}
    known = {column.name for _table, column in text_columns()} | {f"{t.name}.{c.name}" for t, c in text_columns()}
    assert named <= known, f"NOT_TYPED_TEXT names columns that do not exist: {named - known}"

    # the import above used up its file: the preview page gets one with a row in trouble
    token = ledger_import.store_upload(FileStorage(io.BytesIO(import_csv(with_problem=True)), filename="p.csv"))
    samples = samples_from_database(app, token=[token])
    first = samples_from_database(app, newest_first=False)
    ids = {"project": first.by_key["project_id"][0], "fund": first.by_key[("admin_funds", "item_id")][0],
           "entry": first.by_key["entry_id"][0]}
    visitor = app.test_client()
    urls = 0
    for rule in rules(app):
        if "GET" not in rule.methods:
            continue
        queries = [None, *EXTRA_QUERIES.get(rule.endpoint, lambda ids: [])(ids)]
        for values in samples.combinations(rule):
            for query in queries:
                url = build_url(rule, values, query=query)
                urls += 1
                pages.check(admin.get(url), f"GET {url} (administrator)")
                if not is_guarded(app, rule):
                    pages.check(visitor.get(url), f"GET {url} (visitor)")

    print(f"\nfilled directly: {filled_directly}")
    print(f"\nescaping: {len(by_forms_and_loader)} text columns through forms and the loader "
          f"({len(stored_by_forms)} form fields), {len(filled_directly)} filled directly, {urls} URLs, "
          f"{pages.checked} pages checked in {time.perf_counter() - started:.1f}s")
    assert not pages.failures, "\n".join(pages.failures[:30])
