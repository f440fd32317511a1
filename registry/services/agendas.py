"""What an event's schedule says, for reading: a firm's agenda, the organisers' grid, what the event
yielded; and the same as printable PDF and XLSX files."""

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.extensions import db
from registry.i18n import localized
from registry.labels import FOLLOW_UP_LABELS, OUTCOME_LABELS, label
from registry.models import Company, Event, EventMeeting, Project, ProjectParticipant
from registry.services import event_suggestions
from registry.services import matching as matching_service

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONTS = Path(__file__).resolve().parent.parent / "fonts"


@dataclass
class AgendaItem:
    meeting: EventMeeting
    other: Company
    slot: object | None  # EventSlot
    reasons: list[str] = field(default_factory=list)

    @property
    def time(self) -> str:
        return f"{self.slot.starts_at:%H:%M}–{self.slot.ends_at:%H:%M}" if self.slot is not None else ""


def _meetings(event: Event, company_id: int | None = None) -> list[EventMeeting]:
    query = (select(EventMeeting).where(EventMeeting.event_id == event.id, EventMeeting.status == "accepted")
             .options(joinedload(EventMeeting.requester).joinedload(Company.region),
                      joinedload(EventMeeting.invitee).joinedload(Company.region),
                      joinedload(EventMeeting.need))
             .order_by(EventMeeting.slot.nulls_last(), EventMeeting.table_number, EventMeeting.id))
    if company_id is not None:
        query = query.where((EventMeeting.requester_id == company_id) | (EventMeeting.invitee_id == company_id))
    return db.session.scalars(query).all()


def agenda(event: Event, company: Company) -> list[AgendaItem]:
    """A firm's accepted meetings in time order (those without a place last), each with the reasons the
    two firms match: on the need the meeting is about, or else the best match of the pair either way."""
    slots = {slot.index: slot for slot in event.slots}
    meetings = _meetings(event, company.id)
    pairs = {}
    if any(meeting.need is None for meeting in meetings):
        pairs = {s.company.id: s for s in event_suggestions.suggestions_for(event, company, limit=len(meetings) * 50)}
    items = []
    for meeting in meetings:
        other = meeting.other(company.id)
        items.append(AgendaItem(meeting, other, slots.get(meeting.slot), pair_reasons(meeting, pairs.get(other.id))))
    return items


def pair_reasons(meeting: EventMeeting, suggestion=None) -> list[str]:
    """Why the two firms match, as sentences: the engine's reasons on the meeting's need, or on the best
    need of either firm that the other could supply."""
    need, match = meeting.need, None
    if need is not None:
        match = matching_service.explain_supplier(need, meeting.other(need.company_id))
    elif suggestion is not None:
        need, match = suggestion.need, suggestion.match
    if match is None or match.score < matching_service.MIN_SCORE_SHOWN:
        return []
    about = _("On the need «%(need)s» of %(company)s", need=need.title, company=need.company.name)
    return [about] + [matching_service.explain(reason) for reason in match.reasons]


@dataclass
class Grid:
    slots: list  # EventSlot, in time order
    tables: int
    cells: dict  # (slot index, table) -> EventMeeting
    unscheduled: list  # accepted meetings without a place
    requested: int  # requests awaiting an answer

    @property
    def placed(self) -> int:
        return len(self.cells)


def grid(event: Event) -> Grid:
    meetings = _meetings(event)
    cells = {(m.slot, m.table_number): m for m in meetings if m.slot is not None}
    unscheduled = [m for m in meetings if m.slot is None]
    requested = db.session.scalar(select(db.func.count(EventMeeting.id)).where(
        EventMeeting.event_id == event.id, EventMeeting.status == "requested"))
    return Grid(list(event.slots), event.tables, cells, unscheduled, requested)


def unscheduled_reason(meeting: EventMeeting) -> str:
    return label("unscheduled", meeting.unscheduled_reason or "not_scheduled")


# --- What an event yielded -----------------------------------------------------------------------

@dataclass
class Yield:
    meetings: int  # accepted meetings
    held: int  # with an outcome other than «did not take place»
    outcomes: list  # (label, count), in the order of OUTCOMES
    follow_ups: list  # (label, count), answers of either side
    projects: list  # Project, with stage and value
    region_pairs: list  # (region a, region b, meetings)
    value_rub: object  # the projects' total value


def yield_of(event: Event) -> Yield:
    meetings = _meetings(event)
    outcomes = Counter(m.outcome for m in meetings if m.outcome)
    follow_ups = Counter(answer for m in meetings for answer in (m.requester_follow_up, m.invitee_follow_up)
                         if answer)
    pairs: dict[tuple, int] = defaultdict(int)
    for meeting in meetings:
        regions = sorted((localized(meeting.requester.region), localized(meeting.invitee.region)))
        pairs[tuple(regions)] += 1
    projects = db.session.scalars(
        select(Project).where(Project.source_event_id == event.id)
        .options(selectinload(Project.participants).joinedload(ProjectParticipant.company))
        .order_by(Project.title)).all()
    return Yield(
        meetings=len(meetings),
        held=sum(1 for m in meetings if m.outcome and m.outcome != "not_held"),
        outcomes=[(OUTCOME_LABELS[code], outcomes[code]) for code in OUTCOME_LABELS if outcomes[code]],
        follow_ups=[(FOLLOW_UP_LABELS[code], follow_ups[code]) for code in FOLLOW_UP_LABELS if follow_ups[code]],
        projects=projects,
        region_pairs=sorted(((a, b, n) for (a, b), n in pairs.items()), key=lambda row: (-row[2], row[0], row[1])),
        value_rub=sum((p.value_rub for p in projects if p.value_rub is not None), start=0),
    )


# --- Files ---------------------------------------------------------------------------------------

def _heading(event: Event) -> str:
    when = format_date(event.held_on, "long") if event.held_on else ""
    return " · ".join(part for part in (event.title, when, event.place) if part)


def agenda_xlsx(event: Event, company: Company, items: list[AgendaItem]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Agenda")[:31]
    sheet.append([_heading(event)])
    sheet.append([company.name])
    sheet.append([])
    sheet.append([_("Time"), _("Table"), _("Meets"), _("Region"), _("Why"), _("Note")])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for item in items:
        sheet.append([item.time or _("no place yet"), item.meeting.table_number or "", item.other.name,
                      localized(item.other.region), "; ".join(item.reasons), item.meeting.note])
    for column, width in zip("ABCDEF", (13, 8, 40, 28, 60, 40), strict=True):
        sheet.column_dimensions[column].width = width
    return _saved(book)


def grid_xlsx(event: Event) -> io.BytesIO:
    found = grid(event)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Schedule")[:31]
    sheet.append([_heading(event)])
    sheet.append([_("Time")] + [_("Table %(number)s", number=n) for n in range(1, found.tables + 1)])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for slot in found.slots:
        row = [f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"]
        for table in range(1, found.tables + 1):
            meeting = found.cells.get((slot.index, table))
            row.append(f"{meeting.requester.name}\n{meeting.invitee.name}" if meeting else "")
        sheet.append(row)
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if found.unscheduled:
        sheet.append([])
        sheet.append([_("Without a place")])
        for meeting in found.unscheduled:
            sheet.append([meeting.requester.name, meeting.invitee.name, unscheduled_reason(meeting)])
    sheet.column_dimensions["A"].width = 13
    return _saved(book)


def _saved(book: Workbook) -> io.BytesIO:
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def agenda_pdf(event: Event, company: Company, items: list[AgendaItem]) -> io.BytesIO:
    """A printable A4 agenda; DejaVu Sans is embedded, as PDF's own fonts have no Cyrillic."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{_('Agenda')}: {company.name}")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, company.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5, _heading(event), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if not items:
        pdf.multi_cell(0, 6, _("No meetings are planned for this firm."), new_x="LMARGIN", new_y="NEXT")
    for item in items:
        pdf.set_font("DejaVu", "B", 11)
        where = _("table %(number)s", number=item.meeting.table_number) if item.meeting.table_number else ""
        time = item.time or _("no place yet")
        pdf.multi_cell(0, 6, " · ".join(part for part in (time, where, item.other.name) if part),
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        details = [localized(item.other.region)]
        if item.other.inn:
            details.append(_("INN %(inn)s", inn=item.other.inn))
        pdf.multi_cell(0, 5, " · ".join(details), new_x="LMARGIN", new_y="NEXT")
        for reason in item.reasons[:4]:
            pdf.multi_cell(0, 5, f"– {reason}", new_x="LMARGIN", new_y="NEXT")
        if item.meeting.note:
            pdf.multi_cell(0, 5, f"{_('Note')}: {item.meeting.note}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return io.BytesIO(bytes(pdf.output()))


def money(value) -> str:
    return format_decimal(value, format="#,##0") if value else "0"
