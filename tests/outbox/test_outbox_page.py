"""The outbox page: a user reads only the mail written to them; an administrator reads everyone's."""

from registry.services import mail
from tests.factories import make_user


def test_each_user_reads_their_own_mail_and_administrators_all(client, login, db):
    rep = make_user("company", email="rep@example.org")
    mail.send("rep@example.org", "Новая потребность", "Посмотрите: http://127.0.0.1:5000/needs/1\n<b>жирно</b>")
    mail.send("other@example.org", "Чужое письмо", "не для вас")
    db.session.commit()
    login(rep)
    page = client.get("/outbox/")
    assert page.status_code == 200 and "Новая потребность" in page.text and "Чужое письмо" not in page.text
    assert '<a href="http://127.0.0.1:5000/needs/1"' in page.text and "&lt;b&gt;жирно&lt;/b&gt;" in page.text
    assert "не отправлено по электронной почте" in page.text
    login(make_user("admin"))
    page = client.get("/outbox/")
    assert "Новая потребность" in page.text and "Чужое письмо" in page.text and "other@example.org" in page.text
    assert "Чужое письмо" not in client.get("/outbox/?mine=1").text


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/outbox/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
