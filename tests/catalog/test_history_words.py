"""Histories and source notes in words: only real changes recorded, references named, source kinds spelled out."""

from sqlalchemy import select

from registry.catalog.history import AuditNames, describe
from registry.labels import source_words
from registry.models import AuditEntry
from registry.services import companies
from tests.factories import capability, make_company, make_project, make_user


def entries(company):
    from registry.extensions import db

    return db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "company",
                                                       AuditEntry.entity_id == company.id)).all()


def test_saving_an_empty_field_that_was_empty_records_nothing(db):
    admin = make_user("admin")
    company = make_company(website=None, legal_form=None)
    companies.update_company(company, {"website": "", "legal_form": "  ", "city": company.city}, actor=admin)
    assert entries(company) == []
    companies.update_company(company, {"website": "https://example.ru"}, actor=admin)
    assert [entry.changes for entry in entries(company)] == [{"website": "https://example.ru"}]


def test_a_capability_in_the_history_is_named_not_coded(db):
    admin = make_user("admin")
    company = make_company()
    companies.save_offer(company, actor=admin, capability=capability("metalworking.welding"), text="Сварка рам")
    found = entries(company)
    _, changes = describe(found[0], AuditNames.for_entries(found))
    assert ("Capability", "Welding") in changes or ("Компетенция", "Сварка") in changes
    assert not any("metalworking.welding" in value for _, value in changes)


def test_participants_are_named(db):
    first, second = make_company(name="ООО «Первое»"), make_company(name="ООО «Второе»")
    project = make_project((first, "customer"), (second, "supplier"))
    entry = AuditEntry(action="project.update", entity_type="project", entity_id=project.id,
                       changes={"participants": [[first.id, "customer"], [second.id, "supplier"]]})
    names = AuditNames.for_entries([entry])
    assert names.value("participants", entry.changes["participants"])[0].startswith("ООО «Первое» (")
    assert names.entity(entry) == project.title


def test_source_notes_say_their_kind_in_words(app):
    with app.test_request_context():
        assert source_words("article: участник круглого стола") in (
            "From the article: участник круглого стола", "Из статьи: участник круглого стола")
        assert not source_words("illustrative: условное").startswith("illustrative")
        assert not source_words("demo: synthetic").startswith("demo")
        assert source_words("выписка ЕГРЮЛ") == "выписка ЕГРЮЛ" and source_words(None) == ""


def test_a_project_from_an_introduction_keeps_no_internal_note(db):
    from registry.services import introductions
    from tests.factories import make_need

    official = make_user("admin")
    need = make_need(make_company())
    introduction, _ = introductions.express_interest(need, make_company(), actor=official)
    project = introductions.start_project(introduction, actor=official)
    assert project.source is None and introduction.project_id == project.id
