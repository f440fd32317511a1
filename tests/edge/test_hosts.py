"""Only the registry's own host names are answered, and a proxy's headers are believed only when configured."""

import pytest
from flask import request
from sqlalchemy import select

from registry import create_app
from registry.models import OutboxMessage
from tests.conftest import make_config
from tests.factories import make_user


def test_a_reset_asked_through_an_unknown_host_is_refused_and_mails_nothing(client, db):
    make_user("official", email="official@example.org")
    db.session.commit()
    response = client.post("/auth/reset", data={"email": "official@example.org"}, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert not any("evil.example" in mail.body for mail in db.session.scalars(select(OutboxMessage)))
    assert db.session.scalar(select(OutboxMessage)) is None


def test_the_api_refuses_an_unknown_host_in_json(client, db):
    response = client.get("/api/v1/regions", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.is_json and response.json["message"]


def test_the_configured_host_is_answered(client, db):
    assert client.get("/", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}).status_code == 200


@pytest.mark.parametrize(("external_url", "configured", "expected"), [
    ("https://registry.example.ru", "", ["registry.example.ru"]),
    ("https://registry.example.ru:8443/base", "", ["registry.example.ru"]),
    ("http://127.0.0.1:5000", "", ["127.0.0.1", "localhost"]),
    ("https://registry.example.ru", "registry.example.ru, .registry.example.ru", ["registry.example.ru", ".registry.example.ru"]),
    ("https://registry.example.ru", "*", None),
])
def test_trusted_hosts_come_from_the_setting_or_from_external_url(external_url, configured, expected):
    from config import allowed_hosts

    assert allowed_hosts(external_url, configured) == expected


def test_behind_a_proxy_its_forwarded_headers_are_believed_for_the_configured_hops(db):
    def client_address():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    app = create_app(make_config("sqlite://", PROXY_HOPS=1))  # one proxy in front: its headers are believed
    app.add_url_rule("/_client", view_func=client_address)
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "localhost"}
    seen = app.test_client().get("/_client", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"}).json
    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "localhost"}

    direct = create_app(make_config("sqlite://"))  # PROXY_HOPS = 0: nobody's forwarded headers are believed
    direct.add_url_rule("/_client", view_func=client_address)
    seen = direct.test_client().get("/_client", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"}).json
    assert seen == {"addr": "10.0.0.2", "scheme": "http", "host": "localhost"}
