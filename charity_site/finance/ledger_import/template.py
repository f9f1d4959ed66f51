"""The import template: the headings the import understands, with two example rows, as .xlsx and .csv."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from charity_site.extensions import db
from charity_site.finance.ledger_import.fields import TEMPLATE_HEADERS
from charity_site.finance.models import Fund


def _template_rows() -> list[list]:
    fund = db.session.scalar(select(Fund.title).order_by(Fund.id).limit(1)) or "慈善基金"
    return [
        ["2024-10-01", "收入", "5000.00", fund, "", "捐赠收入", "银行转账", "某某有限公司", "机构", "SR-2024-001",
         "重阳敬老活动捐赠", ""],
        ["2024-10-12", "支出", "1234.50", fund, "", "慰问", "银行转账", "某某超市", "机构", "ZC-2024-001",
         "购买重阳节慰问品", "示例行，导入前请删除"],
    ]


def template_csv() -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerows(_template_rows())
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the Chinese text correctly


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "收支明细"
    sheet.append(list(TEMPLATE_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in _template_rows():
        values = list(values)
        values[0] = date.fromisoformat(values[0])
        values[2] = Decimal(values[2])
        sheet.append(values)
    for row in sheet.iter_rows(min_row=2, min_col=1, max_col=1):
        row[0].number_format = "yyyy-mm-dd"
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGHIJKL", (12, 8, 14, 20, 20, 10, 10, 20, 10, 14, 28, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
