"""The database full-text indexes over the pre-stemmed `search_text` columns of companies and needs.

The text is stemmed by `registry.matching.text.stemmed_text` before it is stored, so the databases
only tokenise on spaces and never stem on their own:

- SQLite: an FTS5 table with external content (`companies_fts` reads `companies.search_text`), kept in
  step by triggers; ranked with `bm25()`.
- PostgreSQL: a stored generated column `search_vector = to_tsvector('simple', search_text)` with a
  GIN index; ranked with `ts_rank`.

These objects live outside the SQLAlchemy metadata: the migration `9c4e2b7d1a60` creates them with
`ensure_fulltext`, the tests' `create_all()` databases get them from the same function, and
`include_object` keeps Alembic's autogenerate from proposing to drop them.

On SQLite, a later migration that rebuilds `companies` or `needs` in batch mode drops the triggers with
the old table: such a migration must call `ensure_fulltext(op.get_bind())` (it is idempotent) afterwards.
"""

from sqlalchemy import text

# table with the search_text column -> its SQLite FTS5 table
FULLTEXT_TABLES = {"companies": "companies_fts", "needs": "needs_fts"}
SEARCH_VECTOR = "search_vector"  # the PostgreSQL generated column


def gin_index_name(table: str) -> str:
    return f"ix_{table}_{SEARCH_VECTOR}"


def _sqlite_statements(table: str, fts: str) -> list[str]:
    # remove_diacritics 0: the stems are already folded; PostgreSQL's `simple` does not fold "й" either.
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(search_text, content='{table}', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, coalesce(new.search_text, '')); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, coalesce(old.search_text, '')); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF search_text ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, coalesce(old.search_text, '')); "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, coalesce(new.search_text, '')); END",
        # Indexes rows that existed before the table (a no-op on an empty database).
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _postgresql_statements(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {SEARCH_VECTOR} tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED",
        f"CREATE INDEX IF NOT EXISTS {gin_index_name(table)} ON {table} USING gin ({SEARCH_VECTOR})",
    ]


def create_statements(dialect: str) -> list[str]:
    """SQL that creates the full-text objects (idempotent), for `dialect` ("sqlite" or "postgresql")."""
    statements = []
    for table, fts in FULLTEXT_TABLES.items():
        if dialect == "sqlite":
            statements += _sqlite_statements(table, fts)
        elif dialect == "postgresql":
            statements += _postgresql_statements(table)
    return statements


def drop_statements(dialect: str) -> list[str]:
    statements = []
    for table, fts in FULLTEXT_TABLES.items():
        if dialect == "sqlite":
            statements += [f"DROP TRIGGER IF EXISTS {fts}_{event}" for event in ("insert", "delete", "update")]
            statements.append(f"DROP TABLE IF EXISTS {fts}")
        elif dialect == "postgresql":
            statements += [f"DROP INDEX IF EXISTS {gin_index_name(table)}",
                           f"ALTER TABLE {table} DROP COLUMN IF EXISTS {SEARCH_VECTOR}"]
    return statements


def ensure_fulltext(connection) -> None:
    """Creates the full-text tables, triggers, columns and indexes where they are missing."""
    for statement in create_statements(connection.dialect.name):
        connection.execute(text(statement))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic autogenerate filter: the full-text objects exist only in the database, on purpose."""
    if not reflected or compare_to is not None:
        return True
    if type_ == "table":
        return not any(name == fts or name.startswith(fts + "_") for fts in FULLTEXT_TABLES.values())
    if type_ == "column":
        return name != SEARCH_VECTOR
    if type_ == "index":
        return name not in {gin_index_name(table) for table in FULLTEXT_TABLES}
    return True
