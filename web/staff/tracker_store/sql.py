"""SQL expressions that differ between SQLite and PostgreSQL, and LIKE escaping."""

from __future__ import annotations

import sqlalchemy as sa


def escape_like(text: str, escape: str = "\\") -> str:
    """Escapes LIKE wildcards so a search for `%` or `_` finds those characters."""
    return text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")


def contains_pattern(text: str) -> str:
    return "%" + escape_like(text) + "%"


def json_text(dialect: str, column: sa.sql.ColumnElement, *path: str) -> sa.sql.ColumnElement:
    """A field of a JSON text column as SQL text (path items are constants of this module)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import JSON

        expr: sa.sql.ColumnElement = sa.cast(column, JSON)
        for key in path[:-1]:
            expr = expr.op("->", return_type=JSON)(sa.literal(key))
        return expr.op("->>", return_type=sa.Text)(sa.literal(path[-1]))
    json_path = "$." + ".".join(f'"{key}"' for key in path)
    if dialect == "sqlite":
        return sa.func.json_extract(column, json_path, type_=sa.Text)
    return sa.func.json_unquote(sa.func.json_extract(column, json_path), type_=sa.Text)


def dialect_of(engine: sa.engine.Engine) -> str:
    return engine.dialect.name
