"""Querysets compiled to SQL once per connection and run again with new values, for the hot
paths (a randomisation batch, the audit seal, the database-lock check of every audited write)
where building and compiling an ORM query costs the caller more CPU than the database spends
running it (on two busy cores, about a millisecond a query against a tenth of one).

The queryset stays the single statement of what is read: its SQL and its result converters
(dates on SQLite, JSON, encrypted fields) are the ORM's own, taken from its compiler on first
use. A list that varies from call to call is written ``field__any_of=Values("name")``: one
array parameter on PostgreSQL (``= ANY(%s)``) and one JSON text on SQLite (``json_each``), so the
SQL text does not depend on the list's length. Every other value in the queryset is fixed when
it is compiled: a query that depends on one is compiled once per value (``key``). On PostgreSQL
it is also planned once per session (``trial.prepared``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, ForeignObject, Lookup, QuerySet

from trial import prepared
from trial.one_message import Statement, run_together


@dataclass(frozen=True)
class Values:
    """A list given when the query runs (``rows(name=[...])``, ``statement(name=[...])``)."""

    name: str


class AnyOf(Lookup):
    """``field__any_of=Values("ids")``: the field's value is one of a list given at run time."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: object, connection: object) -> tuple[str, list]:
        if not isinstance(self.rhs, Values):
            raise TypeError("any_of takes a Values placeholder, filled when the query runs")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":  # type: ignore[attr-defined]
            return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, self.rhs]  # noqa: S608


def register_lookup() -> None:
    """Make ``any_of`` available on every field (called once, from the app's ``ready``)."""
    Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(AnyOf)  # related fields keep lookups of their own


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    convert: Callable[[list[tuple]], list[tuple]]
    name: str  # as a prepared statement (``trial.prepared``)


def _compile(queryset: QuerySet) -> _Compiled:
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    width = compiler.col_count  # as the ORM reads: columns added for ordering are dropped
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    converters = {pos: found for pos, found in converters.items() if pos < width}

    def convert(rows: list[tuple]) -> list[tuple]:
        rows = [row[:width] for row in rows] if rows and len(rows[0]) > width else rows
        if not converters:
            return rows
        return [tuple(row) for row in compiler.apply_converters(rows, converters)]

    return _Compiled(sql, tuple(params), convert, prepared.new_name("query"))


def _bound(param: object, values: dict[str, Iterable]) -> object:
    if not isinstance(param, Values):
        return param
    given = list(values[param.name])
    return given if connection.vendor == "postgresql" else json.dumps(given)


class CompiledQuery:
    """One queryset's SQL, compiled on first use on each connection (a connection belongs to
    one thread, and a forked server worker opens its own)."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self._build = build

    def statement(self, key: tuple = (), **values: Iterable) -> Statement:
        """The queryset ``build(*key)`` as a statement, with each ``Values`` placeholder bound
        to the list of that name (to run with others: ``trial.one_message``)."""
        # The wrapper itself (``connection`` is a proxy shared by every thread).
        cache = vars(connections[DEFAULT_DB_ALIAS]).setdefault("_compiled_queries", {})
        compiled = cache.get((self, key))
        if compiled is None:
            compiled = cache[(self, key)] = _compile(self._build(*key))
        params = [_bound(p, values) for p in compiled.params]
        sql = compiled.sql
        if prepared.ready(compiled.name, sql):
            sql = prepared.execute(compiled.name, len(params))
        return Statement(sql, params, convert=compiled.convert)

    def rows(self, key: tuple = (), **values: Iterable) -> list[tuple]:
        """The statement's rows, as ``values_list`` gives them."""
        return run_together([self.statement(key, **values)])[0].rows
