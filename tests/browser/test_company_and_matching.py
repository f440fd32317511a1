"""A company representative's work, and the road from a match to a cooperation project."""

from playwright.sync_api import expect

from tests.browser.conftest import REP_COMPANY


def open_company(page, name: str) -> str:
    page.goto("/catalog/?q=" + name.split("«")[1].split()[0])
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    return page.url


def test_representative_edits_offers_posts_a_need_and_is_refused_elsewhere(page, log_in, console_errors):
    log_in("rep@example.org")
    open_company(page, REP_COMPANY)
    page.get_by_role("link", name="Добавить компетенцию").click()
    page.get_by_label("Что вы производите или делаете").fill("Пятикоординатная фрезеровка корпусов из титана")
    page.get_by_label("Оборудование").fill("DMG Mori DMU 65")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Пятикоординатная фрезеровка корпусов из титана", exact=True)).to_be_visible()

    page.get_by_role("link", name="Разместить потребность").click()
    page.get_by_label("Что требуется").fill("Термообработка валов после фрезеровки")
    page.get_by_label("Подробности").fill("Закалка ТВЧ и отпуск валов из стали 40Х, 200 шт. в месяц")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("heading", name="Термообработка валов после фрезеровки")).to_be_visible()
    expect(page.get_by_role("heading", name="Возможные поставщики")).to_be_visible()

    other = open_company(page, "ООО «Димитровградская штамповая оснастка»")
    response = page.goto(other + "/edit")
    assert response.status == 403
    expect(page.get_by_role("heading", name="У вас нет прав на это действие")).to_be_visible()
    assert len(console_errors) == 1 and "403" in console_errors[0]  # the refusal itself, nothing else
    console_errors.clear()


def test_interest_on_a_match_becomes_an_introduction_then_a_project(page, log_in):
    log_in("official@example.org")
    page.goto("/needs/?q=вагонов")
    page.locator("a[href^='/needs/']").filter(has_text="вагон").first.click()
    matches = page.locator(".supplier-match")
    expect(matches.first).to_be_visible()
    supplier = matches.first.locator("a").first.inner_text()
    expect(matches.first.locator(".match-reasons li").first).to_be_visible()
    matches.first.get_by_role("button", name="Выразить интерес").click()
    expect(matches.first.get_by_text("Интерес выражен")).to_be_visible()

    page.goto("/introductions/")
    row = page.locator("tr", has_text=supplier).first
    row.get_by_role("button", name="Начать проект").click()
    expect(page.locator("#current-stage")).to_have_text("Предложение")
    expect(page.get_by_text(supplier).first).to_be_visible()
