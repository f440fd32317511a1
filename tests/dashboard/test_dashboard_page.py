import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from registry.dashboard import queries
from registry.models import Project
from registry.models.base import utcnow
from registry.services import audit
from tests.factories import capability, make_company, make_need, make_project, make_user, region
from tests.projects.query_counter import count_queries


def pair_project(supplier_iso, customer_iso, **values):
    return make_project((make_company(region_iso=supplier_iso), "supplier"),
                        (make_company(region_iso=customer_iso), "customer"), **values)


def matrix_cell(page: str, supplier_iso: str, customer_iso: str) -> str:
    supplier, customer = region(supplier_iso).id, region(customer_iso).id
    match = re.search(rf'data-supplier="{supplier}" data-customer="{customer}">(.*?)</td>', page)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else None


def test_dashboard_runs_the_same_number_of_queries_for_5_and_50_projects(client, db, login):
    official = login(make_user("official"))
    counts = []
    for total in (5, 50):
        while db.session.scalar(select(func.count(Project.id))) < total:
            project = pair_project("RU-ULY", "RU-MO", direction=capability("casting"), value_rub=Decimal("10"))
            make_need(project.participants[1].company)
            audit.record(official, "project.create", project)
        db.session.commit()
        with count_queries(db.engine) as statements:
            response = client.get("/dashboard/")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_region_matrix_counts_which_region_supplies_which(client, db, login):
    login(make_user("official"))
    pair_project("RU-ULY", "RU-MO")
    pair_project("RU-ULY", "RU-MO")
    pair_project("RU-MO", "RU-ULY")
    pair_project("RU-MO", "RU-MO")
    make_project((make_company(region_iso="RU-ULY"), "partner"))  # no supplier and customer: no pair
    db.session.commit()

    page = client.get("/dashboard/").get_data(as_text=True)

    assert matrix_cell(page, "RU-ULY", "RU-MO") == "2"
    assert matrix_cell(page, "RU-MO", "RU-ULY") == "1"
    assert matrix_cell(page, "RU-MO", "RU-MO") == "1"
    assert matrix_cell(page, "RU-ULY", "RU-ULY") == "0"
    assert "Какой регион кому поставляет" in page


def test_dashboard_shows_stages_values_directions_regions_stalled_and_activity(client, db, login):
    official = login(make_user("official", email="chief@example.org"))
    agreed = pair_project("RU-ULY", "RU-MO", stage="agreement", value_rub=Decimal("1200000"),
                          direction=capability("metalworking.turning"))
    pair_project("RU-ULY", "RU-MO", stage="agreement", value_rub=Decimal("300000.50"),
                 direction=capability("metalworking.milling"))
    stalled = pair_project("RU-ULY", "RU-MO", title="Забытый проект", stage="proposal")
    make_need(make_company(region_iso="RU-MO"))
    audit.record(official, "project.stage", agreed, stage="agreement")
    db.session.flush()
    stalled.updated_at = utcnow() - timedelta(days=31)
    db.session.commit()

    page = client.get("/dashboard/").get_data(as_text=True)

    stage_row = re.search(r'<tr data-stage="agreement">(.*?)</tr>', page, re.S).group(1)
    assert ">2<" in stage_row and "1\u00a0500\u00a0000,50\u00a0₽" in stage_row
    directions = page[page.index('id="direction-table"'):]
    assert "Металлообработка" in directions.split("</table>")[0]  # turning and milling roll up to it
    regions = re.search(rf'<tr data-region="{region("RU-MO").id}">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r">(\d+)<", regions) == ["4", "1"]  # companies, open needs
    stalled_table = page[page.index('id="stalled-table"'):].split("</table>")[0]
    assert "Забытый проект" in stalled_table
    assert "1 застрявший проект" not in page and "застрявший проект" in page
    activity = page[page.index('id="audit-history"'):]
    assert "chief@example.org" in activity and "Стадия проекта изменена" in activity
    assert 'type="application/json" id="dashboard-data"' in page
    assert "dashboard.js" in page and "chart.umd.min.js" in page


def test_dashboard_is_for_officials_and_admins_only(client, db, login):
    assert client.get("/dashboard/").status_code == 302
    login(make_user("company"))
    assert client.get("/dashboard/").status_code == 403
    login(make_user("admin"))
    assert client.get("/dashboard/").status_code == 200


def test_read_helpers_work_without_a_request(db):
    now = utcnow()
    pair_project("RU-ULY", "RU-MO", stage="negotiation", value_rub=Decimal("5"),
                 next_step_due=now.date() - timedelta(days=1))
    pair_project("RU-ULY", "RU-MO", stage="completed", value_rub=Decimal("7"),
                 next_step_due=now.date() - timedelta(days=1))
    db.session.flush()

    stages = {row.stage: row for row in queries.projects_by_stage(now=now)}
    assert (stages["negotiation"].projects, stages["negotiation"].value_rub, stages["negotiation"].stalled) == (1, 5, 1)
    assert (stages["completed"].projects, stages["completed"].stalled) == (1, 0)
    assert queries.stalled_count(now=now) == 1
    matrix = queries.region_pair_matrix()
    assert matrix.count(region("RU-ULY").id, region("RU-MO").id) == 2


def test_charts_without_data_say_so_in_words(client, db, login):
    login(make_user("official"))
    make_project((make_company(region_iso="RU-ULY"), "supplier"))  # a project without a value
    db.session.commit()

    page = client.get("/dashboard/").get_data(as_text=True)

    assert 'data-chart="stages"' in page  # one project: drawn
    assert 'data-chart="values"' not in page  # no values: not an empty «0 ₽…1 ₽» axis
    assert 'data-empty-chart="values"' in page


def test_the_region_matrix_has_a_grand_total_and_says_where_the_other_projects_are(client, db, login):
    login(make_user("official"))
    pair_project("RU-ULY", "RU-MO")
    pair_project("RU-MO", "RU-ULY")
    make_project((make_company(region_iso="RU-ULY"), "partner"))  # one participant
    make_project((make_company(region_iso="RU-ULY"), "partner"), (make_company(region_iso="RU-MO"), "partner"))
    db.session.commit()

    page = client.get("/dashboard/").get_data(as_text=True)

    assert re.search(r'id="matrix-total">2<', page)
    unpaired = queries.unpaired_projects()
    assert (unpaired.total, unpaired.single_participant, unpaired.several_without_pair) == (2, 1, 1)
    note = re.sub(r"\s+", " ", re.search(r'<p id="matrix-unpaired">(.*?)</p>', page, re.S).group(1))
    assert "2" in note and "1" in note
