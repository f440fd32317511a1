"""An official's day: log in, record an event, move a project on, see it in history and on the dashboard."""

from playwright.sync_api import expect


def test_official_creates_an_event_moves_a_project_and_sees_it_on_the_dashboard(page, log_in):
    log_in("official@example.org")

    page.goto("/events/new")
    page.get_by_label("Название").fill("Круглый стол по оснастке")
    page.get_by_label("Дата", exact=True).fill("2026-12-10")
    page.get_by_label("Место").fill("Ульяновск, Центр развития промышленности")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("heading", name="Круглый стол по оснастке")).to_be_visible()
    page.goto("/events/")
    expect(page.get_by_text("Круглый стол по оснастке")).to_be_visible()

    page.goto("/projects/?stage=negotiation")
    project_link = page.locator("td > a[href*='/projects/']").first
    title = project_link.inner_text()
    project_link.click()
    expect(page.locator("#current-stage")).to_have_text("Переговоры")
    # From the agreement on a project needs its value and its responsible official: set them first.
    page.get_by_role("link", name="Изменить").click()
    page.get_by_label("Стоимость, руб.").fill("1 200 000")
    page.get_by_label("Ответственный сотрудник").select_option(label="official@example.org")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_label("Новая стадия").select_option("agreement")
    page.get_by_role("button", name="Сменить стадию").click()
    expect(page.locator("#current-stage")).to_have_text("Соглашение")
    history = page.locator("#stage-history")
    expect(history).to_contain_text("Соглашение")
    expect(history).to_contain_text("official@example.org")

    page.goto("/dashboard/")
    expect(page.locator("canvas").first).to_be_visible()
    agreement_row = page.locator("tr", has_text="Соглашение").first
    expect(agreement_row).to_contain_text("1")
    assert title


def test_an_export_runs_in_the_worker_with_progress_and_waits_under_my_downloads(page, log_in):
    log_in("official@example.org")
    page.goto("/transfer/")
    page.locator("#company-export").get_by_role("button", name="Скачать CSV").click()
    page.wait_for_url("**/jobs/*")
    expect(page.get_by_role("progressbar")).to_be_visible()
    download_link = page.locator("#job-download")
    expect(download_link).to_be_visible(timeout=60_000)  # the worker process wrote the file
    expect(page.locator("#job-progress")).to_have_text("100%")
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.startswith("companies-")
    content = download.value.path().read_text(encoding="utf-8-sig")
    assert "Заволжская фрезерная мастерская" in content
    page.goto("/jobs/")
    expect(page.locator("#my-jobs")).to_contain_text("Экспорт: предприятия, CSV")
    expect(page.locator("#my-jobs")).to_contain_text("Готово")
