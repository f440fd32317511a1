"""Event matchmaking: the official's settings (slots, tables, registration window) and the firms'
registrations (who comes, what they bring, when they are busy), one by one or from a spreadsheet.

Slots are numbered from 0 here and in the API; pages show them from 1.
"""

import re
from datetime import date, datetime, time

from sqlalchemy import or_, select

from registry.extensions import db
from registry.i18n import local_today
from registry.models import CapabilityOffer, Company, Event, EventMeeting, EventParticipant, EventSlot, Need
from registry.models.base import utcnow
from registry.policy import authorize, can_act_for_participant, can_run_event, person
from registry.services import ServiceError, audit, meetings
from registry.services.imports import ImportReport, header_key, normalise_inn, read_table
from registry.translation import lazy_gettext as _l

MAX_SLOTS = 100
MAX_TABLES = 500
MAX_ATTENDEES = 2000
# A spreadsheet of participants is checked and written within the request: a few hundred rows take well
# under a second; anything larger belongs in the job queue, which no event has needed.
MAX_IMPORT_ROWS = 1000
TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def registration_is_open(event: Event, today: date | None = None) -> bool:
    """Whether firms may register themselves now (officials register them at any time)."""
    today = today or local_today()
    return event.registration_open and (event.registration_closes_on is None or today <= event.registration_closes_on)


# --- Settings ------------------------------------------------------------------------------------

def parse_time(value) -> time:
    """A time of day: a `time`, or "10:00" / "9.30" as people type it."""
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    match = TIME_PATTERN.match(str(value or ""))
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(value)
    return time(int(match[1]), int(match[2]))


def check_slots(pairs) -> list[tuple[time, time]]:
    """(start, end) pairs in time order; refuses unreadable times, empty or reversed slots and overlaps."""
    slots = []
    for number, pair in enumerate(pairs, start=1):
        try:
            start, end = (parse_time(value) for value in pair)
        except (TypeError, ValueError):
            raise ServiceError(_l("Slot %(number)s: write its times as 10:00 and 10:15.", number=number),
                               "slots") from None
        if end <= start:
            raise ServiceError(_l("Slot %(number)s: it must end after it starts.", number=number), "slots")
        slots.append((start, end))
    if len(slots) > MAX_SLOTS:
        raise ServiceError(_l("At most %(count)s slots.", count=MAX_SLOTS), "slots")
    slots.sort()
    for (start, end), (next_start, next_end) in zip(slots, slots[1:], strict=False):
        if next_start < end:
            raise ServiceError(_l("Slots %(first)s and %(second)s overlap.",
                                  first=f"{start:%H:%M}–{end:%H:%M}", second=f"{next_start:%H:%M}–{next_end:%H:%M}"),
                               "slots")
    return slots


def generate_slots(start: time, end: time, minutes: int, breaks=()) -> list[tuple[time, time]]:
    """Slots of `minutes` from `start` until `end`, none overlapping a break ((start, end) pairs)."""
    if minutes < 5:
        raise ServiceError(_l("A slot lasts at least 5 minutes."), "generate_minutes")
    slots, at = [], start.hour * 60 + start.minute
    stop = end.hour * 60 + end.minute
    pauses = [(b.hour * 60 + b.minute, e.hour * 60 + e.minute) for b, e in breaks]
    while at + minutes <= stop and len(slots) <= MAX_SLOTS:
        overlapping = [pause_end for pause_start, pause_end in pauses if pause_start < at + minutes and at < pause_end]
        if overlapping:
            at = max(overlapping)
            continue
        slots.append((time(at // 60, at % 60), time((at + minutes) // 60, (at + minutes) % 60)))
        at += minutes
    return slots


def configure_matchmaking(event: Event, data: dict, *, actor) -> Event:
    """Sets an event's matchmaking: keys of `data` that are present are changed, the others kept.

    `slots` is a list of (start, end) pairs; they are stored in time order, numbered from 0. Once
    meetings have been placed in slots, the slots stay as they are: the schedule would point at others.
    """
    authorize(can_run_event(actor, event))
    changed: dict = {}
    if "slots" in data:
        slots = check_slots(data["slots"] or [])
        current = [(slot.starts_at, slot.ends_at) for slot in event.slots]
        if slots != current:
            placed = db.session.scalar(select(EventMeeting.id).where(
                EventMeeting.event_id == event.id, EventMeeting.slot.is_not(None)).limit(1)) if event.id else None
            if placed is not None:
                raise ServiceError(_l("Meetings are already placed in these slots: the slots can no longer "
                                      "change."), "slots")
            _replace_slots(event, current, slots)
            changed["slots"] = [f"{start:%H:%M}-{end:%H:%M}" for start, end in slots]
    if "tables" in data:
        tables = data["tables"]
        if not isinstance(tables, int) or isinstance(tables, bool) or not 1 <= tables <= MAX_TABLES:
            raise ServiceError(_l("Give from 1 to %(count)s tables.", count=MAX_TABLES), "tables")
        _set(event, "tables", tables, changed)
    for key in ("registration_open", "cross_region_first"):
        if key in data:
            _set(event, key, bool(data[key]), changed)
    if "requests_expire_at" in data:
        expires = data["requests_expire_at"]
        if expires is not None and (not isinstance(expires, datetime) or expires.tzinfo is None):
            raise ServiceError(_l("Give the time with its time zone."), "requests_expire_at")
        _set(event, "requests_expire_at", expires, changed)
    for key in ("registration_closes_on", "follow_up_on"):
        if key in data:
            _set(event, key, data[key], changed)
    if event.held_on and event.registration_closes_on and event.registration_closes_on > event.held_on:
        raise ServiceError(_l("Registration must close by the day of the event."), "registration_closes_on")
    if event.held_on and event.follow_up_on and event.follow_up_on <= event.held_on:
        raise ServiceError(_l("The follow-up comes after the event."), "follow_up_on")
    db.session.flush()
    if changed:
        audit.record(actor, "event.matchmaking", event, **changed)
    return event


def _set(event: Event, key: str, value, changed: dict) -> None:
    if audit.differs(getattr(event, key), value):
        setattr(event, key, value)
        changed[key] = value


def _replace_slots(event: Event, current: list, slots: list) -> None:
    """Rows are changed in place by index (a delete-then-insert would trip the unique index within one
    flush); a registration's busy slots follow their times, and slots that are gone are dropped from it."""
    new_index = {pair: index for index, pair in enumerate(slots)}
    moved = {old: new_index[pair] for old, pair in enumerate(current) if pair in new_index}
    rows = list(event.slots)
    for index, (start, end) in enumerate(slots):
        if index < len(rows):
            rows[index].starts_at, rows[index].ends_at = start, end
        else:
            event.slots.append(EventSlot(index=index, starts_at=start, ends_at=end))
    for row in rows[len(slots):]:
        event.slots.remove(row)
    for participant in event.participants:
        if participant.unavailable_slots:
            participant.unavailable_slots = sorted({moved[i] for i in participant.unavailable_slots if i in moved})


# --- Registration --------------------------------------------------------------------------------

def register(event: Event, company: Company, data: dict, *, actor) -> EventParticipant:
    """Registers a firm for an event, or changes its registration: keys of `data` that are present are
    changed (`attendees`, `offer_ids`, `need_ids`, `unavailable_slots`), the others kept.

    A representative registers the own firm while registration is open and not past its closing date;
    whoever runs the event registers any firm at any time (firms without users included)."""
    authorize(can_act_for_participant(actor, event, company))
    if not can_run_event(actor, event) and not registration_is_open(event):
        raise ServiceError(_l("Registration for this event is closed."))
    participant = participant_of(event, company)
    creating = participant is None or participant.registered_at is None
    if participant is None:
        participant = EventParticipant(company=company)
        event.participants.append(participant)
    changed: dict = {}
    if "attendees" in data:
        attendees = (data["attendees"] or "").strip()
        if len(attendees) > MAX_ATTENDEES:
            raise ServiceError(_l("Write at most %(count)s characters.", count=MAX_ATTENDEES), "attendees")
        if attendees != participant.attendees:
            participant.attendees = changed["attendees"] = attendees
    if "offer_ids" in data:
        offers = _own(CapabilityOffer, data["offer_ids"], company, "offer_ids",
                      lambda ids: _l("Only the firm's own capabilities can be brought: %(ids)s", ids=ids))
        if {offer.id for offer in offers} != {offer.id for offer in participant.offers}:
            participant.offers = offers
            changed["offer_ids"] = sorted(offer.id for offer in offers)
    if "need_ids" in data:
        needs = _own(Need, data["need_ids"], company, "need_ids",
                     lambda ids: _l("Only the firm's own needs can be brought: %(ids)s", ids=ids))
        closed = [need.title for need in needs if need.status != "open"]
        if closed:
            raise ServiceError(_l("Only open needs can be brought: %(titles)s", titles="; ".join(closed)), "need_ids")
        if {need.id for need in needs} != {need.id for need in participant.needs}:
            participant.needs = needs
            changed["need_ids"] = sorted(need.id for need in needs)
    if "unavailable_slots" in data:
        busy = check_unavailable(event, data["unavailable_slots"])
        if busy != sorted(participant.unavailable_slots or []):
            participant.unavailable_slots = changed["unavailable_slots"] = busy
    if creating:
        participant.registered_at = utcnow()
        participant.registered_by = person(actor)
    db.session.flush()
    if creating or changed:
        audit.record(actor, "event.register" if creating else "event.registration", participant,
                     event=event.id, company=company.id, **changed)
    return participant


def check_unavailable(event: Event, indexes) -> list[int]:
    """Slot indexes (from 0) that exist at this event, sorted, each once."""
    known = {slot.index for slot in event.slots}
    try:
        wanted = {int(index) for index in indexes or ()}
    except (TypeError, ValueError):
        raise ServiceError(_l("Slots are given by their numbers."), "unavailable_slots") from None
    unknown = sorted(wanted - known)
    if unknown:
        # Pages number slots from 1: the message names them as the reader counts.
        raise ServiceError(_l("The event has no slot %(numbers)s.", numbers=", ".join(str(i + 1) for i in unknown)),
                           "unavailable_slots")
    return sorted(wanted)


def _own(model, ids, company: Company, field: str, refusal) -> list:
    """The rows of `model` with these ids, all of them the company's own (`refusal(ids)` names the others)."""
    try:
        wanted = list(dict.fromkeys(int(i) for i in ids or ()))
    except (TypeError, ValueError):
        raise ServiceError(refusal(", ".join(map(str, ids))), field) from None
    rows = db.session.scalars(select(model).where(model.id.in_(wanted))).all() if wanted else []
    found = {row.id: row for row in rows if row.company_id == company.id}
    foreign = [str(i) for i in wanted if i not in found]
    if foreign:
        raise ServiceError(refusal(", ".join(foreign)), field)
    return [found[i] for i in wanted]


def unregister(event: Event, company: Company, *, actor) -> EventParticipant | None:
    """Withdraws a firm's registration; the firm stays listed as taking part (as officials recorded it),
    without what it brought or when it is busy."""
    authorize(can_act_for_participant(actor, event, company))
    if not can_run_event(actor, event) and not registration_is_open(event):
        raise ServiceError(_l("Registration for this event is closed."))
    participant = participant_of(event, company)
    if participant is None or participant.registered_at is None:
        raise ServiceError(_l("The firm is not registered for this event."))
    participant.registered_at = None
    participant.registered_by = None
    participant.attendees = ""
    participant.unavailable_slots = []
    participant.offers = []
    participant.needs = []
    db.session.flush()
    audit.record(actor, "event.unregister", participant, event=event.id, company=company.id)
    meetings.withdraw_firm(event, company, actor=actor)
    return participant


def participant_of(event: Event, company: Company) -> EventParticipant | None:
    """The firm's row among the event's participants (loaded once per event, so an import of hundreds of
    rows reads them once)."""
    return next((p for p in event.participants if p.company_id == company.id), None)


# --- Import of participants --------------------------------------------------------------------

IMPORT_COLUMNS = {
    "inn": ("ИНН", "inn"),
    "name": ("Наименование", "Название", "Предприятие", "name", "company"),
    "attendees": ("Участники", "Кто придёт", "Представители", "attendees"),
    "unavailable": ("Недоступные слоты", "Занят в слотах", "Занятые слоты", "unavailable slots", "unavailable_slots"),
}


def import_participants(event: Event, content: bytes, filename: str, *, actor) -> ImportReport:
    """Registers the firms of a spreadsheet (columns: ИНН or Наименование, Участники, Недоступные слоты
    with slot numbers as pages show them, from 1). Every row is checked first; one bad row refuses the
    whole file with a report of every problem, and nothing is written."""
    authorize(can_run_event(actor, event))
    report = ImportReport(filename, kind="participants")
    table = read_table(content, filename)
    report.rows = len(table.rows)
    aliases = {header_key(alias): field for field, names in IMPORT_COLUMNS.items() for alias in names}
    columns, headers = {}, {}
    for position, header in enumerate(table.headers):
        field = aliases.get(header_key(header))
        if field and field not in columns:
            columns[field], headers[field] = position, header
        elif header:
            report.ignored_columns.append(header)
    report.headers = headers
    if "inn" not in columns and "name" not in columns:
        report.problem(1, "", _l("The file needs a column «ИНН» or «Наименование»."))
        return report
    if report.rows > MAX_IMPORT_ROWS:
        report.problem(1, "", _l("At most %(count)s participants in one file.", count=MAX_IMPORT_ROWS))
        return report

    def cell(values, field):
        return values[columns[field]].strip() if field in columns and columns[field] < len(values) else ""

    inns = {normalise_inn(cell(values, "inn")) for _, values in table.rows} - {""}
    names = {cell(values, "name") for _, values in table.rows} - {""}
    found = db.session.scalars(select(Company).where(or_(Company.inn.in_(inns), Company.name.in_(names)))).all() \
        if inns or names else []
    by_inn = {company.inn: company for company in found if company.inn}
    by_name: dict = {}
    for company in found:
        by_name.setdefault(company.name, []).append(company)
    slot_count = len(event.slots)
    planned, seen = [], {}
    for row, values in table.rows:
        inn, name = normalise_inn(cell(values, "inn")), cell(values, "name")
        if inn:
            company, column = by_inn.get(inn), headers.get("inn")
            if company is None:
                report.problem(row, column, _l("No company with INN %(inn)s is registered.", inn=inn))
                continue
        elif name:
            matches, column = by_name.get(name, []), headers.get("name")
            if len(matches) != 1:
                report.problem(row, column, _l("No company with this exact name is registered: %(name)s", name=name)
                               if not matches else _l("Several companies have this name: give the INN."))
                continue
            company = matches[0]
        else:
            report.problem(row, "", _l("Give the company's INN or name."))
            continue
        if company.id in seen:
            report.problem(row, column, _l("The same company as in row %(row)s.", row=seen[company.id]))
            continue
        seen[company.id] = row
        busy = []
        for part in re.split(r"[;,\s]+", cell(values, "unavailable")):
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= slot_count:
                report.problem(row, headers.get("unavailable"),
                               _l("No slot %(number)s: the event has slots 1 to %(count)s.", number=part,
                                  count=slot_count) if slot_count else _l("The event has no slots yet."))
                busy = None
                break
            busy.append(int(part) - 1)
        attendees = cell(values, "attendees")
        if len(attendees) > MAX_ATTENDEES:
            report.problem(row, headers.get("attendees"), _l("Write at most %(count)s characters.", count=MAX_ATTENDEES))
            continue
        if busy is not None:
            planned.append((company, attendees, busy))
    if report.problems:
        return report
    for company, attendees, busy in planned:
        data = {"unavailable_slots": busy}
        if "attendees" in columns:
            data["attendees"] = attendees
        existing = participant_of(event, company)
        if existing is not None and existing.registered_at is not None:
            report.updated += 1
        else:
            report.created += 1
        register(event, company, data, actor=actor)
    report.written = True
    return report
