def test_home_page_shows_what_the_registry_holds_in_russian(client, founding):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="ru">' in page
    assert "Проекты по стадиям" in page
    assert "Переговоры" in page
    assert "Республика Мордовия" in page


def test_unknown_page_gets_a_russian_404_without_a_trace(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Страница не найдена" in response.get_data(as_text=True)


def test_security_headers_are_set(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]


def test_an_unexpected_error_shows_a_russian_page_without_a_trace(app, client, monkeypatch):
    import registry.main.views as views

    def explode():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views, "registry_overview", explode)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "На нашей стороне что-то пошло не так" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_method_not_allowed_page_is_russian_and_names_the_allowed_methods(client):
    response = client.get("/auth/logout")
    assert response.status_code == 405 and "Allow" in response.headers
    assert "Это действие здесь недоступно" in response.get_data(as_text=True)


def test_nul_characters_are_refused_before_they_reach_the_database(client):
    assert client.get("/catalog/?q=a%00b").status_code == 400
    response = client.post("/api/v1/companies", json={"inn": "7707083893", "name": "x\u0000", "region": "RU-MO"})
    assert response.status_code == 422 and response.json["message"]


def pair_project(supplier_iso, customer_iso, **values):
    from tests.factories import make_company, make_project

    return make_project((make_company(region_iso=supplier_iso), "supplier"),
                        (make_company(region_iso=customer_iso), "customer"), **values)


def test_home_page_links_into_the_catalogue_the_needs_and_the_events(client):
    page = client.get("/").get_data(as_text=True)
    links = page.split('id="home-links"')[1].split("</nav>")[0]
    assert 'href="/catalog/"' in links and 'href="/needs/"' in links and 'href="/events/"' in links


def test_the_map_colours_regions_and_joins_the_two_with_projects(client, db):
    from tests.factories import capability

    pair_project("RU-ULY", "RU-MO", stage="agreement", direction=capability("casting"))
    pair_project("RU-MO", "RU-ULY", stage="negotiation")
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    svg = page.split('id="region-map"')[1].split("</svg>")[0]
    assert 'data-region="RU-ULY"' in svg and 'data-region="RU-MO"' in svg and 'data-region="RU-KHA"' in svg
    ulyanovsk = svg.split('data-region="RU-ULY"')[1].split("</a>")[0]
    assert 'class="map-level-2"' in ulyanovsk  # a firm and two projects
    assert 'href="/catalog/?region=RU-ULY"' in svg
    assert svg.count('class="map-link"') == 1  # one line for the two regions, whichever supplies which
    assert 'data-link="RU-ULY RU-MO"' in svg or 'data-link="RU-MO RU-ULY"' in svg
    assert "style=" not in svg
    pairs = page.split('id="region-pairs"')[1].split("</table>")[0]
    assert "Ульяновская область" in pairs and "Республика Мордовия" in pairs
    assert "Соглашение: 1" in pairs and "Литейное производство: 1" in pairs


def test_completed_projects_are_shown_as_success_stories(client, db):
    from decimal import Decimal

    page = client.get("/").get_data(as_text=True)
    assert "Ни один проект ещё не завершён" in page.split('id="success-stories"')[1]

    project = pair_project("RU-ULY", "RU-MO", stage="completed", value_rub=Decimal("1500000"),
                           title="Поставка оснастки", description="Изготовлено 40 штампов.")
    hidden = project.participants[1].company
    hidden.active = False
    pair_project("RU-ULY", "RU-MO", stage="negotiation", title="Ещё в переговорах")
    db.session.commit()

    stories = client.get("/").get_data(as_text=True).split('id="success-stories"')[1].split("</section>")[0]
    assert "Поставка оснастки" in stories and "Изготовлено 40 штампов." in stories
    assert project.participants[0].company.name in stories and "Ульяновская область" in stories
    assert "1\xa0500\xa0000" in stories
    assert hidden.name not in stories  # an inactive firm is not shown to the public
    assert "Ещё в переговорах" not in stories


def test_home_page_runs_the_same_number_of_queries_for_5_and_50_projects(client, db):
    from sqlalchemy import func, select

    from registry.models import Project
    from tests.factories import capability
    from tests.projects.query_counter import page_queries

    counts = []
    for total in (5, 50):
        while db.session.scalar(select(func.count(Project.id))) < total:
            pair_project("RU-ULY", "RU-MO", stage="completed", direction=capability("casting"))
        db.session.commit()
        counts.append(page_queries(client, db.engine, "/"))
    assert counts[0] == counts[1]


def test_home_page_is_kept_for_anonymous_visitors(client):
    response = client.get("/")
    assert "Set-Cookie" not in response.headers  # the page cache keeps only answers that set no cookie
