"""The staff editor for people who do not know Markdown, in Chromium: the toolbar, the image panel, the cover
picker, the related-projects checklist, the address under 高级, and the staff lists at 360 px."""

from __future__ import annotations

import io
import re

import pytest
from browser import chromium_page, live_server, sign_in
from conftest import configured_app
from factories import DEFAULT_TEST_PASSWORD, make_project, make_user
from PIL import Image
from playwright.sync_api import expect

from charity_site.extensions import db

pytestmark = pytest.mark.browser

IMAGE_CODE = re.compile(r"!\[[^\]]*\]\(/uploads/[0-9a-f]{32}\.jpg\)")


@pytest.fixture
def served(sqlite_url, tmp_path):
    with configured_app(sqlite_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        make_user("editor@example.org", roles=("editor",), display_name="王编辑")
        for title in ("助学圆梦", "长者助餐", "爱心送暖", "慈善救助", "大岭村微心愿", "番禺助残", "紫坭村关爱"):
            make_project(title=title)
        db.session.commit()
        with live_server(app) as base_url:
            yield base_url


def photo(tmp_path, name="chongyang.jpg"):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (180, 60, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def open_new_news(page, base_url):
    page.goto(base_url + "/admin/")
    sign_in(page, "editor@example.org", DEFAULT_TEST_PASSWORD)
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(base_url + "/admin/news/new")


def test_following_the_image_panel_inserts_an_uploaded_image_once(served, tmp_path):
    base_url = served
    with chromium_page(base_url, width=1280, height=900) as (page, problems):
        open_new_news(page, base_url)
        body = page.locator("textarea[name=body_md]")
        body.fill("第一段。\n\n")
        panel = page.locator(".image-picker-panel")
        # The panel sits above the save button.
        save = page.get_by_role("button", name="保存", exact=True)
        assert panel.bounding_box()["y"] < save.bounding_box()["y"]
        panel.locator("input[type=file]").set_input_files(str(photo(tmp_path)))
        panel.locator("input[name='upload-title']").fill("重阳节慰问现场")
        panel.get_by_role("button", name="上传").click()
        expect(body).to_have_value(IMAGE_CODE, timeout=15_000)
        # What the panel says to do next, done: the new picture is already in the text, once.
        item = panel.locator(".picker-item", has_text="重阳节慰问现场")
        expect(item).to_have_count(1, timeout=15_000)
        button = item.get_by_role("button")
        if button.is_enabled():
            button.click()
        assert len(IMAGE_CODE.findall(body.input_value())) == 1
        assert not problems["console"] and not problems["page_errors"], problems
