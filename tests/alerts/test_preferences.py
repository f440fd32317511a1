"""«Уведомления»: each role chooses how it hears, through a CSRF-protected form that refuses bad values."""

import re

from tests.factories import make_user, region


def test_a_representative_chooses_the_daily_digest(client, login, db):
    user = login(make_user("company"))
    page = client.get("/auth/notifications")
    assert page.status_code == 200 and "Уведомления" in page.text
    assert '<input checked class="form-check-input" id="need_alerts-0"' in page.text  # the default: a matching need reaches the firm at once
    assert "Новые потребности, подходящие моему предприятию" in page.text
    assert "Новые предприятия и потребности моего региона" not in page.text
    assert 'href="/auth/notifications"' in client.get("/").text  # from the account menu
    response = client.post("/auth/notifications", data={"need_alerts": "daily"})
    assert response.status_code == 302
    assert "Настройки уведомлений сохранены" in client.get(response.headers["Location"]).text
    db.session.refresh(user)
    assert user.need_alerts == "daily" and user.last_digest_at is not None


def test_an_official_chooses_region_news_and_the_weekly_digest(client, login, db):
    user = login(make_user("official", region=region("RU-ULY")))
    page = client.get("/auth/notifications").text
    assert "Новые предприятия и потребности моего региона" in page and "Новые потребности, подходящие" not in page
    response = client.post("/auth/notifications", data={"region_alerts": "immediate"})  # box unticked: no weekly digest
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.region_alerts, user.weekly_digest) == ("immediate", False)


def test_a_bad_value_is_refused_with_a_message_and_changes_nothing(client, login, db):
    user = login(make_user("company"))
    response = client.post("/auth/notifications", data={"need_alerts": "hourly"})
    assert response.status_code == 400
    assert re.search(r'invalid-feedback d-block">[^<]*вариант', response.text), response.text
    db.session.refresh(user)
    assert user.need_alerts == "immediate"


def test_the_form_needs_its_csrf_token(app, client, login, db, monkeypatch):
    user = login(make_user("company"))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/auth/notifications", data={"need_alerts": "off"}).status_code == 400
    db.session.refresh(user)
    assert user.need_alerts == "immediate"
    page = client.get("/auth/notifications").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/auth/notifications", data={"need_alerts": "off", "csrf_token": token}).status_code == 302
    db.session.refresh(user)
    assert user.need_alerts == "off"


def test_the_page_tells_a_representative_not_yet_approved_that_no_mail_comes_yet(client, login, db):
    login(make_user("company", company_approved=False))
    assert "как только сотрудник подтвердит" in client.get("/auth/notifications").text


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/auth/notifications")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    db.session.rollback()
