"""The main menu: each area appears once its blueprint is registered and the user may open it."""

from flask import Flask, current_app
from flask_login import current_user

from registry.translation import lazy_gettext as _l

MENU = (
    ("cabinet.index", _l("My company"), ("company",)),
    ("cabinet.index", _l("My desk"), ("official", "admin")),
    ("catalog.index", _l("Companies"), None),
    ("needs.index", _l("Open needs"), None),
    ("projects.index", _l("Projects"), ("official", "admin")),
    ("events.index", _l("Events"), None),
    ("dashboard.index", _l("Dashboard"), ("official", "admin")),
)
# Officials' tools, folded into one menu so the bar fits a laptop screen.
TOOLS = (
    ("introductions.index", _l("Introductions"), ("official", "admin")),
    ("transfer.index", _l("Import and export"), ("official", "admin")),
    ("jobs.index", _l("My downloads"), ("official", "admin")),
    ("auth.representatives", _l("Representatives"), ("official", "admin")),
    ("auth.users", _l("Users"), ("admin",)),
    ("auth.audit", _l("Audit log"), ("official", "admin")),
    ("api_docs.docs", _l("API"), None),
)


def nav_links(menu=MENU) -> list[tuple[str, str]]:
    links = []
    for endpoint, title, roles in menu:
        if endpoint not in current_app.view_functions:
            continue
        if roles and not (current_user.is_authenticated and current_user.role in roles):
            continue
        links.append((endpoint, title))
    return links


def init_navigation(app: Flask) -> None:
    app.jinja_env.globals["nav_links"] = nav_links
    app.jinja_env.globals["tool_links"] = lambda: nav_links(TOOLS)
