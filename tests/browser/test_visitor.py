"""What anyone can do without an account: search the catalogue in Russian, switch the language."""

from playwright.sync_api import expect


def test_visitor_finds_a_seeded_company_by_another_word_form(page):
    page.goto("/catalog/")
    # The firm's profile says «штамповая оснастка», «штампов», «штамповки»: never «штамповочная».
    page.get_by_role("textbox", name="Поиск").fill("штамповочная оснастка")
    page.get_by_role("textbox", name="Поиск").press("Enter")
    expect(page.get_by_role("link", name="ООО «Димитровградская штамповая оснастка»")).to_be_visible()


def test_e_and_yo_are_the_same_letter_in_search(page):
    page.goto("/catalog/?q=объемной")  # the seeded text writes «объёмной»
    expect(page.get_by_role("link", name="ООО «Димитровградская штамповая оснастка»")).to_be_visible()


def test_language_switch_is_remembered(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", name="Проекты по стадиям")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Projects by stage")).to_be_visible()
    page.goto("/catalog/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_pages_work_on_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, locale="ru-RU")
    page = context.new_page()
    page.goto("/catalog/")
    menu = page.get_by_role("button", name="Меню")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("link", name="Предприятия", exact=True)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    context.close()
