"""善款去向 (/flows): every figure equals the ledger's own sums, and each link opens exactly those lines."""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import unquote

import pytest
from factories import make_entry, make_fund, make_project

from charity_site.core.formatting import format_yuan
from charity_site.extensions import db
from charity_site.finance.flow_diagram import LinkSpec, NodeSpec, group_smallest, order_by_sources, sankey
from charity_site.models import CounterpartyType, EntryKind, Fund, PublicationStatus

PERSON, ORGANISATION = CounterpartyType.PERSON, CounterpartyType.ORGANISATION
EXPENSE = EntryKind.EXPENSE

ROW = re.compile(r'<tr data-group="([^"]*)"><th scope="row">([^<]*)</th><td class="num" data-amount="(\d+)">'
                 r'.*?</td>\s*<td>(?:<a href="([^"]+)">)?', re.S)
TABLE = re.compile(r'<table class="data-table chart-table flow-table" id="table-(\w+)">(.*?)</table>', re.S)


def tables(body: str) -> dict[str, list[tuple[str, str, int, str | None]]]:
    """{table id: [(key, label, amount in fen, ledger link or None)]} of the breakdown tables."""
    return {name: [(key, html.unescape(label), int(fen), html.unescape(link) if link else None)
                   for key, label, fen, link in ROW.findall(content)]
            for name, content in TABLE.findall(body)}


def ledger_total(client, url: str, kind: str) -> str:
    body = client.get(url).get_data(as_text=True)
    found = re.search(rf'data-total="{kind}">([^<]*)<', body)
    assert found, url
    return found.group(1)


@pytest.fixture
def books(app):
    """Two funds, two projects, lines in 2023 and 2024, a voided line and the lines of a draft fund."""
    general = make_fund(slug="general", title="慈善基金")
    school = make_fund(slug="school", title="助学基金")
    draft = make_fund(slug="draft", title="草稿基金", status=PublicationStatus.DRAFT, published_at=None)
    care = make_project(slug="care", title="关爱老人", fund_id=general.id)
    study = make_project(slug="study", title="助学金", fund_id=school.id)
    on = {2023: date(2023, 5, 1), 2024: date(2024, 3, 1)}
    make_entry(general, 1000_00, counterparty_type=PERSON, channel="微信", occurred_on=on[2023])
    make_entry(general, 5000_00, counterparty_type=ORGANISATION, channel="银行转账", occurred_on=on[2023])
    make_entry(school, 3000_00, counterparty_type=ORGANISATION, channel="银行转账", occurred_on=on[2024])
    make_entry(general, 200_00, counterparty_type=PERSON, channel="支付宝", occurred_on=on[2024])
    make_entry(general, 1500_00, EXPENSE, project_id=care.id, category="慰问", occurred_on=on[2023])
    make_entry(general, 400_00, EXPENSE, project_id=care.id, category="活动", occurred_on=on[2024])
    make_entry(school, 2000_00, EXPENSE, project_id=study.id, category="助学", occurred_on=on[2024])
    make_entry(general, 300_00, EXPENSE, category="管理费用", occurred_on=on[2024])  # no project
    make_entry(general, 9999_00, EXPENSE, project_id=care.id, category="慰问", occurred_on=on[2024],
               voided=True, void_reason="录错")
    make_entry(draft, 7777_00, counterparty_type=PERSON, channel="微信", occurred_on=on[2024])
    db.session.commit()


EXPECTED = {
    None: {
        "party": {"organisation": 8000_00, "person": 1200_00},
        "channel": {"银行转账": 8000_00, "微信": 1000_00, "支付宝": 200_00},
        "fund": {"general": 2200_00, "school": 2000_00},
        "project": {"study": 2000_00, "care": 1900_00, "-": 300_00},
        "category": {"助学": 2000_00, "慰问": 1500_00, "活动": 400_00, "管理费用": 300_00},
    },
    2024: {
        "party": {"organisation": 3000_00, "person": 200_00},
        "channel": {"银行转账": 3000_00, "支付宝": 200_00},
        "fund": {"school": 2000_00, "general": 700_00},
        "project": {"study": 2000_00, "care": 400_00, "-": 300_00},
        "category": {"助学": 2000_00, "活动": 400_00, "管理费用": 300_00},
    },
}


@pytest.mark.parametrize("year", [None, 2024])
def test_the_figures_are_the_ledgers_sums_without_voided_or_hidden_lines(client, books, year):
    body = client.get("/flows/" + (f"?year={year}" if year else "")).get_data(as_text=True)
    found = {name: {key: fen for key, _label, fen, _link in rows} for name, rows in tables(body).items()}
    assert {name: found[name] for name in EXPECTED[year]} == EXPECTED[year]
    income = sum(EXPECTED[year]["party"].values())
    expense = sum(EXPECTED[year]["fund"].values())
    ledger = "/ledger/" + ("?from=2024-01-01&to=2024-12-31" if year else "")
    assert ledger_total(client, ledger, "income") == format_yuan(income)
    assert ledger_total(client, ledger, "expense") == format_yuan(expense)
    assert "7,777.00" not in body and "9,999.00" not in body


@pytest.mark.parametrize("year", [None, 2023, 2024])
def test_each_link_opens_the_ledger_filtered_to_exactly_the_lines_added_up(client, books, year):
    body = client.get("/flows/" + (f"?year={year}" if year else "")).get_data(as_text=True)
    followed = 0
    for name, rows in tables(body).items():
        kind = "income" if name in ("party", "channel") else "expense"
        for _key, _label, fen, link in rows:
            if link is None:
                continue
            assert link.startswith("/ledger/?")
            if year:
                assert f"from={year}-01-01" in link and f"to={year}-12-31" in link
            assert ledger_total(client, link, kind) == format_yuan(fen), link
            followed += 1
    # Every figure of these books links (who gave and spending without a project included).
    assert followed == sum(len(rows) for rows in tables(body).values()) >= 5
    assert all(link is not None and "party=" in link for _key, _label, _fen, link in tables(body)["party"])
    no_project = [link for key, _label, _fen, link in tables(body)["project"] if key == "-"]
    assert all("project=none" in link for link in no_project) and (no_project or year == 2023)


BAND = re.compile(r'<a href="([^"]+)"><path class="flow-band flow-band-(\w+)" d="[^"]*" data-value="(\d+)"')
NODE = re.compile(r'data-node="([^"]+)">\s*<a href="([^"]+)">')


def diagram_links(body: str) -> tuple[list[tuple[str, str, int]], dict[str, str]]:
    """([(ledger link, kind of the band's source, amount in fen)] of the linked bands, {node key: ledger link})."""
    bands = [(html.unescape(link), kind, int(fen)) for link, kind, fen in BAND.findall(body)]
    return bands, {key: html.unescape(link) for key, link in NODE.findall(body)}


def assert_bands_open_their_lines(client, bands):
    for link, source_kind, fen in bands:
        kind = "income" if source_kind == "income" else "expense"
        assert ledger_total(client, link, kind) == format_yuan(fen), link


def test_the_diagram_links_funds_and_projects_to_their_lines(client, books):
    body = client.get("/flows/?year=2024").get_data(as_text=True)
    bands, nodes = diagram_links(body)
    assert {kind for _link, kind, _fen in bands} == {"income", "fund"}, "givers → funds and funds → projects link"
    assert_bands_open_their_lines(client, bands)
    # The givers and the running costs (no project, 管理费用) open exactly their lines too.
    assert ledger_total(client, nodes["p:person"], "income") == format_yuan(200_00)
    assert ledger_total(client, nodes["p:organisation"], "income") == format_yuan(3000_00)
    assert "project=none" in nodes["t:admin"] and "category=管理费用" in unquote(nodes["t:admin"])
    assert ledger_total(client, nodes["t:admin"], "expense") == format_yuan(300_00)
    # 慈善基金 spent 700 in 2024 but received 200: 500 came from its earlier balance. 助学基金 kept 1000.
    assert re.search(r'data-node="p:carried".*?往年结余.*?¥500\.00', body, re.S)
    assert re.search(r'data-node="t:unspent".*?尚未支出（结余）.*?¥1,000\.00', body, re.S)
    assert "行政管理费用" in body


def test_spending_of_no_project_links_where_the_ledger_can_leave_running_costs_out(client, books):
    on = date(2025, 4, 1)
    general, school = (db.session.scalar(db.select(Fund).filter_by(slug=slug)) for slug in ("general", "school"))
    make_entry(general, 60_00, EXPENSE, category="管理费用", occurred_on=on)
    make_entry(general, 40_00, EXPENSE, category="救助", occurred_on=on)
    make_entry(school, 80_00, EXPENSE, category="活动", occurred_on=on)
    make_entry(school, 500_00, counterparty_type=ORGANISATION, occurred_on=on)
    db.session.commit()

    body = client.get("/flows/?year=2025").get_data(as_text=True)
    bands, nodes = diagram_links(body)

    assert_bands_open_their_lines(client, bands)
    linked = {(kind, fen) for _link, kind, fen in bands}
    assert ("fund", 80_00) in linked  # 助学基金 → 未指定项目: it has no running costs to leave out
    assert ("fund", 40_00) not in linked  # 慈善基金 → 未指定项目 would count its running costs too
    assert ("fund", 60_00) in linked  # 慈善基金 → 行政管理费用
    assert "t:none" not in nodes
    assert ledger_total(client, nodes["t:admin"], "expense") == format_yuan(60_00)
    # The project table's 未指定项目 row is every line of no project, running costs included.
    no_project = next(link for key, _label, _fen, link in tables(body)["project"] if key == "-")
    assert ledger_total(client, no_project, "expense") == format_yuan(180_00)


def test_a_year_without_lines_says_so_and_what_to_do_next(client, books):
    response = client.get("/flows/?year=2031")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2031年还没有公开的收支记录" in body
    assert 'href="/flows/?year=2024"' in body and 'href="/flows/"' in body  # the years that have lines
    assert "flow-svg" not in body


def test_an_empty_ledger_explains_the_page(client):
    body = client.get("/flows/").get_data(as_text=True)
    assert "目前还没有公开的收支记录" in body and "flow-svg" not in body


@pytest.mark.parametrize("year", ["99999999", "abc", "-1", "2024.5", "１９９９"])
def test_a_malformed_year_shows_all_years(client, books, year):
    response = client.get(f"/flows/?year={year}")
    assert response.status_code == 200
    assert 'aria-current="page">全部年份' in response.get_data(as_text=True)


def test_the_home_page_button_leads_to_the_page(client, books):
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<a class="button" href="/flows/">查看善款去向</a>', home)
    assert client.get("/flows/").status_code == 200


# --- geometry ------------------------------------------------------------------------------------


def _flow():
    nodes = [NodeSpec("a", 0, "甲", "income"), NodeSpec("b", 0, "乙", "income"),
             NodeSpec("f", 1, "基金", "fund"), NodeSpec("g", 1, "基金二", "fund"),
             NodeSpec("x", 2, "项目", "project"), NodeSpec("y", 2, "结余", "unspent")]
    links = [LinkSpec("a", "f", 600_00), LinkSpec("b", "f", 200_00), LinkSpec("b", "g", 100_00),
             LinkSpec("f", "x", 500_00), LinkSpec("f", "y", 300_00), LinkSpec("g", "x", 100_00)]
    return nodes, links


def test_band_thickness_is_proportional_to_the_amount():
    diagram = sankey(*_flow())
    ratios = {band.thickness / band.value_fen for band in diagram.bands}
    assert max(ratios) - min(ratios) < 1e-4
    thick = {(band.source, band.target): band.thickness for band in diagram.bands}
    assert thick[("a", "f")] == pytest.approx(3 * thick[("b", "f")], abs=0.02)
    assert thick[("f", "x")] == pytest.approx(5 * thick[("g", "x")], abs=0.02)


def test_a_node_is_as_tall_as_its_money_and_its_bands_stack_inside_it():
    diagram = sankey(*_flow())
    nodes = {node.key: node for node in diagram.nodes}
    assert nodes["f"].value_fen == 800_00 and nodes["x"].value_fen == 600_00
    assert nodes["f"].height == pytest.approx(800_00 * diagram.scale, abs=0.01)
    leaving = sorted((band.source_y, band.thickness) for band in diagram.bands if band.source == "f")
    assert leaving[0][0] == nodes["f"].y
    assert leaving[1][0] == pytest.approx(leaving[0][0] + leaving[0][1], abs=0.02)
    assert all(band.path.startswith("M") and band.path.endswith("Z") for band in diagram.bands)
    # Every column shows the same total, so the columns line up: 900 in, 900 through, 900 out.
    for column in range(3):
        assert sum(node.value_fen for node in nodes.values() if node.column == column) == 900_00


def test_small_nodes_are_grouped_into_other_with_their_links_added_up():
    nodes = [NodeSpec("s", 0, "来源", "income")] + [NodeSpec(f"f{n}", 1, f"基金{n}", "fund") for n in range(5)]
    links = [LinkSpec("s", f"f{n}", (n + 1) * 100) for n in range(5)]
    kept, merged = group_smallest(nodes, links, 1, 2, NodeSpec("other", 1, "其他基金", "other"))
    assert [node.key for node in kept] == ["s", "f3", "f4", "other"]
    assert {link.target: link.value_fen for link in merged} == {"f3": 400, "f4": 500, "other": 600}
    # A single small node is not worth a 其他 of its own.
    assert group_smallest(nodes, links, 1, 4, NodeSpec("other", 1, "其他", "other"))[0] == nodes


def test_no_money_draws_nothing():
    assert sankey([NodeSpec("a", 0, "甲", "income")], []).empty


def _query_count(client, path: str) -> int:
    from sqlalchemy import event

    client.get(path)
    db.session.remove()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_page_runs_the_same_queries_for_two_funds_and_for_forty(client, books):
    before = _query_count(client, "/flows/?year=2024")
    for number in range(38):
        fund = make_fund()
        project = make_project(fund_id=fund.id)
        make_entry(fund, 100_00 + number, occurred_on=date(2024, 6, 1))
        make_entry(fund, 50_00 + number, EXPENSE, project_id=project.id, occurred_on=date(2024, 6, 2))
    db.session.commit()
    assert _query_count(client, "/flows/?year=2024") == before
    body = client.get("/flows/?year=2024").get_data(as_text=True)
    assert "其他基金" in body and "其他项目" in body  # the diagram keeps the largest and groups the rest


def test_targets_are_ordered_by_where_their_money_comes_from():
    nodes = [NodeSpec("f1", 1, "大基金", "fund"), NodeSpec("f2", 1, "小基金", "fund"),
             NodeSpec("big", 2, "大项目", "project"), NodeSpec("small", 2, "小基金的项目", "project"),
             NodeSpec("mid", 2, "大基金的项目", "project"), NodeSpec("rest", 2, "结余", "unspent")]
    links = [LinkSpec("f1", "big", 900), LinkSpec("f2", "small", 500), LinkSpec("f1", "mid", 100),
             LinkSpec("f2", "rest", 50)]
    ordered = order_by_sources(nodes, links, 2, fixed_kinds=("unspent",))
    assert [node.key for node in ordered] == ["f1", "f2", "big", "mid", "small", "rest"]
