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


def test_toolbar_buttons_write_markdown_by_keyboard_and_the_form_still_posts(served, tmp_path):
    base_url = served
    with chromium_page(base_url, width=360, height=740) as (page, problems):
        open_new_news(page, base_url)
        body = page.locator("textarea[name=body_md]")
        toolbar = page.get_by_role("toolbar", name="格式")
        expect(toolbar).to_be_visible()
        body.fill("善款去向")
        body.evaluate("area => area.setSelectionRange(0, area.value.length)")
        toolbar.get_by_role("button", name="加粗").click()
        assert body.input_value() == "**善款去向**"
        # Keyboard only: Tab from the bold button to the next ones, Enter and Space press them.
        body.evaluate("area => { area.setSelectionRange(area.value.length, area.value.length); }")
        toolbar.get_by_role("button", name="表格").focus()
        page.keyboard.press("Enter")
        assert "| 列1 | 列2 |\n|---|---|" in body.input_value()
        toolbar.get_by_role("button", name="引用").focus()
        page.keyboard.press("Space")
        assert "> " in body.input_value()
        body.press("End")
        body.press("Control+b")
        assert body.input_value().endswith("**加粗的文字**")
        # The live preview shows what the buttons wrote.
        expect(page.locator("[data-preview-output] table")).to_have_count(1, timeout=15_000)

        # Related projects: a checkbox list sorted by pinyin, filtered by typing.
        related = page.get_by_role("group", name="相关项目")
        names = [text.strip() for text in related.locator(".choice").all_inner_texts()]
        assert names == ["爱心送暖", "慈善救助", "大岭村微心愿", "番禺助残", "长者助餐", "助学圆梦", "紫坭村关爱"]  # 长者: zhang
        related.get_by_role("searchbox").fill("村")
        assert related.locator(".choice:visible").count() == 2
        related.get_by_label("大岭村微心愿").check()

        # The address is folded under 高级.
        slug = page.locator("input[name=slug]")
        assert not slug.is_visible()
        page.locator("summary", has_text="高级").click()
        assert slug.is_visible()

        page.get_by_role("textbox", name="标题", exact=True).fill("社区长者助餐点开张")
        page.get_by_role("button", name="保存", exact=True).click()
        page.wait_for_url(re.compile(r"/admin/news/\d+/edit"))
        assert page.locator("input[name=slug]").input_value() == "she-qu-zhang-zhe"
        assert page.get_by_label("大岭村微心愿").is_checked()
        assert not problems["console"] and not problems["page_errors"], problems


def test_without_javascript_the_textarea_and_checkboxes_work_and_no_toolbar_shows(served, tmp_path):
    base_url = served
    with chromium_page(base_url, width=1280, height=900) as (page, problems):
        page.context.route("**/*.js*", lambda route: route.abort())
        open_new_news(page, base_url)
        assert not page.locator("[data-md-toolbar]").is_visible()
        assert page.locator("[data-md-toolbar]").get_attribute("hidden") is not None
        page.get_by_role("textbox", name="标题", exact=True).fill("无脚本也能保存")
        page.locator("textarea[name=body_md]").fill("## 小标题\n\n正文")
        page.get_by_label("慈善救助").check()
        page.get_by_role("button", name="保存", exact=True).click()
        page.wait_for_url(re.compile(r"/admin/news/\d+/edit"))
        assert page.locator("textarea[name=body_md]").input_value() == "## 小标题\n\n正文"
        assert page.get_by_label("慈善救助").is_checked()


def test_staff_lists_read_as_cards_or_scroll_sideways_at_360_px(served):
    from factories import make_news
    make_news(title="番禺区277个村居社区慈善基金保持全覆盖", slug="shequ-cishan-jijin-277-quanfugai")
    db.session.commit()
    base_url = served
    with chromium_page(base_url, width=360, height=740) as (page, problems):
        page.goto(base_url + "/admin/")
        sign_in(page, "editor@example.org", DEFAULT_TEST_PASSWORD)
        page.wait_for_url(re.compile(r"/admin/$"))
        for path in ("/admin/news/", "/admin/projects/"):
            page.goto(base_url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
            # No column squeezed to a character a line: every filled cell and the caption use the card's width.
            widths = page.locator("main table caption, main table td").evaluate_all(
                "cells => cells.filter(c => c.innerText.trim()).map(c => c.getBoundingClientRect().width)")
            assert widths and min(widths) > 250, (path, widths)
