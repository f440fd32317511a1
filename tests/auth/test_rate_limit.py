from registry import create_app
from registry.extensions import db, limiter
from tests.conftest import make_config


def test_login_attempts_are_limited_per_account(fresh_database_url):
    app = create_app(make_config(fresh_database_url(), RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"))
    with app.app_context():
        db.create_all()
        client = app.test_client()
        codes = [client.post("/auth/login", data={"email": "x@example.org", "password": "wrong"},
                             environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(12)]
        page = client.post("/auth/login", data={"email": "x@example.org", "password": "wrong"}).get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
    assert codes[:10] == [400] * 10 and codes[10:] == [429, 429]
    assert "Слишком много запросов" in page


def test_production_counts_in_redis_shared_by_every_process(monkeypatch, fresh_database_url):
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        import pytest

        pytest.skip("no Redis on 127.0.0.1:6379")
    from config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("EXTERNAL_URL", "https://registry.example.ru")
    monkeypatch.setenv("DATABASE_URL", fresh_database_url())
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    app = create_app(ProductionConfig)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert type(limiter.storage).__name__ == "RedisStorage" and limiter.storage.check()
