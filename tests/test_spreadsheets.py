"""Exported cells cannot run as formulas, and re-imported cells come back unchanged."""
import pytest

from spreadsheets import csv_text, safe_cell, unguard_cell


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\tx", "\rx",
                                  "=HYPERLINK(\"http://evil.example\")"])
def test_formula_starts_are_neutralised_and_restored(text):
    cell = safe_cell(text)
    assert cell == "'" + text
    assert unguard_cell(cell) == text


@pytest.mark.parametrize("value", ["张三", "河东区", "", "'quoted", 5, -3.5, None])
def test_ordinary_cells_pass_through_both_ways(value):
    assert safe_cell(value) == value
    assert unguard_cell(value) == value


def test_csv_text_guards_every_cell():
    text = csv_text([["name", "note"], ["=cmd|' /C calc'!A0", "@x"]])
    assert text.startswith("\ufeff")
    assert "'=cmd|' /C calc'!A0,'@x" in text
