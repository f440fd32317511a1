"""Small builders for test data: valid by default, overridable by keyword."""

import itertools

from sqlalchemy import select
from stdnum.ru import inn as stdnum_inn

from registry.extensions import db
from registry.models import Capability, Company, Need, Project, ProjectParticipant, Region, User

_serial = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery"


def valid_inn(region_code: str = "73") -> str:
    """A 10-digit INN of an organisation in the given region, with a correct check digit."""
    body = f"{region_code}{next(_serial):07d}"
    return body + stdnum_inn.calc_company_check_digit(body)


def region(iso: str = "RU-ULY") -> Region:
    return db.session.scalar(select(Region).where(Region.iso_code == iso))


def capability(code: str) -> Capability:
    return db.session.scalar(select(Capability).where(Capability.code == code))


def make_company(**values) -> Company:
    the_region = values.pop("region", None) or region(values.pop("region_iso", "RU-ULY"))
    values.setdefault("inn", valid_inn(the_region.inn_code))
    values.setdefault("name", f"ООО «Тестовое предприятие {next(_serial)}»")
    values.setdefault("city", "Ульяновск")
    company = Company(region=the_region, **values)
    db.session.add(company)
    db.session.flush()
    return company


def make_user(role: str = "official", *, email: str | None = None, password: str = DEFAULT_PASSWORD,
              **values) -> User:
    if role == "company":
        values.setdefault("company", None) or values.update(company=make_company())
        values.setdefault("company_approved", True)
    user = User(email=email or f"user{next(_serial)}@example.org", role=role, **values)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_need(company: Company | None = None, **values) -> Need:
    values.setdefault("title", f"Потребность {next(_serial)}")
    need = Need(company=company or make_company(), **values)
    db.session.add(need)
    db.session.flush()
    return need


def make_project(*participants: tuple[Company, str], **values) -> Project:
    values.setdefault("title", f"Проект {next(_serial)}")
    values.setdefault("stage", "negotiation")
    project = Project(**values)
    for company, role in participants:
        project.participants.append(ProjectParticipant(company=company, role=role))
    db.session.add(project)
    db.session.flush()
    return project
