"""The cooperation registry: `create_app` wires configuration, extensions, areas and commands."""

import os

from flask import Flask

from config import Config, config_from_env


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates", static_folder="../static")
    register_config(app, config)
    register_extensions(app)
    register_i18n(app)
    register_url_converters(app)
    register_blueprints(app)
    register_errors(app)
    register_security(app)
    register_cli(app)
    return app


def register_config(app: Flask, config) -> None:
    config = config or config_from_env()
    overrides = {}
    if isinstance(config, dict):
        config, overrides = config_from_env(), config
    config.check()
    app.config.from_object(config)
    app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get(config.DATABASE_URL_VARIABLE) or default_database(app)
    config.finish(app.config)
    if not app.config.get("JOBS_URL"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["JOBS_URL"] = "sqlite:///" + os.path.join(app.instance_path, "jobs.db")


def default_database(app: Flask) -> str:
    if app.testing:
        return "sqlite://"
    os.makedirs(app.instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(app.instance_path, "registry.db")


def register_extensions(app: Flask) -> None:
    from registry.extensions import api, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.abspath(os.path.join(app.root_path, os.pardir, "migrations")),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from registry.api.errors import ErrorSchema

    api.ERROR_SCHEMA = ErrorSchema  # document errors in the registry's shape: {"message", "errors"}
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    from registry.auth.loader import configure_login

    configure_login(login_manager)
    from registry.services import matching, retrieval

    # Every commit that changed a company or a need rebuilds their retrieval documents.
    retrieval.keep_in_step(db.session, matching.analyzer)
    from registry.jobs.queue import init_queue
    from registry.services import jobs

    init_queue(app)
    jobs.queue_after_commit(db.session)  # a submitted job is queued once its row is committed
    from registry.page_cache import init_page_cache

    init_page_cache(app, db.session)


def register_i18n(app: Flask) -> None:
    from registry.i18n import init_i18n

    init_i18n(app)


AREAS = ("main", "auth", "catalog", "needs", "introductions", "projects", "events", "dashboard", "transfer",
         "jobs", "cabinet", "outbox")


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from registry.api import bp as api_bp
    from registry.api.docs import docs_bp
    from registry.extensions import api, csrf
    from registry.navigation import init_navigation

    for area in AREAS:
        app.register_blueprint(import_module(f"registry.{area}").bp)
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, not cookies
    api.register_blueprint(api_bp)
    app.register_blueprint(docs_bp)
    init_navigation(app)


def register_url_converters(app: Flask) -> None:
    from registry.url_converters import init_url_converters

    init_url_converters(app)


def register_errors(app: Flask) -> None:
    from registry.errors import init_errors

    init_errors(app)


def register_security(app: Flask) -> None:
    from registry.security import init_security

    init_security(app)


def register_cli(app: Flask) -> None:
    from registry.cli import init_cli

    init_cli(app)
