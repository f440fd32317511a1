"""People and access without the shell: an administrator invites an official, who sets a password from the
mail and is logged in; a representative issues an API token, sees it once, uses it and revokes it."""

import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from playwright.sync_api import expect

INVITED = "invited-official@example.org"
NEW_PASSWORD = "a fresh password"


def api_status(live_server: str, token: str) -> int:
    """The status of a company creation with this token: 403 for a representative's live token (the role is
    checked before the body), 401 once the token no longer works. Nothing is written either way."""
    request = urllib.request.Request(f"{live_server}/api/v1/companies", data=json.dumps({}).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_invited_official_sets_a_password_from_the_mail_and_is_logged_in(page, log_in):
    log_in("admin@example.org")
    page.goto("/auth/users")
    form = page.locator("#invite-form")
    form.get_by_label("Электронная почта").fill(INVITED)
    form.get_by_label("Роль").select_option("official")
    form.get_by_label("Регион (для сотрудников органов власти)").select_option("RU-ULY")
    form.get_by_label("Язык приглашения").select_option("ru")
    form.get_by_role("button", name="Пригласить").click()
    page.wait_for_url("**/auth/users")
    expect(page.locator(".alert-success")).to_contain_text("записано в исходящую почту")
    expect(page.locator("table")).to_contain_text(INVITED)

    page.goto("/outbox/")
    invitation = page.locator(".outbox-message", has_text=INVITED).first
    expect(invitation).to_contain_text("Приглашение")
    link = re.search(r"https?://\S+/auth/welcome/\S+", invitation.locator(".outbox-body").inner_text()).group(0)
    path = urlsplit(link).path  # the link names EXTERNAL_URL; the test server listens elsewhere
    page.get_by_role("button", name="Выйти").click()

    page.goto(path)
    page.get_by_label("Новый пароль", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Повторите новый пароль").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Задать пароль и войти").click()
    expect(page.locator(".alert-success")).to_contain_text("Пароль задан")
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    expect(page.get_by_text(INVITED)).to_be_attached()

    page.get_by_role("button", name="Выйти").click()
    page.goto(path)  # used once: it works no more
    page.wait_for_url("**/auth/login")
    expect(page.locator(".alert-danger")).to_contain_text("недействительна")
    page.get_by_label("Электронная почта").fill(INVITED)
    page.get_by_label("Пароль", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()


def test_a_representative_issues_a_token_sees_it_once_and_revokes_it(page, log_in, live_server):
    log_in("rep@example.org")
    page.get_by_role("link", name="API-токены").click()
    page.wait_for_url("**/auth/tokens")
    page.get_by_label("Название (что будет пользоваться токеном)").fill("Выгрузка в 1С")
    page.get_by_role("button", name="Создать токен").click()
    secret = page.locator("#new-token-secret").inner_text().strip()
    assert len(secret) > 30
    expect(page.locator("#tokens")).to_contain_text("Выгрузка в 1С")
    assert api_status(live_server, secret) == 403  # known: a representative, who may not create companies

    page.goto("/auth/tokens")
    expect(page.locator("#new-token-secret")).to_have_count(0)  # shown once
    assert secret not in page.content()
    row = page.locator("#tokens tr", has_text="Выгрузка в 1С")
    row.get_by_role("button", name="Отозвать").click()
    page.wait_for_url("**/auth/tokens")
    expect(page.locator(".alert-success")).to_contain_text("отозван")
    expect(page.locator("#tokens")).not_to_contain_text("Выгрузка в 1С")
    assert api_status(live_server, secret) == 401
