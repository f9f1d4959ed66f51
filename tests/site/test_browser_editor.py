"""An editor's day in Chromium: sign in, write news with a table and an uploaded image, preview, publish, sign out."""

from __future__ import annotations

import io
import re

import pytest
from browser import chromium_page, live_server, sign_in
from conftest import configured_app
from factories import DEFAULT_TEST_PASSWORD, make_user
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ARTICLE = "番禺区慈善会为长者送上重阳节慰问。\n\n| 村居 | 慰问人数 |\n|---|---|\n| 大岭村 | 120 |\n| 紫坭村 | 86 |\n\n"


@pytest.fixture
def served(sqlite_url, tmp_path):
    with configured_app(sqlite_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        make_user("editor@example.org", roles=("editor",), display_name="王编辑")
        with live_server(app) as base_url:
            yield base_url


def photo(tmp_path):
    path = tmp_path / "chongyang.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (180, 60, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_editor_writes_previews_and_publishes_news_with_a_table_and_an_image(served, tmp_path):
    base_url = served
    with chromium_page(base_url, width=1280, height=900) as (page, problems):
        page.goto(base_url + "/admin/")
        sign_in(page, "editor@example.org", DEFAULT_TEST_PASSWORD)
        page.wait_for_url(re.compile(r"/admin/$"))

        page.goto(base_url + "/admin/news/new")
        page.get_by_role("textbox", name="标题", exact=True).fill("重阳节慰问长者")
        page.locator("textarea[name=body_md]").fill(ARTICLE)

        picker = page.locator(".image-picker-panel")
        picker.locator("input[type=file]").set_input_files(str(photo(tmp_path)))
        picker.locator("input[name='upload-title']").fill("重阳节慰问现场")
        picker.get_by_role("button", name="上传").click()
        expect(page.locator("textarea[name=body_md]")).to_have_value(re.compile(r"/uploads/"), timeout=15_000)
        body = page.locator("textarea[name=body_md]").input_value()
        assert re.search(r"!\[重阳节慰问现场\]\(/uploads/[0-9a-f]{32}\.jpg\)", body)

        page.get_by_role("button", name="预览").click()
        preview = page.locator("[data-preview-output]")
        preview.locator("table").wait_for()
        assert "大岭村" in preview.inner_text()
        # The picture loads after the table is drawn; on a busy machine that takes a moment.
        page.wait_for_function("() => { const img = document.querySelector('[data-preview-output] img');"
                               " return img !== null && img.complete && img.naturalWidth > 0; }", timeout=15_000)
        assert page.locator("textarea[name=body_md]").input_value() == body

        page.get_by_label("立即发布").check()
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(re.compile(r"/admin/news/\d+/edit"))
        assert "已保存并发布" in page.locator(".flash").inner_text()

        page.get_by_role("link", name="在网站上查看").click()
        page.wait_for_url(re.compile(r"/news/[a-z0-9-]+$"))
        assert page.locator("h1").inner_text() == "重阳节慰问长者"
        assert page.locator(".article-body table td", has_text="紫坭村").count() == 1
        image = page.locator(".article-body img")
        assert image.get_attribute("alt") == "重阳节慰问现场"
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")

        page.goto(base_url + "/news/")
        assert page.get_by_role("link", name="重阳节慰问长者").count() == 1

        page.goto(base_url + "/admin/")
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url(re.compile(r"/admin/login"))
        page.goto(base_url + "/admin/news/")
        page.wait_for_url(re.compile(r"/admin/login"))
        assert page.locator("h1").inner_text() == "工作人员登录"

    assert problems["outside"] == [], problems["outside"]
    assert problems["console"] == [], problems["console"]
    assert problems["page_errors"] == []
