"""Demo covers: every project and news item of content/ shows a drawn cover, stored like a staff upload."""

from __future__ import annotations

import re
import shutil

from conftest import CONTENT_DIR
from demo_samples import section_files
from sqlalchemy import func, select

from charity_site.core.transaction import transaction
from charity_site.demo_content.loader import load_content
from charity_site.extensions import db
from charity_site.files import uploads
from charity_site.models import Attachment, NewsPost, Project

MAX_COVER_BYTES = 60 * 1024


def cover_addresses() -> dict[str, str | None]:
    rows = [*db.session.execute(select(Project.slug, Project.cover_image)),
            *db.session.execute(select(NewsPost.slug, NewsPost.cover_image))]
    return {slug: cover for slug, cover in rows}


def attachment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment))


def test_every_demo_project_and_news_file_names_a_small_16_by_9_image_in_content():
    from PIL import Image

    for section in ("projects", "news"):
        for item in section_files(section):
            path = CONTENT_DIR / item.meta["cover"]
            assert path.parent == CONTENT_DIR / "images", item.meta["cover"]
            assert path.stat().st_size <= MAX_COVER_BYTES, path.name
            assert item.meta["cover_alt"].startswith("插画："), path.name
            with Image.open(path) as image:
                assert image.size == (1200, 675), path.name


def test_each_cover_is_stored_as_an_upload_with_its_size_and_a_thumbnail(app, demo):
    covers = cover_addresses()
    assert len(covers) == len(section_files("projects")) + len(section_files("news"))
    stored = uploads.attachments_by_name(uploads.stored_name_from_url(address) for address in covers.values())
    assert all(uploads.stored_name_from_url(address) in stored for address in covers.values()), covers
    for attachment in stored.values():
        assert (attachment.width, attachment.height) == (1200, 675)
        assert attachment.thumbnail_name and attachment.content_type == "image/webp"
        assert attachment.title.startswith("插画：")


def test_project_and_news_lists_show_every_cover_sized_lazy_and_served(app, demo, client):
    for path, css_class, model in (("/projects/", "card-cover", Project), ("/news/", "news-cover", NewsPost)):
        body = client.get(path).get_data(as_text=True)
        images = re.findall(rf'<img class="{css_class}"[^>]+>', body)
        assert len(images) == db.session.scalar(select(func.count()).select_from(model)), path
        for tag in images:
            assert re.search(r'width="\d+" height="\d+"', tag) and 'loading="lazy"' in tag and 'alt="插画：' in tag
            src = re.search(r'src="([^"]+)"', tag).group(1)
            response = client.get(src)
            assert response.status_code == 200 and response.mimetype == "image/webp", src
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<img class="card-cover"[^>]+width="400" height="225"', home)


def test_loading_again_stores_no_image_twice_and_keeps_the_covers(app, demo):
    before, count = cover_addresses(), attachment_count()

    with transaction():
        again = load_content(CONTENT_DIR)

    assert again.ok and again.created == [] and again.updated == []
    assert cover_addresses() == before
    assert attachment_count() == count


def test_a_redrawn_picture_updates_its_item_with_a_new_upload_only(app, demo, content_copy):
    before, count = cover_addresses(), attachment_count()
    shutil.copyfile(content_copy / "images" / "zhiyuanzhe.webp", content_copy / "images" / "jiuzhu-baozhang.webp")

    with transaction():
        report = load_content(content_copy)

    assert report.ok
    assert report.updated == ["project cishan-jiuzhu"]
    after = cover_addresses()
    assert after["cishan-jiuzhu"] != before["cishan-jiuzhu"]
    assert {slug: address for slug, address in after.items() if slug != "cishan-jiuzhu"} == {
        slug: address for slug, address in before.items() if slug != "cishan-jiuzhu"}
    assert attachment_count() == count + 1


def test_a_missing_or_outside_cover_file_is_refused_by_name_and_line(app, content_copy):
    (content_copy / "images" / "yilao-yixiao.webp").unlink()
    path = content_copy / "projects" / "sichuan-fuhua-peiyu-2023.md"
    path.write_text(path.read_text(encoding="utf-8").replace("cover: images/", "cover: ../../"), encoding="utf-8")

    with transaction():
        report = load_content(content_copy)

    errors = {error.path: error for error in report.errors}
    missing = errors["content/news/guangzhou-yilao-yixiao.md"]
    assert "yilao-yixiao.webp" in missing.message and missing.line is not None
    assert "inside the content folder" in errors["content/projects/sichuan-fuhua-peiyu-2023.md"].message
    assert db.session.scalars(select(NewsPost).where(NewsPost.slug == "guangzhou-yilao-yixiao")).first() is None
    assert attachment_count() == len(section_files("projects")) + len(section_files("news")) - 2
