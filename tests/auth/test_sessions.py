"""Sessions end with the password: a change, a reset, a logout or an administrator's lock ends the user's
other sessions and remember-cookies."""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import select

from registry.models import OutboxMessage
from tests.factories import DEFAULT_PASSWORD, make_user


def logged_in_client(app, user, *, remember=False):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD,
                                                "remember": "y" if remember else ""})
    assert response.status_code == 302
    return client


def is_logged_in(client) -> bool:
    return client.get("/auth/password").status_code == 200  # anonymous visitors are sent to log in


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, db):
    user = make_user("official")
    db.session.commit()
    here, elsewhere = logged_in_client(app, user), logged_in_client(app, user, remember=True)
    response = here.post("/auth/password", data={"current_password": DEFAULT_PASSWORD, "password": "new password 1",
                                                 "confirm": "new password 1"})
    assert response.status_code == 302
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)


def test_a_remember_cookie_dies_with_the_password(app, db):
    user = make_user("official")
    db.session.commit()
    elsewhere = logged_in_client(app, user, remember=True)
    elsewhere.delete_cookie("session")
    assert is_logged_in(elsewhere)  # the remember cookie alone logs in again
    elsewhere.delete_cookie("session")
    here = logged_in_client(app, user)
    here.post("/auth/password", data={"current_password": DEFAULT_PASSWORD, "password": "new password 1",
                                      "confirm": "new password 1"})
    assert not is_logged_in(elsewhere)


def test_a_password_reset_ends_every_session(app, db):
    user = make_user("official", email="official@example.org")
    db.session.commit()
    elsewhere = logged_in_client(app, user, remember=True)
    client = app.test_client()
    client.post("/auth/reset", data={"email": "official@example.org"})
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "official@example.org"))
    link = re.search(r"http://127\.0\.0\.1:5000(/auth/reset/\S+)", mail.body).group(1)
    assert client.post(link, data={"password": "brand new pass", "confirm": "brand new pass"}).status_code == 302
    assert not is_logged_in(elsewhere)


def test_logging_out_ends_the_other_sessions(app, db):
    user = make_user("official")
    db.session.commit()
    here, elsewhere = logged_in_client(app, user), logged_in_client(app, user, remember=True)
    here.post("/auth/logout")
    assert not is_logged_in(here) and not is_logged_in(elsewhere)


def test_an_administrator_locking_an_account_ends_its_sessions(app, db):
    user = make_user("official")
    admin = make_user("admin")
    db.session.commit()
    elsewhere = logged_in_client(app, user, remember=True)
    administrator = logged_in_client(app, admin)
    response = administrator.post(f"/auth/users/{user.id}", data={"role": "official", "region": ""})
    assert response.status_code == 302  # "active" unticked
    assert not is_logged_in(elsewhere)
    administrator.post(f"/auth/users/{user.id}", data={"role": "official", "region": "", "active": "y"})
    assert not is_logged_in(elsewhere)  # unlocked again, the old sessions stay ended


def test_the_remember_cookie_is_same_site_and_lasts_days(app, db):
    user = make_user("official")
    db.session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"})
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("remember_token="))
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    days = app.config["REMEMBER_COOKIE_DAYS"]
    assert days <= 30 and abs(expires - datetime.now(UTC) - timedelta(days=days)) < timedelta(minutes=1)
