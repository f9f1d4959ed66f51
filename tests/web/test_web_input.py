"""Reading requests (charity_site/web_input.py): ids, numbers, dates, page numbers and text, with bounds.

What a visitor or a staff member notices: an address with an id no item can have is "not found",
a page number no list can have is "not found" while a page number that is not a number shows the
first page, and a form field holding a control character or an impossible number or date says so
next to the field, in Chinese, and stores nothing. The hostile-input test covers every route; these
tests pin down the rules and their messages.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from factories import login, make_disclosure, make_fund, make_project, make_user
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

import charity_site
from charity_site.core.models import INTEGER_MAX
from charity_site.extensions import db
from charity_site.models import LedgerEntry, NewsPost, Project
from charity_site.web.input import (
    MAX_PAGE,
    SiteForm,
    coerce_id,
    control_character_at,
    parse_id,
    parse_int,
    query_page,
    whole_number,
)
from charity_site.web.safety import safe_next_url

CONTROL_MESSAGE = "此处含有看不见的控制字符"


def text_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin_client(app, client):
    assert login(client, make_user("admin@example.org", roles=("admin",)).email).status_code == 302
    return client


# --- the parsers ---------------------------------------------------------------------------------------

@given(st.text(max_size=40))
def test_parse_int_gives_a_number_within_its_bounds_or_none_for_any_text(text):
    number = parse_int(text, minimum=-5, maximum=1000)
    assert number is None or -5 <= number <= 1000
    identifier = parse_id(text)
    assert identifier is None or 1 <= identifier <= INTEGER_MAX


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_a_written_whole_number_is_read_back_when_within_bounds(number):
    assert parse_int(str(number), minimum=-(10**9), maximum=INTEGER_MAX) == (
        number if -(10**9) <= number <= INTEGER_MAX else None)


@pytest.mark.parametrize("text", ["", " ", "4.2", "1e3", "0x1f", "²", "١٢٣", "１２", "+-1", "--1", "1_000", "a\x00b"])
def test_only_ascii_digits_make_a_number(text):
    assert whole_number(text) is None


def test_a_number_too_long_for_any_bound_is_out_of_bounds_without_converting_it():
    assert parse_int("9" * 100_000) is None
    assert parse_int("-" + "9" * 100_000, minimum=-(10**18)) is None
    assert parse_int("0000000042") == 42


@given(st.one_of(st.text(max_size=30), st.none(), st.integers()))
def test_coerce_id_gives_none_an_id_or_refuses(value):
    try:
        result = coerce_id(value)
    except ValueError:
        return
    assert result is None or 1 <= result <= INTEGER_MAX or isinstance(value, int)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=50)
@given(text=st.text(max_size=30))
def test_query_page_is_a_page_number_or_not_found(app, text):
    with app.test_request_context():
        try:
            page = query_page(MultiDict({"page": text}))
        except NotFound:
            assert whole_number(text) is not None and not 1 <= whole_number(text) <= MAX_PAGE
            return
    assert 1 <= page <= MAX_PAGE
    assert page == 1 or whole_number(text) == page


def test_control_characters_are_found_but_tabs_and_line_breaks_are_fine_in_multiline_text():
    assert control_character_at("第一行\n第二行\t缩进\r\n") is not None
    assert control_character_at("第一行\n第二行\t缩进\r\n", multiline=True) is None
    assert control_character_at("a\x00b", multiline=True) == 1
    assert control_character_at("\x7f", multiline=True) == 0


@pytest.mark.parametrize("target", ["/\r\nLocation: http://evil.example/", "/ok\x00", "/%0D%0A\n"])
def test_a_next_address_with_a_line_break_or_nul_falls_back(target):
    assert safe_next_url(target, "/fallback") == "/fallback"
    assert safe_next_url("/projects/?page=2", "/fallback") == "/projects/?page=2"


# --- every form refuses control characters ---------------------------------------------------------------

def all_form_classes() -> set[type]:
    for module in pkgutil.walk_packages(charity_site.__path__, "charity_site."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("charity_site.")}


def test_every_form_of_the_site_is_a_site_form():
    forms = all_form_classes()
    assert len(forms) > 15
    assert [cls.__qualname__ for cls in forms if not issubclass(cls, SiteForm)] == []


def test_every_field_of_every_form_refuses_a_nul_with_a_chinese_message(app):
    checked = 0
    with app.test_request_context(method="POST"):
        for form_class in all_form_classes():
            if form_class.__name__ == "ImportMappingForm":
                continue  # abstract: its fields come from mapping_form_class
            form = form_class(formdata=MultiDict())
            for field in form:
                if field.type == "CSRFTokenField" or field.type.endswith("FileField"):
                    continue
                form = form_class(formdata=MultiDict({field.name: "a\x00b"}))
                form.validate()
                assert any(CONTROL_MESSAGE in str(error) for error in form[field.name.removeprefix(
                    form._prefix or "")].errors), (form_class.__name__, field.name)
                checked += 1
    assert checked > 60


# --- through the site --------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/disclosures/2147483648", "/disclosures/99999999999999999999",
                                 "/disclosures/2147483648/revisions/1", "/news/a%00b", "/projects/a%0D%0Ab"])
def test_an_address_no_item_can_have_is_not_found_in_the_site_layout(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert 'class="site-header"' in text_of(response)


def test_a_staff_address_with_an_impossible_id_is_not_found(admin_client):
    for url in ("/admin/news/99999999999999999999/edit", "/admin/users/2147483648/edit",
                "/admin/ledger/9223372036854775808", "/admin/disclosures/2147483648/withdraw"):
        assert admin_client.get(url).status_code == 404, url


@pytest.mark.parametrize("list_url", ["/projects/", "/news/", "/disclosures/", "/funds/", "/ledger/", "/search?q=救助&"])
def test_page_numbers_not_a_number_show_the_first_page_and_impossible_ones_are_not_found(client, list_url):
    join = "" if list_url.endswith("&") else "?"
    assert client.get(f"{list_url}{join}page=abc").status_code == 200
    for page in ("99999999999999999999", "2147483648", "0", "-1"):
        assert client.get(f"{list_url}{join}page={page}").status_code == 404, page


def test_staff_lists_follow_the_same_page_rule(admin_client):
    for url in ("/admin/news/", "/admin/ledger/", "/admin/users/", "/admin/audit/", "/admin/uploads/",
                "/admin/disclosures/"):
        assert admin_client.get(f"{url}?page=99999999999999999999").status_code == 404, url
        assert admin_client.get(f"{url}?page=abc").status_code == 200, url


def test_filters_with_impossible_ids_or_a_nul_are_ignored(app, client, admin_client):
    fund = make_fund(slug="a-fund")
    db.session.commit()
    for url in ("/ledger/?fund=a%00b", "/funds/?q=a%00b", "/disclosures/?project=a%00b",
                "/open-data/ledger.csv?fund=a%00b", f"/ledger/?fund={fund.slug}%00"):
        assert client.get(url).status_code == 200, url
    for url in ("/admin/ledger/?fund=99999999999999999999&project=2147483648",
                "/admin/ledger/new?corrects=99999999999999999999", "/admin/ledger/?fund=%C2%B2",
                "/admin/disclosures/new?project=2147483648&fund=99999999999999999999&period_end=9999-12-31"):
        assert admin_client.get(url).status_code == 200, url


def test_a_nul_in_a_staff_form_is_refused_next_to_the_field_and_nothing_is_stored(admin_client):
    response = admin_client.post("/admin/news/new", data={
        "title": "社区\x00长者", "body_md": "第一段\n\n\t缩进的第二段", "status": "draft", "category": ""})

    assert response.status_code == 400
    assert re.search(r'id="title-error">[^<]*' + CONTROL_MESSAGE, text_of(response))
    assert "body_md-error" not in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(NewsPost)) == 0


def test_a_line_break_in_a_one_line_field_is_refused(admin_client, fund):
    response = admin_client.post("/admin/ledger/new", data={
        "kind": "income", "occurred_on": "2024-10-01", "amount_fen": "10.00", "fund_id": fund.id,
        "category": "捐赠收入", "counterparty_type": "organisation", "summary": "第一行\r\n第二行"})

    assert response.status_code == 400
    assert re.search(r'id="summary-error">[^<]*' + CONTROL_MESSAGE, text_of(response))
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_twenty_digit_counts_and_amounts_are_refused_with_chinese_messages(admin_client):
    response = admin_client.post("/admin/projects/new", data={
        "title": "大数字项目", "category": "慈善救助", "status": "draft", "project_status": "active", "fund_id": "0",
        "budget_fen": "99999999999999999999", "goal_fen": "99999999999999999999.00",
        "beneficiaries": "99999999999999999999", "service_sessions": "2147483648", "people_served": "-1"})

    body = text_of(response)
    assert response.status_code == 400
    assert re.search(r'id="budget_fen-error">[^<]*金额过大', body)
    assert re.search(r'id="goal_fen-error">[^<]*金额过大', body)
    for name in ("beneficiaries", "service_sessions", "people_served"):
        assert re.search(rf'id="{name}-error">[^<]*0 到 2147483647 之间的整数', body), name
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


def test_impossible_dates_are_refused_with_the_range_in_the_message(admin_client):
    response = admin_client.post("/admin/projects/new", data={
        "title": "日期项目", "category": "慈善救助", "status": "scheduled", "project_status": "active",
        "fund_id": "0", "start_date": "2023-02-30", "end_date": "9999-12-31", "publish_at": "0001-01-01T00:00"})

    body = text_of(response)
    assert response.status_code == 400
    for name in ("start_date", "end_date"):
        assert re.search(rf'id="{name}-error">[^<]*1900-01-01 至 2100-12-31', body), name
    assert 'id="publish_at-error"' in body
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


def test_the_audit_log_refuses_a_date_beyond_2100_instead_of_failing(admin_client):
    response = admin_client.get("/admin/audit/?date_to=9999-12-31")
    assert response.status_code == 400
    assert re.search(r'id="date_to-error">[^<]*2100-12-31', text_of(response))
    assert admin_client.get("/admin/audit/?date_from=2024-01-01&date_to=2024-12-31").status_code == 200


def test_a_selected_id_no_row_can_have_is_refused(admin_client, fund):
    response = admin_client.post("/admin/ledger/new", data={
        "kind": "income", "occurred_on": "2024-10-01", "amount_fen": "10.00", "fund_id": "99999999999999999999",
        "project_id": "2147483648", "category": "捐赠收入", "counterparty_type": "organisation", "summary": "测试",
        "corrects": "99999999999999999999"})

    assert response.status_code == 400
    assert re.search(r'id="fund_id-error">[^<]*请从列表中选择一项', text_of(response))
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_a_detach_request_for_an_impossible_attachment_is_refused(admin_client):
    disclosure = make_disclosure(project_id=make_project().id)
    db.session.commit()
    response = admin_client.post(f"/admin/disclosures/{disclosure.id}/attachments/detach",
                                 data={"attachment_id": "99999999999999999999"})
    assert 400 <= response.status_code < 500


def test_a_line_break_in_next_never_reaches_a_header(app, client):
    response = client.get("/font-size/large?next=/%0D%0ALocation:%20http://evil.example/")
    location = response.headers["Location"]
    assert response.status_code == 302
    assert location.startswith("/") and not location.startswith("//")  # stays on this site
    assert "\r" not in location and "\n" not in location

    user = make_user("signin@example.org", roles=("editor",))
    refused = login(client, user.email, next="/\r\nLocation: http://evil.example/")
    assert refused.status_code == 400
    assert re.search(r'class="field-error"', text_of(refused))


FILTER_NAMES = ("page", "q", "fund", "project", "kind", "category", "channel", "from", "to", "year", "type", "sort",
                "status")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=30)
@given(values=st.dictionaries(st.sampled_from(FILTER_NAMES), st.text(max_size=40), max_size=5))
def test_any_text_in_the_public_filters_never_gives_a_server_error(client, values):
    for url in ("/ledger/", "/projects/", "/disclosures/", "/funds/", "/search", "/open-data/ledger.csv"):
        response = client.get(url, query_string=values)
        response.get_data()  # a streamed download runs now, in its own request context
        response.close()
        assert response.status_code in (200, 404), (url, values, response.status_code)
