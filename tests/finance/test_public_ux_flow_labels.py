"""善款去向 (/flows) as a visitor reads it: a gift above nothing never reads "0%"; the flow diagram's names and
amounts are never written on a coloured band; a long name is shortened with … and kept whole in a <title>; and
the diagram is one drawing with a viewBox that the page scales to the screen, not a wide box to swipe through."""

from __future__ import annotations

import html
import re

import pytest
from factories import make_entry, make_fund, make_project

from charity_site.extensions import db
from charity_site.finance.flow_diagram import FONT
from charity_site.finance.svg_text import text_width
from charity_site.models import CounterpartyType, EntryKind, Fund

LONG_FUND = "番禺区慈善会慈善事业高质量发展试点专项资金（四川万源示例，二〇二四年度第二批次）"
LONG_PROJECT = "四川省社会组织服务中心2023年度社会组织孵化培育项目（外部示例）之困境儿童关爱与社区支持服务子项目"


@pytest.fixture
def books(app):
    """A large gift from organisations, a tiny one from a person (0.01%), funds and projects with long names."""
    big = make_fund(slug="big", title=LONG_FUND)
    small = make_fund(slug="small", title="助学基金")
    care = make_project(slug="care", title=LONG_PROJECT, fund_id=big.id)
    study = make_project(slug="study", title="助学金", fund_id=small.id)
    make_entry(big, 900_000_00, counterparty_type=CounterpartyType.ORGANISATION, channel="银行转账")
    make_entry(small, 100_000_00, counterparty_type=CounterpartyType.ORGANISATION, channel="银行转账")
    make_entry(small, 100_00, counterparty_type=CounterpartyType.PERSON, channel="微信")
    make_entry(big, 600_000_00, EntryKind.EXPENSE, project_id=care.id, category="救助")
    make_entry(small, 50_000_00, EntryKind.EXPENSE, project_id=study.id, category="助学")
    db.session.commit()


def page(client) -> str:
    response = client.get("/flows/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def diagram(body: str) -> str:
    return re.search(r'<svg class="flow-svg".*?</svg>', body, re.S).group(0)


def test_a_small_gift_reads_less_than_one_percent_never_zero(client, books):
    body = page(client)
    person = re.search(r'<tr data-group="person">.*?</tr>', body, re.S).group(0)
    assert '<td class="num">&lt;1%</td>' in person, person  # 100.00 of 1,000,100.00
    charts = re.findall(r'<svg class="chart-svg.*?</svg>', body, re.S)
    values = [html.unescape(text) for chart in charts for text in re.findall(r'class="chart-value"[^>]*>([^<]*)<', chart)]
    assert any(value.endswith("(<1%)") for value in values), values  # the bar of 个人 on 个人和单位的捐赠
    assert not any(value.endswith("(0%)") for value in values), values
    assert not re.search(r'<td class="num">0%</td>', body)


def test_the_diagram_has_a_viewbox_and_no_sideways_scrolling_box(client, books):
    body = page(client)
    svg = diagram(body)
    width, height = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups()
    assert float(width) > 0 and float(height) > 0
    assert f'width="{width}" height="{height}"' in svg  # its proportions, before the stylesheet scales it
    assert "flow-scroll" not in body and "左右滑动" not in body
    assert re.search(r'<p id="flow-desc"[^>]*>图中的数字也列在图下方的表格里', body)  # the table: the readable version
    assert '<table class="data-table chart-table flow-table" id="table-flow">' in body


def _bands(svg: str) -> list[tuple[float, float]]:
    """The horizontal extent (left, right) of every band: each runs from a node's edge to the next column."""
    spans = []
    for path in re.findall(r'<path class="flow-band[^"]*" d="([^"]+)"', svg):
        xs = [float(x) for x in re.findall(r"(-?[\d.]+),-?[\d.]+", path)]
        spans.append((min(xs), max(xs)))
    return spans


def _labels(svg: str) -> list[tuple[str, float, float]]:
    """(line, left, right) of every line of every node's label, its width estimated on the safe side."""
    found = []
    for x, anchor, content in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(start|end)">(.*?)</text>',
                                         svg, re.S):
        for line in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", content):
            line = html.unescape(line)
            wide = text_width(line, FONT)
            left = float(x) - wide if anchor == "end" else float(x)
            found.append((line, left, left + wide))
    return found


def test_no_name_or_amount_of_the_diagram_is_written_on_a_band(client, books):
    svg = diagram(page(client))
    bands, labels = _bands(svg), _labels(svg)
    assert len(bands) >= 4 and len(labels) >= 10
    assert any("基金" in line for line, _left, _right in labels)  # the funds' names (the middle column) are there
    on_bands = [(line, left, right) for line, left, right in labels
                for band_left, band_right in bands if left < band_right - 0.5 and right > band_left + 0.5]
    assert on_bands == []
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    assert all(left >= 0 and right <= width for _line, left, right in labels)  # and none is cut off at an edge


@pytest.mark.parametrize("key, full_name", [("f:", LONG_FUND), ("t:", LONG_PROJECT)])
def test_a_long_name_is_shortened_with_an_ellipsis_and_kept_whole_in_a_title(client, books, key, full_name):
    svg = diagram(page(client))
    node = next(group for group in re.findall(r'<g class="flow-node[^"]*" data-node="[^"]*">.*?</g>', svg, re.S)
                if html.unescape(group).count(full_name[:8]) and f'data-node="{key}' in group)
    names = [html.unescape(line) for line in re.findall(r'class="flow-name">([^<]*)</tspan>', node)]
    assert names[-1].endswith("…") and len("".join(names)) < len(full_name)
    assert f"<title>{full_name}</title>" in html.unescape(node)


def test_the_flows_are_also_written_out_fund_by_fund(client, books):
    """On a phone the diagram is an overview too small to read; the same flows follow in words under it."""
    body = page(client)
    listed = re.search(r'<div class="flow-list">.*?</div>\s*<details', body, re.S).group(0)
    funds = re.findall(r'<section class="flow-list-fund" data-fund="([^"]+)">(.*?)</section>', listed, re.S)

    assert [html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<h3.*?</h3>", part, re.S).group(0))).split()[0]
            for _key, part in funds] == [LONG_FUND, "助学基金"]  # largest first, as in the diagram
    small = dict(funds)["f:" + str(db.session.scalar(db.select(Fund.id).where(Fund.slug == "small")))]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", small)).split())
    assert "来自 个人 0.01万元 单位 10.00万元" in text
    assert "用于 助学金 5.00万元 尚未支出（结余） 5.01万元" in text
