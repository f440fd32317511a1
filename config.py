"""Settings for each way the registry runs, read from the environment.

`DATABASE_URL` selects the database everywhere: a SQLite file
(`sqlite:////path/registry.db`) or PostgreSQL (`postgresql+psycopg://…`).
"""

import os
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import make_url

LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


class ConfigError(RuntimeError):
    """A setting the chosen configuration cannot run without is missing."""


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-change-me")
    # Read when the app starts: set DATABASE_URL (TEST_DATABASE_URL for tests) to choose the database;
    # unset, development uses a SQLite file in the instance folder and tests an in-memory SQLite.
    DATABASE_URL_VARIABLE = "DATABASE_URL"
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A stalled database must give a quick «try again» (503), not a worker blocked until gunicorn kills it.
    # PostgreSQL only (seconds; 0: no limit). The statement timeout stays under gunicorn's timeout
    # (gunicorn.conf.py); a long bulk command may lift it: DATABASE_STATEMENT_TIMEOUT=0 flask … demo-data.
    DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    DATABASE_STATEMENT_TIMEOUT = float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "30"))
    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = "Europe/Moscow"
    LANGUAGES = ("ru", "en")
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # «Запомнить меня» keeps a user logged in this many days (Flask-Login's default is a year).
    REMEMBER_COOKIE_DAYS = int(os.environ.get("REMEMBER_COOKIE_DAYS", "14"))
    REMEMBER_COOKIE_DURATION = timedelta(days=REMEMBER_COOKIE_DAYS)
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    MAIL_SERVER = os.environ.get("MAIL_SERVER")  # unset: mail goes to the outbox table only
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "registry@localhost")
    API_TITLE = "Cooperation registry API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    # Rate limits (Flask-Limiter syntax). Logged-in users and API tokens count on their own, so an office
    # behind one NAT address is not refused as one client; anonymous visitors count per address.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")  # per API route, per token or address
    WEB_ANONYMOUS_RATE_LIMIT = os.environ.get("WEB_ANONYMOUS_RATE_LIMIT", "600 per minute")  # all pages, per address
    WEB_USER_RATE_LIMIT = os.environ.get("WEB_USER_RATE_LIMIT", "600 per minute")  # all pages, per logged-in user
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "120 per minute")  # login attempts per address
    LOGIN_ACCOUNT_RATE_LIMIT = "10 per minute"  # per account and address together: guessing cannot lock out
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "30 per hour")  # reset mails asked per address
    RESET_ACCOUNT_RATE_LIMIT = "5 per hour"  # per account and address together
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "30 per hour")  # per address
    STALLED_AFTER_DAYS = 30
    # Where the registry is reached from outside: links in mails are built from it, since a worker has no
    # request to take a host from (and a request's Host header is not to be trusted in a mail).
    EXTERNAL_URL = os.environ.get("EXTERNAL_URL", "http://127.0.0.1:5000")
    # Host names answered (Flask's TRUSTED_HOSTS, filled by `finish`): comma-separated, "*" for any; unset, the
    # host of EXTERNAL_URL. Any other Host header gets a 400, so nothing can be built from a forged one.
    TRUSTED_HOSTS_SETTING = os.environ.get("TRUSTED_HOSTS", "")
    # Proxies in front of the registry (0: none): their X-Forwarded-For/-Proto/-Host/-Port/-Prefix are believed
    # for this many hops, so client addresses (rate limits) and https are the real ones. More would let
    # clients forge them.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    # A firm is alerted to a new need when its match scores above this. On the four judged sets (58 needs,
    # benchmarks/match_quality.py's files) 0.35 keeps 79 of 82 good suppliers (grade 2) and sends about one
    # and a half unjudged or poor suppliers per need (88 of 1,591); 0.30 sends 57 % more poor ones for one
    # more good one, 0.40 loses 9 % of the good ones. Pages show more (MIN_SCORE_SHOWN = 0.12): a page
    # costs nobody anything, a mail costs attention.
    ALERT_MIN_SCORE = float(os.environ.get("ALERT_MIN_SCORE", "0.35"))
    # Seconds the solver may spend on an event's meeting schedule (the page waits for it): 200 firms and
    # 1,000 meetings are placed within 0.1 % of the proven bound in 10 (benchmarks/event_schedule.py).
    SCHEDULE_TIME_LIMIT = float(os.environ.get("SCHEDULE_TIME_LIMIT", "10"))
    # The job queue (Huey): unset, development queues in a SQLite file in the instance folder.
    JOBS_URL = os.environ.get("JOBS_URL")
    JOB_RETRIES = 2  # an unexpected failure is tried this many more times, then shown to administrators
    JOB_RETRY_DELAY = 30  # seconds
    JOB_FILES_KEPT_HOURS = 24
    # Anonymous pages kept in a shared cache until the next public write (registry.page_cache); off unless set.
    PAGE_CACHE_TYPE = os.environ.get("PAGE_CACHE_TYPE")  # "RedisCache" (production's default) or "SimpleCache"
    PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_URL")
    PAGE_CACHE_SECONDS = 300
    PER_PAGE = 20
    TRANSFER_MAX_UPLOAD_MB = int(os.environ.get("TRANSFER_MAX_UPLOAD_MB", "10"))
    # An XLSX file is a zip archive: a 1 MB upload can unpack to gigabytes and take a worker's memory with it.
    # Real workbooks unpack to 5-10 times their size; one that would unpack to more than this is refused
    # before it is parsed (declared and actual sizes are both checked).
    IMPORT_MAX_UNPACKED_MB = int(os.environ.get("IMPORT_MAX_UNPACKED_MB", str(50 * TRANSFER_MAX_UPLOAD_MB)))
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "100000"))  # data rows of one file
    IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "100"))  # the templates have at most 14
    # A web page number above this is a 404 (the API refuses it with 422): a larger one overflows the
    # database's OFFSET, and no listing has that many pages.
    MAX_PAGE = 100_000
    HSTS_SECONDS = 0  # Strict-Transport-Security's max-age; production: a year

    @classmethod
    def check(cls):
        """Called by the app factory; production overrides it to refuse unsafe starts."""

    @staticmethod
    def finish(settings: dict) -> None:
        """Settings derived from others, once overrides are applied (`settings` is the app's config)."""
        if settings.get("TRUSTED_HOSTS") is None:
            settings["TRUSTED_HOSTS"] = allowed_hosts(settings["EXTERNAL_URL"], settings["TRUSTED_HOSTS_SETTING"])
        url = make_url(settings["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() == "postgresql":
            settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
                **settings["SQLALCHEMY_ENGINE_OPTIONS"],
                "connect_args": postgresql_timeouts(url, settings["DATABASE_CONNECT_TIMEOUT"],
                                                    settings["DATABASE_STATEMENT_TIMEOUT"])}


class DevelopmentConfig(Config):
    DEBUG = False  # the debugger is opt-in (`flask run --debug`), never on by default


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    DATABASE_URL_VARIABLE = "TEST_DATABASE_URL"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    JOBS_URL = "memory://"  # a test drains the queue itself, or starts a worker on a queue of its own
    PAGE_CACHE_TYPE = None  # a test turns it on for its own app
    JOB_RETRY_DELAY = 0


class ProductionConfig(Config):
    # Several web processes must share their counters: Redis unless told otherwise.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    JOBS_URL = os.environ.get("JOBS_URL", "redis://127.0.0.1:6379/1")
    PAGE_CACHE_TYPE = os.environ.get("PAGE_CACHE_TYPE", "RedisCache")
    PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_URL", "redis://127.0.0.1:6379/2")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))

    @classmethod
    def check(cls):
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "EXTERNAL_URL") if not os.environ.get(name)]
        if missing:
            hints = {"SECRET_KEY": "a long random string", "DATABASE_URL": "postgresql+psycopg://user@host/db",
                     "EXTERNAL_URL": "https://registry.example.ru"}
            raise ConfigError(
                "Production refuses to start without " + " and ".join(missing) + " ("
                + "; ".join(f"{name}: {hints[name]}" for name in missing) + ")."
            )
        if not os.environ["EXTERNAL_URL"].startswith("https://"):
            raise ConfigError("EXTERNAL_URL must be an https:// address in production: links in mails use it.")
        cls.SECRET_KEY = os.environ["SECRET_KEY"]
        cls.EXTERNAL_URL = os.environ["EXTERNAL_URL"]


def postgresql_timeouts(url, connect_timeout: int, statement_timeout: float) -> dict:
    """libpq's connect_timeout, and statement_timeout as a server option added to the URL's own `options`
    (connect_args would replace them, and the tests' search_path is one)."""
    options = [url.query["options"]] if url.query.get("options") else []
    if statement_timeout:
        options.append(f"-c statement_timeout={round(statement_timeout * 1000)}")
    return {"connect_timeout": connect_timeout, "options": " ".join(options)} if options else \
        {"connect_timeout": connect_timeout}


def allowed_hosts(external_url: str, configured: str) -> list[str] | None:
    """The host names to answer: those configured ("*": any, None), else EXTERNAL_URL's (both loopback names
    for a local address, as a browser on the machine may use either)."""
    if configured.strip() == "*":
        return None
    if configured.strip():
        return [host.strip() for host in configured.split(",") if host.strip()]
    host = urlsplit(external_url).hostname
    return list(LOOPBACK_HOSTS) if host in LOOPBACK_HOSTS else [host]


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env():
    """The configuration named by REGISTRY_CONFIG (default: development)."""
    return CONFIGS[os.environ.get("REGISTRY_CONFIG", "development")]
