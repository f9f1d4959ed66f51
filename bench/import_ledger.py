"""Measure the ledger import: preview (read and check every row) and import of a large file.

    python bench/import_ledger.py [--rows 5000] [--repeat 3] [--database-url URL]

Runs on a throwaway SQLite database, and also on PostgreSQL when --database-url,
BENCH_DATABASE_URL or TEST_DATABASE_URL is set (its tables are dropped and recreated:
use a throwaway database). Numbers are for comparing changes on one machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook
from sqlalchemy import func, select

from charity_site import create_app
from charity_site.config import normalise_database_url
from charity_site.extensions import db
from charity_site.finance import ledger_import
from charity_site.models import Fund, LedgerEntry, PublicationStatus

HEADERS = ["日期", "收支", "金额（元）", "基金", "项目", "类别", "渠道", "对方", "对方类型", "凭证号", "摘要", "备注"]
FUND = "番禺区慈善基金"


def rows(count: int, prefix: str) -> list[list]:
    start = date(2024, 1, 1)
    return [[
        start + timedelta(days=n % 365), "收入" if n % 3 else "支出",
        f"{(n * 37) % 100000 + 1},{n % 1000:03d}.{n % 100:02d}",
        FUND, "", "捐赠收入" if n % 3 else "慰问", "银行转账", f"捐赠人{n}", "个人" if n % 2 else "机构",
        f"{prefix}-{n:06d}", f"第{n}笔收支 示例摘要", "",
    ] for n in range(1, count + 1)]


def xlsx_file(data: list[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("收支明细")
    sheet.append(["2024年收支明细表"])
    sheet.append(HEADERS)
    for row in data:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(data: list[list]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows([[row[0].isoformat(), *row[1:]] for row in data])
    return buffer.getvalue().encode("gb18030")  # what Excel in China writes


def measure(url: str, label: str, count: int, repeat: int, tmp: Path) -> None:
    app = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(tmp)})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.add(Fund(slug="panyu", title=FUND, status=PublicationStatus.PUBLISHED))
        db.session.commit()
        for kind, make in (("xlsx", xlsx_file), ("csv", csv_file)):
            previews, imports = [], []
            for attempt in range(repeat):
                path = tmp / f"bench-{attempt}.{kind}"
                path.write_bytes(make(rows(count, f"{kind}{attempt}")))
                start = time.perf_counter()
                preview = ledger_import.build_preview(path, kind, path.name)
                middle = time.perf_counter()
                assert preview.ok, preview.problems[:3]
                imported = ledger_import.import_rows(preview)
                end = time.perf_counter()
                assert imported == count
                previews.append(middle - start)
                imports.append(end - middle)
            preview_s, import_s = statistics.median(previews), statistics.median(imports)
            print(f"{label:10} {kind:5} {count:6d} rows   preview {preview_s:6.2f} s   "
                  f"import {import_s:6.2f} s   total {preview_s + import_s:6.2f} s")
        total = db.session.scalar(select(func.count()).select_from(LedgerEntry))
        assert total == count * repeat * 2, total
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    postgres = args.database_url or os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"median of {args.repeat} runs (preview = read and check every row; import = one transaction)")
        measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "sqlite", args.rows, args.repeat, Path(tmp))
        if postgres:
            measure(normalise_database_url(postgres), "postgresql", args.rows, args.repeat, Path(tmp))
        else:
            print("postgresql skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL (a throwaway database)")


if __name__ == "__main__":
    main()
