"""Everyone issues and revokes their own API tokens; the API refuses an expired or revoked one."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.models import ApiToken, AuditEntry
from registry.models.base import utcnow
from registry.services import Forbidden, ServiceError
from registry.services.users import create_token, revoke_token
from tests.factories import make_company, make_user


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_has_a_name_and_an_end_and_is_audited(db):
    user = make_user("official")
    end = utcnow() + timedelta(days=30)
    secret = create_token(user, name="1С обмен", expires_at=end, actor=user)
    token = db.session.scalar(select(ApiToken))
    assert token.name == "1С обмен" and token.expires_at == end and secret not in token.token_hash
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "token.create"))
    assert entry.actor_id == user.id and entry.entity_type == "apitoken" and entry.changes["name"] == "1С обмен"


def test_an_end_in_the_past_or_a_long_name_is_refused(db):
    user = make_user("official")
    with pytest.raises(ServiceError) as refused:
        create_token(user, name="x", expires_at=utcnow() - timedelta(minutes=1), actor=user)
    assert "expires_on" in refused.value.errors
    with pytest.raises(ServiceError):
        create_token(user, name="x" * 101, actor=user)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_only_the_owner_revokes_a_token(db):
    owner, other = make_user("official"), make_user("admin")
    create_token(owner, name="скрипт", actor=owner)
    token = db.session.scalar(select(ApiToken))
    with pytest.raises(Forbidden):
        revoke_token(token, actor=other)
    revoke_token(token, actor=owner)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "token.revoke"))
    assert entry.actor_id == owner.id and entry.changes == {"name": "скрипт"}


def test_the_api_refuses_an_expired_token_with_401(client, db):
    company = make_company()
    user = make_user("company", company=company)
    secret = create_token(user, name="скрипт", expires_at=utcnow() + timedelta(days=1), actor=user)
    db.session.commit()
    assert client.patch(f"/api/v1/companies/{company.id}", json={"city": "Инза"}, headers=bearer(secret)).status_code == 200
    db.session.scalar(select(ApiToken)).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.patch(f"/api/v1/companies/{company.id}", json={"city": "Сура"}, headers=bearer(secret))
    assert response.status_code == 401 and response.is_json


def test_the_tokens_page_shows_the_secret_once_lists_and_revokes(client, db, login):
    company = make_company()
    user = login(make_user("company", company=company))
    assert "API-токены" in client.get("/").get_data(as_text=True)  # in the account menu
    response = client.post("/auth/tokens", data={"name": "Выгрузка в 1С", "expires_on": ""})
    assert response.status_code == 200
    secret = re.search(r'id="new-token-secret">([^<]+)<', response.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.user_id == user.id and token.name == "Выгрузка в 1С" and token.expires_at is None
    listing = client.get("/auth/tokens").get_data(as_text=True)
    assert "Выгрузка в 1С" in listing and secret not in listing and "new-token-secret" not in listing

    assert client.patch(f"/api/v1/companies/{company.id}", json={"city": "Инза"}, headers=bearer(secret)).status_code == 200
    response = client.post(f"/auth/tokens/{token.id}/revoke", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Токен «Выгрузка в 1С» отозван" in page and "Выгрузка в 1С" not in page.split('id="tokens"')[1]
    assert client.patch(f"/api/v1/companies/{company.id}", json={"city": "Сура"}, headers=bearer(secret)).status_code == 401


def test_a_chosen_end_date_lasts_through_that_day(client, db, login):
    login(make_user("official"))
    day = (utcnow() + timedelta(days=10)).date()
    assert client.post("/auth/tokens", data={"name": "отчёт", "expires_on": day.isoformat()}).status_code == 200
    end = db.session.scalar(select(ApiToken.expires_at))
    assert end.date() == day and end.hour == 21  # midnight after that day in Moscow is 21:00 UTC


def test_a_token_without_a_name_or_with_a_past_end_is_refused_on_the_page(client, db, login):
    login(make_user("official"))
    assert client.post("/auth/tokens", data={"name": ""}).status_code == 400
    past = (utcnow() - timedelta(days=2)).date().isoformat()
    response = client.post("/auth/tokens", data={"name": "x", "expires_on": past})
    assert response.status_code == 400 and "new-token-secret" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_nobody_revokes_someone_elses_token_from_the_page(client, db, login):
    owner = make_user("official")
    create_token(owner, name="чужой", actor=owner)
    token_id = db.session.scalar(select(ApiToken.id))
    login(make_user("admin"))
    assert client.post(f"/auth/tokens/{token_id}/revoke").status_code == 403
    assert "чужой" not in client.get("/auth/tokens").get_data(as_text=True)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1
