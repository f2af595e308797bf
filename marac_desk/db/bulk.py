"""Fast bulk inserts for generated and imported data.

SQLAlchemy's Core executemany compiles parameters row by row (about two thirds of the cost of a
large demo or import). Here each column's conversion is decided once, the rows are transposed so
each conversion runs over one column in a comprehension, and the driver's executemany gets the
tuples. Column defaults are applied as the ORM would, so callers may leave out columns that have
defaults.

On SQLite the common types are converted by the standard library's own C methods, which write
exactly the text SQLAlchemy's SQLite dialect stores (checked by tests/db/test_bulk.py); anything
else goes through the dialect's bind processor.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Table, Time, insert
from sqlalchemy.engine import Connection

Converter = Callable[[Any], Any] | None


class JsonText(str):
    """Text already encoded the way the store writes JSON (`db.store.compact_json`): a JSON
    column given one stores it as it is, for callers that can put the text together faster
    than encoding a fresh structure for every row."""

    __slots__ = ()


def _default_of(column: Column[Any]) -> Callable[[], Any]:
    default = column.default
    if default is None:
        return lambda: None
    arg = getattr(default, "arg", None)
    if getattr(default, "is_scalar", False):
        return lambda: arg
    if callable(arg):
        return lambda: arg(None)
    return lambda: None


def _sqlite_shortcut(column: Column[Any]) -> Callable[[Any], Any] | None:
    """The C-speed equivalent of SQLAlchemy's SQLite storage format, where there is one."""
    kind = column.type
    if isinstance(kind, DateTime):
        return lambda v: v.isoformat(" ", "microseconds")
    if isinstance(kind, Date):
        return dt.date.isoformat
    if isinstance(kind, Time):
        return lambda v: v.isoformat("microseconds")
    if isinstance(kind, Boolean):
        return int
    if isinstance(kind, JSON):
        from marac_desk.db.store import compact_json  # the engine's own serializer

        return compact_json
    return None


def _converter(conn: Connection, column: Column[Any]) -> Converter:
    convert: Converter = None
    if conn.dialect.name == "sqlite":
        convert = _sqlite_shortcut(column)
    if convert is None:
        impl = column.type.dialect_impl(conn.dialect)
        convert = impl.bind_processor(conn.dialect)
    if isinstance(column.type, JSON) and convert is not None:
        encode = convert
        return lambda v: v if type(v) is JsonText else encode(v)
    return convert


@contextlib.contextmanager
def deferred_indexes(conn: Connection, models: Iterable[Any]) -> Iterator[None]:
    """Drop the secondary (non-unique) indexes of these tables for a large load and build them
    again at the end, inside the caller's transaction: building an index once from all rows is
    far cheaper than growing it row by row. If anything fails the transaction rolls back, and
    the indexes with it (DDL is transactional here)."""
    indexes = [
        index
        for model in models
        for index in sorted(model.__table__.indexes, key=lambda i: i.name or "")
        if not index.unique
    ]
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)


@contextlib.contextmanager
def larger_page_cache(conn: Connection, kib: int = 256 * 1024) -> Iterator[None]:
    """A bigger page cache for one large unit of work, then the usual one again: rows spread
    over many index pages are not spilled, re-read and decrypted again and again."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.dbapi_connection
    assert raw is not None
    (before,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(before)}")


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert `rows` (dicts keyed by column name) into `table`; returns how many."""
    if not rows:
        return 0
    first = rows[0].keys()
    present: set[str] = set(first)
    uniform = all(row.keys() == first for row in rows)
    if not uniform:
        for row in rows:
            present.update(row.keys())
    unknown = present - {c.key for c in table.columns}
    if unknown:
        raise KeyError(f"{table.name} has no column(s) {sorted(unknown)}")
    columns = [c for c in table.columns if c.key in present or c.default is not None]
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=[c.key for c in columns])
    order = list(compiled.positiontup or [c.key for c in columns])
    by_key = {c.key: c for c in columns}

    # Rows that lack a column get its default; then one C-level pass builds the tuples.
    if not uniform:
        for key in order:
            default = _default_of(by_key[key])
            rows = [row if key in row else {**row, key: default()} for row in rows]
    elif len(order) != len(present):
        # Every row lacks the same columns: one merge per row, not one pass per column.
        makers = [(key, _default_of(by_key[key])) for key in order if key not in present]
        rows = [{**row, **{key: make() for key, make in makers}} for row in rows]
    getter = itemgetter(*order)
    tuples = list(map(getter, rows)) if len(order) > 1 else [(getter(r),) for r in rows]

    converters = [_converter(conn, by_key[key]) for key in order]
    if any(converters):
        columns_data: list[Sequence[Any]] = list(zip(*tuples, strict=True))
        for i, convert in enumerate(converters):
            if convert is not None:
                columns_data[i] = [
                    None if value is None else convert(value) for value in columns_data[i]
                ]
        tuples = list(zip(*columns_data, strict=True))
    conn.exec_driver_sql(str(compiled), tuples)
    return len(tuples)
