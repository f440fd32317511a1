"""Limits count per person where a person is known: an office behind one address is many users and tokens;
a stranger cannot lock an account's owner out; login and registration tell no one which addresses exist."""

import time

import pytest
from sqlalchemy import func, select

from registry import create_app
from registry.extensions import db
from registry.models import OutboxMessage, User
from registry.services.users import create_token
from tests.conftest import forget_per_request_state, make_config
from tests.factories import DEFAULT_PASSWORD, make_user

OFFICE = {"REMOTE_ADDR": "192.0.2.10"}  # one NAT address for the whole ministry


TIGHT = {"API_RATE_LIMIT": "3 per minute", "WEB_ANONYMOUS_RATE_LIMIT": "3 per minute", "WEB_USER_RATE_LIMIT": "5 per minute"}


@pytest.fixture
def limited_app(fresh_database_url, request):
    settings = TIGHT if request.node.get_closest_marker("tight") else {}
    app = create_app(make_config(fresh_database_url(), RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                                 **settings))
    # The app context stays open across requests here: forget the last user before the limiter asks for one.
    app.before_request_funcs.setdefault(None, []).insert(0, forget_per_request_state)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def log_in(client, user, password=DEFAULT_PASSWORD, address=OFFICE):
    return client.post("/auth/login", data={"email": user.email, "password": password}, environ_base=address)


def test_a_stranger_guessing_cannot_lock_the_owner_out(limited_app):
    owner = make_user("official", email="owner@example.org")
    db.session.commit()
    stranger = limited_app.test_client()
    codes = [log_in(stranger, owner, "wrong", {"REMOTE_ADDR": "203.0.113.5"}).status_code for _ in range(12)]
    assert codes[:10] == [400] * 10 and codes[10:] == [429, 429]  # the guesser is stopped…
    assert "Слишком много запросов" in log_in(stranger, owner, "wrong", {"REMOTE_ADDR": "203.0.113.5"}).get_data(as_text=True)
    assert log_in(limited_app.test_client(), owner, address={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302
    # … and the owner, from their own address with the right password, gets in.


@pytest.mark.tight
def test_token_holders_behind_one_address_have_limits_of_their_own(limited_app):
    tokens = [create_token(make_user("official")) for _ in range(2)]
    db.session.commit()
    client = limited_app.test_client()

    def call(token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get("/api/v1/regions", headers=headers, environ_base=OFFICE).status_code

    assert [call(tokens[0]) for _ in range(4)] == [200, 200, 200, 429]
    assert [call(tokens[1]) for _ in range(3)] == [200, 200, 200]  # a colleague is not refused for it
    assert call() == 200  # nor is the anonymous visitor at the same address


@pytest.mark.tight
def test_logged_in_users_and_anonymous_pages_have_limits_of_their_own(limited_app):
    users = [make_user("official") for _ in range(2)]
    db.session.commit()
    colleagues = [limited_app.test_client() for _ in users]
    for client, user in zip(colleagues, users, strict=True):
        assert log_in(client, user).status_code == 302
    visitor = limited_app.test_client()
    assert [visitor.get("/", environ_base=OFFICE).status_code for _ in range(4)][-1] == 429  # the address's own
    for client in colleagues:  # colleagues behind the same address, logged in, are not refused
        assert [client.get("/", environ_base=OFFICE).status_code for _ in range(5)] == [200] * 5
        assert client.get("/", environ_base=OFFICE).status_code == 429  # each has a limit of their own


def test_logging_in_with_an_unknown_address_takes_as_long_as_with_a_known_one(client, db):
    user = make_user("official", email="known@example.org")
    db.session.commit()

    def duration(email):
        times = []
        for _ in range(5):  # CPU time of this process: the hashing is the work, other processes are not
            start = time.process_time()
            assert client.post("/auth/login", data={"email": email, "password": "wrong pass"}).status_code == 400
            times.append(time.process_time() - start)
        return sorted(times)[2]

    known, unknown = duration(user.email), duration("nobody@example.org")
    assert unknown > known * 0.6, (known, unknown)


def register(client, email):
    from tests.factories import valid_inn

    return client.post("/auth/register", data={"email": email, "password": "another password", "confirm": "another password",
                                               "inn": valid_inn("73"), "company_name": "ООО «Проба»"})


def test_registration_answers_the_same_for_a_known_address_and_mails_its_owner(client, db):
    make_user("official", email="known@example.org")
    db.session.commit()
    known = register(client, "Known@example.org")
    new = register(app_client := client.application.test_client(), "new@example.org")
    assert known.status_code == new.status_code == 302 and known.headers["Location"] == new.headers["Location"]
    assert app_client.get(new.headers["Location"]).get_data(as_text=True).count("new@example.org") == \
        client.get(known.headers["Location"]).get_data(as_text=True).count("Known@example.org")
    assert db.session.scalar(select(func.count(User.id)).where(func.lower(User.email) == "known@example.org")) == 1
    to_owner = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "known@example.org"))
    assert to_owner is not None and "/auth/reset" in to_owner.body
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "new@example.org")) is not None
