"""PostgreSQL: the handle the repositories get instead of an aiosqlite connection, and the SQL glue.

`PgDatabase` wraps an asyncpg pool. bot.storage.tx runs every statement on it: outside a
transaction on any pooled connection (autocommit), inside `transaction()` on the one connection
that transaction holds. Rows are asyncpg Records, read like sqlite3.Row: `row[0]` or `row["col"]`.

The repositories' SQL is written once, with `?` placeholders; `to_pg` numbers them ($1, $2, ...)
for PostgreSQL. That is mechanical, so a `?` inside a quoted literal would be wrong: `to_pg`
refuses such a statement (none of ours has one; tests/test_storage_pg.py checks every statement
in bot/storage).

The URL may carry a password: log `describe_url(url)` (host, port, database), never the URL.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(SCHEMES)


def describe_url(url: str) -> str:
    """host:port/database of a PostgreSQL URL: what may be logged (no user, no password)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or 5432
    except ValueError:
        return "postgresql (unreadable URL)"
    database = unquote(parts.path.lstrip("/")) or "(default database)"
    return f"postgresql {host}:{port}/{database}"


def scrub(text: str, url: str) -> str:
    """`text` (an error message, say) with the URL's password, if any, replaced by ***."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    for secret in {password, unquote(password or "")} - {None, ""}:
        text = text.replace(secret, "***")  # type: ignore[arg-type]
    return text


class PgDatabase:
    """An asyncpg pool, migrated; what open_database returns for a postgresql:// URL."""

    dialect = "postgresql"

    def __init__(self, pool: Any, where: str) -> None:
        self.pool = pool
        self.where = where  # describe_url(url): safe to log

    def __repr__(self) -> str:
        return f"<PgDatabase {self.where}>"

    async def close(self) -> None:
        await self.pool.close()


@lru_cache(maxsize=2048)
def to_pg(sql: str) -> str:
    """`?` placeholders numbered for PostgreSQL ($1, $2, ...). Refuses a `?` inside '...' or "..."."""
    out: list[str] = []
    quote: str | None = None
    n = 0
    for ch in sql:
        if quote is not None:
            if ch == quote:
                quote = None
            elif ch == "?":
                raise ValueError(f"a '?' inside a quoted literal cannot be translated: {sql!r}")
            out.append(ch)
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            n += 1
            out.append(f"${n}")
        else:
            out.append(ch)
    return "".join(out)


_COUNT = re.compile(r"(\d+)\s*$")


def status_count(status: str) -> int:
    """Rows changed, from asyncpg's command status ("UPDATE 3", "INSERT 0 1", "DELETE 0")."""
    match = _COUNT.search(status or "")
    return int(match.group(1)) if match else 0
