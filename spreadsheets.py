"""Cells that leave the site in a CSV or xlsx file, made safe to open in Excel or WPS.

A cell that begins with =, +, -, @, tab or carriage return is read as a formula by
spreadsheet programs (CSV injection). Every export passes its cells through `safe_cell`,
which prefixes such text with an apostrophe, the OWASP way; importers pass cells through
`unguard_cell`, so a file we exported comes back unchanged.
"""
import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def safe_cell(value):
    """`value` as an export cell: text that would start a formula gets a leading apostrophe.
    Numbers stay numbers (a negative number is data, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return GUARD + value
    return value


def unguard_cell(value):
    """Undo `safe_cell` on an imported cell."""
    if (isinstance(value, str) and value.startswith(GUARD)
            and value[1:2] and value[1:].startswith(FORMULA_STARTS)):
        return value[1:]
    return value


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


def csv_text(rows: Iterable[Iterable], *, bom: bool = True) -> str:
    """Rows as CSV text, every cell made safe; the BOM makes Excel read UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(safe_row(row))
    return ("\ufeff" if bom else "") + buffer.getvalue()
