"""Read side of the catalogue and of the needs list: filters and full-text search as plain SELECTs.

The web pages, the JSON API and the export build their lists from these functions, so a filter means
the same everywhere. Nothing here writes, and nothing needs a request: pass the dialect name
("sqlite" or "postgresql") or let it be read from the session's engine.

Search goes through the pre-stemmed `search_text` columns and the database indexes built by
`registry.catalog.fulltext`. Snowball gives different stems to some word forms of one root
(штамповка → "штамповк", штампы → "штамп", штамповочное → "штамповочн"), so each query word
becomes "its exact stem OR any stem starting with its root", the root being the stem with a
derivational suffix taken off (-овк, -очн, -ова, -н, -к ...). The exact stem ranks higher.
"""

import re
from dataclasses import dataclass

from sqlalchemy import Select, case, column, false, func, literal_column, or_, select, table
from sqlalchemy.orm import aliased, joinedload

from registry.catalog.fulltext import FULLTEXT_TABLES, SEARCH_VECTOR
from registry.extensions import db
from registry.matching import Match
from registry.matching.text import stem, tokens
from registry.models import (
    Capability,
    CapabilityOffer,
    Company,
    CompanyOkved,
    Need,
    OkvedCode,
    Region,
    need_capability,
    need_okved,
)

COMPANY_SORTS = ("name", "region", "updated", "relevance")
NEED_SORTS = ("updated", "deadline", "title", "relevance")
MAX_QUERY_WORDS = 12

# Derivational endings Snowball leaves on a stem, longest first. Only Cyrillic stems are cut, and only
# down to MIN_ROOT letters, so that a root still says something ("стан" is the shortest it goes).
DERIVATIONAL_SUFFIXES = (
    "ительн", "овочн", "ировк", "ирова", "ованн", "тельн", "ическ",
    "очн", "ечн", "овк", "евк", "ова", "ева", "енн", "ческ",
    "ск", "ов", "ев", "н", "к",
)
MIN_ROOT = 4
_CYRILLIC_ONLY = re.compile(r"^[а-я]+$")
OKVED_PATTERN = re.compile(r"^(?:[A-U]|\d{2}(?:\.\d{1,2}){0,2})$")


@dataclass(frozen=True)
class SearchTerm:
    """One query word: its exact stem, and the root every related stem starts with (None: exact only)."""

    stem: str
    root: str | None


def root_of(word_stem: str) -> str | None:
    """The prefix that related word forms share, or None when the stem is too short to widen."""
    if len(word_stem) < MIN_ROOT or not word_stem.isalpha():
        return None
    if _CYRILLIC_ONLY.match(word_stem):
        for suffix in DERIVATIONAL_SUFFIXES:
            if word_stem.endswith(suffix) and len(word_stem) - len(suffix) >= MIN_ROOT:
                return word_stem[: -len(suffix)]
    return word_stem


def search_terms(query: str) -> list[SearchTerm]:
    """The query's words through the one normaliser (fold, stop words, Snowball), then widened to roots."""
    terms, seen = [], set()
    for token in tokens(query or "")[:MAX_QUERY_WORDS]:
        word_stem = stem(token)
        if word_stem not in seen:
            seen.add(word_stem)
            terms.append(SearchTerm(word_stem, root_of(word_stem)))
    return terms


MIN_SUGGEST_LENGTH = 2


def typed_terms(query: str) -> list[SearchTerm]:
    """`search_terms` for text still being typed: each word also matches as a prefix (its stem or what was
    typed, the shorter), so «орбит» finds «Орбита» before the word is complete."""
    terms = []
    for token in tokens(query or "")[:MAX_QUERY_WORDS]:
        word_stem = stem(token)
        prefix = min(word_stem, token, key=len)
        if len(prefix) >= MIN_SUGGEST_LENGTH and prefix.isalnum():
            terms.append(SearchTerm(word_stem, prefix))
    return terms


def fts5_match(terms: list[SearchTerm]) -> str:
    """An FTS5 MATCH expression: every word must match, by its stem or by its root as a prefix."""
    parts = []
    for term in terms:
        if term.root:
            parts.append(f'("{term.stem}" OR "{term.root}"*)')
        else:
            parts.append(f'"{term.stem}"')
    return " AND ".join(parts)


def tsquery(terms: list[SearchTerm]) -> str:
    """The same expression for PostgreSQL's to_tsquery('simple', ...)."""
    parts = []
    for term in terms:
        parts.append(f"({term.stem} | {term.root}:*)" if term.root else term.stem)
    return " & ".join(parts)


def _dialect(dialect: str | None) -> str:
    return dialect or db.session.get_bind().dialect.name


def fulltext_search(model, query: str, dialect: str | None = None, terms: list[SearchTerm] | None = None):
    """(condition-adder, rank expression) for searching `model` (Company or Need).

    Returns a function that adds the full-text condition to a SELECT of `model`, and an expression to
    ORDER BY for best-first ranking; (None, None) when the query has no searchable words.
    """
    terms = search_terms(query) if terms is None else terms
    if not terms:
        return None, None
    table_name = model.__tablename__
    if _dialect(dialect) == "sqlite":
        fts_name = FULLTEXT_TABLES[table_name]
        fts = table(fts_name, column("rowid"))
        match = fts5_match(terms)

        def add_condition(stmt: Select) -> Select:
            return stmt.join(fts, fts.c.rowid == model.id).where(literal_column(fts_name).op("MATCH")(match))

        # bm25() is lower for better matches
        return add_condition, func.bm25(literal_column(fts_name)).asc()
    vector = literal_column(f"{table_name}.{SEARCH_VECTOR}")
    ts_query = func.to_tsquery("simple", tsquery(terms))

    def add_condition(stmt: Select) -> Select:
        return stmt.where(vector.op("@@")(ts_query))

    return add_condition, func.ts_rank(vector, ts_query).desc()


def capability_subtree(code: str) -> Select:
    """SELECT of the ids of capability node `code` and of every node below it (a recursive CTE)."""
    tree = select(Capability.id).where(Capability.code == code).cte("capability_subtree", recursive=True)
    child = aliased(Capability)
    tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def okved_condition(code_column, code: str):
    """`code_column` is the OKVED code `code` or one below it: "25" finds "25.62", "C" a whole section."""
    code = code.strip().upper()
    if not OKVED_PATTERN.match(code):
        return false()
    if code.isalpha():
        return code_column.in_(select(OkvedCode.code).where(OkvedCode.section == code))
    # OKVED2 codes nest by prefix: 25 → 25.6 → 25.62 → 25.62.1
    below = code_column.like(code + ".%") if "." not in code else code_column.like(code + "%")
    return or_(code_column == code, below)


@dataclass(frozen=True)
class CatalogFilters:
    """What a catalogue (or open-needs) list is narrowed to; empty values mean "any"."""

    q: str = ""
    region: str = ""  # ISO 3166-2 code, e.g. RU-ULY (or the two-digit region code where ISO has none)
    district: str = ""  # federal district, its Russian name as stored on the regions
    capability: str = ""  # capability node code; its subtree counts too
    okved: str = ""  # OKVED2 code; codes below it count too
    verified_only: bool = False
    sort: str = ""  # one of COMPANY_SORTS / NEED_SORTS; empty: relevance when searching, else the default
    language: str = "ru"  # which region names to sort by


def _region_conditions(filters: CatalogFilters) -> list:
    conditions = []
    if filters.region:
        # ISO 3166-2 gives no code to some subjects: the forms then use the two-digit INN region code.
        value = filters.region.strip().upper()
        conditions.append(Region.inn_code == value if value.isdigit() else Region.iso_code == value)
    if filters.district:
        conditions.append(Region.federal_district_ru == filters.district)
    return conditions


# A search keeps at most this many companies: past it, nobody reads on, and the order means little.
SEARCH_RESULTS = 100
TEXT_HITS = 20
_INN = re.compile(r"^\d{10}(?:\d{2})?$")


@dataclass(frozen=True)
class SearchResult:
    """Companies for a typed query, best first: direct hits (the INN, or every word in the name)
    first, then what retrieval found, with why (`matches` by company id; direct hits have none)."""

    ids: tuple[int, ...]
    matches: dict


def search_companies(query: str, dialect: str | None = None) -> SearchResult:
    """One search for the web page, the API and the export: the matching engine's query understanding
    (capability nodes, synonyms, abbreviations, English) over the database's retrieval index.

    An INN or every word of a name goes straight to that company. Companies whose text holds every
    query word in some form (the full-text AND query, cheap) follow what retrieval ranked.
    """
    from registry.services import matching

    query = query.strip()
    if _INN.match(query):
        ids = db.session.scalars(select(Company.id).where(Company.inn == query, Company.is_public))
        return SearchResult(tuple(ids), {})
    direct = matching.companies_named(query)
    every_word: list[int] = []
    add_search, _ = fulltext_search(Company, query, dialect)
    if add_search is not None:
        # Unordered: ranking every company that holds a common word would read them all.
        every_word = list(db.session.scalars(add_search(select(Company.id).where(Company.is_public))
                                             .limit(TEXT_HITS)))
    found: list[Match] = matching.search_companies(query, limit=SEARCH_RESULTS)
    ids = list(dict.fromkeys([*direct, *(match.id for match in found), *every_word]))
    return SearchResult(tuple(ids), {match.id: match for match in found})


def search_needs(query: str, dialect: str | None = None) -> tuple[int, ...]:
    """Open needs for a typed query, best first: retrieval reads the query as an offer (so «сварка»
    finds needs of welding, «металлообработка» needs of turning and milling), then needs whose text
    holds every query word."""
    from registry.services import matching

    every_word: list[int] = []
    add_search, _ = fulltext_search(Need, query, dialect)
    if add_search is not None:
        every_word = list(db.session.scalars(add_search(select(Need.id).where(Need.status == "open"))
                                             .limit(TEXT_HITS)))
    found = matching.search_needs(query, limit=SEARCH_RESULTS)
    return tuple(dict.fromkeys([*(match.id for match in found), *every_word]))


def text_search(query: str, dialect: str | None = None) -> SearchResult | None:
    """`search_companies` for a query with words in it; None for none (punctuation alone is no search)."""
    return search_companies(query, dialect) if tokens(query) else None


def company_query(filters: CatalogFilters, dialect: str | None = None, search: SearchResult | None = None) -> Select:
    """SELECT of published active companies (`Company.is_public`) matching `filters`, in the chosen order (add LIMIT or paginate).

    A text query narrows the list to what `search_companies` found (pass its result when it is already
    at hand) and orders it by relevance unless another order is chosen.
    """
    stmt = select(Company).join(Company.region).where(Company.is_public, *_region_conditions(filters))
    if filters.capability:
        stmt = stmt.where(Company.id.in_(
            select(CapabilityOffer.company_id).where(CapabilityOffer.capability_id.in_(capability_subtree(filters.capability)))
        ))
    if filters.okved:
        stmt = stmt.where(Company.id.in_(
            select(CompanyOkved.company_id).where(okved_condition(CompanyOkved.okved_code, filters.okved))
        ))
    if filters.verified_only:
        stmt = stmt.where(Company.verification == "verified")
    rank = None
    search = search or text_search(filters.q, dialect)
    if search is not None:
        stmt = stmt.where(Company.id.in_(search.ids))
        rank = case({company_id: position for position, company_id in enumerate(search.ids)},
                    value=Company.id, else_=len(search.ids)) if search.ids else Company.name
    sort = filters.sort or ("relevance" if rank is not None else "name")
    region_name = Region.name_en if filters.language == "en" else Region.name_ru
    orderings = {
        "name": [Company.name],
        "region": [region_name, Company.name],
        "updated": [Company.updated_at.desc()],
        "relevance": [rank] if rank is not None else [Company.name],
    }
    return stmt.order_by(*orderings.get(sort, orderings["name"]), Company.id)


def need_query(filters: CatalogFilters, dialect: str | None = None, statuses: tuple[str, ...] = ("open",)) -> Select:
    """SELECT of needs (open by default) of public companies matching `filters`; the same filters as
    the catalogue, with the need's own capability nodes and OKVED codes."""
    stmt = (
        select(Need)
        .join(Need.company)
        .join(Company.region)
        .where(Need.status.in_(statuses), Company.is_public, *_region_conditions(filters))
    )
    if filters.capability:
        stmt = stmt.where(Need.id.in_(
            select(need_capability.c.need_id).where(need_capability.c.capability_id.in_(capability_subtree(filters.capability)))
        ))
    if filters.okved:
        stmt = stmt.where(Need.id.in_(
            select(need_okved.c.need_id).where(okved_condition(need_okved.c.okved_code, filters.okved))
        ))
    if filters.verified_only:
        stmt = stmt.where(Company.verification == "verified")
    rank = None
    if tokens(filters.q) and tuple(statuses) == ("open",):
        # Open needs are in the retrieval index: the query is understood as an offer would be.
        ids = search_needs(filters.q, dialect)
        stmt = stmt.where(Need.id.in_(ids))
        rank = case({need_id: position for position, need_id in enumerate(ids)},
                    value=Need.id, else_=len(ids)) if ids else Need.updated_at.desc()
    else:
        add_search, rank = fulltext_search(Need, filters.q, dialect)
        if add_search:
            stmt = add_search(stmt)
    sort = filters.sort or ("relevance" if rank is not None else "updated")
    orderings = {
        "updated": [Need.updated_at.desc()],
        "deadline": [Need.deadline.is_(None), Need.deadline],
        "title": [Need.title],
        "relevance": [rank] if rank is not None else [Need.updated_at.desc()],
    }
    return stmt.order_by(*orderings.get(sort, orderings["updated"]), Need.id.desc())


def okved_exists(code: str) -> bool:
    code = code.strip().upper()
    return bool(OKVED_PATTERN.match(code)) and db.session.get(OkvedCode, code) is not None


def federal_districts(regions) -> list[tuple[str, str]]:
    """(Russian name, English name) of each federal district, from region rows."""
    return sorted({(r.federal_district_ru, r.federal_district_en) for r in regions})


__all__ = [
    "COMPANY_SORTS", "NEED_SORTS", "CatalogFilters", "SearchResult", "SearchTerm", "capability_subtree",
    "company_query", "search_companies", "search_needs", "text_search",
    "fts5_match", "fulltext_search", "need_query", "okved_condition", "okved_exists", "root_of",
    "search_terms", "tsquery",
]


SUGGESTIONS = 10


def suggest_companies(query: str, dialect: str | None = None) -> list[Company]:
    """Active companies for a picker, while someone types: an INN prefix, or the catalogue's retrieval
    (every word in the name first, then the full-text index, whose roots match as prefixes, so part of
    a word finds the whole). Names that hold the typed text come first."""
    from registry.services import matching

    query = query.strip()
    if len(query) < MIN_SUGGEST_LENGTH:
        return []
    active = Company.active.is_(True)
    if query.isdigit():
        ids = list(db.session.scalars(select(Company.id).where(Company.inn.startswith(query), active)
                                      .order_by(Company.inn).limit(SUGGESTIONS)))
    else:
        ids = matching.companies_named(query, limit=SUGGESTIONS)
        add_search, _ = fulltext_search(Company, query, dialect, typed_terms(query))
        if add_search is not None and len(ids) < SUGGESTIONS:
            ids += db.session.scalars(add_search(select(Company.id).where(active)).limit(2 * SUGGESTIONS))
    if not ids:
        return []
    found = {company.id: company for company in db.session.scalars(
        select(Company).options(joinedload(Company.region)).where(Company.id.in_(ids), active))}
    typed = query.casefold().replace("ё", "е")
    ordered = [found[company_id] for company_id in dict.fromkeys(ids) if company_id in found]
    ordered.sort(key=lambda company: typed not in company.name.casefold().replace("ё", "е"))  # stable
    return ordered[:SUGGESTIONS]


def companies_by_inn_or_name(typed: str) -> list[Company]:
    """The company a person typed by INN or exact name: one, none, or two (the name is not unique)."""
    return list(db.session.scalars(select(Company).where(or_(Company.inn == typed, Company.name == typed)).limit(2)))
