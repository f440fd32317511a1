from sqlalchemy import select

from registry.models import Company, Need
from registry.policy import SYSTEM
from registry.services import companies as company_service
from tests.factories import make_company, make_need, region, valid_inn


def supplier(name, region_iso, statements, okved=("25.62",), verified=False):
    company = company_service.create_company(
        {"inn": valid_inn(region(region_iso).inn_code), "name": name, "region": region_iso,
         "okved": list(okved), "capabilities": statements}, actor=SYSTEM)
    company.verification = "verified" if verified else "unverified"
    return company


def test_post_a_need_by_inn_and_read_it_back(client, db, token_for):
    company = make_company()
    headers = token_for("company", company=company, company_approved=True)
    response = client.post("/api/v1/needs", headers=headers, json={
        "company_inn": company.inn, "title": "Фрезеровка корпусов", "description": "Д16Т, 200 шт.",
        "okved": ["25.62"]})
    assert response.status_code == 201, response.json
    need = client.get(f"/api/v1/needs/{response.json['id']}").json
    assert need["company"]["inn"] == company.inn and need["okved"] == ["25.62"]
    assert need["capabilities"] == [], "only chosen nodes are the need's own"
    from registry.models import Need
    from registry.services import matching

    inferred, _ = matching.inferred_for(db.session.get(Need, need["id"]))
    assert "metalworking.milling" in [node.code for node in inferred], "retrieval reads the nodes from the text"


def test_need_for_another_company_is_forbidden(client, db, token_for):
    own, other = make_company(), make_company()
    headers = token_for("company", company=own, company_approved=True)
    response = client.post("/api/v1/needs", headers=headers, json={"company_id": other.id, "title": "X"})
    assert response.status_code == 403
    assert db.session.scalar(select(Need)) is None


def test_need_for_unknown_company_or_without_title_is_422(client, db, token_for):
    headers = token_for("admin")
    assert client.post("/api/v1/needs", headers=headers, json={"company_inn": "7707083893", "title": "X"}).status_code == 422
    company = make_company()
    db.session.commit()
    response = client.post("/api/v1/needs", headers=headers, json={"company_id": company.id})
    assert response.status_code == 422 and "title" in response.json["errors"]


def test_matches_rank_capable_suppliers_first_and_explain_them(client, db):
    customer = make_company(region_iso="RU-MO", name="АО «Заказчик»")
    milling = supplier("ООО «Фрезер»", "RU-ULY", ["фрезерная обработка на станках с ЧПУ", "фрезеровка алюминия"])
    supplier("ООО «Пекарня»", "RU-ULY", ["выпечка хлеба"], okved=("10.71",))
    supplier("ООО «Литьё»", "RU-MO", ["литьё чугуна"], okved=("24.51",))
    need = make_need(customer, title="Фрезерная обработка алюминиевых корпусов",
                     text="Нужна фрезеровка корпусов из Д16Т на ЧПУ")
    db.session.commit()
    body = client.get(f"/api/v1/needs/{need.id}/matches").json
    assert body["need_id"] == need.id
    matches = body["matches"]
    assert matches[0]["company"]["id"] == milling.id
    assert customer.id not in {m["company"]["id"] for m in matches}
    top = matches[0]
    assert 0 < top["score"] <= 1
    assert abs(sum(r["weight"] for r in top["reasons"]) - top["score"]) < 0.01
    kinds = {r["kind"] for r in top["reasons"]}
    assert any(kind.startswith("capability") for kind in kinds) and "region" in kinds
    assert any("Республика Мордовия" in r["text"] or "Ульяновская область" in r["text"] for r in top["reasons"])


def test_match_filters(client, db):
    customer = make_company(region_iso="RU-MO")
    local = supplier("ООО «Местный фрезер»", "RU-MO", ["фрезерная обработка на станках с ЧПУ"], verified=True)
    remote = supplier("ООО «Дальний фрезер»", "RU-ULY", ["фрезерная обработка на станках с ЧПУ"])
    inactive = supplier("ООО «Закрытый фрезер»", "RU-ULY", ["фрезерная обработка на станках с ЧПУ"])
    inactive.active = False
    need = make_need(customer, title="Фрезерная обработка деталей")
    db.session.commit()

    def ids(query=""):
        return [m["company"]["id"] for m in client.get(f"/api/v1/needs/{need.id}/matches?{query}").json["matches"]]

    assert set(ids()) == {local.id, remote.id}
    assert ids("other_regions_only=true") == [remote.id]
    assert ids("verified_only=true") == [local.id]
    assert ids("region=RU-ULY") == [remote.id]
    assert client.get(f"/api/v1/needs/{need.id}/matches?region=RU-XXX").status_code == 422
    assert client.get(f"/api/v1/needs/{need.id}/matches?limit=0").status_code == 422


def test_editing_a_company_reaches_the_matches_without_a_rebuild(client, db, token_for):
    customer = make_company(region_iso="RU-MO")
    late = supplier("ООО «Поздний»", "RU-ULY", ["выпечка хлеба"], okved=("10.71",))
    need = make_need(customer, title="Горячее цинкование металлоконструкций")
    db.session.commit()
    assert late.id not in [m["company"]["id"] for m in client.get(f"/api/v1/needs/{need.id}/matches").json["matches"]]
    headers = token_for("admin")
    client.patch(f"/api/v1/companies/{late.id}", headers=headers, json={"capabilities": ["горячее цинкование"]})
    matches = client.get(f"/api/v1/needs/{need.id}/matches").json["matches"]
    assert matches and matches[0]["company"]["id"] == late.id


def test_opportunities_list_open_needs_a_company_could_serve(client, db):
    milling = supplier("ООО «Фрезер»", "RU-ULY", ["фрезерная обработка на станках с ЧПУ"])
    buyer = make_company(region_iso="RU-MO")
    wanted = make_need(buyer, title="Фрезерная обработка корпусов")
    make_need(buyer, title="Поставка хлеба в столовую")
    make_need(milling, title="Фрезерная обработка для себя")  # its own need never counts
    closed = make_need(buyer, title="Фрезерная обработка валов", status="closed")
    db.session.commit()
    body = client.get(f"/api/v1/companies/{milling.id}/opportunities").json
    ids = [m["need"]["id"] for m in body["matches"]]
    assert ids[0] == wanted.id and closed.id not in ids
    assert all(m["need"]["company"]["id"] != milling.id for m in body["matches"])


def test_founding_needs_of_rm_rail_get_explained_suppliers(client, founding):
    rm_rail = founding.session.scalar(select(Company).where(Company.name == "УК «РМ Рейл»"))
    for need in rm_rail.needs:
        matches = client.get(f"/api/v1/needs/{need.id}/matches").json["matches"]
        assert matches, need.title
        assert all(m["reasons"] for m in matches)
        assert rm_rail.id not in {m["company"]["id"] for m in matches}


def test_needs_list_filters_by_status_and_company(client, db):
    company = make_company()
    make_need(company, title="Открытая")
    make_need(company, title="Закрытая", status="closed")
    db.session.commit()
    assert [n["title"] for n in client.get("/api/v1/needs").json["items"]] == ["Открытая"]
    closed = client.get(f"/api/v1/needs?status=closed&company_id={company.id}").json
    assert [n["title"] for n in closed["items"]] == ["Закрытая"]
    assert client.get("/api/v1/needs?status=bogus").status_code == 422
