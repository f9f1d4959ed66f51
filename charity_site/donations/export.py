"""The staff export of pledges: CSV (UTF-8 with BOM, so Excel reads Chinese) and XLSX. Staff only."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook

from charity_site.core.formatting import format_iso_date, yuan_text
from charity_site.donations.labels import METHOD_LABELS, PLEDGE_STATUS_LABELS
from charity_site.donations.models import Pledge

HEADER = ("认捐编号", "状态", "认捐金额", "到账金额", "到账日期", "去向", "付款方式", "捐赠人", "手机", "邮箱",
          "需要票据", "票据号码", "证书编号", "登记时间")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    """A cell that a spreadsheet would run as a formula is written as text."""
    return "'" + value if value and value.startswith(_FORMULA_START) else value


def row_of(pledge: Pledge) -> list[str]:
    owner = pledge.project or pledge.fund
    return [_safe(str(value)) for value in (
        pledge.reference, PLEDGE_STATUS_LABELS[pledge.status], yuan_text(pledge.amount_fen) or "",
        yuan_text(pledge.received_amount_fen) or "", format_iso_date(pledge.received_on),
        owner.title if owner else "", METHOD_LABELS[pledge.method], pledge.donor_name or "", pledge.phone or "",
        pledge.email or "", "是" if pledge.wants_receipt else "否", pledge.receipt_number,
        pledge.certificate_label or "", format_iso_date(pledge.created_at),
    )]


def iter_csv(pledges: Iterable[Pledge]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    yield "\ufeff" + buffer.getvalue()
    for pledge in pledges:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row_of(pledge))
        yield buffer.getvalue()


def xlsx_bytes(pledges: Iterable[Pledge]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("认捐")
    sheet.append(list(HEADER))
    for pledge in pledges:
        sheet.append(row_of(pledge))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
