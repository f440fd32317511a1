from registry import create_app
from registry.extensions import db, limiter
from tests.conftest import make_config


def test_login_attempts_are_limited_per_account(fresh_database_url):
    was_enabled = limiter.enabled
    app = create_app(make_config(fresh_database_url(), RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"))
    try:
        with app.app_context():
            db.create_all()
            client = app.test_client()
            codes = [client.post("/auth/login", data={"email": "x@example.org", "password": "wrong"},
                                 environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(12)]
            page = client.post("/auth/login", data={"email": "x@example.org", "password": "wrong"}).get_data(as_text=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        # The limiter is one object shared by every app of this process: switch it back for the other tests.
        limiter.reset()
        limiter.enabled = was_enabled
    assert codes[:10] == [400] * 10 and codes[10:] == [429, 429]
    assert "Слишком много запросов" in page
