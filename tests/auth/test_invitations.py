"""An administrator invites officials and representatives from the users page; the link sets a password once."""

import re

import pytest
from sqlalchemy import func, select

from registry.models import AuditEntry, OutboxMessage, User
from registry.policy import SYSTEM
from registry.services import Forbidden, ServiceError, accounts
from registry.services.users import invite_user
from tests.factories import make_company, make_user, region

LINK = re.compile(r"https?://\S+/auth/welcome/(\S+)")


def link_for(token):
    return f"https://registry.example.ru/auth/welcome/{token}"


def invitation_token(email: str, db) -> str:
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == email))
    return LINK.search(body).group(1)


def test_inviting_an_official_creates_the_account_audits_it_and_mails_the_link_in_their_language(db):
    admin = make_user("admin")
    user = invite_user("New.Official@Example.org ", "official", region_iso="RU-MO", locale="en", actor=admin,
                       link_for=link_for)
    assert user.email == "new.official@example.org" and user.role == "official"
    assert user.region == region("RU-MO") and user.locale == "en"
    assert accounts.authenticate(user.email, "") is None  # nobody knows a password yet
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert message.subject == "Your invitation to the cooperation registry"
    assert "as Official" in message.body and "https://registry.example.ru/auth/welcome/" in message.body
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.invite"))
    assert entry.actor_id == admin.id and entry.entity_id == user.id
    assert entry.changes["role"] == "official" and entry.changes["region"] == "RU-MO"


def test_a_representative_is_bound_to_the_company_of_the_inn(db):
    company = make_company()
    user = invite_user("rep@example.org", "company", company_inn=company.inn, locale="ru", actor=SYSTEM,
                       link_for=link_for)
    assert user.company == company and user.company_approved
    body = db.session.scalar(select(OutboxMessage.body))
    assert "Представитель предприятия" in body and "Вас пригласили" in body  # the mail is in Russian


@pytest.mark.parametrize(("values", "field"), [
    ({"email": "x@example.org", "role": "company"}, "company_inn"),
    ({"email": "x@example.org", "role": "company", "company_inn": "7300000000"}, "company_inn"),
    ({"email": "x@example.org", "role": "official", "region_iso": "RU-XXX"}, "region"),
    ({"email": "not an address", "role": "official"}, "email"),
    ({"email": "taken@example.org", "role": "official"}, "email"),
])
def test_bad_input_is_refused_and_nothing_is_written(db, values, field):
    make_user("admin", email="taken@example.org")
    before = db.session.scalar(select(func.count(User.id)))
    with pytest.raises(ServiceError) as refused:
        invite_user(**values, actor=SYSTEM, link_for=link_for)
    assert field in refused.value.errors
    assert db.session.scalar(select(func.count(User.id))) == before
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_only_an_administrator_invites(db):
    with pytest.raises(Forbidden):
        invite_user("x@example.org", "official", actor=make_user("official"), link_for=link_for)


def test_the_link_sets_the_password_once_and_logs_the_user_in(client, db, login):
    login(make_user("admin"))
    response = client.post("/auth/users/invite", data={
        "email": "colleague@example.org", "role": "official", "region": "RU-ULY", "locale": "ru"})
    assert response.status_code == 302
    page = client.get("/auth/users").get_data(as_text=True)
    assert "записано в исходящую почту" in page and "colleague@example.org" in page
    token = invitation_token("colleague@example.org", db)
    client.post("/auth/logout")

    assert client.get(f"/auth/welcome/{token}").status_code == 200
    response = client.post(f"/auth/welcome/{token}", data={"password": "a new password", "confirm": "a new password"})
    assert response.status_code == 302
    assert client.get("/auth/password").status_code == 200  # logged in
    user = db.session.scalar(select(User).where(User.email == "colleague@example.org"))
    assert accounts.authenticate(user.email, "a new password") == user

    client.post("/auth/logout")
    again = client.get(f"/auth/welcome/{token}")
    assert again.status_code == 302 and "/auth/login" in again.headers["Location"]


def test_a_reset_link_is_no_invitation_and_an_old_invitation_expires(db, monkeypatch):
    user = make_user("official")
    assert accounts.user_for_reset_token(accounts.reset_token(user), "invitation") is None
    token = accounts.reset_token(user, "invitation")
    assert accounts.user_for_reset_token(token, "invitation") == user
    monkeypatch.setitem(accounts.TOKEN_MAX_AGE, "invitation", -1)
    assert accounts.user_for_reset_token(token, "invitation") is None


def test_a_bad_invitation_form_shows_the_error_and_writes_nothing(client, db, login):
    login(make_user("admin"))
    response = client.post("/auth/users/invite", data={"email": "rep@example.org", "role": "company", "locale": "ru"})
    assert response.status_code == 400
    assert "ИНН" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert db.session.scalar(select(User.id).where(User.email == "rep@example.org")) is None


def test_the_users_page_no_longer_sends_people_to_the_shell(client, db, login):
    login(make_user("admin"))
    page = client.get("/auth/users").get_data(as_text=True)
    assert "flask --app registry users create" not in page and 'action="/auth/users/invite"' in page
