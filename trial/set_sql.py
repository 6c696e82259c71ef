"""Writing many rows of one table in one statement, for the few hot paths that write in bulk
(a batch of randomisations, the audit trail and its sealing).

On PostgreSQL the rows travel as one JSON document read back as the table's own row type
(``json_populate_recordset``): one short statement (per 5,000 rows inserted), parsed once by
the driver and planned once by the server, where a pipelined ``executemany`` pays both for every
row, a multi-row ``VALUES`` pays the driver's parse of a text that grows with the rows, and
arrays cost the driver's Python adaptation of every value (three times the JSON encoding's CPU
for a batch's sixty audit rows). SQLite has no network: ``executemany`` of the one-row statement
is its fast path.

Values are given as stored (already through ``get_db_prep_save`` where the stored form depends
on the database); table and column names come from the models' metadata, never from input.
"""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import json
import uuid
from collections.abc import Sequence
from functools import cache

from django.db import connection
from django.db.models import Model

from trial.one_message import Statement, Write, run_together

# Rows per INSERT on PostgreSQL: a bulk import's trail goes in documents of bounded size.
INSERT_CHUNK = 5000


@cache
def _column(model: type[Model], name: str) -> str:
    return model._meta.get_field(name).column


def _json_value(value: object) -> str:
    """The text PostgreSQL reads back as the column's type. Times keep their microseconds
    (``DjangoJSONEncoder`` would cut them to milliseconds, and the value returned to the caller
    would then differ from the one stored)."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(
        value, (uuid.UUID, decimal.Decimal, ipaddress.IPv4Address, ipaddress.IPv6Address)
    ):
        return str(value)
    raise TypeError(f"no JSON form for a {type(value).__name__} column value")


def _check_width(rows: Sequence[tuple], width: int) -> None:
    if any(len(row) != width for row in rows):
        raise ValueError(f"every row needs {width} values")


def _key_range(rows: Sequence[tuple]) -> tuple[object, object]:
    keys = [row[0] for row in rows]
    return min(keys), max(keys)


def _document(columns: Sequence[str], rows: Sequence[tuple]) -> str:
    return json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=_json_value)


def insert_writes(model: type[Model], names: Sequence[str], rows: Sequence[tuple]) -> list[Write]:
    """The statements inserting ``rows`` (values in ``names`` order), each with how many rows
    it must insert: none for no rows."""
    if not rows:
        return []
    _check_width(rows, len(names))
    table = model._meta.db_table
    what = f"insert into {table}"
    columns = [_column(model, name) for name in names]
    listed = ", ".join(columns)
    if connection.vendor != "postgresql":
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {table} ({listed}) VALUES ({marks})"  # noqa: S608
        return [Write(Statement(sql, list(rows), many=True), len(rows), what)]
    chunks = [rows[start : start + INSERT_CHUNK] for start in range(0, len(rows), INSERT_CHUNK)]
    return [
        Write(
            Statement(
                f"INSERT INTO {table} ({listed}) SELECT {listed} "  # noqa: S608
                f"FROM json_populate_recordset(NULL::{table}, %s)",
                [_document(columns, chunk)],
            ),
            len(chunk),
            what,
        )
        for chunk in chunks
    ]


def insert_rows(model: type[Model], names: Sequence[str], rows: Sequence[tuple]) -> int:
    """Insert ``rows`` (values in ``names`` order); returns how many were inserted."""
    statements = [write.statement for write in insert_writes(model, names, rows)]
    return sum(result.rowcount for result in run_together(statements))


def update_statement(
    model: type[Model],
    key: str,
    names: Sequence[str],
    rows: Sequence[tuple],
    unless_set: str | None = None,
) -> Statement | None:
    """The statement setting columns ``names`` of each row whose ``key`` is a row's first value
    to the row's other values; with ``unless_set``, only rows where that column is still NULL (a
    guard against writing over a value another writer set). None for no rows. Its row count is
    for the caller to check against what it expected."""
    if not rows:
        return None
    _check_width(rows, len(names) + 1)
    table = model._meta.db_table
    key_column, columns = _column(model, key), [_column(model, name) for name in names]
    guard = f" AND t.{_column(model, unless_set)} IS NULL" if unless_set else ""
    if connection.vendor == "postgresql":
        assignments = ", ".join(f"{column} = v.{column}" for column in columns)
        return Statement(
            f"UPDATE {table} AS t SET {assignments} "  # noqa: S608
            f"FROM json_populate_recordset(NULL::{table}, %s) AS v "
            f"WHERE t.{key_column} = v.{key_column}{guard} "
            # The keys' range, known to the planner (the document's rows are not): the
            # key's index finds the rows, not a scan of another index the guard matches.
            f"AND t.{key_column} BETWEEN %s AND %s",
            [_document([key_column, *columns], rows), *_key_range(rows)],
        )
    assignments = ", ".join(f"{column} = %s" for column in columns)
    return Statement(
        f"UPDATE {table} AS t SET {assignments} WHERE t.{key_column} = %s{guard}",  # noqa: S608
        [(*row[1:], row[0]) for row in rows],
        many=True,
    )


def update_rows(
    model: type[Model],
    key: str,
    names: Sequence[str],
    rows: Sequence[tuple],
    unless_set: str | None = None,
) -> int:
    """``update_statement``, run: returns how many rows were updated."""
    statement = update_statement(model, key, names, rows, unless_set)
    return run_together([statement])[0].rowcount if statement else 0
