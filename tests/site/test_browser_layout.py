"""The layout at the widths people use: the home page's sections line up with the header and footer.

At 1440 px and wider a rule that set every margin of a section (`margin: 2rem 0`) cancelled the
centring of the page's wrapper, so the sections stuck to the left edge under a centred header.
"""

from __future__ import annotations

import pytest
from browser import chromium_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1440, 1920])
def test_home_sections_line_up_with_the_header_on_a_wide_screen(served_demo, width):
    with chromium_page(served_demo, width=width, height=1000) as (page, problems):
        page.goto(served_demo + "/")
        header_left = page.locator(".site-header .header-top").bounding_box()["x"]
        footer_left = page.locator(".site-footer .footer-grid, footer .footer-grid").first.bounding_box()["x"]
        sections = page.locator("main section.wrap")
        assert sections.count() >= 3
        lefts = [sections.nth(index).bounding_box()["x"] for index in range(sections.count())]
        assert header_left > 50  # centred: the wrapper is narrower than the screen
        assert footer_left == pytest.approx(header_left, abs=1)
        assert lefts == pytest.approx([header_left] * len(lefts), abs=1), (header_left, lefts)
        assert not problems["console"] and not problems["outside"]


@pytest.mark.parametrize("width", [1280, 1920])
def test_four_featured_projects_fill_two_full_rows_instead_of_three_and_one(served_demo, width):
    with chromium_page(served_demo, width=width, height=1000) as (page, problems):
        page.goto(served_demo + "/")
        cards = page.locator("section[aria-labelledby=projects-heading] .card-grid > *")
        assert cards.count() == 4  # the demo features four
        boxes = [cards.nth(index).bounding_box() for index in range(4)]
        rows = sorted({round(box["y"]) for box in boxes})
        assert len(rows) == 2, boxes
        assert [round(box["y"]) for box in boxes] == [rows[0], rows[0], rows[1], rows[1]]
        assert max(box["width"] for box in boxes) - min(box["width"] for box in boxes) < 1
        assert not problems["console"] and not problems["outside"]


def test_on_a_phone_the_home_pages_key_figures_are_on_the_first_screen(served_demo):
    with chromium_page(served_demo, width=360, height=740) as (page, problems):
        page.goto(served_demo + "/")
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= 200, header
        income = page.locator('[data-stat="income"]').bounding_box()
        assert income["y"] + income["height"] <= 740, income
        assert page.locator("h1").count() == 1  # the hero's heading stays for screen readers
        assert not problems["console"] and not problems["outside"]


def test_on_a_phone_at_large_text_the_menu_scrolls_and_its_items_do_not_touch(served_demo):
    with chromium_page(served_demo, width=360, height=740) as (page, _problems):
        page.goto(served_demo + "/")
        page.click("a.font-option-large")
        page.goto(served_demo + "/volunteer")
        items = page.locator(".main-nav li a")
        boxes = [items.nth(index).bounding_box() for index in range(items.count())]
        assert len({round(box["y"]) for box in boxes}) == 1  # one row
        texts = page.locator(".main-nav li a")
        for left, right in zip(boxes, boxes[1:], strict=False):
            assert right["x"] >= left["x"] + left["width"] - 0.5  # side by side, never overlapping
        spans = page.evaluate(
            "() => [...document.querySelectorAll('.main-nav li a')].map(a => {"
            " const r = document.createRange(); r.selectNodeContents(a); const b = r.getBoundingClientRect();"
            " return [b.left, b.right]; })"
        )
        gaps = [later[0] - earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)]
        assert min(gaps) >= 16, gaps  # the words of two items are clearly apart
        current = page.locator(".main-nav a.is-current")
        assert current.inner_text() == "志愿服务"
        box = current.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360  # the current section is in view
        assert texts.count() >= 7


TEXT_SPANS = (
    "selector => [...document.querySelectorAll(selector)].map(a => {"
    " const r = document.createRange(); r.selectNodeContents(a); const b = r.getBoundingClientRect();"
    " return {text: a.innerText, left: b.left, right: b.right}; })"
)


@pytest.mark.parametrize(("width", "large_text"), [(360, False), (360, True), (320, True)])
def test_on_a_phone_the_menus_never_begin_with_half_a_word_and_every_disclosure_tab_shows(
        served_demo, width, large_text):
    """On /funds/ the 信息公开 tabs were scrolled to centre 慈善基金, showing 示公告; the main menu began with 项目."""
    with chromium_page(served_demo, width=width, height=740) as (page, problems):
        page.goto(served_demo + "/")
        if large_text:
            page.click("a.font-option-large")
        rem = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
        for path, current_tab in (("/ledger/", "收支明细"), ("/funds/", "慈善基金"), ("/open-data/", "开放数据")):
            page.goto(served_demo + path)
            tabs = page.evaluate(TEXT_SPANS, ".sub-nav li a")
            assert [tab["text"].replace("\n", "") for tab in tabs] == ["公示公告", "收支明细", "慈善基金", "开放数据"]
            for tab in tabs:
                assert tab["left"] >= 0 and tab["right"] <= width, (path, tab)  # whole, without scrolling
            assert page.locator(".sub-nav a.is-current").inner_text().replace("\n", "") == current_tab

        # The last item (关于我们) once left the row starting with half of 信息公开; search has no current item.
        for path, current_item in (("/ledger/", "信息公开"), ("/volunteer", "志愿服务"), ("/about", "关于我们"),
                                   ("/search?q=助学", None)):
            page.goto(served_demo + path)
            items = page.evaluate(TEXT_SPANS, ".main-nav li a")
            if current_item:
                current = page.locator(".main-nav a.is-current")
                assert current.inner_text() == current_item
                box = current.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, path
            for item in items:
                assert item["right"] <= 1 or item["left"] >= -1, (path, item)  # no word cut by the left edge
            if page.evaluate("() => document.querySelector('.main-nav ul').scrollLeft") > 0:
                first = min((item for item in items if item["left"] >= -1), key=lambda item: item["left"])
                assert first["left"] >= 1.25 * rem - 2, (path, first)  # clear of the left fade
                assert "is-scrolled" in page.locator(".main-nav ul").get_attribute("class").split(), path
        assert not problems["console"] and not problems["outside"]


def test_a_short_printed_disclosure_fits_on_one_a4_page_under_the_organisations_name(served_demo):
    import re

    with chromium_page(served_demo, width=1280, height=900) as (page, _problems):
        page.goto(served_demo + "/disclosures/")
        page.locator("a", has_text="第十一届番禺区慈善健康行活动募捐情况公示").first.click()
        page.locator(".item-tools a", has_text="打印版").first.click()
        assert page.locator(".print-letterhead").inner_text().replace(" ", "") == "广州市番禺区慈善会"
        page.emulate_media(media="print")
        pdf = page.pdf(prefer_css_page_size=True)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages == 1, f"the short notice printed on {pages} pages"


@pytest.mark.parametrize("width", [360, 1280])
def test_a_project_pages_fact_labels_stay_readable_beside_long_values(served_demo, width):
    """A campaign's filing number is one long word: it once squeezed its label into one character a line."""
    with chromium_page(served_demo, width=width, height=900) as (page, problems):
        page.goto(served_demo + "/projects/zhumeng-weilai-teji")
        assert page.locator(".giving-panel .giving-campaign-facts dd").count() >= 2
        rows = page.evaluate(
            "() => [...document.querySelectorAll('.fact-list > div')].map(row => {"
            " const dt = row.querySelector('dt'), dd = row.querySelector('dd');"
            " const panel = row.closest('.panel, section, main').getBoundingClientRect();"
            " const font = parseFloat(getComputedStyle(dt).fontSize);"
            " return {label: dt.textContent.trim(), width: dt.getBoundingClientRect().width, font,"
            "         overflow: dd.getBoundingClientRect().right - panel.right}; })"
        )
        assert rows
        for row in rows:
            shown = min(len(row["label"]), 4)  # a label shows at least four characters (or all) side by side
            assert row["width"] >= shown * row["font"] - 1, row
            assert row["overflow"] <= 1, row
        assert not problems["console"] and not problems["outside"]


def test_on_a_phone_a_data_tables_row_names_take_the_whole_width(served_demo):
    """查看数据 under a chart: beside three columns of amounts a project's name had two characters a line."""
    with chromium_page(served_demo, width=360, height=740) as (page, problems):
        page.goto(served_demo + "/funds/panyu-cishan-jijin")
        page.evaluate("() => document.querySelectorAll('details.chart-data').forEach(d => d.open = true)")
        widths = page.evaluate(
            "() => [...document.querySelectorAll('.chart-table')].flatMap(table => {"
            " const full = table.getBoundingClientRect().width;"
            " return [...table.querySelectorAll('tbody th[scope=row]')].map(th => th.getBoundingClientRect().width / full); })"
        )
        assert len(widths) >= 5
        assert min(widths) >= 0.9, widths
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        assert not problems["console"] and not problems["outside"]


def test_a_short_page_keeps_its_footer_at_the_bottom_of_the_screen(served_demo):
    with chromium_page(served_demo, width=1280, height=1000) as (page, _problems):
        page.goto(served_demo + "/projects/no-such-project")
        footer = page.locator(".site-footer").bounding_box()
        assert footer["y"] + footer["height"] >= 999, footer


def test_on_a_phone_the_ledgers_filters_start_folded_so_the_lines_come_first(served_demo):
    """Twelve filters took a phone's first two screens before the first line (three at large text)."""
    with chromium_page(served_demo, width=360, height=740) as (page, problems):
        page.goto(served_demo + "/ledger/")
        fold = page.locator("details.filter-fold")
        assert fold.get_attribute("open") is None
        assert not page.get_by_label("摘要关键词").is_visible()
        assert page.locator("[data-total=income]").bounding_box()["y"] < 740  # the totals on the first screen
        fold.locator("summary").click()
        page.get_by_label("收入或支出").select_option("expense")
        page.get_by_role("button", name="显示").click()
        page.wait_for_url("**/ledger/?**kind=expense**")
        assert fold.get_attribute("open") is None  # the chosen lines come first again
        assert "已按条件筛选" in fold.locator("summary").inner_text()

        page.goto(served_demo + "/ledger/?min=abc")  # a refused filter keeps the form open to show why
        assert fold.get_attribute("open") is not None
        assert page.locator(".ledger-filters .field-error").first.is_visible()
        assert not problems["console"] and not problems["outside"]
    with chromium_page(served_demo, width=1280, height=900) as (page, problems):
        page.goto(served_demo + "/ledger/")
        assert page.get_by_label("摘要关键词").is_visible()  # wide screens have room: unfolded
        assert not problems["console"] and not problems["outside"]
