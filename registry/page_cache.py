"""A shared cache of what anonymous visitors are shown, dropped as a whole by any public write.

A visitor with no session cookie and no API token sees the same page for the same address and language,
so the rendered answer is kept (Flask-Caching: Redis in production, shared by every worker and machine;
off in development and tests unless PAGE_CACHE_TYPE is set). Each key holds a generation number, and
every commit that changed a public row (a company, need, project, event…) moves the generation on:
the next request of every worker renders afresh. Logged-in users and token holders are never served
from it, and an answer that sets a cookie is never kept.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from sqlalchemy import event

from registry.extensions import page_cache

GENERATION = "page-generation"
CACHED_TYPES = ("text/html", "application/json")
LARGEST_KEPT = 512 * 1024
# Rows no anonymous page shows: writing them (a job's progress, a token's last use) keeps the cache.
PRIVATE_TABLES = {"jobs", "outbox", "api_tokens", "pending_uploads", "users", "audit_entries", "need_alerts",
                  "project_reminders"}


def anonymous_get() -> bool:
    return (request.method == "GET" and not request.path.startswith("/static/")
            and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
            and current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies
            and "Authorization" not in request.headers)


def key() -> str:
    generation = page_cache.get(GENERATION) or 0
    return f"page:{generation}:{get_locale()}:{request.full_path}"


def serve_kept():
    if not anonymous_get():
        return None
    g.page_cache_key = key()
    kept = page_cache.get(g.page_cache_key)
    if kept is None:
        return None
    body, status, headers = kept
    g.page_cache_hit = True
    return current_app.response_class(body, status=status, headers=headers)


def keep(response):
    cache_key = g.get("page_cache_key")
    # The session cookie is written after this hook: a session that now holds anything (a CSRF token, a
    # flash) makes the answer someone's own.
    if (cache_key and not g.get("page_cache_hit") and response.status_code == 200 and not response.direct_passthrough
            and response.mimetype in CACHED_TYPES and "Set-Cookie" not in response.headers and not session):
        body = response.get_data()
        if len(body) <= LARGEST_KEPT:
            headers = [(name, value) for name, value in response.headers.items()
                       if name.lower() in ("content-type", "content-language", "vary")]
            page_cache.set(cache_key, (body, response.status_code, headers))
    return response


def _note_public_writes(session, flush_context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) not in PRIVATE_TABLES:
            session.info["public_write"] = True
            return


def _note_bulk_writes(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and not _private_statement(state.statement):
        state.session.info["public_write"] = True


def _private_statement(statement) -> bool:
    table = getattr(statement, "table", None)
    return getattr(table, "name", None) in PRIVATE_TABLES


def _move_generation(session) -> None:
    if session.info.pop("public_write", False) and page_cache in current_app.extensions.get("cache", {}):
        page_cache.cache.inc(GENERATION)


def _forget(session) -> None:
    session.info.pop("public_write", None)


def init_page_cache(app: Flask, scoped_session) -> None:
    if app.config.get("PAGE_CACHE_TYPE"):
        page_cache.init_app(app, config={"CACHE_TYPE": app.config["PAGE_CACHE_TYPE"],
                                         "CACHE_REDIS_URL": app.config.get("PAGE_CACHE_URL"),
                                         "CACHE_DEFAULT_TIMEOUT": app.config.get("PAGE_CACHE_SECONDS", 300)})
        app.before_request(serve_kept)
        app.after_request(keep)
    if not getattr(scoped_session, "_page_cache_hooks", False):
        event.listen(scoped_session, "after_flush", _note_public_writes)
        event.listen(scoped_session, "do_orm_execute", _note_bulk_writes)
        event.listen(scoped_session, "after_commit", _move_generation)
        event.listen(scoped_session, "after_rollback", _forget)
        scoped_session._page_cache_hooks = True
