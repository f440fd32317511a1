def test_regions_list_every_federal_subject(client):
    regions = client.get("/api/v1/regions").json
    assert len(regions) >= 85
    assert {"iso_code": "RU-ULY", "inn_code": "73"}.items() <= next(r for r in regions if r["inn_code"] == "73").items()


def test_capabilities_come_as_a_tree(client):
    roots = client.get("/api/v1/capabilities").json
    assert roots and all(node["children"] is not None for node in roots)
    codes = []

    def walk(node):
        codes.append(node["code"])
        for child in node["children"]:
            walk(child)

    for root in roots:
        walk(root)
    assert len(codes) >= 60 and len(codes) == len(set(codes))
    assert sum(len(root["children"]) for root in roots) > 0


def test_okved_search_by_code_prefix_and_by_name(client):
    by_code = client.get("/api/v1/okved?q=25.6").json
    assert by_code and all(item["code"].startswith("25.6") for item in by_code)
    by_name = client.get("/api/v1/okved?q=вагон").json
    assert any(item["code"].startswith("30.2") for item in by_name)


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/companies", "/api/v1/needs/{need_id}/matches", "/api/v1/projects/{project_id}/stage"):
        assert path in spec["paths"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in page and "<script>" not in page


def test_unknown_api_path_answers_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.is_json
    assert set(response.json) == {"message", "errors"}
