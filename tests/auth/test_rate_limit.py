from registry import create_app
from registry.extensions import db
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
