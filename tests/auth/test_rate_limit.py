from registry import create_app
from registry.extensions import limiter


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
