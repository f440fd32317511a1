"""Loads the reference and founding data in seeds/ by natural keys, so running it twice changes nothing."""

import csv
import tomllib
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from registry.extensions import db
from registry.models import (
    Capability,
    CapabilityOffer,
    Company,
    CompanyOkved,
    Contact,
    Event,
    EventParticipant,
    Need,
    OkvedCode,
    Project,
    ProjectParticipant,
    Region,
    StageChange,
)
from registry.services import search, tasks

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


def seed_reference(seeds_dir: Path = SEEDS_DIR) -> dict[str, int]:
    """Regions, OKVED2 and the capability taxonomy: what every database needs before any company."""
    added = {
        "regions": seed_regions(seeds_dir / "regions.csv"),
        "okved_codes": seed_okved(seeds_dir / "okved2.csv"),
        "capabilities": seed_capabilities(seeds_dir / "capabilities.toml"),
    }
    db.session.flush()
    # A changed taxonomy changes what every document means: rebuild them all.
    from registry.services import matching, retrieval

    retrieval.ensure_current(db.session, matching.analyzer(fresh=True))
    return added


def seed_all(seeds_dir: Path = SEEDS_DIR) -> dict[str, int]:
    """Loads every seed file; returns how many rows each step added."""
    added = seed_reference(seeds_dir)
    cooperation = seeds_dir / "cooperation.toml"
    if cooperation.exists():
        added.update(seed_cooperation(cooperation))
    db.session.flush()
    return added


def _set(obj, **values) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def seed_regions(path: Path) -> int:
    existing = {region.inn_code: region for region in db.session.scalars(select(Region))}
    added = 0
    for row in _read_csv(path):
        region = existing.get(row["inn_code"])
        if region is None:
            region = Region(inn_code=row["inn_code"])
            db.session.add(region)
            added += 1
        _set(region, iso_code=row["iso_code"] or None, name_ru=row["name_ru"], name_en=row["name_en"],
             federal_district_ru=row["federal_district_ru"], federal_district_en=row["federal_district_en"],
             timezone=row["timezone"])
    return added


def seed_okved(path: Path) -> int:
    existing = {code.code: code for code in db.session.scalars(select(OkvedCode))}
    new_rows = []
    for row in _read_csv(path):
        values = {"section": row["section"], "name": row["name"], "parent_code": row["parent"] or None}
        if row["code"] in existing:
            _set(existing[row["code"]], **values)
        else:
            new_rows.append({"code": row["code"], **values})
    if new_rows:  # parents precede children in the file, so one ordered bulk insert keeps the FKs happy
        db.session.execute(OkvedCode.__table__.insert(), new_rows)
    return len(new_rows)


def seed_capabilities(path: Path) -> int:
    nodes = tomllib.loads(path.read_text(encoding="utf-8"))["node"]
    existing = {cap.code: cap for cap in db.session.scalars(select(Capability))}
    okved = {code.code: code for code in db.session.scalars(select(OkvedCode))}
    added = 0
    for position, node in enumerate(nodes):
        capability = existing.get(node["code"])
        if capability is None:
            capability = existing[node["code"]] = Capability(code=node["code"])
            db.session.add(capability)
            added += 1
        _set(capability, name_ru=node["name_ru"], name_en=node["name_en"], position=position,
             synonyms=list(node.get("synonyms", [])), abbreviations=list(node.get("abbreviations", [])),
             parent=existing[node["parent"]] if node.get("parent") else None)
        codes = [okved[code] for code in node.get("okved", [])]
        if capability.okved_codes != codes:
            capability.okved_codes = codes
    return added


def seed_cooperation(path: Path) -> dict[str, int]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    regions = {region.iso_code: region for region in db.session.scalars(select(Region)) if region.iso_code}
    capabilities = {cap.code: cap for cap in db.session.scalars(select(Capability))}
    companies = {company.name: company for company in db.session.scalars(select(Company))}
    added = {"companies": 0, "events": 0, "needs": 0, "projects": 0}

    for item in data.get("company", []):
        company = companies.get(item["name"])
        if company is None:
            company = companies[item["name"]] = Company(name=item["name"])
            db.session.add(company)
            added["companies"] += 1
        _set(company, inn=item.get("inn") or None, legal_form=item.get("legal_form"),
             region=regions[item["region"]], city=item.get("city"), description=item.get("description", ""),
             verification=item.get("verification", "unverified"), source=item["source"],
             website=item.get("website") or None)
        main_first = item.get("okved", [])
        have = {link.okved_code for link in company.okveds}
        for index, code in enumerate(main_first):
            if code not in have:
                company.okveds.append(CompanyOkved(okved_code=code, is_main=index == 0))
        for offer in item.get("offer", []):
            capability = capabilities[offer["capability"]]
            if not any(o.capability is capability and o.text == offer["text"] for o in company.offers):
                company.offers.append(CapabilityOffer(capability=capability, text=offer["text"]))
            current = next(o for o in company.offers if o.capability is capability and o.text == offer["text"])
            _set(current, equipment=offer.get("equipment", ""), capacity=offer.get("capacity", ""),
                 certifications=offer.get("certifications", ""))
        for person in item.get("contact", []):
            if not any(c.name == person["name"] for c in company.contacts):
                company.contacts.append(Contact(name=person["name"], position=person.get("position"),
                                                source=person.get("source")))
        search.refresh_company(company)

    events = {event.title: event for event in db.session.scalars(select(Event))}
    for item in data.get("event", []):
        event = events.get(item["title"])
        if event is None:
            event = events[item["title"]] = Event(title=item["title"])
            db.session.add(event)
            added["events"] += 1
        _set(event, kind=item["kind"], held_on=item.get("held_on"), date_note=item.get("date_note", ""),
             place=item.get("place", ""), region=regions.get(item.get("region")),
             description=item.get("description", ""), source=item["source"])
        for person in item.get("participant", []):
            company = companies[person["company"]] if person.get("company") else None
            name = person.get("person_name", "")
            if not any(p.company is company and p.person_name == name for p in event.participants):
                event.participants.append(
                    EventParticipant(company=company, person_name=name, position=person.get("position", ""))
                )

    db.session.flush()
    needs = {(need.company_id, need.title): need for need in db.session.scalars(select(Need))}
    for item in data.get("need", []):
        company = companies[item["company"]]
        need = needs.get((company.id, item["title"]))
        if need is None:
            need = Need(company=company, title=item["title"])
            db.session.add(need)
            added["needs"] += 1
        _set(need, text=item.get("text", ""), volume=item.get("volume", ""), status=item.get("status", "open"),
             source=item["source"], deadline=item.get("deadline"))
        wanted = [capabilities[code] for code in item.get("capabilities", [])]
        if need.capabilities != wanted:
            need.capabilities = wanted
        search.refresh_need(need)

    projects = {project.title: project for project in db.session.scalars(select(Project))}
    for item in data.get("project", []):
        project = projects.get(item["title"])
        if project is None:
            project = projects[item["title"]] = Project(title=item["title"], stage=item["stage"])
            project.stage_changes.append(StageChange(from_stage=None, to_stage=item["stage"],
                                                     note=item.get("source", "")))
            db.session.add(project)
            added["projects"] += 1
        value = item.get("value_rub")
        _set(project, description=item.get("description", ""),
             direction=capabilities.get(item.get("direction")), source=item["source"],
             value_rub=Decimal(str(value)) if value else None,
             source_event=events.get(item.get("source_event")))
        for person in item.get("participant", []):
            company = companies[person["company"]]
            if not any(p.company is company and p.role == person["role"] for p in project.participants):
                project.participants.append(ProjectParticipant(company=company, role=person["role"]))
        if (project.next_step, project.next_step_due) != (item.get("next_step", ""), item.get("next_step_due")):
            tasks.put_next_step(project, item.get("next_step", ""), item.get("next_step_due"))
    return added



