"""The participant picker: an official types part of a firm's name, picks it, and the project has it."""

from playwright.sync_api import expect


def test_official_picks_a_participant_by_part_of_its_name(page, log_in):
    log_in("official@example.org")

    page.goto("/projects/new")
    page.get_by_label("Название", exact=True).fill("Поставка уплотнений через подбор")
    picker = page.get_by_role("combobox", name="Найти предприятие: начните вводить наименование или ИНН — Поставщики")
    assert not picker.get_attribute("name")  # the picker's own text is not sent with the form
    picker.fill("Орби")
    option = page.locator("#suppliers-picker__listbox li", has_text="Орбита").first
    expect(option).to_be_visible()
    expect(option).to_contain_text("Республика Мордовия")
    option.click()
    suppliers = page.locator("#suppliers")
    expect(suppliers).not_to_have_value("")
    # The chosen firm as a line: its INN, or its exact name (the source names AO «Orbita» without one).
    assert suppliers.input_value().strip() == "АО «Орбита»"
    expect(picker).to_have_value("")  # ready for the next one

    page.get_by_role("button", name="Сохранить").click()

    expect(page.get_by_role("heading", name="Поставка уплотнений через подбор")).to_be_visible()
    expect(page.locator("main, #content").first).to_contain_text("Орбита")

