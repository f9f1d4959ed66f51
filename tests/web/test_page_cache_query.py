"""Stored pages keyed on the query parameters the page read: a shared link's extra parameters (WeChat's
?from=groupmessage, a campaign's utm_source) are answered from the stored page; a parameter a page reads
keeps its own entries, also when what a page reads depends on the values it read."""

from __future__ import annotations

import re
from datetime import date

import pytest
from factories import make_entry, make_fund
from flask import request
from test_page_cache import cache_of, counting_queries, make_site, text, visitor

from charity_site.extensions import db
from charity_site.models import EntryKind
from charity_site.web.query_reads import QueryReads


@pytest.fixture
def site(app):
    return make_site()


def reads_of(app, url: str, use) -> QueryReads:
    with app.test_request_context(url):
        use(request)
        return request.query_reads


@pytest.mark.parametrize(("use", "names"), [
    (lambda r: r.args.get("page"), {"page"}),
    (lambda r: r.args["q"], {"q"}),
    (lambda r: r.args.getlist("project"), {"project"}),
    (lambda r: "fund" in r.args, {"fund"}),
    (lambda r: r.values.get("next"), {"next"}),
    (lambda r: r.path, set()),
])
def test_reading_a_parameter_by_name_notes_that_name_only(app, use, names):
    reads = reads_of(app, "/x?page=2&q=a&project=a&project=b&utm_source=wx", use)
    assert reads.everything is False and reads.names == names


@pytest.mark.parametrize("use", [
    lambda r: r.args.to_dict(), lambda r: list(r.args), lambda r: len(r.args), lambda r: r.args.items(),
    lambda r: dict(**r.args), lambda r: r.args == {}, lambda r: r.query_string, lambda r: r.full_path,
    lambda r: r.url, lambda r: r.args.copy(),
], ids=["to_dict", "iterate", "len", "items", "unpack", "compare", "query_string", "full_path", "url", "copy"])
def test_anything_that_could_see_the_whole_query_string_reads_all_of_it(app, use):
    assert reads_of(app, "/x?page=2&utm_source=wx", use).everything is True


def test_a_shared_links_extra_parameters_are_answered_from_the_stored_page(app, site):
    path = f"/projects/{site.slug}"
    first = visitor(app).get(path)
    assert cache_of(first) == "miss"
    db.session.remove()
    for shared in ("?from=groupmessage&isappinstalled=0", "?from=timeline&clicktime=1764950400&enterid=1764950400",
                   "?utm_source=wechat&utm_campaign=99"):
        with counting_queries() as statements:
            again = visitor(app).get(path + shared)
        assert cache_of(again) == "hit" and statements == [], shared
        assert again.get_data() == first.get_data()
    home = visitor(app).get("/?from=singlemessage")
    assert cache_of(home) == "miss"  # the first visit of the home page, whatever its address
    assert cache_of(visitor(app).get("/")) == "hit" and cache_of(visitor(app).get("/?from=groupmessage")) == "hit"


def test_a_parameter_the_page_reads_keeps_its_own_entries(app, site):
    fund = make_fund()
    make_entry(fund, 123_00, occurred_on=date(2023, 5, 1), summary="二〇二三年的捐赠")
    make_entry(fund, 456_00, occurred_on=date(2024, 5, 1), summary="二〇二四年的捐赠")
    db.session.commit()
    everything = visitor(app).get("/ledger/")
    assert cache_of(everything) == "miss" and "二〇二三年的捐赠" in text(everything)
    # "from" is the ledger's own date filter, not a messaging app's parameter here
    filtered = visitor(app).get("/ledger/?from=2024-01-01")
    assert cache_of(filtered) == "miss"
    assert "二〇二四年的捐赠" in text(filtered) and "二〇二三年的捐赠" not in text(filtered)
    again = visitor(app).get("/ledger/?isappinstalled=0&from=2024-01-01")
    assert cache_of(again) == "hit" and again.get_data() == filtered.get_data()
    assert cache_of(visitor(app).get("/ledger/?utm_source=x")) == "hit"
    assert "二〇二三年的捐赠" in text(visitor(app).get("/ledger/?utm_source=x"))


def test_links_back_to_a_page_keep_its_filters_and_drop_what_it_never_read(app, site):
    fund = make_fund(slug="zhuxue")
    for day in range(1, 61):
        make_entry(fund, 100_00 + day, EntryKind.EXPENSE, occurred_on=date(2024, 3, 1 + day % 28))
    db.session.commit()
    page = text(visitor(app).get("/ledger/?fund=zhuxue&utm_source=wechat"))
    switches = re.findall(r'href="(/font-size[^"]*)"', page)
    assert switches and all("fund%3Dzhuxue" in link and "utm_source" not in link for link in switches)
    pages = re.findall(r'class="page-link[^"]*"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*class="page-link', page)
    links = [first or second for first, second in pages]
    assert links and all("fund=zhuxue" in link and "utm_source" not in link for link in links)


@pytest.fixture
def probe(app):
    """Pages whose reading of the query string the test decides."""

    @app.get("/probe-whole")
    def probe_whole():
        return "whole:" + ",".join(f"{name}={value}" for name, value in sorted(request.args.items()))

    @app.get("/probe-depends")
    def probe_depends():
        if request.args.get("mode") == "detail":
            return f"detail of {request.args.get('item')}"
        return "list"

    return app


def test_a_page_that_reads_the_whole_query_string_is_keyed_on_all_of_it(probe, site):
    app = probe
    assert text(visitor(app).get("/probe-whole?a=1")) == "whole:a=1"
    other = visitor(app).get("/probe-whole?a=1&b=2")
    assert cache_of(other) == "miss" and text(other) == "whole:a=1,b=2"
    again = visitor(app).get("/probe-whole?b=2&a=1")
    assert cache_of(again) == "hit" and text(again) == "whole:a=1,b=2"


def test_what_a_page_reads_may_depend_on_what_it_read_and_pages_are_never_mixed_up(probe, site):
    app = probe
    expected = {"/probe-depends?mode=list&item=1": "list", "/probe-depends?mode=detail&item=1": "detail of 1",
                "/probe-depends?mode=detail&item=2": "detail of 2", "/probe-depends?mode=list&item=5": "list",
                "/probe-depends?item=1&mode=detail&from=groupmessage": "detail of 1",
                "/probe-depends?mode=detail": "detail of None", "/probe-depends": "list"}
    for _round in range(2):  # the second round finds entries stored under what was learnt meanwhile
        for url, body in expected.items():
            assert text(visitor(app).get(url)) == body, url
    assert cache_of(visitor(app).get("/probe-depends?mode=detail&item=2&utm_source=x")) == "hit"
