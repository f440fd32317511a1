"""Every kind of reason names only evidence the need's page shows (one test per kind)."""

import re

from registry.models import CapabilityOffer, CompanyOkved
from registry.services import matching
from tests.factories import capability, make_company, make_need


def page_and_reasons(client, need):
    html = client.get(f"/needs/{need.id}").get_data(as_text=True)
    need_part = html.split('id="need-heading"', 1)[1].split("</section>", 1)[0]
    reasons = re.findall(r'reason-weight">[^<]*</span>\s*([^<]+)</li>', html)
    return need_part, [reason.strip() for reason in reasons]


def welder(db, okved="25.11", node=None):
    company = make_company(name="Сварщик", region_iso="RU-ULY")
    company.offers.append(CapabilityOffer(text="Сварка металлоконструкций и сварных рам",
                                          capability=capability(node) if node else None))
    if okved:
        company.okveds.append(CompanyOkved(okved_code=okved, is_main=True))
    return company


def test_a_capability_read_from_the_text_is_shown_as_inferred_and_said_so(client, db):
    welder(db, node="metalworking.welding")
    need = make_need(company=make_company(region_iso="RU-MO"), title="Сварка металлоконструкций рамы")
    db.session.commit()
    need_part, reasons = page_and_reasons(client, need)
    assert "Сварка" in need_part and "определено по тексту" in need_part
    capability_reason = next(r for r in reasons if r.startswith("Сварка"))
    assert "(определено по тексту)" in capability_reason


def test_a_chosen_capability_needs_no_such_note(client, db):
    welder(db, node="metalworking.welding")
    need = make_need(company=make_company(region_iso="RU-MO"), title="Сварка металлоконструкций рамы")
    need.capabilities = [capability("metalworking.welding")]
    db.session.commit()
    _, reasons = page_and_reasons(client, need)
    capability_reason = next(r for r in reasons if r.startswith("Сварка"))
    assert "определено" not in capability_reason


def test_okved_codes_the_need_never_gave_appear_on_its_page_as_inferred(client, db):
    welder(db)
    need = make_need(company=make_company(region_iso="RU-MO"), title="Сварка металлоконструкций")
    db.session.commit()
    need_part, reasons = page_and_reasons(client, need)
    okved_reason = next(r for r in reasons if r.startswith("Совпадают коды ОКВЭД2"))
    code = re.search(r"↔ ([\d.]+)", okved_reason).group(1)
    assert code in need_part  # the page shows the code the reason names...
    assert "(определено по тексту)" in okved_reason  # ...and both say where it came from
    dash_free = need_part.split("ОКВЭД2", 1)[1]
    assert not dash_free.lstrip().startswith("</dt>\n      <dd class=\"col-sm-8\">—")


def test_words_every_request_holds_earn_no_reason_and_no_weight(client, db):
    supplier = make_company(name="Партнёр-Сервис", region_iso="RU-ULY")
    supplier.offers.append(CapabilityOffer(text="Изготовление деталей, услуги, поставка, надёжный партнёр"))
    need = make_need(company=make_company(region_iso="RU-MO"), title="Требуется партнёр по изготовлению деталей",
                     text="Поставщик услуг")
    db.session.commit()
    assert matching.suppliers_for(need) == []


def test_a_text_reason_names_words_that_both_texts_show(client, db):
    supplier = make_company(name="Цинк-М", region_iso="RU-ULY")
    supplier.offers.append(CapabilityOffer(text="Гальваническое цинкование крепежа, пассивация"))
    need = make_need(company=make_company(region_iso="RU-MO"), title="Цинкование крепежа М8, партнёр нужен")
    db.session.commit()
    _, reasons = page_and_reasons(client, need)
    text_reason = next(r for r in reasons if r.startswith("Совпадают слова"))
    words = text_reason.split(":", 1)[1].replace(",", " ").split()
    assert "крепежа" in words
    assert not {"партнёр", "нужен"} & set(words)


def test_a_region_reason_names_both_regions_the_pages_show(client, db):
    welder(db, node="metalworking.welding")
    need = make_need(company=make_company(region_iso="RU-MO"), title="Сварка металлоконструкций")
    db.session.commit()
    need_part, reasons = page_and_reasons(client, need)
    region_reason = next(r for r in reasons if r.startswith("Другой регион"))
    assert "Ульяновская область" in region_reason and "Республика Мордовия" in region_reason
    assert "Республика Мордовия" in need_part
