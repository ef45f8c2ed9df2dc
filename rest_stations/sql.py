"""Queries over a list of integers passed as one parameter, on SQLite and PostgreSQL.

One parameter keeps one cached statement for lists of any length. SQLite reads a JSON
array with json_each; PostgreSQL unnests an array. For each integer, the rows it picks are
found through an index: one seek per item, whatever the planner's statistics say.
"""
import json
from collections.abc import Callable

from sqlalchemy import (ARRAY, ColumnElement, Integer, Select, any_, bindparam, column, func, select,
                        true)


def integer_list_parameter(values: list[int], dialect: str):
    return values if dialect == "postgresql" else json.dumps(values)


def select_for_each(dialect: str, parameter: str, columns: list,
                    condition_for: Callable[[ColumnElement], ColumnElement]) -> Select:
    """SELECT columns of the rows that condition_for(value) picks, for each integer passed
    under `parameter`; order and limit it through its selected_columns."""
    if dialect == "postgresql":
        values = func.unnest(bindparam(parameter, type_=ARRAY(Integer))).table_valued(
            column("value", Integer)).render_derived()
        # Joined plainly, PostgreSQL may plan a hash join over a whole-table scan, and a
        # prepared statement's generic plan often does; a lateral subquery behind OFFSET 0
        # cannot be flattened, so it stays one index scan per value.
        per_value = select(*columns).where(condition_for(values.c.value)).offset(0).lateral()
        return select(*per_value.c).select_from(values).join(per_value, true())
    values = _json_values(parameter)
    return select(*columns).select_from(values).where(condition_for(values.c.value))


def in_integer_list(column, parameter: str, dialect: str) -> ColumnElement:
    """`column IN` the integers passed under `parameter`, as one index lookup each."""
    if dialect == "postgresql":
        return column == any_(bindparam(parameter, type_=ARRAY(Integer)))
    return column.in_(select(_json_values(parameter).c.value))


def _json_values(parameter: str):
    """SQLite's table of the integers in the JSON array passed under `parameter`."""
    return func.json_each(bindparam(parameter)).table_valued(column("value", Integer))
