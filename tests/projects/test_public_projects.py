"""The public project list and project page as a donor on a phone uses them."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
import zxingcpp
from factories import make_entry, make_fund, make_news, make_project
from PIL import Image, ImageDraw

from charity_site.extensions import db
from charity_site.models import Attachment, EntryKind, NewsPost, Project, ProjectStatus, PublicationStatus, utcnow


def titles(response) -> list[str]:
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', response.get_data(as_text=True))


@pytest.fixture
def catalogue(app):
    fund = make_fund()
    school = make_project(title="乡村助学", category="助学支教", project_status=ProjectStatus.ACTIVE,
                          start_date=date(2023, 9, 1), end_date=date(2024, 6, 30))
    elders = make_project(title="长者助餐", category="安老助医", project_status=ProjectStatus.COMPLETED,
                          start_date=date(2022, 1, 1), end_date=date(2022, 12, 31))
    relief = make_project(title="大病救助", category="慈善救助", project_status=ProjectStatus.ACTIVE,
                          start_date=date(2024, 3, 1))
    plan = make_project(title="助学新计划", category="助学支教", project_status=ProjectStatus.PREPARING,
                        start_date=date(2025, 2, 1))
    make_project(title="未发布的草稿", category="助学支教", status=PublicationStatus.DRAFT, published_at=None)
    make_entry(fund, 500_000, project_id=elders.id)
    make_entry(fund, 90_000, project_id=relief.id)
    make_entry(fund, 70_000, kind=EntryKind.EXPENSE, project_id=relief.id)
    db.session.commit()
    return {"school": school, "elders": elders, "relief": relief, "plan": plan}


def test_filters_combine_and_stay_in_the_url(client, catalogue):
    assert sorted(titles(client.get("/projects/?category=助学支教"))) == ["乡村助学", "助学新计划"]
    assert titles(client.get("/projects/?category=助学支教&status=active")) == ["乡村助学"]
    assert titles(client.get("/projects/?category=助学支教&status=active&year=2024")) == ["乡村助学"]
    assert sorted(titles(client.get("/projects/?year=2024"))) == ["乡村助学", "大病救助"]
    assert titles(client.get("/projects/?year=2022")) == ["长者助餐"]


def test_sorting_by_newest_and_by_most_funded(client, catalogue):
    assert titles(client.get("/projects/")) == ["助学新计划", "大病救助", "乡村助学", "长者助餐"]
    assert titles(client.get("/projects/?sort=funded"))[:2] == ["长者助餐", "大病救助"]


@pytest.mark.parametrize("hidden", [
    {"status": PublicationStatus.DRAFT, "published_at": None},
    {"published_at": utcnow() + timedelta(days=3)},  # scheduled, not yet public
], ids=["draft-fund", "scheduled-fund"])
def test_income_of_a_fund_that_is_not_public_does_not_move_a_project_up_the_most_funded_list(
    client, catalogue, hidden
):
    unpublished = make_fund(**hidden)
    make_entry(unpublished, 9_000_000, project_id=catalogue["school"].id)
    make_entry(unpublished, 9_000_000, kind=EntryKind.EXPENSE, project_id=catalogue["plan"].id)
    db.session.commit()

    assert titles(client.get("/projects/?sort=funded"))[:2] == ["长者助餐", "大病救助"]


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(client, catalogue):
    body = client.get("/projects/?category=扶贫济困").get_data(as_text=True)
    assert "没有符合筛选条件的项目" in body
    assert 'href="/projects/"' in body


def test_unknown_filter_values_are_ignored_not_errors(client, catalogue):
    response = client.get("/projects/?category=<script>&status=bogus&year=abc&sort=drop")
    assert response.status_code == 200
    assert len(titles(response)) == 4


@pytest.mark.parametrize("page, status", [("0", 404), ("-1", 404), ("99", 404), ("abc", 200), ("1", 200)])
def test_pagination_edges_never_fail(client, catalogue, page, status):
    assert client.get(f"/projects/?page={page}").status_code == status
    assert client.get(f"/news/?page={page}").status_code == status
    assert client.get(f"/disclosures/?page={page}").status_code == status


def test_twelve_projects_a_page_and_filters_kept_across_pages(client, app):
    for number in range(14):
        make_project(title=f"社区项目{number:02d}", category="社区慈善", start_date=date(2024, 1, 1) + timedelta(days=number))
    db.session.commit()
    first = client.get("/projects/?category=社区慈善")
    assert len(titles(first)) == 12
    assert "/projects/?category=%E7%A4%BE%E5%8C%BA%E6%85%88%E5%96%84&amp;page=2" in first.get_data(as_text=True)
    assert len(titles(client.get("/projects/?category=社区慈善&page=2"))) == 2


@pytest.mark.parametrize("sort", ["newest", "funded"])
def test_paging_to_the_end_shows_every_project_once_in_the_list_order(client, app, sort):
    """Pages past the middle are read from the end of the list: the order a visitor sees is unchanged."""
    fund = make_fund()
    expected = []
    for number in range(40):  # 4 pages; every third undated, several on one date
        start = None if number % 3 == 0 else date(2020, 1, 1) + timedelta(days=number // 4)
        project = make_project(title=f"分页项目{number:02d}", start_date=start)
        if number % 5 == 0:
            make_entry(fund, 1_000 * (number + 1), project_id=project.id)
        expected.append((project, start))
    db.session.commit()
    if sort == "newest":  # newest start first, undated last, then the newest id
        expected.sort(key=lambda pair: (pair[1] is None, -(pair[1] or date.min).toordinal(), -pair[0].id))
    else:  # most raised first, then the newest id
        expected.sort(key=lambda pair: (-(1_000 * (int(pair[0].title[-2:]) + 1) if int(pair[0].title[-2:]) % 5 == 0
                                          else 0), -pair[0].id))
    seen = []
    for page in range(1, 5):
        seen += titles(client.get(f"/projects/?sort={sort}&page={page}"))
    assert seen == [project.title for project, _start in expected]
    assert client.get(f"/projects/?sort={sort}&page=5").status_code == 404
    assert "40" in client.get(f"/projects/?sort={sort}&page=4").get_data(as_text=True)


def shown_count(client, path: str = "/projects/") -> int:
    return int(re.search(r'class="result-count"[^>]*>\D*(\d+)', client.get(path).get_data(as_text=True)).group(1))


def test_the_project_count_follows_every_change_at_once(client, app, monkeypatch):
    """The count is remembered between requests: it must still move with each kind of change."""
    app.config["PAGE_CACHE"] = False  # the count memo itself, on every request (the page cache has its own tests)
    first = make_project(category="助学支教")
    make_project(category="安老助医")
    db.session.commit()
    assert (shown_count(client), shown_count(client, "/projects/?category=助学支教")) == (2, 1)

    make_project(category="助学支教")  # added
    db.session.commit()
    assert (shown_count(client), shown_count(client, "/projects/?category=助学支教")) == (3, 2)

    first.status = PublicationStatus.DRAFT  # unpublished
    db.session.commit()
    assert (shown_count(client), shown_count(client, "/projects/?category=助学支教")) == (2, 1)

    first.category = "安老助医"  # moved to another category while a draft: no public count moves
    db.session.commit()
    assert (shown_count(client), shown_count(client, "/projects/?category=助学支教")) == (2, 1)

    make_project(category="助学支教", status=PublicationStatus.SCHEDULED, published_at=utcnow() + timedelta(hours=2))
    db.session.commit()
    assert shown_count(client) == 2
    # Two hours later nothing has been written, and the scheduled project is public.
    later = utcnow() + timedelta(hours=3)
    monkeypatch.setattr("charity_site.projects.queries.utcnow", lambda: later)
    assert (shown_count(client), shown_count(client, "/projects/?category=助学支教")) == (3, 2)


def qr_image_from_svg(svg: str, scale: int = 8) -> Image.Image:
    """Rasterise the site's QR SVG (one path of 'Mx,yhNv1h-Nz' runs) so a real decoder can read it."""
    root = ElementTree.fromstring(svg)
    size = int(root.get("viewBox").split()[2])
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    for x, y, length in re.findall(r"M(\d+),(\d+)h(\d+)v1h-\d+z", path):
        x, y, length = int(x), int(y), int(length)
        draw.rectangle([x * scale, y * scale, (x + length) * scale - 1, (y + 1) * scale - 1], fill=0)
    return image


def test_share_qr_code_decodes_to_the_canonical_address(client, app, catalogue):
    app.config["SITE_URL"] = "https://cishan.example.org"
    project = catalogue["relief"]
    page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert f'<link rel="canonical" href="https://cishan.example.org/projects/{project.slug}">' in page
    assert f'src="/projects/{project.slug}/qr.png"' in page  # a PNG: WeChat long-presses and saves only those

    response = client.get(f"/projects/{project.slug}/qr.png")
    assert response.mimetype == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert [result.text for result in decoded] == [f"https://cishan.example.org/projects/{project.slug}"]

    earlier = client.get(f"/projects/{project.slug}/qr.svg")  # the address the page used before still answers
    assert earlier.mimetype == "image/svg+xml"
    decoded = zxingcpp.read_barcodes(qr_image_from_svg(earlier.get_data(as_text=True)))
    assert [result.text for result in decoded] == [f"https://cishan.example.org/projects/{project.slug}"]


def test_a_draft_project_has_no_qr_code(client, catalogue):
    draft = db.session.scalars(db.select(Project).where(Project.status == PublicationStatus.DRAFT)).one()
    assert client.get(f"/projects/{draft.slug}/qr.png").status_code == 404
    assert client.get(f"/projects/{draft.slug}/qr.svg").status_code == 404


def test_project_page_has_share_meta_and_donate_button(client, catalogue):
    project = catalogue["school"]
    body = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert f'<meta property="og:title" content="{project.title}">' in body
    assert '<meta name="description" content="一个测试项目">' in body
    assert 'href="/donate"' in body


def stored_image(width: int, height: int) -> Attachment:
    attachment = Attachment(stored_name="a" * 32 + ".jpg", original_name="cover.jpg", title="助学课堂",
                            content_type="image/jpeg", size_bytes=1000, sha256="0" * 64,
                            width=width, height=height, thumbnail_name="a" * 32 + ".jpg")
    db.session.add(attachment)
    db.session.flush()
    return attachment


def test_cover_images_are_thumbnails_with_size_and_lazy_loading(client, catalogue):
    attachment = stored_image(1600, 900)
    catalogue["school"].cover_image = f"/uploads/{attachment.stored_name}"
    db.session.commit()
    body = client.get("/projects/").get_data(as_text=True)
    cover = re.search(r'<img class="card-cover"[^>]+>', body).group(0)
    assert f'src="/uploads/thumbs/{attachment.thumbnail_name}"' in cover
    assert 'width="400" height="225"' in cover and 'loading="lazy"' in cover and 'alt="助学课堂"' in cover


def test_uploaded_images_in_text_get_their_size_and_lazy_loading(client, catalogue):
    attachment = stored_image(1200, 800)
    make_news(title="图片新闻", body_md=f"![课堂](/uploads/{attachment.stored_name})")
    db.session.commit()
    post = db.session.scalars(db.select(NewsPost)).one()
    body = client.get(f"/news/{post.slug}").get_data(as_text=True)
    image = re.search(r'<img[^>]+/uploads/a{32}\.jpg[^>]*>', body).group(0)
    assert 'width="1200" height="800"' in image and 'loading="lazy"' in image


def test_news_filters_by_category_and_offers_printing(client, app):
    make_news(title="慈善健康行筹备", category="项目进展")
    make_news(title="年度会员大会通知", category="通知公告")
    db.session.commit()
    body = client.get("/news/?category=通知公告").get_data(as_text=True)
    assert "年度会员大会通知" in body and "慈善健康行筹备" not in body
    assert client.get("/news/?category=不存在").status_code == 200
    post = db.session.scalars(db.select(NewsPost).where(NewsPost.title == "年度会员大会通知")).one()
    detail = client.get(f"/news/{post.slug}").get_data(as_text=True)
    assert "data-print" in detail and "发布时间" in detail


def test_scheduled_time_passing_publishes_a_project(client, app):
    later = make_project(title="定时公开的项目", status=PublicationStatus.SCHEDULED,
                         published_at=utcnow() + timedelta(hours=2))
    db.session.commit()
    assert "定时公开的项目" not in client.get("/projects/").get_data(as_text=True)
    later.published_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "定时公开的项目" in client.get("/projects/").get_data(as_text=True)


def test_qr_code_is_cached(app):
    from charity_site.core.qr import qr_svg

    qr_svg.cache_clear()
    qr_svg("https://cishan.example.org/projects/x")
    qr_svg("https://cishan.example.org/projects/x")
    assert qr_svg.cache_info().hits == 1
