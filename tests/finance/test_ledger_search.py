"""Finding a line in the public ledger: words of the summary, voucher number, amount range, who the
counterparty is and lines of no project; each narrows to exactly its lines, and the totals follow."""

from __future__ import annotations

import re

import pytest
from factories import make_entry, make_fund, make_project

from charity_site.extensions import db
from charity_site.models import CounterpartyType, EntryKind, PublicationStatus

PERSON, ORGANISATION = CounterpartyType.PERSON, CounterpartyType.ORGANISATION
EXPENSE = EntryKind.EXPENSE
MONEY = re.compile(r"(-?)¥([\d,]+)\.(\d\d)")


def fen(text: str) -> int:
    sign, yuan, cents = MONEY.search(text).groups()
    value = int(yuan.replace(",", "")) * 100 + int(cents)
    return -value if sign else value


def shown(client, query: str, status: int = 200) -> dict:
    """What /ledger/?<query> shows: line ids, totals, the count sentence and the page."""
    response = client.get("/ledger/?" + query)
    assert response.status_code == status, query
    html = response.get_data(as_text=True)
    totals = {which: fen(re.search(rf'data-total="{which}">([^<]+)<', html).group(1))
              for which in ("income", "expense")}
    count = re.search(r'data-count="(\d+)">([^<]*)<', html)
    return {"ids": {int(number) for number in re.findall(r'data-entry="(\d+)"', html)}, "html": html, **totals,
            "count": int(count.group(1)) if count else 0, "sentence": count.group(2) if count else ""}


@pytest.fixture
def books(app):
    general = make_fund(slug="general", title="慈善基金")
    school = make_fund(slug="school", title="助学基金")
    draft = make_fund(slug="draft", title="草稿基金", status=PublicationStatus.DRAFT, published_at=None)
    care = make_project(slug="care", title="关爱老人", fund_id=general.id)
    lines = {
        "rice": make_entry(general, 1200_00, EXPENSE, project_id=care.id, category="慰问",
                           summary="重阳节慰问老人 大米与食用油", voucher_no="JZ-2024-0101"),
        "oil": make_entry(general, 300_50, EXPENSE, project_id=care.id, category="慰问",
                          summary="购买食用油", voucher_no="JZ-2024-0102"),
        "admin": make_entry(general, 80_00, EXPENSE, category="管理费用", summary="办公用品",
                            voucher_no="JZ-2024-0200"),
        "relief": make_entry(school, 500_00, EXPENSE, category="救助", summary="临时困难救助",
                             voucher_no="FK-2024-0001"),
        "person": make_entry(general, 1000_00, counterparty="欧阳建国", counterparty_type=PERSON,
                             summary="个人捐赠 用于重阳节活动", voucher_no="SR-2024-0001"),
        "company": make_entry(school, 5000_00, counterparty="广州某某有限公司", counterparty_type=ORGANISATION,
                              summary="企业捐赠 助学", voucher_no="SR-2024-0002"),
        "voided": make_entry(general, 999_00, counterparty="欧阳建国", counterparty_type=PERSON,
                             summary="个人捐赠 录错", voucher_no="SR-2024-0003", voided=True, void_reason="录错"),
    }
    make_entry(draft, 7777_00, summary="重阳节草稿基金的捐赠", voucher_no="JZ-2024-0999")
    db.session.commit()
    return {name: entry.id for name, entry in lines.items()}


@pytest.mark.parametrize("query, names, income, expense", [
    ("q=重阳节", {"rice", "person"}, 1000_00, 1200_00),
    ("q=食用油", {"rice", "oil"}, 0, 1500_50),
    ("q=食用油 重阳", {"rice"}, 0, 1200_00),  # every word must appear
    ("q=捐赠", {"person", "company", "voided"}, 6000_00, 0),  # a voided line is shown, not counted
    ("voucher=JZ-2024-0101", {"rice"}, 0, 1200_00),
    ("voucher=jz-2024-01", {"rice", "oil"}, 0, 1500_50),  # the beginning of a number, in any case
    ("voucher=SR-", {"person", "company", "voided"}, 6000_00, 0),
    ("voucher=JZ-2024-0999", set(), 0, 0),  # a draft fund's line stays hidden
    ("min=300.50&max=1000", {"oil", "relief", "person", "voided"}, 1000_00, 800_50),
    ("min=1,200", {"rice", "company"}, 5000_00, 1200_00),
    ("max=80", {"admin"}, 0, 80_00),
    ("party=person", {"person", "voided"}, 1000_00, 0),
    ("party=organisation", {"rice", "oil", "admin", "relief", "company"}, 5000_00, 2080_50),
    ("project=none", {"admin", "relief", "person", "company", "voided"}, 6000_00, 580_00),
    ("project=none&category=管理费用", {"admin"}, 0, 80_00),
    ("project=none&fund=school&kind=expense", {"relief"}, 0, 500_00),
    ("project=care&q=食用油&min=1000", {"rice"}, 0, 1200_00),
    ("q=捐赠&party=organisation&fund=school&voucher=SR&max=5000", {"company"}, 5000_00, 0),
    ("q=重阳节&kind=expense&from=2024-01-01&to=2024-12-31", {"rice"}, 0, 1200_00),
])
def test_each_filter_narrows_to_exactly_its_lines_and_totals(client, books, query, names, income, expense):
    page = shown(client, query)
    assert page["ids"] == {books[name] for name in names}
    assert (page["income"], page["expense"]) == (income, expense)
    if names:
        assert page["count"] == len(names)
        assert page["sentence"] == f"共 {len(names)} 条，收入 ¥{income / 100:,.2f}，支出 ¥{expense / 100:,.2f}"


def test_the_filters_keep_what_was_typed_and_can_be_cleared(client, books):
    page = shown(client, "q=食用油&voucher=JZ&min=300.5&max=2000&party=organisation&project=care")
    html = page["ids"] == {books["rice"], books["oil"]} and page["html"]
    for field, value in (("q", "食用油"), ("voucher", "JZ"), ("min", "300.50"), ("max", "2000")):
        assert re.search(rf'name="{field}" value="{re.escape(value)}"', html), field
    assert '<option value="organisation" selected>' in html
    assert '<option value="care" selected>' in html
    assert 'class="clear-filters" href="/ledger/"' in html
    # The CSV download of these lines carries the same filters.
    download = re.search(r'href="(/open-data/ledger\.csv\?[^"]+)"', html).group(1)
    assert all(f"{name}=" in download for name in ("q", "voucher", "min", "max", "party", "project"))
    assert '<option value="none" selected>' in shown(client, "project=none")["html"]


def test_the_download_has_the_same_lines_as_the_page(client, books):
    csv = client.get("/open-data/ledger.csv?q=食用油&min=1000").get_data(as_text=True)
    assert "JZ-2024-0101" in csv and "JZ-2024-0102" not in csv and "SR-2024-0001" not in csv


def test_each_row_shows_its_project_linked_or_no_project(client, books):
    html = shown(client, "")["html"]
    rows = dict(re.findall(r'data-entry="(\d+)".*?data-project="([^"]*)"', html, re.S))
    assert rows[str(books["rice"])] == "care" and rows[str(books["relief"])] == ""
    assert '<a href="/projects/care" data-project="care">关爱老人</a>' in html
    assert "未指定项目" in html


def test_a_persons_full_name_finds_nothing_the_summary_alone_is_searched(client, books):
    for name in ("欧阳建国", "欧阳", "建国"):
        page = shown(client, "q=" + name)
        assert page["ids"] == set() and (page["income"], page["expense"]) == (0, 0), name
        assert page["html"].count("欧阳建国") <= 1  # only in the search box, as typed
    # The search reads the summary only: a word of the summary finds the person's line, still masked.
    page = shown(client, "q=个人捐赠")
    assert books["person"] in page["ids"] and "欧阳建国" not in page["html"] and "欧**" in page["html"]


@pytest.mark.parametrize("query, field, message", [
    ("q=米", "q", "请至少输入 2 个字"),
    ("min=abc", "min", "请按元填写金额"),
    ("max=1.234", "max", "请按元填写金额"),
    ("min=-5", "min", "金额不能为负数"),
    ("max=99999999999999999999", "max", "金额过大"),
    ("min=500&max=100", "max", "最高金额不能低于最低金额"),
    ("voucher=" + "X" * 61, "voucher", "凭证号最多 60 个字符"),
])
def test_a_value_that_cannot_apply_is_explained_next_to_its_field(client, books, query, field, message):
    page = shown(client, query + "&kind=expense")
    error = re.search(rf'id="filter-{field}-error">([^<]*)<', page["html"])
    assert error and message in error.group(1), page["html"][:200]
    # That filter does not apply; the others do.
    assert page["ids"] == {books[name] for name in ("rice", "oil", "admin", "relief")}
    assert f'name="{field}" value="' in page["html"]
    if field == "max" and "min=500" in query:
        assert 'name="min" value="500"' in page["html"] and 'name="max" value="100"' in page["html"]


@pytest.mark.parametrize("value", ["%", "_", "%%", "\\", "' OR 1=1 --", "1e9", "¥", "元", "NaN", "0x10", "１２",
                                   "a" * 5000, "%00", "食用油%", "JZ_2024"])
def test_hostile_values_never_break_the_page(client, books, value):
    for name in ("q", "voucher", "min", "max", "party", "project"):
        response = client.get("/ledger/", query_string={name: value})
        assert response.status_code == 200, (name, value)
    # LIKE wildcards are searched for as text: nothing here contains them.
    assert shown(client, "q=%25%25")["ids"] == set()
    assert shown(client, "voucher=JZ_2024")["ids"] == set()
