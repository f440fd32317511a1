"""Event matchmaking end to end: an official opens an event for registration, two firms register, one asks
the other for a meeting and it is accepted, the official builds the schedule, both firms read their agenda,
and the meeting's outcome becomes a project in the pipeline with the event as its source."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import MORDOVIAN_COMPANY, REP_COMPANY, sign_in

TITLE = "Биржа деловых контактов Ульяновск — Саранск"


def log_in_as(browser, live_server, email):
    page = browser.new_context(base_url=live_server, locale="ru-RU").new_page()
    page.set_default_timeout(15_000)
    return sign_in(page, email)


def register(page, event_url):
    page.goto(event_url)
    page.get_by_role("link", name="Зарегистрироваться").click()
    page.get_by_label("Кто придёт").fill("Главный инженер")
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_an_event_from_registration_to_a_project(browser, live_server, log_in, page):
    # The official creates the event and opens it for registration: four 15-minute slots, three tables.
    log_in("official@example.org")
    page.goto("/events/new")
    page.get_by_label("Название").fill(TITLE)
    page.get_by_label("Дата", exact=True).fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_label("Регион").select_option(label="Ульяновская область")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    event_url = re.sub(r"^https?://[^/]+", "", page.url)
    page.get_by_role("link", name="Настройки деловых встреч").click()
    page.get_by_label("Слоты встреч").fill("10:00-10:15\n10:15-10:30\n10:30-10:45\n10:45-11:00")
    page.get_by_label("Столы").fill("3")
    page.get_by_label("Предприятия могут регистрироваться сами").check()
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.locator(".alert-success")).to_be_visible()

    # Two representatives register their firms.
    milling = log_in_as(browser, live_server, "rep@example.org")
    register(milling, event_url)
    orbita = log_in_as(browser, live_server, "rep-mo@example.org")
    register(orbita, event_url)

    # The Ulyanovsk firm asks the Mordovian one for a meeting; the Mordovian firm accepts.
    milling.goto(event_url)
    milling.get_by_role("link", name="Встречи").click()
    milling.get_by_label("С кем встреча").select_option(label=f"{MORDOVIAN_COMPANY} · Республика Мордовия")
    milling.locator("#meeting-request-form").get_by_label("Комментарий").fill("Обсудить поставки корпусов")
    milling.get_by_role("button", name="Отправить").click()
    expect(milling.locator(".alert-success")).to_contain_text("Запрос отправлен")
    orbita.goto(event_url)
    orbita.get_by_role("link", name="Встречи").click()
    row = orbita.locator("#meetings-table tr", has_text=REP_COMPANY)
    expect(row).to_contain_text("ожидает ответа")
    row.get_by_role("button", name="Принять").click()
    expect(orbita.locator("#meetings-table tr", has_text=REP_COMPANY)).to_contain_text("согласована")

    # The official builds the schedule: the meeting has a time and a table.
    page.goto(event_url)
    page.get_by_role("link", name="Расписание").click()
    page.get_by_role("button", name="Построить расписание").click()
    expect(page.locator(".alert-success")).to_contain_text("Расписание построено")
    expect(page.locator("#schedule-grid")).to_contain_text(MORDOVIAN_COMPANY)
    expect(page.locator("#schedule-grid")).to_contain_text(REP_COMPANY)

    # Both firms see it in their agenda, with whom they meet, when and where.
    for side, other in ((milling, MORDOVIAN_COMPANY), (orbita, REP_COMPANY)):
        side.goto(event_url)
        side.get_by_role("link", name="Моя программа встреч").click()
        item = side.locator(".agenda-item").first
        expect(item).to_contain_text(other)
        expect(item.locator(".agenda-time")).to_contain_text("стол")
        with side.expect_download() as download:
            side.get_by_role("link", name="Скачать PDF").click()
        assert download.value.suggested_filename.endswith(".pdf")

    # After the event a firm records the outcome; the official turns it into a project with the event as source.
    milling.goto(event_url)
    milling.get_by_role("link", name="Моя программа встреч").click()
    milling.get_by_label("Итог").select_option(label="возможно сотрудничество")
    milling.get_by_role("button", name="Сохранить итог").click()
    expect(milling.locator(".meeting-outcome")).to_contain_text("возможно сотрудничество")
    page.goto(event_url)
    page.get_by_role("link", name="Встречи").click()
    page.get_by_role("button", name="Начать проект").click()
    expect(page.locator(".alert-success")).to_contain_text("начат на стадии «Предложение»")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()  # the project's source event
    page.goto("/projects/")
    expect(page.locator("body")).to_contain_text(f"{REP_COMPANY} — {MORDOVIAN_COMPANY}")
    page.goto(event_url)
    expect(page.locator("#event-projects")).to_contain_text(f"{REP_COMPANY} — {MORDOVIAN_COMPANY}")
    expect(page.locator("#yield-outcomes")).to_contain_text("возможно сотрудничество: 1")
    for context in (milling.context, orbita.context):
        context.close()
