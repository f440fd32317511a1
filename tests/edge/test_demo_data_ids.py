"""Demo companies come with ids of their own: the database's sequences must move past them (PostgreSQL),
or the next company or need the registry makes collides with one of them."""

import pytest
from sqlalchemy import func, select

from registry.models import Company, Need
from registry.policy import SYSTEM
from registry.services import demo_data, needs
from tests.factories import make_company, valid_inn


def test_after_the_demo_data_command_an_import_adds_a_company(runner, db, tmp_path):
    """The issue's reproduction: a seeded database, `demo-data --companies 5`, then import one company."""
    made = runner.invoke(args=["demo-data", "--companies", "5"])
    assert made.exit_code == 0, made.output
    path = tmp_path / "one.csv"
    path.write_text(f"ИНН;Наименование;Регион\n{valid_inn('73')};ООО «После демо»;RU-ULY\n", encoding="utf-8")
    imported = runner.invoke(args=["import", str(path)])
    assert imported.exit_code == 0, imported.output
    assert db.session.scalar(select(func.count()).select_from(Company)) == 6


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "bulk inserts"])
def test_after_demo_data_the_registry_makes_companies_and_needs(db, copy):
    if copy and db.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    demo_data.generate(5, seed=2, needs_share=1.0, copy=copy)
    db.session.commit()
    company = make_company(name="ООО «После демо»")
    need = needs.create_need(company, {"title": "Фрезерная обработка", "text": ""}, actor=SYSTEM)
    db.session.commit()
    assert company.id > db.session.scalar(select(func.max(Company.id)).where(Company.id != company.id))
    assert need.id > db.session.scalar(select(func.max(Need.id)).where(Need.id != need.id))
