"""What staff see on a phone and before an irreversible step, from a screenshot review of the staff pages.

- The shift roster, the pledge, disclosure and volunteer-activity lists, the shift table of an activity and the
  dashboard's tables become one card per row at 360 px (.card-table: every cell names its column, or is the
  row's title or its buttons), so the 签到 button is on the screen, not past its right edge.
- 取消报名 on the roster, and 取消认捐 and 删除个人信息 on a pledge, ask before they are sent (data-confirm).
- 工作台 → 最近的修改 shows 系统 and Chinese names for every kind of object, never a code such as gift_campaign.
- A form sent back with errors names each field in error at the top, as a link to that field.
- A required radio group's legend carries the same * as every other required field.
- The volunteer activity editor loads the formatting toolbar (and, for those allowed, the live preview).
- The site introduction has room; the 插入图片 panel of the editors is a fold, closed as sent.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from donations.factories_donations import giving_ready, make_pledge, open_project
from factories import login, make_user
from volunteers.factories_volunteers import details, make_opportunity

from charity_site.extensions import db
from charity_site.volunteers import signups

# ---------------------------------------------------------------------------------------------- helpers


class _Tables(HTMLParser):
    """Every <table>'s class, and for each of its body cells: its attributes and whether it holds row actions."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: dict | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self.tables.append({"class": attributes.get("class", ""), "cells": []})
        elif tag == "tbody":
            self._in_body = True
        elif tag in ("td", "th") and self._in_body and self.tables:
            self._cell = {"tag": tag, "attrs": attributes, "actions": False, "text": ""}
            self.tables[-1]["cells"].append(self._cell)
        elif self._cell is not None and "row-actions" in (attributes.get("class") or ""):
            self._cell["actions"] = True

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


def tables_of(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def assert_cards(html: str, expected_tables: int) -> None:
    """Each data table is a card table whose every body cell names its column, or is the title or the actions."""
    tables = [table for table in tables_of(html) if "data-table" in table["class"].split()]
    assert len(tables) == expected_tables, [table["class"] for table in tables]
    for table in tables:
        assert "card-table" in table["class"].split(), table["class"]
        assert table["cells"], "a table without rows proves nothing"
        for cell in table["cells"]:
            classes = (cell["attrs"].get("class") or "").split()
            assert cell["tag"] == "td", f"a <th> in a card table's body is not made a card line: {cell}"
            assert cell["attrs"].get("data-label") or "card-title" in classes or cell["actions"], cell
        titles = [cell for cell in table["cells"] if "card-title" in (cell["attrs"].get("class") or "")]
        assert titles, "every card has a title"


def section(html: str, start_marker: str, end_marker: str = "</section>") -> str:
    start = html.index(start_marker)
    return html[start:html.index(end_marker, start)]


def coordinator(client):
    make_user("coordinator@example.org", roles=("coordinator",))
    login(client, "coordinator@example.org")
    return client


@pytest.fixture
def roster(app):
    shift = make_opportunity(capacity=1, title="慈善健康行").shifts[0]
    first = signups.sign_up(shift, details(1, name="李阿姨", emergency_contact=""))
    waiting = signups.sign_up(shift, details(2, name="陈伯伯", emergency_contact="陈女士 13900000000"))
    db.session.commit()
    return shift, first, waiting


# ------------------------------------------------------------------------------------ the shift roster


def test_the_roster_is_one_card_per_person_with_a_full_width_colon_and_dashes_for_empty_cells(client, roster):
    shift, first, _waiting = roster
    coordinator(client)

    html = client.get(f"/admin/volunteers/shifts/{shift.id}").get_data(as_text=True)

    assert_cards(html, expected_tables=1)
    heading = re.search(r'<h1 class="page-title">(.*?)</h1>', html, re.S).group(1)
    assert heading.startswith("报名名单：") and "报名名单:" not in heading
    row = re.search(rf'<tr data-signup="{first.id}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-label="紧急联系人">—</td>', row), row  # no emergency contact given
    assert '<td class="card-title">李阿姨' in row


def test_the_printable_roster_keeps_its_columns(client, roster):
    shift, _first, _waiting = roster
    coordinator(client)

    html = client.get(f"/admin/volunteers/shifts/{shift.id}?print=1").get_data(as_text=True)

    assert "card-table" not in html and "data-confirm" not in html


def test_cancelling_a_sign_up_is_named_as_such_and_asks_first(client, roster):
    shift, first, waiting = roster
    coordinator(client)

    html = client.get(f"/admin/volunteers/shifts/{shift.id}").get_data(as_text=True)

    for signup, name in ((first, "李阿姨"), (waiting, "陈伯伯")):
        row = re.search(rf'<tr data-signup="{signup.id}">(.*?)</tr>', html, re.S).group(1)
        form = re.search(r'<form method="post" action="/admin/volunteers/signups/\d+/cancel"[^>]*>', row).group(0)
        assert f'data-confirm="确定取消{name}的报名吗？"' in form, form
        button = re.search(r"<button[^>]*button-danger[^>]*>(.*?)</button>", row, re.S).group(1)
        assert button.startswith("取消报名"), button  # not a bare 取消 beside 缺席
        # 签到 and 缺席 are sent at once, as before: only the cancellation asks.
        assert row.count("data-confirm") == 1


# ------------------------------------------------------------------------------------------- pledges


@pytest.fixture
def pledge(app):
    giving_ready()
    made = make_pledge(open_project(), donor_name="王小明")
    db.session.commit()
    return made


def test_a_pledges_cancel_and_erase_buttons_ask_first_and_stand_apart(client, finance, pledge):
    login(client, finance.email)

    html = client.get(f"/admin/pledges/{pledge.id}").get_data(as_text=True)

    actions = re.search(r'<div class="form-actions pledge-actions">(.*?)\n  </div>', html, re.S).group(1)
    erase = re.search(rf'<form method="post" action="/admin/pledges/{pledge.id}/erase"[^>]*>', actions).group(0)
    cancel = re.search(rf'<form method="post" action="/admin/pledges/{pledge.id}/cancel"[^>]*>', actions).group(0)
    assert 'data-confirm="' in erase and "无法撤销" in erase, erase
    assert f'data-confirm="确定取消认捐 {pledge.reference}' in cancel, cancel
    assert "删除个人信息（应捐赠人要求）" in actions and "取消认捐" in actions


def test_the_pledge_list_is_one_card_per_pledge(client, finance, pledge):
    login(client, finance.email)

    html = client.get("/admin/pledges/").get_data(as_text=True)

    assert_cards(html, expected_tables=1)
    assert f'<td class="nowrap card-title"><a href="/admin/pledges/{pledge.id}">{pledge.reference}</a>' in html


# ------------------------------------------------------------------------- other lists and the dashboard


def test_the_disclosure_and_volunteer_lists_and_the_shift_table_are_cards(client, admin):
    from factories import make_disclosure

    make_disclosure(title="2025年第一季度项目报告")
    opportunity = make_opportunity(shifts=2, title="社区探访")
    db.session.commit()
    make_user("all@example.org", roles=("editor", "coordinator"))
    login(client, "all@example.org")

    assert_cards(client.get("/admin/disclosures/").get_data(as_text=True), expected_tables=1)
    assert_cards(client.get("/admin/volunteers/").get_data(as_text=True), expected_tables=1)
    assert_cards(client.get(f"/admin/volunteers/{opportunity.id}/edit").get_data(as_text=True), expected_tables=1)


def test_the_dashboard_says_system_and_names_giving_objects_in_chinese(admin_client, pledge):
    # giving_ready() and open_project() saved the giving settings and a campaign without anyone signed in.
    html = admin_client.get("/admin/").get_data(as_text=True)

    assert_cards(html, expected_tables=2)
    changes = section(html, 'id="changes-heading"')
    for code in ("gift_campaign", "giving_settings", "pledge", ">system<"):
        assert code not in changes, code
    who = re.findall(r'data-label="操作人">(.*?)</td>', changes)
    assert "系统" in who and "admin@example.org" in who, who  # the admin's own sign-in is theirs
    items = re.findall(r'data-label="对象">(.*?)</td>', changes)
    assert "募捐活动：助学测试项目" in items, items
    assert "捐赠设置" in items, items  # the kind is the whole label: not 捐赠设置：捐赠设置
    assert any(item.startswith(f"认捐：{pledge.reference}") for item in items), items


# --------------------------------------------------------------------------------------------- forms


def test_the_error_summary_links_every_field_in_error_to_that_field(client, finance, fund):
    login(client, finance.email)

    response = client.post("/admin/ledger/new", data={})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = section(html, 'class="notice notice-warning form-summary"', "</div>")
    links = re.findall(r'<li><a href="#([\w-]+)">(.*?)：(.*?)</a></li>', summary)
    targets = {target: (label, message) for target, label, message in links}
    assert targets["kind-0"] == ("收入或支出", "请选择收入或支出。")  # a radio group: its first choice
    assert targets["counterparty_type-0"][0] == "对方是"
    assert targets["summary"] == ("摘要", "请填写摘要。")
    for target in targets:
        assert re.search(rf'<(input|select|textarea)[^>]* id="{target}"', html), target


def test_a_render_form_page_lists_its_fields_in_error_too(admin_client):
    response = admin_client.post("/admin/settings/", data={"org_name": "", "founded_year": "一九八零"})

    summary = section(response.get_data(as_text=True), 'class="notice notice-warning form-summary"', "</div>")
    assert '<a href="#org_name">机构名称：' in summary
    assert '<a href="#founded_year">成立年份：' in summary


def test_a_required_radio_group_shows_the_required_mark_in_its_legend(client, finance, fund):
    login(client, finance.email)

    html = client.get("/admin/ledger/new").get_data(as_text=True)

    legends = {text.strip(): rest for text, rest in re.findall(r'<legend class="field-label">([^<]*)(.*?)</legend>',
                                                                html, re.S)}
    assert 'class="required-mark"' in legends["收入或支出"]
    assert 'class="required-mark"' in legends["对方是"]
    assert 'required-mark' not in re.search(r'<label class="field-label" for="note">.*?</label>', html).group(0)


# --------------------------------------------------------------------------------------------- editors


def test_the_volunteer_editor_loads_the_toolbar_and_preview_for_those_allowed(client, app):
    opportunity = make_opportunity()
    coordinator(client)

    html = client.get(f"/admin/volunteers/{opportunity.id}/edit").get_data(as_text=True)

    assert 'data-md-toolbar="body_md"' in html
    assert re.search(r'<script src="/static/js/markdown-toolbar\.js[^"]*" defer>', html)
    assert re.search(r'<script src="/static/js/editor\.js[^"]*" defer>', html)
    assert "data-editor-form" not in html  # the live preview endpoint is for editors and finance
    assert client.post("/admin/preview/", data={"body_md": "x"}).status_code == 403

    make_user("both@example.org", roles=("coordinator", "editor"))
    client.post("/admin/logout")
    login(client, "both@example.org")
    html = client.get(f"/admin/volunteers/{opportunity.id}/edit").get_data(as_text=True)
    assert 'data-editor-form data-preview-url="/admin/preview/"' in html
    assert re.search(r'<textarea[^>]*data-markdown-editor="true"[^>]*name="body_md"', html) or \
        re.search(r'<textarea[^>]*name="body_md"[^>]*data-markdown-editor="true"', html)


def test_the_site_introduction_has_room(admin_client):
    html = admin_client.get("/admin/settings/").get_data(as_text=True)

    textarea = re.search(r'<textarea[^>]*id="intro_md"[^>]*>', html).group(0)
    assert int(re.search(r'rows="(\d+)"', textarea).group(1)) >= 10, textarea


def test_the_image_panel_of_an_editor_is_a_closed_fold(client):
    make_user("editor@example.org", roles=("editor",))
    login(client, "editor@example.org")

    html = client.get("/admin/news/new").get_data(as_text=True)

    panel = re.search(r"<details [^>]*image-picker-panel[^>]*>\s*<summary>(.*?)</summary>", html, re.S)
    assert panel is not None and "插入图片" in panel.group(1)
    assert " open" not in panel.group(0).split(">")[0]
