"""A firm registers itself; the public does not see it until the official of its region publishes it."""

from playwright.sync_api import expect
from stdnum.ru import inn as stdnum_inn

from tests.browser.conftest import sign_in

NAME = "ООО «Волжский литейный цех»"
APPLICANT = "founder@example.org"


def ulyanovsk_inn() -> str:
    body = "73" + "9051207"
    return body + stdnum_inn.calc_company_check_digit(body)


def test_a_registered_firm_waits_for_the_official_then_the_catalogue_shows_it(page, browser, live_server):
    page.goto("/auth/register")
    page.locator("#email").fill(APPLICANT)
    page.locator("#password").fill("founder password 1")
    page.locator("#confirm").fill("founder password 1")
    page.locator("#inn").fill(ulyanovsk_inn())
    page.locator("#company_name").fill(NAME)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/auth/login**")

    # An anonymous visitor, in a browser context of their own, finds nothing.
    visitor = browser.new_context(base_url=live_server, locale="ru-RU").new_page()
    visitor.goto("/catalog/?q=" + "Волжский литейный")
    expect(visitor.locator("main")).not_to_contain_text(NAME)
    visitor.goto("/catalog/")
    expect(visitor.locator("main")).not_to_contain_text(NAME)

    sign_in(page, "official@example.org")
    page.goto("/cabinet/")
    request = page.locator("article.publication-request", has_text=NAME)
    expect(request).to_be_visible()
    request.locator("textarea").fill("Проверено по выписке ЕГРЮЛ")
    request.locator("button[value=published]").click()
    expect(page.locator(".alert-success")).to_contain_text(NAME)
    expect(page.locator("#publication")).not_to_contain_text(NAME)

    visitor.goto("/catalog/?q=" + "Волжский литейный")
    expect(visitor.locator("main")).to_contain_text(NAME)
    visitor.get_by_role("link", name=NAME).first.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(visitor.locator("#publication-state")).to_have_count(0)
    visitor.context.close()
