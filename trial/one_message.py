"""Several statements sent to PostgreSQL in one message, for the randomiser's batch.

While twenty callers wait for the batch to commit, each round trip of the deciding caller costs
it a turn on a busy CPU (its database backend and then itself must be scheduled again), so its
statements that do not depend on each other's results travel together: the driver binds the
parameters on the client (Django's default cursor) and the server runs the statements in turn,
inside the caller's transaction, stopping at the first that fails (the transaction is then
rolled back as for any error). Elsewhere (SQLite, or a server-side binding cursor) they run one
at a time, with the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection
from psycopg import ClientCursor


@dataclass(frozen=True)
class Statement:
    """SQL with its parameters; ``many``: a list of parameter rows, for ``executemany``
    (SQLite's fast path; never sent together). ``convert`` turns the rows read into values as
    the ORM gives them."""

    sql: str
    params: Sequence
    many: bool = False
    convert: Callable[[list[tuple]], list[tuple]] | None = None


@dataclass(frozen=True)
class Result:
    rowcount: int  # rows written (or read)
    rows: list[tuple]  # rows read; empty for a write without RETURNING


def sends_together() -> bool:
    """Whether several statements can travel in one message (and SQL-level prepared statements
    run: ``trial.prepared``): PostgreSQL with the driver's client-side binding, Django's
    default."""
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    return issubclass(connection.connection.cursor_factory, ClientCursor)


def _read(cursor: object, statement: Statement) -> Result:
    rows = cursor.fetchall() if cursor.description is not None else []  # type: ignore[attr-defined]
    if statement.convert is not None:
        rows = statement.convert(rows)
    return Result(cursor.rowcount, rows)  # type: ignore[attr-defined]


def run_together(statements: Sequence[Statement]) -> list[Result]:
    """Run ``statements`` in order; each one's result, in the same order."""
    results: list[Result] = []
    with connection.cursor() as cursor:
        if not sends_together() or any(s.many for s in statements):
            for statement in statements:
                if statement.many:
                    cursor.executemany(statement.sql, statement.params)
                else:
                    cursor.execute(statement.sql, statement.params)
                results.append(_read(cursor, statement))
            return results
        cursor.execute(
            "; ".join(statement.sql for statement in statements),
            [param for statement in statements for param in statement.params],
        )
        for index, statement in enumerate(statements):
            if index:
                cursor.nextset()
            results.append(_read(cursor, statement))
    return results


@dataclass(frozen=True)
class Write:
    """A write that must touch exactly ``expected`` rows (``what`` names it in the error)."""

    statement: Statement
    expected: int
    what: str


def write_then_read(writes: Sequence[Write], reads: Sequence[Statement] = ()) -> list[Result]:
    """Inside a transaction: ``writes``, then ``reads`` (which see the writes), together;
    returns the reads' results. A write that touched another number of rows than it expected
    raises, and the caller's transaction is rolled back with everything it wrote."""
    results = run_together([write.statement for write in writes] + list(reads))
    for write, result in zip(writes, results, strict=False):
        if result.rowcount != write.expected:
            raise RuntimeError(
                f"{write.what}: {result.rowcount} of {write.expected} rows written; none kept"
            )
    return results[len(writes) :]
