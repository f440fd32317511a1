"""Whom a firm should meet at an event: the other registered participants, matched both ways.

Each need the firm brings (or, if it brought none, its open needs) is matched against every other
registered firm as a supplier; and the firm, as a supplier, against the needs the others bring (or
their open needs). Per other firm the best of these is kept, with its direction and reasons.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.extensions import db
from registry.matching import Match
from registry.models import Company, Event, EventParticipant, Need
from registry.services import matching as matching_service

THEY_SUPPLY = "they_supply"  # the other firm can supply a need of this one
YOU_SUPPLY = "you_supply"  # this firm can supply a need of the other
# A firm that brought no needs is matched by its open needs; a firm with very many is matched by its newest
# few, so that one page reads the index a bounded number of times.
OWN_NEEDS_LIMIT = 10


@dataclass
class Suggestion:
    company: Company
    direction: str
    need: Need  # the need the meeting would be about (this firm's or the other's)
    match: Match
    cross_region: bool

    @property
    def score(self) -> float:
        return self.match.score


def suggestions_for(event: Event, company: Company, limit: int = 20,
                    min_score: float = matching_service.MIN_SCORE_SHOWN) -> list[Suggestion]:
    """The firms this one should meet at the event, best first; other regions first when the event says so.
    A fixed number of queries, however many firms are registered."""
    participants = db.session.scalars(
        select(EventParticipant)
        .where(EventParticipant.event_id == event.id, EventParticipant.company_id.is_not(None))
        .options(joinedload(EventParticipant.company).joinedload(Company.region),
                 selectinload(EventParticipant.needs).options(*matching_service.NEED_LOAD))
    ).all()
    own = next((p for p in participants if p.company_id == company.id), None)
    others = {p.company_id: p for p in participants
              if p.company_id != company.id and p.registered_at is not None and p.company.active}
    if not others:
        return []
    # Needs of firms that brought none: their open needs, in one query for all of them.
    without = [company_id for company_id, p in others.items() if not p.needs]
    open_needs: dict[int, list[Need]] = {}
    if without:
        for need in db.session.scalars(select(Need).where(Need.company_id.in_(without), Need.status == "open")):
            open_needs.setdefault(need.company_id, []).append(need)
    their_needs = {need.id: need for p in others.values() for need in (p.needs or open_needs.get(p.company_id, []))}

    firm = db.session.scalars(select(Company).where(Company.id == company.id)
                              .options(*matching_service.COMPANY_LOAD)).one()
    own_needs = list(own.needs) if own is not None and own.needs else db.session.scalars(
        select(Need).where(Need.company_id == company.id, Need.status == "open")
        .options(*matching_service.NEED_LOAD).order_by(Need.created_at.desc(), Need.id.desc())
        .limit(OWN_NEEDS_LIMIT)).all()
    own_needs = [need for need in own_needs if need.status == "open"]

    supplying, served = matching_service.matches_both_ways(firm, own_needs, list(others), list(their_needs))
    best: dict[int, tuple] = {}

    def keep(other_id: int, direction: str, need: Need, match: Match) -> None:
        if match.score >= min_score and (other_id not in best or match.score > best[other_id][2].score):
            best[other_id] = (direction, need, match)

    needs_by_id = {need.id: need for need in own_needs}
    for need_id, matches in supplying.items():
        for other_id, match in matches.items():
            keep(other_id, THEY_SUPPLY, needs_by_id[need_id], match)
    for need_id, match in served.items():
        need = their_needs[need_id]
        keep(need.company_id, YOU_SUPPLY, need, match)

    suggestions = [Suggestion(others[other_id].company, direction, need, match,
                              others[other_id].company.region_id != firm.region_id)
                   for other_id, (direction, need, match) in best.items()]
    if event.cross_region_first:
        suggestions.sort(key=lambda s: (not s.cross_region, -s.score, s.company.name))
    else:
        suggestions.sort(key=lambda s: (-s.score, s.company.name))
    return suggestions[:limit]
