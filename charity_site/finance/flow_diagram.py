"""Geometry of the money-flow diagram (a Sankey diagram) drawn on the server. Pure: data in, shapes out.

Nodes stand in columns (where the money came from → the funds → what the funds paid for); each link
is a filled band whose thickness is proportional to its amount, on one scale for the whole drawing, so
that a band twice as thick carried twice the money. A node is as tall as the larger of what flows in
and what flows out. Labels (name and amount) sit beside their node where no band passes, so they are
never written on a coloured band: left of the first column, right of the last, and in the middle column
inside the node, which is a box: the money arrives at its left bar and leaves from its right bar, and
the fund's name stands between them. A tiny node keeps room for its label. A long name wraps, and past
its column's lines it is shortened with …; the page keeps the full name in a <title>. Amounts are
integer fen.

The drawing is ``WIDTH`` units wide, with a viewBox: the page shows it at most that many pixels wide and
scales it down to fit a narrow screen, where the table of the same figures under it is the readable
version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from charity_site.core.formatting import format_amount, money_unit
from charity_site.finance.svg_text import was_shortened, wrap_label

WIDTH = 1040
FONT = 15  # label text, in drawing units (= pixels where the drawing is shown at its full width)
LINE = 19  # height of one label line
NODE_WIDTH = 14  # a node's bar
FLOW_HEIGHT = 440  # the height a column's total amount takes, gaps and label room aside
NODE_GAP = 14  # between two nodes of a column
TOP = 8  # room above the first node
LABEL_GAP = 8  # between a node's bar and its label
COLUMN_X = (112, 352, 806)  # left edge of the nodes of each column
LABEL_WIDTH = (COLUMN_X[0] - LABEL_GAP - 4, 186, WIDTH - COLUMN_X[2] - NODE_WIDTH - LABEL_GAP - 4)
# A node of the middle column is a box: its left bar, its label, its right bar.
BOX_WIDTH = NODE_WIDTH + LABEL_GAP + LABEL_WIDTH[1] + LABEL_GAP + NODE_WIDTH
NAME_LINES = (2, 3, 3)  # a long name wraps onto this many lines in each column, then is shortened with …


@dataclass(frozen=True)
class NodeSpec:
    key: str
    column: int  # 0, 1 or 2
    label: str
    kind: str  # CSS class suffix: flow-node-<kind>
    href: str | None = None


@dataclass(frozen=True)
class LinkSpec:
    source: str
    target: str
    value_fen: int
    href: str | None = None


@dataclass(frozen=True)
class PlacedNode:
    key: str
    column: int
    kind: str
    label: str  # full name
    lines: tuple[str, ...]  # the name as drawn (wrapped, shortened), then the amount
    href: str | None
    value_fen: int
    x: float
    y: float
    width: float  # NODE_WIDTH; BOX_WIDTH in the middle column
    height: float
    text_x: float
    text_y: float  # baseline of the first label line
    anchor: str  # "start" or "end"
    bars: tuple[float, ...] = ()  # left edge of each solid bar: one, or a box's two

    @property
    def box(self) -> bool:
        """A middle-column node: a box with a bar at each side and its label inside."""
        return len(self.bars) > 1

    @property
    def shortened(self) -> bool:
        """The name is drawn shortened with …; the page shows the full name as the node's <title>."""
        return was_shortened(self.lines[:-1], self.label)  # the last line is the amount


@dataclass(frozen=True)
class Band:
    source: str
    target: str
    kind: str  # the source node's kind: a band takes the colour of where its money came from
    value_fen: int
    thickness: float
    source_y: float  # top edge where the band leaves its source
    target_y: float  # top edge where it reaches its target
    path: str  # SVG path data of the filled band
    href: str | None
    title: str
    source_label: str
    target_label: str


@dataclass(frozen=True)
class Diagram:
    width: float
    height: float
    scale: float  # drawing units per fen
    nodes: tuple[PlacedNode, ...]
    bands: tuple[Band, ...]
    font: float = FONT
    line: float = LINE
    bar_width: float = NODE_WIDTH

    @property
    def empty(self) -> bool:
        return not self.bands


def node_values(nodes: Sequence[NodeSpec], links: Sequence[LinkSpec]) -> dict[str, int]:
    """Each node's amount: the larger of what flows into it and what flows out of it."""
    flowing_in = {node.key: 0 for node in nodes}
    flowing_out = dict(flowing_in)
    for link in links:
        flowing_out[link.source] += link.value_fen
        flowing_in[link.target] += link.value_fen
    return {key: max(flowing_in[key], flowing_out[key]) for key in flowing_in}


def group_smallest(nodes: Sequence[NodeSpec], links: Sequence[LinkSpec], column: int, keep: int,
                   other: NodeSpec, fixed_kinds: Sequence[str] = ()) -> tuple[list[NodeSpec], list[LinkSpec]]:
    """Keep the ``keep`` largest nodes of ``column`` (nodes of ``fixed_kinds`` always stay) and merge the
    rest into ``other``, adding up their links. Nothing is merged when only one node would go."""
    values = node_values(nodes, links)
    candidates = sorted((node for node in nodes if node.column == column and node.kind not in fixed_kinds),
                        key=lambda node: (-values[node.key], node.label))
    merged = {node.key for node in candidates[keep:]}
    if len(merged) < 2:
        return list(nodes), list(links)
    kept_nodes = [node for node in nodes if node.key not in merged]
    # 其他 comes after the kept nodes of its column, before the fixed ones (such as the balance).
    last_kept = max(index for index, node in enumerate(kept_nodes)
                    if node.column == column and node.kind not in fixed_kinds)
    kept_nodes.insert(last_kept + 1, other)
    totals: dict[tuple[str, str], int] = {}
    hrefs: dict[tuple[str, str], str | None] = {}
    for link in links:
        pair = (other.key if link.source in merged else link.source, other.key if link.target in merged else link.target)
        totals[pair] = totals.get(pair, 0) + link.value_fen
        hrefs[pair] = link.href if link.source not in merged and link.target not in merged else None
    return kept_nodes, [LinkSpec(source, target, value, hrefs[(source, target)])
                        for (source, target), value in totals.items()]


def order_by_sources(nodes: Sequence[NodeSpec], links: Sequence[LinkSpec], column: int,
                     fixed_kinds: Sequence[str] = ()) -> list[NodeSpec]:
    """The nodes of ``column`` reordered by where their money comes from (the amount-weighted mean
    position of their sources), so that bands cross as little as possible; nodes of ``fixed_kinds``
    keep their place at the end. Other columns are left as they are."""
    position = {node.key: index for index, node in enumerate(nodes)}
    weight: dict[str, float] = {}
    total: dict[str, int] = {}
    for link in links:
        weight[link.target] = weight.get(link.target, 0) + position[link.source] * link.value_fen
        total[link.target] = total.get(link.target, 0) + link.value_fen
    movable = [node for node in nodes if node.column == column and node.kind not in fixed_kinds]
    movable.sort(key=lambda node: (weight.get(node.key, 0) / total[node.key] if total.get(node.key) else 0,
                                   -total.get(node.key, 0)))
    slots = iter(movable)
    return [next(slots) if node.column == column and node.kind not in fixed_kinds else node for node in nodes]


def band_path(x0: float, y0: float, x1: float, y1: float, thickness: float) -> str:
    """A band from the right edge of a source (x0, top y0) to the left edge of a target (x1, top y1)."""
    middle = (x0 + x1) / 2
    return (f"M{x0:g},{y0:g} C{middle:g},{y0:g} {middle:g},{y1:g} {x1:g},{y1:g} "
            f"L{x1:g},{y1 + thickness:g} C{middle:g},{y1 + thickness:g} {middle:g},{y0 + thickness:g} "
            f"{x0:g},{y0 + thickness:g} Z")


def _round(value: float) -> float:
    return round(value, 2)


def sankey(nodes: Sequence[NodeSpec], links: Sequence[LinkSpec], amount_text: Callable[[int], str] | None = None,
           link_title: Callable[[str, str, str], str] = lambda source, target, amount: f"{source} → {target}: {amount}",
           ) -> Diagram:
    """Place ``nodes`` (in the order given within each column) and draw ``links`` between them.

    Links go from a column to the next one. Zero links are dropped, and so are nodes left without any.
    """
    links = [link for link in links if link.value_fen > 0]
    used = {link.source for link in links} | {link.target for link in links}
    nodes = [node for node in nodes if node.key in used]
    if not links:
        return Diagram(WIDTH, 0, 0, (), ())
    values = node_values(nodes, links)
    if amount_text is None:  # the whole diagram is one panel: one unit for all its amounts
        unit = money_unit(*values.values())

        def amount_text(fen: int) -> str:
            return format_amount(fen, unit)
    columns = [[node for node in nodes if node.column == column] for column in range(3)]
    largest_column = max(sum(values[node.key] for node in column) for column in columns)
    scale = FLOW_HEIGHT / largest_column

    placed: dict[str, PlacedNode] = {}
    bottom = 0.0
    for column_index, column in enumerate(columns):
        y = TOP
        x = COLUMN_X[column_index]
        for node in column:
            height = _round(values[node.key] * scale)
            name = wrap_label(node.label, LABEL_WIDTH[column_index], FONT, NAME_LINES[column_index])
            lines = (*name, amount_text(values[node.key]))
            label_height = len(lines) * LINE
            slot = max(height, label_height)
            # The label is centred on the node; a node shorter than its label sits in the middle of its slot.
            node_y = y + (slot - height) / 2
            text_y = y + (slot - label_height) / 2 + FONT
            first = column_index == 0
            width = BOX_WIDTH if column_index == 1 else NODE_WIDTH
            placed[node.key] = PlacedNode(
                node.key, column_index, node.kind, node.label, lines, node.href, values[node.key],
                x, _round(node_y), width, max(height, 1.0),
                x - LABEL_GAP if first else x + NODE_WIDTH + LABEL_GAP, _round(text_y), "end" if first else "start",
                (x, x + width - NODE_WIDTH) if column_index == 1 else (x,),
            )
            y += slot + NODE_GAP
        bottom = max(bottom, y - NODE_GAP)

    order = {node.key: index for index, node in enumerate(nodes)}
    leaving = {key: node.y for key, node in placed.items()}
    arriving = dict(leaving)
    bands = []
    # Bands leave a node in the order of their targets and reach a node in the order of their sources,
    # so that they cross as little as the layout allows.
    for link in sorted(links, key=lambda link: (order[link.source], order[link.target])):
        source, target = placed[link.source], placed[link.target]
        thickness = link.value_fen * scale
        source_y = leaving[link.source]
        leaving[link.source] += thickness
        bands.append([link, source, target, thickness, source_y])
    drawn = []
    for link, source, target, thickness, source_y in sorted(bands, key=lambda band: (order[band[0].target],
                                                                                      order[band[0].source])):
        target_y = arriving[link.target]
        arriving[link.target] += thickness
        drawn.append(Band(
            link.source, link.target, source.kind, link.value_fen, _round(thickness), _round(source_y),
            _round(target_y), band_path(source.x + source.width, _round(source_y), target.x, _round(target_y),
                                        _round(thickness)),
            link.href, link_title(source.label, target.label, amount_text(link.value_fen)), source.label, target.label,
        ))
    drawn.sort(key=lambda band: (order[band.source], order[band.target]))
    return Diagram(WIDTH, _round(bottom + TOP), scale, tuple(placed[node.key] for node in nodes), tuple(drawn))
