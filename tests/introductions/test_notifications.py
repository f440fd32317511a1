"""Who hears about a firm: representatives, else contacts, else the region's officials, else nobody,
and the sentence that says so."""

from flask_babel import force_locale
from sqlalchemy import select

from registry.models import Contact, OutboxMessage
from registry.services import notifications
from registry.translation import lazy_gettext as _l
from tests.factories import make_company, make_user, region


def outbox(db) -> dict[str, OutboxMessage]:
    return {message.recipient: message for message in db.session.scalars(select(OutboxMessage))}


def test_approved_active_representatives_are_told_in_their_own_language(app, db):
    firm = make_company(name="ООО «Фрезер»")
    make_user("company", company=firm, email="ru@example.org")
    make_user("company", company=firm, email="en@example.org", locale="en")
    make_user("company", company=firm, email="pending@example.org", company_approved=False)
    make_user("company", company=firm, email="gone@example.org", active=False)
    firm.contacts.append(Contact(name="Иван", email="contact@example.org"))
    with app.test_request_context():
        found = notifications.notify_company(firm, _l("Interest in cooperation: %(need)s", need="Валы"),
                                             _l("Nobody was notified."), link="https://registry.example/introductions/1")
        assert notifications.describe(found) == "Уведомлены представители ООО «Фрезер» (2 адреса)."
    assert found.kind == notifications.REPRESENTATIVES
    sent = outbox(db)
    assert set(sent) == {"ru@example.org", "en@example.org"}
    assert sent["ru@example.org"].subject == "Интерес к сотрудничеству: Валы"
    assert sent["en@example.org"].subject == "Interest in cooperation: Валы"
    assert sent["en@example.org"].body.endswith("https://registry.example/introductions/1")


def test_without_representatives_the_contacts_addresses_are_told_once_each(app, db):
    firm = make_company(name="ООО «Литейщик»")
    firm.contacts.extend([Contact(name="Иван", email="a@example.org"), Contact(name="Пётр", email=" A@example.org "),
                          Contact(name="Олег", phone="+7 900"), Contact(name="Анна", email="b@example.org")])
    with app.test_request_context():
        found = notifications.notify_company(firm, _l("Nobody was notified."), _l("Nobody was notified."))
        assert notifications.describe(found) == "Уведомлены контакты ООО «Литейщик» (2 адреса)."
    assert found.kind == notifications.CONTACTS
    assert set(outbox(db)) == {"a@example.org", "b@example.org"}


def test_a_firm_without_any_contact_is_reported_to_its_regions_officials(app, db):
    firm = make_company(name="ООО «Немой»", region_iso="RU-MO")
    make_user("official", region=region("RU-MO"), email="mordovia@example.org")
    make_user("official", region=region("RU-MO"), email="retired@example.org", active=False)
    make_user("official", region=region("RU-ULY"), email="ulyanovsk@example.org")
    make_user("company", company=firm, email="unapproved@example.org", company_approved=False)
    with app.test_request_context():
        found = notifications.notify_company(firm, _l("Nobody was notified."), _l("Nobody was notified."))
        assert notifications.describe(found) == ("У ООО «Немой» нет ни пользователя, ни адреса e-mail; вместо него "
                                                 "уведомлён ответственный чиновник региона Республика Мордовия (1 адрес).")
    assert found.kind == notifications.OFFICIALS
    message = outbox(db)["mordovia@example.org"]
    assert set(outbox(db)) == {"mordovia@example.org"}
    assert message.body.startswith("У ООО «Немой» нет ни пользователя, ни адреса e-mail в реестре")


def test_when_nobody_can_be_told_nothing_is_written_and_the_sentence_says_so(app, db):
    firm = make_company(name="ООО «Никто»", region_iso="RU-SAM")
    with app.test_request_context():
        found = notifications.notify_company(firm, _l("Nobody was notified."), _l("Nobody was notified."))
        sentence = notifications.describe(found)
        with force_locale("en"):
            english = notifications.describe(found)
    assert found.kind == notifications.NOBODY and not found.reached
    assert outbox(db) == {}
    assert sentence.endswith("никто не уведомлён.") and "Самарская область" in sentence
    assert english.endswith("nobody was notified.")


def test_address_counts_use_russian_plurals(app, db):
    firm = make_company(name="ООО «Много»")
    for count in range(5):
        firm.contacts.append(Contact(name=f"Контакт {count}", email=f"c{count}@example.org"))
    db.session.flush()
    with app.test_request_context():
        found = notifications.recipients_for(firm)
        assert notifications.describe(found).endswith("(5 адресов).")
        found.people = found.people[:1]
        assert notifications.describe(found).endswith("(1 адрес).")
        assert notifications.describe_all([]) == "Никто не уведомлён."
