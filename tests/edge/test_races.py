"""Requests racing for one unique key: the losers get a 409 naming the field, never a 500."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Company, Region
from tests.factories import valid_inn

RACERS = 10


def race(app, send) -> list:
    """`send(client)` from RACERS threads at once, each with a client of its own; the responses."""
    start = Barrier(RACERS)

    def one(_):
        client = app.test_client()
        start.wait()
        return send(client)

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(one, range(RACERS)))


def test_parallel_api_posts_of_one_new_inn_register_it_once_and_refuse_the_rest_with_409(own_database_app):
    app = own_database_app()
    inn = valid_inn("73")
    headers = {"Authorization": f"Bearer {app.token}"}
    responses = race(app, lambda client: client.post(
        "/api/v1/companies", json={"inn": inn, "name": "ООО «Гонка»", "region": "RU-ULY"}, headers=headers))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (RACERS - 1)
    for response in responses:
        assert response.is_json
        if response.status_code == 409:
            assert response.json["errors"]["inn"] == [f"Предприятие с ИНН {inn} уже зарегистрировано."]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Company).where(Company.inn == inn)) == 1


def test_parallel_changes_to_one_inn_leave_one_owner_and_refuse_the_rest_with_409(own_database_app):
    app = own_database_app()
    with app.app_context():
        ids = []
        for number in range(RACERS):
            company = Company(inn=valid_inn("73"), name=f"ООО «Фирма {number}»", region_id=1)
            db.session.add(company)
            db.session.flush()
            ids.append(company.id)
        db.session.commit()
    inn, targets = valid_inn("73"), iter(ids)
    headers = {"Authorization": f"Bearer {app.token}"}
    responses = race(app, lambda client: client.patch(f"/api/v1/companies/{next(targets)}", json={"inn": inn},
                                                      headers=headers))
    assert sorted(response.status_code for response in responses) == [200] + [409] * (RACERS - 1)
    assert all("inn" in response.json["errors"] for response in responses if response.status_code == 409)


def test_a_unique_key_taken_on_a_path_without_its_own_rule_is_still_a_409(own_database_app):
    app = own_database_app()

    def duplicate_region():
        db.session.add(Region(inn_code="73", name_ru="Дубль", name_en="Duplicate", federal_district_ru="",
                              federal_district_en="", timezone="Europe/Samara"))
        db.session.flush()

    app.add_url_rule("/api/v1/_duplicate", view_func=duplicate_region, methods=["POST"])
    app.add_url_rule("/_duplicate", view_func=duplicate_region, methods=["POST"])
    client = app.test_client()
    response = client.post("/api/v1/_duplicate")
    assert response.status_code == 409 and response.json["message"]
    assert client.post("/_duplicate").status_code == 409
    assert client.get("/api/v1/regions").status_code == 200
