"""A representative's day: the cabinet with its matches and an incoming interest, a one-click answer that
both sides see, and the notification in the mail the registry wrote."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import REP_COMPANY


def test_representative_answers_interest_from_the_cabinet_and_reads_the_notification(browser, live_server, log_in,
                                                                                       page):
    # An official puts the representative's firm forward for another firm's need it could serve.
    log_in("official@example.org")
    page.goto("/catalog/?q=" + REP_COMPANY.split("«")[1].split()[0])
    page.get_by_role("link", name=REP_COMPANY).click()
    opportunity = page.locator("#opportunities li").first
    need_title = opportunity.locator("a").first.inner_text()
    opportunity.get_by_role("button", name="Выразить интерес").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Уведомлён представитель {REP_COMPANY}")

    # The representative logs in and lands on the cabinet: matches, and the interest received.
    rep = browser.new_context(base_url=live_server, locale="ru-RU").new_page()
    rep.goto("/auth/login")
    rep.get_by_label("Электронная почта").fill("rep@example.org")
    rep.get_by_label("Пароль").fill("browser test password")
    rep.get_by_role("button", name="Войти").click()
    rep.wait_for_url("**/cabinet/")
    expect(rep.get_by_role("heading", name=REP_COMPANY)).to_be_visible()
    expect(rep.locator("#matches")).to_be_visible()
    received = rep.locator("#introductions tr", has_text=need_title).first
    expect(received).to_contain_text("ожидает ответа")

    # One click answers it, with a note; the status changes for the representative …
    received.get_by_role("link", name=need_title).click()
    rep.get_by_label("Примечание").fill("Готовы обсудить сроки и объёмы")
    rep.get_by_role("button", name="Принять").click()
    expect(rep.locator(".alert-success")).to_contain_text("Ответ сохранён")
    expect(rep.locator(".introduction-answer")).to_contain_text("принято")
    introduction_url = rep.url
    rep.goto("/cabinet/")
    expect(rep.locator("#introductions tr", has_text=need_title).first).to_contain_text("принято")

    # … and for the other side, who asked.
    page.goto(re.sub(r"^https?://[^/]+", "", introduction_url))
    expect(page.locator(".introduction-answer")).to_contain_text("принято")
    expect(page.locator(".introduction-answer")).to_contain_text("Готовы обсудить сроки и объёмы")

    # The notification of the interest waits in the representative's mail.
    rep.get_by_role("link", name="Почта").click()
    expect(rep.locator(".outbox-message", has_text=need_title).first).to_be_visible()
    rep.context.close()
