import json
import tomllib

from sqlalchemy import func, select

from registry.extensions import db as _db
from registry.models import Capability, Company, Event, Need, OkvedCode, Project, Region, StageChange
from registry.services import seeding

FOUNDING = tomllib.loads((seeding.SEEDS_DIR / "cooperation.toml").read_text(encoding="utf-8"))


def counts() -> dict:
    models = [Region, OkvedCode, Capability, Company, Need, Project, Event, StageChange]
    return {model.__name__: _db.session.scalar(select(func.count()).select_from(model)) for model in models}


def test_seeding_twice_changes_nothing(db):
    seeding.seed_all()
    db.session.commit()
    first = counts()
    added = seeding.seed_all()
    db.session.commit()
    assert counts() == first
    assert set(added.values()) == {0}


def test_reference_data_is_complete(db):
    seeding.seed_all()
    all_regions = list(db.session.scalars(select(Region)))
    regions = {r.iso_code: r for r in all_regions}
    assert len(all_regions) >= 85 and len({r.inn_code for r in all_regions}) == len(all_regions)
    assert regions["RU-ULY"].inn_code == "73" and regions["RU-ULY"].name_en == "Ulyanovsk Oblast"
    assert regions["RU-MO"].inn_code == "13" and regions["RU-MO"].federal_district_ru == "Приволжский федеральный округ"
    assert db.session.get(OkvedCode, "25.62").parent_code == "25.6"
    assert db.session.get(OkvedCode, "C").parent_code is None
    assert db.session.scalar(select(func.count()).select_from(OkvedCode)) == 2950
    assert db.session.scalar(select(func.count()).select_from(Capability)) >= 60


def test_capability_tree_carries_names_synonyms_and_okved(db):
    nodes = list(db.session.scalars(select(Capability)))
    assert all(node.name_ru and node.name_en for node in nodes)
    assert sum(1 for node in nodes if node.parent is None) < len(nodes) / 3
    abbreviations = {abbr for node in nodes for abbr in node.abbreviations}
    assert {"ЧПУ", "РТИ", "КИПиА", "ГОШ"} <= abbreviations
    assert sum(1 for node in nodes if node.okved_codes) >= 0.7 * len(nodes)


def test_founding_facts_are_seeded_and_marked(founding):
    names = set(founding.session.scalars(select(Company.name)))
    for name in ("АО «Резинотехника»", "АО «Орбита»", "УК «РМ Рейл»"):
        assert name in names
    assert any("Саранский приборостроительный завод" in name for name in names)
    projects = list(founding.session.scalars(select(Project)))
    assert len(projects) == 25
    assert {p.stage for p in projects} == {"negotiation"}
    assert all(p.source.startswith("illustrative:") for p in projects)
    assert all(p.stage_changes for p in projects)
    round_table = founding.session.scalar(select(Event).where(Event.kind == "round_table"))
    assert round_table.held_on.month == 11 and round_table.held_on.day == 9
    assert round_table.date_note  # the article gives no year: the data says so
    rm_rail = founding.session.scalar(select(Company).where(Company.name == "УК «РМ Рейл»"))
    assert rm_rail.inn is None  # no invented identifiers for real firms
    assert any("Дробжев" in contact.name for contact in rm_rail.contacts)
    assert len([n for n in rm_rail.needs if n.source.startswith("article:")]) >= 3


def test_every_seeded_record_says_where_it_comes_from():
    for kind in ("company", "event", "need", "project"):
        for item in FOUNDING[kind]:
            assert item["source"].split(":")[0] in {"article", "illustrative"}, item
    real = [c for c in FOUNDING["company"] if c["source"].startswith("article:")]
    assert all(not c.get("inn") for c in real)


def test_stats_after_seeding_reports_every_entity(runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    result = runner.invoke(args=["stats", "--json"])
    stats = json.loads(result.output)
    assert stats["regions"] >= 85 and stats["okved_codes"] == 2950 and stats["capabilities"] >= 60
    assert stats["projects"] == 25 and stats["events"] >= 1 and stats["companies"] >= 4
