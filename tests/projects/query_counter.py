"""Counts the SQL statements a block of code sends (list pages must not grow with their rows)."""

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def count_queries(engine):
    statements: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def page_queries(client, engine, url: str) -> int:
    """How many statements one GET of `url` sends (it must answer 200)."""
    with count_queries(engine) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)
