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
