"""Language choice, the registry's day and time zone, and the Russian-first formatting helpers shared by
templates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from registry.extensions import babel
from registry.labels import label, source_words


def local_today() -> date:
    """The registry's day (Moscow time by default): a closing date ends at midnight there, not in UTC."""
    return datetime.now(local_zone()).date()


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Moscow")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    if request.path.startswith("/api/"):  # programs say what they want; people switch on the page
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def localized(obj, field: str = "name") -> str:
    """The Russian or English variant of a bilingual field (`name_ru`/`name_en`)."""
    lang = str(get_locale() or "ru")
    return getattr(obj, f"{field}_{lang}", None) or getattr(obj, f"{field}_ru")


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(localized=localized, get_locale=get_locale, label=label)
    app.jinja_env.filters.update(
        date=format_date, datetime=format_datetime, number=format_decimal, source_words=source_words,
    )
