"""A list of integers passed as one parameter and read as a table, on SQLite and PostgreSQL.

One parameter keeps one cached statement for lists of any length. SQLite reads a JSON
array with json_each; PostgreSQL unnests an array. Either way the list comes out as a
one-column table (`value`) to join on, so the database seeks an index once per item.
"""
import json

from sqlalchemy import ARRAY, Integer, bindparam, func


def integer_table(parameter: str, dialect: str):
    """The table of the integers passed under `parameter` (see integer_list_parameter)."""
    if dialect == "postgresql":
        return func.unnest(bindparam(parameter, type_=ARRAY(Integer))).table_valued(
            "value").render_derived()
    return func.json_each(bindparam(parameter)).table_valued("value")


def integer_list_parameter(values: list[int], dialect: str):
    return values if dialect == "postgresql" else json.dumps(values)
