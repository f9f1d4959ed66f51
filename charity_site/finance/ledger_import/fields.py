"""The fields of a ledger line, the headings that name them, and the column mapping.

A mapping is {field key: source}: ``"c:<column index>"`` (the field is read from that column) or
``"v:<value>"`` (one value for every row, for the fields that allow it, e.g. every row is 收入).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from charity_site.extensions import db
from charity_site.finance.ledger_import.cells import cell_text
from charity_site.finance.models import CounterpartyType, EntryKind, Fund
from charity_site.finance.rules import allowed_categories, allowed_channels
from charity_site.web.input import parse_id, parse_int


@dataclass(frozen=True)
class ImportField:
    key: str
    label: object
    aliases: tuple[str, ...]
    constants: bool = False  # may take one value for every row instead of a column


FIELDS = (
    ImportField("occurred_on", _l("Date"), ("日期", "发生日期", "业务日期", "记账日期", "凭证日期", "date")),
    ImportField("kind", _l("Income or expense"), ("收支", "类型", "收支类型", "收/支", "kind"), constants=True),
    ImportField("amount", _l("Amount"), ("金额", "发生额", "金额元", "amount")),
    ImportField("income", _l("Income amount"), ("收入", "收入金额", "income")),
    ImportField("expense", _l("Expense amount"), ("支出", "支出金额", "expense")),
    ImportField("fund", _l("Fund"), ("基金", "基金名称", "fund"), constants=True),
    ImportField("project", _l("Project"), ("项目", "项目名称", "project")),
    ImportField("category", _l("Category"), ("类别", "用途", "收支类别", "category"), constants=True),
    ImportField("channel", _l("Channel"), ("渠道", "方式", "收付方式", "支付方式", "channel"), constants=True),
    ImportField("counterparty", _l("Counterparty"), ("对方", "捐赠方", "收款方", "付款方", "对方单位", "对方名称",
                                                      "counterparty")),
    ImportField("counterparty_type", _l("Counterparty type"), ("对方类型", "counterparty_type"), constants=True),
    ImportField("voucher_no", _l("Voucher number"), ("凭证号", "凭证编号", "凭证字号", "voucher", "voucher_no")),
    ImportField("summary", _l("Summary"), ("摘要", "事由", "summary")),
    ImportField("note", _l("Note"), ("备注", "note")),
)
FIELDS_BY_KEY = {item.key: item for item in FIELDS}
TEMPLATE_HEADERS = ("日期", "收支", "金额（元）", "基金", "项目", "类别", "渠道", "对方", "对方类型", "凭证号", "摘要",
                    "备注")

KIND_WORDS = {"收入": EntryKind.INCOME, "收": EntryKind.INCOME, "income": EntryKind.INCOME,
              "支出": EntryKind.EXPENSE, "支": EntryKind.EXPENSE, "expense": EntryKind.EXPENSE}
COUNTERPARTY_WORDS = {
    "个人": CounterpartyType.PERSON, "自然人": CounterpartyType.PERSON, "person": CounterpartyType.PERSON,
    "机构": CounterpartyType.ORGANISATION, "单位": CounterpartyType.ORGANISATION, "企业": CounterpartyType.ORGANISATION,
    "组织": CounterpartyType.ORGANISATION, "公司": CounterpartyType.ORGANISATION, "法人": CounterpartyType.ORGANISATION,
    "organisation": CounterpartyType.ORGANISATION, "organization": CounterpartyType.ORGANISATION,
}

_BRACKETS = re.compile(r"[（(\[【].*?[)）\]】]")
_ALIASES = {alias: item.key for item in FIELDS for alias in item.aliases}


def normalise_header(value) -> str:
    """'金额（元）' → '金额'; ' 凭证 号* ' → '凭证号'; 'Date' → 'date'."""
    text = _BRACKETS.sub("", cell_text(value))
    return re.sub(r"[\s*:：]", "", text).lower()


def field_of_header(value) -> str | None:
    """The key of the field a heading names, or None."""
    return _ALIASES.get(normalise_header(value))


def detect_mapping(headers: list[str]) -> dict[str, str]:
    """{field key: "c:<column index>"} for every header that names a known field (first column wins)."""
    mapping: dict[str, str] = {}
    for index, header in enumerate(headers):
        key = field_of_header(header)
        if key and key not in mapping:
            mapping[key] = f"c:{index}"
    return mapping


def clean_mapping(mapping: dict[str, str] | None, columns: int) -> dict[str, str]:
    """Keep only well-formed choices: a column that exists, or a constant for a field that allows one."""
    clean = {}
    for key, value in (mapping or {}).items():
        if key == "ambiguous_kind":  # rows.ANSWER_KEY: the answer to "are these rows income or expense?"
            if value in ("v:收入", "v:支出"):
                clean[key] = value
            continue
        item = FIELDS_BY_KEY.get(key)
        if item is None or not value:
            continue
        a_column = value.startswith("c:") and parse_int(value[2:], maximum=columns - 1) is not None
        a_constant = value.startswith("v:") and item.constants and _constant_ok(key, value[2:])
        if a_column or a_constant:
            clean[key] = value
    return clean


def _constant_ok(key: str, value: str) -> bool:
    if key == "kind":
        return value in ("收入", "支出")
    if key == "counterparty_type":
        return value in ("个人", "机构")
    if key == "fund":
        return parse_id(value) is not None
    return bool(value) and len(value) <= 40


def constant_options(key: str) -> list[tuple[str, str]]:
    """The "same value for every row" choices of a field: (mapping value, label)."""
    if key == "kind":
        return [("v:收入", _("Every row is income")), ("v:支出", _("Every row is expense"))]
    if key == "counterparty_type":
        return [("v:个人", _("Every row: a person")), ("v:机构", _("Every row: an organisation"))]
    if key == "fund":
        funds = db.session.execute(select(Fund.id, Fund.title).order_by(Fund.title)).all()
        return [(f"v:{fund_id}", _("All to: %(name)s", name=title)) for fund_id, title in funds]
    if key == "category":
        values = list(dict.fromkeys(allowed_categories(EntryKind.INCOME) + allowed_categories(EntryKind.EXPENSE)))
        return [(f"v:{value}", _("All: %(name)s", name=value)) for value in values]
    if key == "channel":
        return [(f"v:{value}", _("All: %(name)s", name=value)) for value in allowed_channels()]
    return []


def mapping_key(mapping: dict[str, str]) -> str:
    """A stable text of a mapping, to tell whether the import uses the mapping that was previewed."""
    return ";".join(f"{key}={mapping[key]}" for key in sorted(mapping) if mapping[key])


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def column_label(mapping: dict[str, str], headers: list[str], key: str) -> str:
    """How a problem names where a field comes from: "Column C: 金额（元）", or the field's name."""
    source = mapping.get(key, "")
    label = str(FIELDS_BY_KEY[key].label)
    if source.startswith("c:"):
        index = int(source[2:])
        header = headers[index] if index < len(headers) else ""
        return _("Column %(letter)s: %(header)s", letter=column_letter(index), header=header or label)
    return label
