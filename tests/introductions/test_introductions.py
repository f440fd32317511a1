from sqlalchemy import select

from registry.models import Introduction, OutboxMessage, Project
from tests.factories import make_company, make_need, make_user


def setup_pair(db):
    customer, supplier = make_company(region_iso="RU-MO"), make_company(region_iso="RU-ULY")
    need = make_need(customer, title="Фрезерная обработка корпусов")
    customer_rep = make_user("company", company=customer, email="customer@example.org")
    supplier_rep = make_user("company", company=supplier, email="supplier@example.org")
    db.session.commit()
    return need, supplier, customer_rep, supplier_rep


def test_interest_creates_one_introduction_and_notifies_the_other_side(client, db, login):
    need, supplier, customer_rep, _ = setup_pair(db)
    login(customer_rep)
    for _attempt in range(2):
        response = client.post("/introductions/", data={"need_id": need.id, "supplier_id": supplier.id})
        assert response.status_code == 302
    introductions = db.session.scalars(select(Introduction)).all()
    assert len(introductions) == 1 and introductions[0].requested_by_id == customer_rep.id
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == {"supplier@example.org"}


def test_an_unrelated_representative_may_not_express_interest(client, db, login):
    need, supplier, _, _ = setup_pair(db)
    login(make_user("company"))
    assert client.post("/introductions/", data={"need_id": need.id, "supplier_id": supplier.id}).status_code == 403
    assert db.session.scalar(select(Introduction)) is None


def test_a_company_cannot_be_introduced_to_itself(client, db, login):
    need, _, customer_rep, _ = setup_pair(db)
    login(customer_rep)
    client.post("/introductions/", data={"need_id": need.id, "supplier_id": need.company_id})
    assert db.session.scalar(select(Introduction)) is None


def test_official_turns_an_introduction_into_a_proposal(client, db, login):
    need, supplier, customer_rep, _ = setup_pair(db)
    login(customer_rep)
    client.post("/introductions/", data={"need_id": need.id, "supplier_id": supplier.id})
    official = make_user("official")
    login(official)
    page = client.get("/introductions/").get_data(as_text=True)
    assert need.title in page and supplier.name in page
    introduction = db.session.scalar(select(Introduction))
    response = client.post(f"/introductions/{introduction.id}/project")
    assert response.status_code == 302
    project = db.session.scalar(select(Project))
    assert project.stage == "proposal" and project.title == need.title
    assert {(p.company_id, p.role) for p in project.participants} == {(need.company_id, "customer"), (supplier.id, "supplier")}
    db.session.refresh(introduction)
    assert introduction.project_id == project.id and introduction.status == "project"
    assert client.post(f"/introductions/{introduction.id}/project").status_code == 302  # refused politely
    assert len(db.session.scalars(select(Project)).all()) == 1


def test_introductions_are_for_officials_and_the_firms_own_representatives(client, db, login):
    need, supplier, customer_rep, _ = setup_pair(db)
    assert client.get("/introductions/").status_code == 302  # to the login page
    login(customer_rep)
    client.post("/introductions/", data={"need_id": need.id, "supplier_id": supplier.id})
    page = client.get("/introductions/").get_data(as_text=True)
    assert need.title in page and "/project" not in page  # starting projects is for officials
