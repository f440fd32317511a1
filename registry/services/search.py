"""Keeps the pre-stemmed search columns in step with what they index (one normaliser for all)."""

from registry.matching.text import stemmed_text


def refresh_company(company) -> None:
    parts = [company.inn or "", company.name, company.city or "", company.description or ""]  # INN: officials search by it
    for offer in company.offers:
        parts.append(offer.text or "")
        if offer.capability is not None:
            parts += [offer.capability.name_ru, offer.capability.name_en]
    company.search_text = stemmed_text(" ".join(parts))


def refresh_need(need) -> None:
    parts = [need.title, need.text or "", need.volume or ""]
    parts += [f"{cap.name_ru} {cap.name_en}" for cap in need.capabilities]
    need.search_text = stemmed_text(" ".join(parts))
