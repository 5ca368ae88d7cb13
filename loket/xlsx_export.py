"""The year report as an Excel workbook (openpyxl): the same columns as the CSV,
numbers as numbers (Excel shows them with the reader's own decimal sign), the header
row bold and frozen. Text is always stored as text, never as a formula."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from loket.csv_export import Table

__all__ = ["XLSX_MEDIA_TYPE", "table_xlsx"]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TEXT = "s"


def table_xlsx(table: Table, title: str) -> bytes:
    """A workbook of one sheet named `title` (at most 31 characters)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    bold = Font(bold=True)
    for column, name in enumerate(table.header, start=1):
        cell = sheet.cell(row=1, column=column, value=name)
        cell.data_type = _TEXT
        cell.font = bold
        sheet.column_dimensions[get_column_letter(column)].width = max(10, len(name) + 2)
    for row_number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = _TEXT  # "=1+1" typed somewhere stays text
            elif isinstance(value, float):
                cell.number_format = "0.0"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
