import re

import pytest
from sqlalchemy import select

from registry.models import Company, OutboxMessage, User
from tests.factories import make_company, make_user, valid_inn

PASSWORD = "correct horse battery"


def test_login_and_logout(client, db):
    make_user("official", email="official@example.org")
    db.session.commit()
    response = client.post("/auth/login", data={"email": "Official@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "official@example.org" in client.get("/").get_data(as_text=True)
    client.post("/auth/logout")
    assert "official@example.org" not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_in_russian(client, db):
    make_user("official", email="official@example.org")
    db.session.commit()
    response = client.post("/auth/login", data={"email": "official@example.org", "password": "nope"})
    assert response.status_code == 400
    assert "Неверный адрес или пароль" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_never_leaves_the_registry(client, db, target):
    make_user("official", email="official@example.org")
    db.session.commit()
    response = client.post(f"/auth/login?next={target}", data={"email": "official@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_next_inside_the_registry_is_followed(client, db):
    make_user("official", email="official@example.org")
    db.session.commit()
    response = client.post("/auth/login?next=/auth/password", data={"email": "official@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/auth/password"


def test_registering_with_a_known_inn_makes_a_pending_link_an_official_approves(client, db, login):
    company = make_company(region_iso="RU-MO")
    official = make_user("official", region=company.region, email="saransk@example.org")
    db.session.commit()
    response = client.post("/auth/register", data={"email": "rep@example.org", "password": PASSWORD,
                                                   "confirm": PASSWORD, "inn": company.inn})
    assert response.status_code == 302
    rep = db.session.scalar(select(User).where(User.email == "rep@example.org"))
    assert rep.company_id == company.id and rep.company_approved is False
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == official.email))
    client.post("/auth/logout")
    login(official)
    assert "rep@example.org" in client.get("/auth/representatives").get_data(as_text=True)
    assert client.post(f"/auth/representatives/{rep.id}/approve").status_code == 302
    db.session.refresh(rep)
    assert rep.company_approved is True


def test_registering_with_an_unknown_inn_creates_a_pending_company(client, db):
    inn = valid_inn("73")
    response = client.post("/auth/register", data={"email": "new@example.org", "password": PASSWORD,
                                                   "confirm": PASSWORD, "inn": inn, "company_name": "ООО «Новое»"})
    assert response.status_code == 302
    company = db.session.scalar(select(Company).where(Company.inn == inn))
    assert company.verification == "pending" and company.region.iso_code == "RU-ULY"


def test_registering_with_a_bad_inn_changes_nothing(client, db):
    response = client.post("/auth/register", data={"email": "new@example.org", "password": PASSWORD,
                                                   "confirm": PASSWORD, "inn": "7707083894", "company_name": "X"})
    assert response.status_code == 400
    assert "Контрольная цифра не сходится" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None and db.session.scalar(select(Company)) is None


def test_official_of_another_region_cannot_approve(client, db, login):
    company = make_company(region_iso="RU-MO")
    rep = make_user("company", company=company, company_approved=False)
    other = make_user("official", region=make_company(region_iso="RU-ULY").region)
    db.session.commit()
    login(other)
    assert client.post(f"/auth/representatives/{rep.id}/approve").status_code == 403
    db.session.refresh(rep)
    assert rep.company_approved is False


def test_password_change_needs_the_current_password(client, db, login):
    user = login(make_user("official"))
    db.session.commit()
    response = client.post("/auth/password", data={"current_password": "wrong", "password": "new password 1",
                                                   "confirm": "new password 1"})
    assert response.status_code == 400
    response = client.post("/auth/password", data={"current_password": PASSWORD, "password": "new password 1",
                                                   "confirm": "new password 1"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.check_password("new password 1")


def test_password_reset_by_mail_works_once(client, db):
    user = make_user("official", email="official@example.org")
    db.session.commit()
    client.post("/auth/reset", data={"email": "official@example.org"}, headers={"Host": "localhost:8080"})
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "official@example.org"))
    link = re.search(r"http://127\.0\.0\.1:5000(/auth/reset/\S+)", mail.body).group(1)  # EXTERNAL_URL, not Host
    assert "8080" not in mail.body
    assert client.post(link, data={"password": "brand new pass", "confirm": "brand new pass"}).status_code == 302
    db.session.refresh(user)
    assert user.check_password("brand new pass")
    response = client.get(link)  # used: the password hash changed
    assert response.headers["Location"].endswith("/auth/reset")


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, db):
    response = client.post("/auth/reset", data={"email": "nobody@example.org"})
    assert response.status_code == 302
    assert db.session.scalar(select(OutboxMessage)) is None
