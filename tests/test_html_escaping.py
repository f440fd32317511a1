"""Messages that repeat what someone typed or uploaded reach pages as text, never as markup.

Flask-Babel's lazy strings tell Jinja they are safe HTML, so a value interpolated into one would be
rendered raw. Each message that takes input is sent hostile markup here, stored (a file's preview) or
reflected (a form's error), and the page must show it escaped.
"""

import io

import pytest
from flask import current_app, render_template_string
from markupsafe import escape

from registry.translation import lazy_gettext
from tests.factories import make_company, make_user
from tests.transfer.sheets import COMPANY_HEADERS, company_row, csv_bytes

HOSTILE = "<a/href=//evil>x</a>"


def shows_escaped(page: str) -> None:
    assert HOSTILE not in page and "<a/href" not in page
    assert str(escape(HOSTILE)) in page


def test_a_lazy_message_escapes_its_values_but_not_its_own_text(app):
    with app.test_request_context():
        message = lazy_gettext("Unknown OKVED2 codes: %(codes)s.", codes=HOSTILE)
        assert str(message) == f"Неизвестные коды ОКВЭД2: {HOSTILE}."  # plain text (CLI, API, mail) stays as typed
        assert render_template_string("{{ m }}", m=message) == f"Неизвестные коды ОКВЭД2: {escape(HOSTILE)}."
        nested = lazy_gettext("row %(row)s", row=lazy_gettext("Not an e-mail address: %(value)s", value=HOSTILE))
        assert "<a/href" not in render_template_string("{{ m }}", m=nested)


@pytest.mark.parametrize("column", ["region", "email", "okved"])
def test_the_import_preview_shows_hostile_cells_as_text(client, login, db, column):
    login(make_user("official"))
    db.session.commit()
    content = csv_bytes(COMPANY_HEADERS, [company_row(1, **{column: HOSTILE})])
    response = client.post("/transfer/import", data={"file": (io.BytesIO(content), "firms.csv"), "kind": ""},
                           content_type="multipart/form-data")
    current_app.extensions["jobs"].run_queued()
    preview = client.get(response.headers["Location"])
    assert preview.status_code == 200 and "bad-rows" in preview.text
    shows_escaped(preview.text)


def test_the_okved_error_on_the_company_form_is_text(client, login, db):
    company = make_company()
    login(make_user("official"))
    response = client.post(f"/catalog/{company.id}/edit", data={"name": company.name, "region": "RU-ULY",
                                                                "okved": HOSTILE})
    assert response.status_code == 400
    shows_escaped(response.text)


@pytest.mark.parametrize("url, data", [
    ("/events/new", {"title": "Съезд", "kind": "round_table", "companies": HOSTILE}),
    ("/projects/new", {"title": "Призрак", "stage": "proposal", "suppliers": HOSTILE}),
])
def test_the_company_list_error_on_event_and_project_forms_is_text(client, login, db, url, data):
    login(make_user("official"))
    response = client.post(url, data=data)
    assert response.status_code == 400
    shows_escaped(response.text)


def test_the_capability_error_on_the_need_form_is_text(client, login, db):
    company = make_company()
    login(make_user("official"))
    response = client.post(f"/needs/new?company_id={company.id}", data={"title": "Пресс-формы",
                                                                      "capabilities": HOSTILE})
    assert response.status_code == 400
    shows_escaped(response.text)
