"""善款去向 (/flows): where the money came from and where it went, for one year or all time.

Income by who gave it and by how it came in; spending by fund, project and category; and one diagram
of the whole flow from the givers through the funds to the projects. Every figure links to the public
ledger filtered to the lines it adds up, where the ledger has the filters for it.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from charity_site.finance import charts, flows
from charity_site.finance.flow_diagram import Diagram, LinkSpec, NodeSpec, group_smallest, order_by_sources, sankey
from charity_site.finance.labels import party_labels
from charity_site.finance.models import CounterpartyType
from charity_site.web.filters import read_year

bp = Blueprint("flows", __name__, url_prefix="/flows")

KEEP_FUNDS = 6  # the diagram shows the largest funds and projects; the rest are one 其他 node
KEEP_TARGETS = 7
CHART_ROWS = 8  # a breakdown's chart shows its largest rows and one 其他 row; its table shows them all


@bp.get("/")
def index():
    years = flows.public_years()
    year = read_year(request.args, "year")
    period = flows.Period(year)
    summary = flows.flows(period, party_labels=party_labels(), unnamed=_("Not stated"),
                          no_project=_("Not for a particular project"))
    return render_template(
        "flows/index.html",
        years=years,
        period=period,
        flows=summary,
        diagram=flow_diagram(summary) if not summary.empty else None,
        charts=breakdown_charts(summary),
    )


def ledger_url(args: dict[str, str] | None) -> str | None:
    return url_for("ledger.index", **args) if args is not None else None


def flow_diagram(summary: flows.Flows) -> Diagram:
    """The diagram of ``summary``: givers → funds → projects, with what was not spent as 结余."""
    period = summary.period
    labels = party_labels()
    nodes: list[NodeSpec] = [
        NodeSpec(f"p:{party.value}", 0, labels[party], "income",
                 ledger_url({"party": party.value, "kind": "income", **period.ledger_args()}))
        for party in CounterpartyType if any(link[0] is party for link in summary.income_links)
    ]
    links = [LinkSpec(f"p:{party.value}", f"f:{fund_id}", fen, ledger_url(
                 {"fund": summary_fund_slug(summary, fund_id), "party": party.value, "kind": "income",
                  **period.ledger_args()}))
             for party, fund_id, fen in summary.income_links]

    carried = {fund.fund_id: fund.expense_fen - fund.income_fen for fund in summary.funds
               if fund.expense_fen > fund.income_fen}
    if carried:
        nodes.append(NodeSpec("p:carried", 0, _("Earlier balance") if period.year else _("Balance before the ledger"),
                              "carried"))
        links += [LinkSpec("p:carried", f"f:{fund_id}", fen) for fund_id, fen in carried.items()]

    for fund in summary.funds:
        nodes.append(NodeSpec(f"f:{fund.fund_id}", 1, fund.title, "fund",
                              ledger_url({"fund": fund.slug, **period.ledger_args()})))

    projects: dict[str, NodeSpec] = {}
    admin_funds = {link.fund_id for link in summary.spending_links if link.admin}
    for link in sorted(summary.spending_links, key=lambda link: -link.amount_fen):
        if link.project_id is not None:
            key = f"t:{link.project_id}"
            projects.setdefault(key, NodeSpec(key, 2, link.project_title, "project", ledger_url(
                {"project": link.project_slug, "kind": "expense", **period.ledger_args()})))
            href = ledger_url({"fund": summary_fund_slug(summary, link.fund_id), "project": link.project_slug,
                               "kind": "expense", **period.ledger_args()})
        else:
            # Running costs are the lines of no project in category 管理费用; the rest of no project is the
            # ledger's project=none only where there are no running costs to leave out.
            key = "t:admin" if link.admin else "t:none"
            fund_args = {"fund": summary_fund_slug(summary, link.fund_id)}
            href = (no_project_url(period, fund_args, admin=True) if link.admin
                    else None if link.fund_id in admin_funds else no_project_url(period, fund_args))
        links.append(LinkSpec(f"f:{link.fund_id}", key, link.amount_fen, href))
    nodes += projects.values()
    if any(link.target == "t:none" for link in links):
        nodes.append(NodeSpec("t:none", 2, _("Not for a particular project"), "unassigned",
                              None if admin_funds else no_project_url(period)))
    if any(link.target == "t:admin" for link in links):
        nodes.append(NodeSpec("t:admin", 2, _("Running costs"), "unassigned", no_project_url(period, admin=True)))
    unspent = [(fund.fund_id, fund.income_fen - fund.expense_fen) for fund in summary.funds
               if fund.income_fen > fund.expense_fen]
    if unspent:
        nodes.append(NodeSpec("t:unspent", 2, _("Not yet spent (balance)"), "unspent"))
        links += [LinkSpec(f"f:{fund_id}", "t:unspent", fen) for fund_id, fen in unspent]

    nodes, links = group_smallest(nodes, links, 1, KEEP_FUNDS, NodeSpec("f:other", 1, _("Other funds"), "other"))
    nodes, links = group_smallest(nodes, links, 2, KEEP_TARGETS, NodeSpec("t:other", 2, _("Other projects"), "other"),
                                  fixed_kinds=("unassigned", "unspent"))
    nodes = order_by_sources(nodes, links, 2, fixed_kinds=("other", "unassigned", "unspent"))
    return sankey(nodes, links)


def no_project_url(period: flows.Period, args: dict[str, str] | None = None, *, admin: bool = False) -> str:
    """The ledger's spending lines of no project (of the running-cost category with ``admin``)."""
    category = {"category": flows.ADMIN_CATEGORY} if admin else {}
    return ledger_url({**(args or {}), "project": flows.NO_PROJECT_ARG, **category, "kind": "expense",
                       **period.ledger_args()})


def summary_fund_slug(summary: flows.Flows, fund_id: int) -> str:
    return next(fund.slug for fund in summary.funds if fund.fund_id == fund_id)


def _chart(groups: list[flows.Group], total: int, series: str, label: str) -> charts.Chart:
    """Bars of the largest groups with their share of ``total``; the rest added up as one 其他 row."""
    rows = [(group.label, (group.amount_fen,)) for group in groups[:CHART_ROWS]]
    rest = groups[CHART_ROWS:]
    if len(rest) == 1:
        rows.append((rest[0].label, (rest[0].amount_fen,)))
    elif rest:
        rows.append((_("Other"), (total - sum(group.amount_fen for group in groups[:CHART_ROWS]),)))
    return charts.bar_chart(rows, [charts.Series(series, label)], share_of=total or None)


def breakdown_charts(summary: flows.Flows) -> dict[str, charts.Chart]:
    income, expense = summary.totals.income_fen, summary.totals.expense_fen
    return {
        "party": _chart(summary.income_by_party, income, "income", _("Income")),
        "channel": _chart(summary.income_by_channel, income, "income", _("Income")),
        "fund": _chart(summary.spending_by_fund, expense, "expense", _("Expense")),
        "project": _chart(summary.spending_by_project, expense, "expense", _("Expense")),
        "category": _chart(summary.spending_by_category, expense, "expense", _("Expense")),
    }
