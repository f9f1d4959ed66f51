"""Site search as visitors use it, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from conftest import make_app
from factories import make_news, make_page, make_project
from flask_migrate import upgrade
from sqlalchemy import delete, event, func, select, text

from charity_site.core.editing import delete_or_unpublish, save_item
from charity_site.core.transaction import transaction
from charity_site.extensions import db
from charity_site.models import (
    Disclosure,
    DisclosureKind,
    DisclosureStatus,
    NewsPost,
    Page,
    Project,
    PublicationStatus,
    SearchEntry,
    utcnow,
)
from charity_site.news.operations import NEWS
from charity_site.pages.operations import PAGE
from charity_site.search import index as search
from charity_site.search import queries as search_queries
from charity_site.search import tokens
from charity_site.search.cli import init_search_cli

SEARCHED_MODELS = (("project", Project), ("news", NewsPost), ("page", Page), ("disclosure", Disclosure))


# --- helpers -----------------------------------------------------------------------------------

def found(query: str, **kwargs) -> set[tuple[str, int]]:
    """(kind, id) of every item the search finds, over all pages."""
    results = search_queries.search(tokens.parse_query(query), per_page=1000, **kwargs)
    return {(hit.kind, hit.object_id) for hit in results.items}


def found_titles(query: str) -> list[str]:
    return [hit.title for hit in search_queries.search(tokens.parse_query(query), per_page=1000).items]


def public_items():
    now = utcnow()
    for kind, model in SEARCHED_MODELS:
        for item in db.session.scalars(select(model).where(model.public_clause(now))):
            yield kind, item


def items_containing(*words: str) -> set[tuple[str, int]]:
    """What the search must find, computed independently: a plain substring scan of the public items."""
    return {
        (kind, item.id) for kind, item in public_items()
        if all(word in f"{item.title}\n{item.summary}\n{item.body_md}" for word in words)
    }


def result_count(response) -> int:
    match = re.search(r'class="result-count"[^>]*>\D*(\d+)', response.get_data(as_text=True))
    return int(match.group(1)) if match else 0


def result_titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    titles = re.findall(r'class="search-result-title"><a href="[^"]+">(.*?)</a>', html)
    return [re.sub(r"</?mark>", "", title) for title in titles]


def make_disclosure(**fields) -> Disclosure:
    n = db.session.scalar(select(func.count()).select_from(Disclosure)) + 1
    disclosure = Disclosure(**{
        "slug": f"disclosure-{n}", "title": f"测试公示{n}", "kind": DisclosureKind.FUND_USE, "body_md": "正文",
        "status": DisclosureStatus.PUBLISHED, "published_at": utcnow() - timedelta(days=1), **fields,
    })
    db.session.add(disclosure)
    db.session.flush()
    return disclosure


def reindexed():
    """Factories write straight to the tables, as a migration or an import might: rebuild the index."""
    db.session.commit()
    with transaction():
        search.reindex()


def empty_the_index() -> None:
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("DELETE FROM search_fts"))
    db.session.execute(delete(SearchEntry))
    db.session.commit()


@contextmanager
def captured_sql():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def form_data(title: str, **fields) -> dict:
    return {"title": title, "slug": "", "summary": "", "body_md": "", "status": PublicationStatus.PUBLISHED,
            "publish_at": None, **fields}


# --- finding every item -------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["救助", "助学", "慈善", "番禺", "公示"])
def test_a_two_character_word_finds_every_public_item_that_contains_it(demo, word):
    expected = items_containing(word)

    assert expected, f"the demo content should contain {word}"
    assert found(word) == expected


def test_a_single_character_finds_every_item_containing_it_even_at_the_end_of_a_run(demo):
    assert found("助") == items_containing("助")


def test_any_chinese_phrase_copied_from_an_item_finds_every_item_containing_it(demo):
    """Whatever jieba makes of a query, each word is a substring of it: nothing containing it is missed."""
    items = list(public_items())
    texts = {(kind, item.id): f"{item.title}\n{item.summary}\n{item.body_md}" for kind, item in items}
    phrases = set()
    for _, item in items:
        for run in re.findall(r"[\u4e00-\u9fff]{2,}", f"{item.title} {item.summary}"):
            for length in (3, 4, 5, 6):
                phrases.update(run[start:start + length] for start in range(0, len(run) - length + 1, 4))
    sample = sorted(phrases)[::max(1, len(phrases) // 150)]
    assert len(sample) > 50

    for phrase in sample:
        expected = {key for key, text_ in texts.items() if phrase in text_}
        assert expected <= found(phrase), phrase


def test_the_results_page_counts_and_lists_what_the_search_finds(client, demo):
    response = client.get("/search", query_string={"q": "救助"})

    assert response.status_code == 200
    assert result_count(response) == len(items_containing("救助"))
    assert len(result_titles(response)) == min(10, result_count(response))
    assert "<mark>救助</mark>" in response.get_data(as_text=True)


def test_results_of_every_kind_link_to_their_public_pages(client, demo):
    links = set()
    for page in (1, 2, 3):
        html = client.get("/search", query_string={"q": "慈善", "page": page}).get_data(as_text=True)
        links.update(re.findall(r'class="search-result-title"><a href="([^"]+)"', html))
    assert {link.split("/")[1] for link in links} >= {"projects", "news", "pages", "disclosures"}
    for link in links:
        assert client.get(link).status_code == 200, link


def test_a_word_only_in_the_body_is_found(app):
    post = make_news(title="冬季活动", summary="", body_md="今年冬天开展**暖冬慰问**，走访长者。")
    make_news(title="其他新闻", body_md="正文")
    reindexed()

    assert found("慰问") == {("news", post.id)}
    assert found("暖冬慰问") == {("news", post.id)}


def test_a_word_in_every_kind_of_item_is_found(app):
    project = make_project(title="乡村助学计划")
    post = make_news(title="助学金发放")
    page = make_page(title="关于我们", body_md="本会开展助学、救助等工作。")
    disclosure = make_disclosure(title="助学项目经费公示")
    make_news(title="无关新闻")
    reindexed()

    assert found("助学") == {("project", project.id), ("news", post.id), ("page", page.id),
                             ("disclosure", disclosure.id)}


def test_several_words_find_items_that_have_all_of_them(app):
    both = make_news(title="慈善活动", body_md="为困难家庭提供救助。")
    make_news(title="慈善晚会", body_md="文艺演出。")
    make_news(title="医疗救助", body_md="资助大病患者。")
    reindexed()

    assert found("慈善 救助") == {("news", both.id)}


def test_a_space_less_query_is_split_into_words(app):
    both = make_news(title="番禺区长者关爱", body_md="开展困难长者救助。")
    make_news(title="番禺新闻", body_md="区内动态。")
    make_news(title="医疗救助", body_md="资助大病患者。")
    reindexed()

    assert found("番禺救助") == {("news", both.id)}
    assert found("番禺救助") == items_containing("番禺", "救助")


def test_a_phrase_matches_only_where_its_characters_are_adjacent(app):
    adjacent = make_news(title="大病救助与助学金发放", body_md="")
    make_news(title="大病保险", body_md="临时救助")
    make_news(title="大病 救助，助学 金秋", body_md="")
    make_news(title="助学活动", body_md="发放奖金")
    reindexed()

    assert found("病救") == {("news", adjacent.id)}
    assert found("助学金") == {("news", adjacent.id)}


def test_upper_case_and_full_width_letters_find_the_same_items(app):
    post = make_news(title="COVID-19 防控物资捐赠", body_md="")
    reindexed()

    assert found("covid") == {("news", post.id)}
    assert found("ＣＯＶＩＤ") == {("news", post.id)}


# --- ranking and highlighting --------------------------------------------------------------------

def test_title_hits_rank_before_body_only_hits(app):
    now = utcnow()
    body_only = make_news(title="冬季工作简报", body_md="救助 " * 40, published_at=now - timedelta(hours=1))
    in_title = make_news(title="临时救助申请指南", body_md="办理流程。", published_at=now - timedelta(days=300))
    reindexed()

    results = search_queries.search(tokens.parse_query("救助")).items
    assert [hit.object_id for hit in results] == [in_title.id, body_only.id]


def test_newer_items_come_first_among_equal_matches(client, app):
    now = utcnow()
    make_news(title="救助简报一", published_at=now - timedelta(days=3))
    make_news(title="救助简报二", published_at=now - timedelta(days=1))
    reindexed()

    assert result_titles(client.get("/search?q=救助简报")) == ["救助简报二", "救助简报一"]


def test_matched_words_are_highlighted_and_titles_escaped(client, app):
    make_news(title="<script>alert(1)</script>医疗救助", summary="",
              body_md="本季度共开展医疗救助 12 次，<b>加粗</b>不应生效。")
    reindexed()

    html = client.get("/search", query_string={"q": "救助"}).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;医疗<mark>救助</mark>" in html
    assert "<script>alert(1)" not in html
    assert "医疗<mark>救助</mark> 12 次" in html
    assert "<b>加粗</b>" not in html


def test_snippets_show_the_text_around_the_match(client, app):
    make_news(title="年度报告", summary="", body_md="开头" * 60 + "这里提到了助学金的发放。" + "结尾" * 60)
    reindexed()

    html = client.get("/search", query_string={"q": "助学金"}).get_data(as_text=True)
    snippet = re.search(r'class="search-result-snippet">(.*?)</p>', html).group(1)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>助学金</mark>" in snippet


# --- what the public may see ----------------------------------------------------------------------

def test_drafts_and_future_scheduled_items_never_appear(client, app):
    public = make_news(title="公开的救助新闻")
    make_news(title="草稿救助新闻", status=PublicationStatus.DRAFT, published_at=None)
    make_news(title="预定救助新闻", status=PublicationStatus.SCHEDULED, published_at=utcnow() + timedelta(days=2))
    make_project(title="草稿救助项目", status=PublicationStatus.DRAFT, published_at=None)
    make_page(title="草稿救助页面", status=PublicationStatus.DRAFT, published_at=None)
    make_disclosure(title="草稿救助公示", status=DisclosureStatus.DRAFT, published_at=None)
    reindexed()

    assert found("救助") == {("news", public.id)}
    html = client.get("/search", query_string={"q": "救助"}).get_data(as_text=True)
    assert "草稿" not in html and "预定" not in html


def test_a_scheduled_item_appears_once_its_time_has_passed_without_reindexing(app):
    when = utcnow() + timedelta(hours=2)
    post = make_news(title="预定发布的助学通知", status=PublicationStatus.SCHEDULED, published_at=when)
    reindexed()

    assert found("助学") == set()
    assert found("助学", now=when + timedelta(minutes=1)) == {("news", post.id)}


def test_a_withdrawn_disclosure_stays_findable(app):
    disclosure = make_disclosure(title="已撤回的救助公示", status=DisclosureStatus.WITHDRAWN,
                                 withdrawn_reason="数据有误")
    reindexed()

    assert found("救助") == {("disclosure", disclosure.id)}


# --- kept current by staff edits, the loader and the CLI ------------------------------------------

def test_a_staff_edit_is_found_at_once_and_unpublishing_removes_it(app):
    post = save_item(NEWS, None, form_data("社区活动", body_md="开展活动。"))
    assert found("社区") == {("news", post.id)}

    save_item(NEWS, post, form_data("社区蓝天行动", body_md="开展活动。"))
    assert found("蓝天") == {("news", post.id)}

    assert delete_or_unpublish(NEWS, post) == "unpublished"
    assert found("蓝天") == set()
    assert found("社区") == set()


def test_a_new_draft_is_not_found_and_publishing_it_makes_it_findable(app):
    page = save_item(PAGE, None, form_data("捐赠须知", status=PublicationStatus.DRAFT))
    assert found("捐赠") == set()

    save_item(PAGE, page, form_data("捐赠须知"))
    assert found("捐赠") == {("page", page.id)}


def test_deleting_a_draft_removes_its_index_entry(app):
    page = save_item(PAGE, None, form_data("临时页面", status=PublicationStatus.DRAFT))
    assert db.session.scalar(select(func.count()).select_from(SearchEntry)) == 1

    assert delete_or_unpublish(PAGE, page) == "deleted"
    assert db.session.scalar(select(func.count()).select_from(SearchEntry)) == 0


def test_the_content_loader_indexes_what_it_loads(demo):
    searchable = sum(db.session.scalar(select(func.count()).select_from(model)) for _, model in SEARCHED_MODELS)
    assert db.session.scalar(select(func.count()).select_from(SearchEntry)) == searchable


def test_flask_search_reindex_rebuilds_an_emptied_index(app, demo):
    if "search" not in app.cli.commands:
        init_search_cli(app)
    expected = items_containing("救助")
    empty_the_index()
    assert found("救助") == set()

    result = app.test_cli_runner().invoke(args=["search", "reindex"])

    assert result.exit_code == 0, result.output
    assert "Indexed" in result.output
    assert found("救助") == expected


def test_reindexing_twice_gives_the_same_results(demo):
    before = found("慈善")
    search.reindex()
    search.reindex()
    assert found("慈善") == before


# --- robustness and cost ----------------------------------------------------------------------------

HOSTILE_QUERIES = [
    '"', "*", "AND OR NOT", '救助" OR 1=1 --', "NEAR(", "'; DROP TABLE pages; --", "救" * 300, "a" * 300,
    "😀🎉", "，。！？", "title_tokens : 救助", "{body_tokens}:x", "救助 -慈善", "(救助", "救助^", "'助':*",
    "a & b | !c <-> d", "\\", "%", "_", "%救助%", " ", "\u3000", "\x00",
]


def test_hostile_or_odd_queries_give_a_normal_page(client, demo):
    for query in HOSTILE_QUERIES:
        response = client.get("/search", query_string={"q": query})

        assert response.status_code == 200, query
        html = response.get_data(as_text=True)
        assert 'class="search-form"' in html, query
        assert 'id="search-page-q"' in html, query


def test_an_empty_query_shows_the_search_page_with_suggestions(client, demo):
    for url in ("/search", "/search?q=", "/search?q=+++"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert 'class="search-suggestions"' in html
        assert 'href="/projects/"' in html and 'href="/disclosures/"' in html
        assert 'class="result-count"' not in html


def test_nothing_found_suggests_what_to_try(client, demo):
    html = client.get("/search", query_string={"q": "量子计算机"}).get_data(as_text=True)

    assert 'class="search-suggestions"' in html
    assert "救助" in html and "助学" in html
    assert 'href="/projects/"' in html


def test_pages_of_results(client, app):
    for n in range(23):
        make_news(title=f"救助简报{n}")
    reindexed()

    first = client.get("/search?q=救助")
    assert result_count(first) == 23
    assert len(result_titles(first)) == 10
    assert 'rel="next"' in first.get_data(as_text=True)
    assert "q=%E6%95%91%E5%8A%A9" in first.get_data(as_text=True)  # the query stays in page links
    third = client.get("/search?q=救助&page=3")
    assert len(result_titles(third)) == 3
    assert not set(result_titles(first)) & set(result_titles(third))


def test_a_page_past_the_end_is_not_found_and_a_non_numeric_page_is_the_first(client, app):
    make_news(title="救助简报")
    reindexed()

    missing = client.get("/search?q=救助&page=5")
    assert missing.status_code == 404
    assert "site-header" in missing.get_data(as_text=True)
    assert result_titles(client.get("/search?q=救助&page=abc")) == ["救助简报"]


def test_the_header_search_box_sends_its_query_to_the_search_page(client, demo):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<form class="header-search"[^>]*action="/search"', html)
    assert 'value="救助"' in client.get("/search?q=救助").get_data(as_text=True)


def query_count(client, url: str) -> int:
    client.get(url)  # warm up: jieba, caches
    with captured_sql() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_results_page_runs_the_same_number_of_queries_for_1_and_30_results(client, app):
    make_news(title="晨曦计划")
    reindexed()
    one = query_count(client, "/search?q=晨曦")
    for n in range(29):
        make_news(title=f"晨曦计划第{n}期", body_md="晨曦 " * 5)
    reindexed()
    thirty = query_count(client, "/search?q=晨曦")

    assert one == thirty
    assert thirty <= 4


def test_search_uses_the_full_text_index_not_like_scans(client, demo):
    with captured_sql() as statements:
        client.get("/search?q=救助")
        client.get("/search?q=助")
        client.get("/search?q=番禺救助&page=1")
    search_sql = [statement for statement in statements if "search_entries" in statement]
    assert search_sql
    assert not [statement for statement in statements if re.search(r"\bLIKE\b", statement, re.I)]
    marker = "MATCH" if db.engine.dialect.name == "sqlite" else "@@"
    assert all(marker in statement for statement in search_sql)


# --- the schema built by migrations -------------------------------------------------------------------

@pytest.fixture
def migrated_app(database_url, tmp_path):
    from test_migrations import logging_left_as_it_was

    app = make_app(database_url, tmp_path)
    with app.app_context():
        with logging_left_as_it_was():
            upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_migrated_database_indexes_and_searches(migrated_app):
    from conftest import CONTENT_DIR

    from charity_site.demo_content.loader import load_content

    with transaction():
        assert load_content(CONTENT_DIR).ok
    expected = items_containing("救助")
    assert found("救助") == expected

    empty_the_index()
    assert search.ensure_index() == db.session.scalar(select(func.count()).select_from(SearchEntry))
    assert found("救助") == expected
    assert search.ensure_index() is None  # not empty any more: left alone


def test_python_app_py_builds_the_index_of_a_database_that_has_none(tmp_path):
    from test_app_start import run_app

    first = run_app(tmp_path, "--migrate-only", CONFIG="development")
    assert first.returncode == 0, first.stderr
    database = tmp_path / "charity.sqlite3"
    app = make_app(f"sqlite:///{database}", tmp_path)
    with app.app_context():
        indexed = db.session.scalar(select(func.count()).select_from(SearchEntry))
        assert indexed > 0
        assert found("救助")
        empty_the_index()
        db.engine.dispose()

    second = run_app(tmp_path, "--migrate-only", CONFIG="development")

    assert second.returncode == 0, second.stderr
    assert f"Built the search index: {indexed} items" in second.stdout
    with app.app_context():
        assert found("救助")
        db.engine.dispose()
