"""The public pages show the demo content with its real figures, and nothing that is not public."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from conftest import CONTENT_DIR, make_app, postgres_url
from demo_samples import (
    fen,
    is_public_news,
    is_public_page,
    is_public_project,
    ledger_entries,
    ledger_sum,
    local_time,
    section_files,
    settings,
    source,
)
from factories import make_entry, make_news, make_page, make_project
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import create_engine, select, text

from charity_site.core.formatting import SITE_TZ, WAN, format_amount, format_count, format_yuan, money_unit
from charity_site.core.transaction import transaction
from charity_site.demo_content.loader import load_content
from charity_site.extensions import db
from charity_site.models import (
    CounterpartyType,
    EntryKind,
    LedgerEntry,
    NewsPost,
    Page,
    Project,
    PublicationStatus,
    utcnow,
)

SHARED_SCHEMA = "shared_demo_pages"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_demo(request, tmp_path_factory):
    """One demo database per backend for the read-only tests of this module.

    Loading content/ takes about a second; the tests that only read pages share it.
    On PostgreSQL it lives in its own schema, so tests that reset the public schema leave it alone.
    """
    tmp_path = tmp_path_factory.mktemp("shared_demo")
    if request.param == "sqlite":
        url, engine_options = f"sqlite:///{tmp_path / 'demo.sqlite3'}", {}
    else:
        url = postgres_url()
        with create_engine(url).begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SHARED_SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SHARED_SCHEMA}"))
        engine_options = {"connect_args": {"options": f"-csearch_path={SHARED_SCHEMA}"}}
    app = make_app(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=engine_options)
    with app.app_context():
        db.create_all()
        with transaction():
            report = load_content(CONTENT_DIR)
        assert report.ok, [str(error) for error in report.errors]
        db.session.remove()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
    if request.param == "postgresql":
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SHARED_SCHEMA} CASCADE"))
        engine.dispose()


@pytest.fixture
def visitor(shared_demo):
    return shared_demo.test_client()


def get_page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"GET {url} gave {response.status_code}"
    return response.get_data(as_text=True)


def ui(app, message: str, **values) -> str:
    """A UI string as the site shows it, in whatever language the site is translated to."""
    with app.test_request_context():
        return str(escape(gettext(message, **values)))


def shown(value) -> str:
    return str(escape(str(value)))


def dd(body: str, attribute: str, name: str) -> str:
    match = re.search(rf'{attribute}="{name}">(.*?)</dd>', body, re.S)
    assert match, f"no {attribute}={name} on the page"
    return re.sub(r"<small>.*?</small>", "", match.group(1)).strip()


def beijing_now() -> datetime:
    return datetime.now(SITE_TZ).replace(tzinfo=None)


def public_projects():
    return [project for project in section_files("projects") if is_public_project(project.meta)]


def public_news():
    now = beijing_now()
    posts = [post for post in section_files("news") if is_public_news(post.meta, now)]
    return sorted(posts, key=lambda post: local_time(post.meta["published_at"]), reverse=True)


def assert_site_layout(app, body: str) -> None:
    assert 'class="site-header"' in body
    assert 'class="main-nav"' in body
    assert shown(settings()["org_name"]) in body
    assert 'class="site-footer"' in body
    for label in ("Charity projects", "News", "Disclosures"):
        assert ui(app, label) in body


# --- home -------------------------------------------------------------------------


def test_home_shows_the_organisation_from_settings(visitor):
    body = get_page(visitor, "/")

    org = settings()
    assert f'<h1 class="hero-title">{shown(org["org_name"])}</h1>' in body
    assert f"<title>{shown(org['org_name'])}</title>" in body
    assert shown(org["tagline"]) in body


def test_home_totals_are_the_sums_of_the_ledger_lines(visitor):
    body = get_page(visitor, "/")

    income, expense = ledger_sum("income"), ledger_sum("expense")
    assert income > 0 and expense > 0
    assert dd(body, "data-stat", "income") == format_amount(income)
    assert dd(body, "data-stat", "expense") == format_amount(expense)
    assert dd(body, "data-stat", "balance") == format_amount(income - expense, money_unit(income, expense))
    assert 'href="/ledger/"' in body  # the totals lead to every line behind them


def test_home_shows_the_people_helped_across_public_projects(visitor):
    body = get_page(visitor, "/")

    helped = sum(project.meta.get("beneficiaries") or 0 for project in public_projects())
    served = sum(project.meta.get("people_served") or 0 for project in public_projects())
    assert helped > 0
    assert dd(body, "data-stat", "beneficiaries") == format_count(helped)
    assert dd(body, "data-stat", "people-served") == format_count(served)


def test_home_lists_featured_projects_latest_news_and_disclosures(visitor):
    body = get_page(visitor, "/")

    featured = [project for project in public_projects() if project.meta.get("featured")]
    assert featured
    for project in featured[:4]:
        assert f'href="/projects/{project.slug}"' in body
        assert shown(project.meta["title"]) in body
    for post in public_news()[:5]:
        assert f'href="/news/{post.slug}"' in body
    newest_disclosures = sorted(section_files("disclosures"), key=lambda item: local_time(item.meta["published_at"]), reverse=True)
    for disclosure in newest_disclosures[:5]:
        assert shown(disclosure.meta["title"]) in body


def test_a_voided_ledger_line_is_left_out_of_the_home_totals(app, demo, client):
    line = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.kind == EntryKind.INCOME).order_by(LedgerEntry.amount_fen.desc())
    ).first()
    income, expense = ledger_sum("income"), ledger_sum("expense")
    assert dd(get_page(client, "/"), "data-stat", "income") == format_amount(income)

    line.voided = True
    line.void_reason = "重复录入"
    line.voided_at = utcnow()
    db.session.commit()
    body = get_page(client, "/")

    assert format_amount(income - line.amount_fen) != format_amount(income)
    assert dd(body, "data-stat", "income") == format_amount(income - line.amount_fen)
    assert dd(body, "data-stat", "expense") == format_amount(expense)
    unit = money_unit(income - line.amount_fen, expense)
    assert dd(body, "data-stat", "balance") == format_amount(income - line.amount_fen - expense, unit)


# --- projects ---------------------------------------------------------------------


def test_projects_list_shows_every_public_project(visitor):
    body = get_page(visitor, "/projects/")

    projects = public_projects()
    assert len(projects) == len(section_files("projects"))
    for project in projects:
        assert f'href="/projects/{project.slug}"' in body
        assert shown(project.meta["title"]) in body


def test_zhumeng_weilai_shows_its_budget_and_what_the_ledger_says_it_spent(visitor):
    body = get_page(visitor, "/projects/zhumeng-weilai-teji")

    meta = source("projects", "zhumeng-weilai-teji").meta
    spent = ledger_sum("expense", project="zhumeng-weilai-teji")
    # One unit for the whole money panel: the budget of ¥199,300 puts it in 万元.
    assert fen(meta["budget"]) == 199_300_00 and spent == 179_370_00
    assert dd(body, "data-fact", "budget") == "19.93万元"
    assert dd(body, "data-fact", "spent") == "17.94万元"
    # Open for gifts in the demo: what was raised for it directly is shown, beside the fund that paid.
    assert dd(body, "data-fact", "raised") == format_amount(ledger_sum("income", project="zhumeng-weilai-teji"), WAN)
    assert f'<h1 class="page-title">{shown(meta["title"])}</h1>' in body
    assert 'value="90"' in body
    for update in meta["updates"]:
        assert shown(update["title"]) in body
    lines = [entry for entry in ledger_entries() if entry.get("project") == "zhumeng-weilai-teji"]
    assert body.count(format_yuan(fen(lines[0]["amount"]))) >= len(lines)


@pytest.mark.parametrize("slug", [project.slug for project in public_projects()])
def test_each_project_page_shows_budget_raised_and_spent_from_its_sources(shared_demo, visitor, slug):
    body = get_page(visitor, f"/projects/{slug}")

    meta = source("projects", slug).meta
    raised, spent = ledger_sum("income", project=slug), ledger_sum("expense", project=slug)
    budget_fen = fen(meta["budget"]) if meta.get("budget") else None
    unit = money_unit(budget_fen, raised, spent, fen(meta["goal"]) if meta.get("goal") else None)
    budget = format_amount(budget_fen, unit) if budget_fen else ui(shared_demo, "Not set")
    assert dd(body, "data-fact", "budget") == budget
    # Raised and spent are shown when there is some (raised also when the project is open for gifts);
    # a project paid by funds shows no "raised ¥0.00".
    for fact, expected in (("raised", raised), ("spent", spent)):
        if f'data-fact="{fact}"' in body or expected:
            assert dd(body, "data-fact", fact) == format_amount(expected, unit), fact
    assert shown(meta["title"]) in body


def test_project_page_links_its_news_and_disclosures(visitor):
    body = get_page(visitor, "/projects/zhumeng-weilai-teji")

    related = [post for post in public_news() if "zhumeng-weilai-teji" in (post.meta.get("projects") or [])]
    assert related
    for post in related[:5]:
        assert f'href="/news/{post.slug}"' in body


# --- news -------------------------------------------------------------------------


def test_news_list_shows_every_public_post(visitor):
    posts = public_news()
    pages = [get_page(visitor, f"/news/?page={number}") for number in range(1, (len(posts) - 1) // 10 + 2)]

    everything = "".join(pages)
    for post in posts:
        assert f'href="/news/{post.slug}"' in everything
        assert shown(post.meta["title"]) in everything
    newest, oldest = posts[0], posts[-1]
    if len(posts) <= 10:
        assert pages[0].index(f'href="/news/{newest.slug}"') < pages[0].index(f'href="/news/{oldest.slug}"')


@pytest.mark.parametrize("slug", [post.slug for post in public_news()])
def test_a_news_post_shows_its_title_beijing_time_source_and_body(visitor, slug):
    body = get_page(visitor, f"/news/{slug}")

    post = source("news", slug)
    published = local_time(post.meta["published_at"])
    assert f'<h1 class="page-title">{shown(post.meta["title"])}</h1>' in body
    assert f"{published.year}年{published.month}月{published.day}日 {published:%H:%M}" in body
    if post.meta.get("source"):
        assert shown(post.meta["source"]) in body
    first_paragraph = post.body.split("\n\n")[0].strip()
    if not re.search(r"[#|>!*_`\[\]<&\"'-]", first_paragraph):
        assert first_paragraph in body


# --- pages ------------------------------------------------------------------------


@pytest.mark.parametrize("slug", [page.slug for page in section_files("pages") if is_public_page(page.meta)])
def test_each_page_renders_its_title_summary_and_body(visitor, slug):
    body = get_page(visitor, f"/pages/{slug}")

    page = source("pages", slug)
    assert f'<h1 class="page-title">{shown(page.meta["title"])}</h1>' in body
    if page.meta.get("summary"):
        assert shown(page.meta["summary"]) in body
    first_heading = next((line[3:].strip() for line in page.body.splitlines() if line.startswith("## ")), None)
    if first_heading:
        assert f"<h2>{shown(first_heading)}</h2>" in body


@pytest.mark.parametrize("alias", ["about", "contact", "privacy", "charter"])
def test_short_addresses_show_the_same_page(visitor, alias):
    body = get_page(visitor, f"/{alias}")

    page = source("pages", alias)
    assert f'<h1 class="page-title">{shown(page.meta["title"])}</h1>' in body
    assert f'href="http://localhost/pages/{alias}"' in body
    assert re.search(r'<div class="prose">(.*?)</div>', body, re.S).group(1) == re.search(
        r'<div class="prose">(.*?)</div>', get_page(visitor, f"/pages/{alias}"), re.S
    ).group(1)


def test_contact_page_keeps_its_markdown_table(visitor):
    body = get_page(visitor, "/contact")

    assert "<table>" in body
    assert shown(settings()["email"]) in body


# --- disclosures ------------------------------------------------------------------


def disclosure_links(body: str) -> dict[str, str]:
    return {
        title: href
        for href, title in re.findall(r'<a href="(/disclosures/\d+)">(.*?)</a>', body)
    }


def test_disclosures_list_links_every_published_disclosure(visitor):
    links = disclosure_links(get_page(visitor, "/disclosures/"))

    assert sorted(links) == sorted(shown(item.meta["title"]) for item in section_files("disclosures"))


def test_each_disclosure_page_shows_its_title_period_and_project(visitor):
    links = disclosure_links(get_page(visitor, "/disclosures/"))
    projects = {item.slug: item.meta["title"] for item in section_files("projects")}

    for item in section_files("disclosures"):
        body = get_page(visitor, links[shown(item.meta["title"])])
        meta = item.meta
        assert f'<h1 class="page-title">{shown(meta["title"])}</h1>' in body
        start = meta["period_start"]
        assert f"{start.year}年{start.month}月{start.day}日" in body
        published = local_time(meta["published_at"])
        assert f"{published.year}年{published.month}月{published.day}日" in body
        if meta.get("project"):
            assert f'href="/projects/{meta["project"]}"' in body
            assert shown(projects[meta["project"]]) in body


# --- layout -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/projects/zhumeng-weilai-teji", "/news/", "/about", "/disclosures/"])
def test_footer_shows_the_legal_particulars_from_settings(shared_demo, visitor, url):
    body = get_page(visitor, url)

    footer = body[body.index('<footer class="site-footer">'):]
    org = settings()
    for key in ("address", "phone", "supervision_phone", "credit_code", "icp_number"):
        assert shown(org[key]) in footer, f"footer lacks {key}"
    assert ui(shared_demo, "Unified social credit code") in footer


def test_unknown_addresses_get_a_404_in_the_site_layout(shared_demo, visitor):
    for url in ("/projects/no-such-project", "/news/no-such-post", "/pages/no-such-page", "/disclosures/999999",
                "/no-such-section"):
        body = get_page(visitor, url, status=404)
        assert_site_layout(shared_demo, body)
        assert ui(shared_demo, "Page not found") in body


def test_a_page_number_beyond_the_end_is_404_and_a_junk_page_number_shows_the_first_page(shared_demo, visitor):
    body = get_page(visitor, "/projects/?page=999", status=404)
    assert_site_layout(shared_demo, body)
    assert ui(shared_demo, "Page not found") in body
    get_page(visitor, "/news/?page=999", status=404)
    get_page(visitor, "/disclosures/?page=999", status=404)

    first = get_page(visitor, "/projects/?page=abc")
    assert shown(source("projects", "zhumeng-weilai-teji").meta["title"]) in first


def test_font_size_switch_remembers_the_choice_and_returns_to_the_page(visitor):
    response = visitor.get("/font-size/large?next=/projects/")

    assert response.status_code in (302, 303)
    assert urlsplit(response.headers["Location"]).path == "/projects/"
    cookie = visitor.get_cookie("font_size")
    assert cookie is not None and cookie.value == "large"
    assert '<html lang="zh-Hans" class="font-large">' in get_page(visitor, "/projects/")


def test_font_size_defaults_to_medium_and_ignores_unknown_sizes(visitor):
    assert 'class="font-medium"' in get_page(visitor, "/")

    visitor.get("/font-size/huge?next=/")

    assert visitor.get_cookie("font_size").value == "medium"
    assert 'class="font-medium"' in get_page(visitor, "/")


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "https://evil.example/projects/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_font_size_switch_never_redirects_to_another_site(visitor, target):
    response = visitor.get("/font-size/large", query_string={"next": target})

    location = urlsplit(response.headers["Location"])
    assert response.status_code in (302, 303)
    assert location.netloc in ("", "localhost")
    assert location.path == "/"


# --- what is not public stays hidden ------------------------------------------------


def test_a_draft_project_appears_nowhere_public(app, demo, client):
    draft = make_project(
        slug="caogao-xiangmu", title="尚未发布的草稿项目", status=PublicationStatus.DRAFT, featured=True,
        published_at=None,
    )
    post = db.session.scalars(select(NewsPost).where(NewsPost.slug == public_news()[0].slug)).one()
    post.projects.append(draft)
    db.session.commit()

    for url in ("/", "/projects/", f"/news/{post.slug}"):
        body = get_page(client, url)
        assert "尚未发布的草稿项目" not in body, url
        assert "/projects/caogao-xiangmu" not in body, url
    get_page(client, "/projects/caogao-xiangmu", status=404)


def test_a_project_unpublished_by_staff_disappears(app, demo, client):
    project = db.session.scalars(select(Project).where(Project.slug == "zhumeng-weilai-teji")).one()
    project.status = PublicationStatus.DRAFT
    db.session.commit()

    assert "/projects/zhumeng-weilai-teji" not in get_page(client, "/projects/")
    assert "/projects/zhumeng-weilai-teji" not in get_page(client, "/")
    get_page(client, "/projects/zhumeng-weilai-teji", status=404)


def test_a_news_post_scheduled_for_the_future_appears_nowhere_public(app, demo, client):
    make_news(
        slug="mingtian-de-xinwen", title="明天才发布的新闻", status=PublicationStatus.SCHEDULED,
        published_at=utcnow() + timedelta(days=1),
    )
    db.session.commit()

    for url in ("/", "/news/", f"/news/{public_news()[0].slug}"):
        body = get_page(client, url)
        assert "明天才发布的新闻" not in body, url
        assert "/news/mingtian-de-xinwen" not in body, url
    get_page(client, "/news/mingtian-de-xinwen", status=404)


def test_a_scheduled_news_post_appears_once_its_time_has_come(app, demo, client):
    make_news(
        slug="gang-fabu", title="刚到发布时间的新闻", status=PublicationStatus.SCHEDULED,
        published_at=utcnow() - timedelta(minutes=1),
    )
    db.session.commit()

    assert "刚到发布时间的新闻" in get_page(client, "/news/")
    assert "刚到发布时间的新闻" in get_page(client, "/news/gang-fabu")


def test_a_draft_page_appears_nowhere_public(app, demo, client):
    make_page(slug="caogao-yemian", title="草稿页面", status=PublicationStatus.DRAFT, published_at=None)
    about = db.session.scalars(select(Page).where(Page.slug == "about")).one()
    about.status = PublicationStatus.DRAFT
    db.session.commit()

    get_page(client, "/pages/caogao-yemian", status=404)
    get_page(client, "/pages/about", status=404)
    get_page(client, "/about", status=404)
    assert "草稿页面" not in get_page(client, "/")


def test_a_person_counterparty_is_masked_in_the_project_ledger(app, demo, client):
    project = db.session.scalars(select(Project).where(Project.slug == "zhumeng-weilai-teji")).one()
    make_entry(
        project.fund, 88_800, EntryKind.INCOME, project_id=project.id, occurred_on=date(2025, 1, 20),
        counterparty="张三丰", counterparty_type=CounterpartyType.PERSON, summary="个人定向捐赠",
    )
    make_entry(
        project.fund, 50_000, EntryKind.INCOME, project_id=project.id, occurred_on=date(2025, 1, 21),
        counterparty="广州某爱心企业（示例）", counterparty_type=CounterpartyType.ORGANISATION, summary="企业定向捐赠",
    )
    db.session.commit()

    body = get_page(client, "/projects/zhumeng-weilai-teji")

    assert "个人定向捐赠" in body
    assert "<td>张**</td>" in body
    assert "张三丰" not in body
    assert "三丰" not in body
    assert "<td>广州某爱心企业（示例）</td>" in body
    assert dd(body, "data-fact", "raised") == format_amount(88_800 + 50_000, WAN)  # the panel of a ¥199,300 budget
