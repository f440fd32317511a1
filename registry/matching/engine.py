"""Explained matching and search: documents, scores and reasons, over any store of postings.

One path serves the catalogue search, suppliers for a need and opportunities for a supplier. A query
(a need, a supplier's profile or a few typed words) becomes a `Document`: its capability nodes
(chosen, or classified from the text), its stemmed terms expanded with its nodes' names in both
languages, its OKVED codes. Stored documents are made by the same `Analyzer` when a company or a need
is written, together with their postings (node, subtree, term and OKVED keys with weights).

`Retriever` asks a `Store` (the database in the app, `MemoryStore` in tests) for the best postings of
the query's specific keys only: its capability nodes and its selective terms. Common terms and OKVED
codes only re-rank. The `Scorer` then scores and explains the bounded set of candidates; the score is
the sum of its reasons' weights, each capped by its part's share: capability-tree closeness (exact,
parent, sibling), BM25 text relevance, OKVED overlap and a small cross-region bonus.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from .taxonomy import Taxonomy
from .text import GENERIC_WORDS, normalize, tokens

# Shares of the score. Capability leads; a cross-region link is what officials
# want to see, but it must never outrank a better capability match.
W_CAPABILITY = 0.50
W_TEXT = 0.33
W_OKVED = 0.15
W_REGION = 0.02

BM25_K1 = 1.2
BM25_B = 0.75
QUERY_EXPANSION_WEIGHT = 0.5
# Text relevance reaches its full share at this fraction of the query's
# best possible BM25 score: no real profile repeats a whole request.
TEXT_SATURATION = 0.8

# A need node's weight in the capability part grows with its depth: "ремонт"
# or "оборудование" alone say less than "перемотка статоров".
_DEPTH_WEIGHT = {1: 0.6, 2: 0.85}
# Siblings (turning for milling) are alternatives, not the thing asked for.
_SIBLING_FACTOR = 0.7
_MIN_RELATION_FACTOR = 0.3
# Classified nodes weaker than this share of the strongest are noise.
_RELATIVE_NODE_CUTOFF = 0.5
_MAX_NODES = 6
_MIN_NODE_SCORE = 0.3
_CLASSIFIED_BESIDE_EXPLICIT = 0.5
# Derived OKVED codes come from confidently classified nodes only.
_DERIVED_OKVED_CONFIDENCE = 0.6

_OKVED_LEVELS = ((5, 1.0), (4, 0.6))  # class "25.62", group "25.6"
# Terms found in more than this share of documents are common: they re-rank
# candidates that other evidence found, and are not named as a reason.
COMMON_TERM_SHARE = 0.02
_MIN_COMMON_DF = 50
_NAMED_TERM_SHARE = 0.2

# How many postings one key may bring, and how many candidates get a full score.
TOP_PER_EXACT_KEY = 200
TOP_PER_WEAK_KEY = 40
TOP_PER_TERM = 200
SCORED_CANDIDATES = 60
# How many of the candidates, per one scored, get their common-term and OKVED weights read.
REFINED_PER_SCORED = 4
REFINED_TERMS = 6

@dataclass(frozen=True)
class Offer:
    node_codes: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class SupplierProfile:
    id: object
    name: str
    region_code: str = ""
    region_name_ru: str = ""
    region_name_en: str = ""
    verified: bool = False
    active: bool = True
    okved: tuple[str, ...] = ()
    offers: tuple[Offer, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class NeedProfile:
    id: object
    company_id: object
    title: str
    text: str = ""
    node_codes: tuple[str, ...] = ()
    okved: tuple[str, ...] = ()
    region_code: str = ""
    region_name_ru: str = ""
    region_name_en: str = ""


@dataclass(frozen=True)
class Reason:
    kind: str  # capability_exact | capability_parent | capability_sibling | text | okved | region
    weight: float
    data: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Match:
    id: object
    score: float
    reasons: tuple[Reason, ...]


def _round(value: float) -> float:
    return round(value, 4)


@dataclass
class Document:
    """One company (as a supplier), one need, or one search query, as the scorer sees it.

    Stored documents carry `weights` (BM25 term weights without idf, fixed when written); queries
    carry `terms` (term frequencies, expansion included) and `surface` (a word as written per stem).
    `explicit` names the nodes someone chose; the others were classified from the text.
    """

    id: object
    company_id: object = None
    region_code: str = ""
    region_name_ru: str = ""
    region_name_en: str = ""
    verified: bool = True
    nodes: dict[str, float] = field(default_factory=dict)  # code -> confidence
    explicit: tuple[str, ...] = ()
    okved: tuple[str, ...] = ()
    okved_inferred: bool = False
    terms: dict[str, float] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    surface: dict[str, str] = field(default_factory=dict)
    length: float = 0.0
    name: tuple[str, ...] = ()  # stems of a company's name: a search for the name goes straight to it

    def inferred_nodes(self) -> list[str]:
        return [code for code in self.nodes if code not in self.explicit]

    def to_dict(self) -> dict:
        """The stored form (JSON-ready); a query's surface words are not kept."""
        return {
            "id": self.id, "company_id": self.company_id, "region_code": self.region_code,
            "region_name_ru": self.region_name_ru, "region_name_en": self.region_name_en,
            "verified": self.verified, "nodes": {k: round(v, 4) for k, v in self.nodes.items()},
            "explicit": list(self.explicit), "okved": list(self.okved), "okved_inferred": self.okved_inferred,
            "weights": {k: round(v, 4) for k, v in self.weights.items()}, "length": self.length,
            "name": list(self.name),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Document:
        return cls(
            id=data["id"], company_id=data.get("company_id"), region_code=data.get("region_code", ""),
            region_name_ru=data.get("region_name_ru", ""), region_name_en=data.get("region_name_en", ""),
            verified=data.get("verified", True), nodes=data.get("nodes", {}),
            explicit=tuple(data.get("explicit", ())), okved=tuple(data.get("okved", ())),
            okved_inferred=data.get("okved_inferred", False), weights=data.get("weights", {}),
            length=data.get("length", 0.0), name=tuple(data.get("name", ())),
        )


@dataclass(frozen=True)
class Stats:
    """What the store knows of its whole corpus: document count, total length, and df per term."""

    documents: int = 0
    total_length: float = 0.0
    df: dict[str, int] = field(default_factory=dict)

    @property
    def average_length(self) -> float:
        return self.total_length / self.documents if self.documents else 1.0


# Posting keys: one namespace per kind of evidence.
def node_key(code: str) -> str:
    return "n:" + code


def subtree_key(code: str) -> str:
    return "s:" + code


def term_key(stem: str) -> str:
    return "t:" + stem


def okved_key(prefix: str) -> str:
    return "o:" + prefix


def name_key(stem: str) -> str:
    return "m:" + stem


# Legal forms say nothing of which company is meant.
_LEGAL_FORMS = frozenset(["ооо", "ао", "оао", "зао", "пао", "ип", "нпо", "нпп", "пк", "тд", "гк", "ук", "фгуп", "муп", "llc", "jsc", "ltd"])


def name_stems(name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(stem for stem in normalize(name) if stem not in _LEGAL_FORMS and len(stem) <= 60))


SUPPLIERS = "supplier"  # stored documents are companies: they offer
NEEDS = "need"  # stored documents are open needs: they want


class Store(Protocol):
    def stats(self, side: str, stems: list[str]) -> Stats: ...

    def top(self, side: str, requests: list[tuple[str, int]]) -> dict[str, list[tuple[object, float]]]:
        """Per key, at most `limit` (entity id, weight) pairs, the heaviest first."""

    def weights(self, side: str, ids: list, keys: list[str]) -> dict[str, list[tuple[object, float]]]:
        """Per key, the (entity id, weight) pairs of the given documents that have it."""

    def documents(self, side: str, ids: list) -> dict[object, Document]: ...


def _text_terms(text: str) -> tuple[Counter, dict[str, str]]:
    counts: Counter = Counter()
    surface: dict[str, str] = {}
    for word, stem in zip(tokens(text), normalize(text), strict=True):
        if stem.isdigit() or stem in GENERIC_WORDS or not 2 <= len(stem) <= 60:
            continue
        counts[stem] += 1
        surface.setdefault(stem, word)
    return counts, surface


class Analyzer:
    """Turns profiles, needs and typed queries into documents, and documents into postings."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy

    def _nodes_for(self, explicit, text: str) -> dict[str, float]:
        nodes = {code: 1.0 for code in explicit if code in self.taxonomy}
        # Codes someone chose outweigh what the classifier reads into the text.
        damp = _CLASSIFIED_BESIDE_EXPLICIT if nodes else 1.0
        classified = self.taxonomy.classify(text, limit=_MAX_NODES * 2, min_score=_MIN_NODE_SCORE)
        if classified:
            cutoff = classified[0][1] * _RELATIVE_NODE_CUTOFF
            for code, score in classified:
                if score >= cutoff and len(nodes) < _MAX_NODES + len(explicit):
                    nodes[code] = max(nodes.get(code, 0.0), score * damp)
        return nodes

    def _okved(self, given, nodes: dict[str, float]) -> tuple[tuple[str, ...], bool]:
        if given:
            return tuple(given), False
        codes: dict[str, None] = {}
        for code, confidence in sorted(nodes.items(), key=lambda item: -item[1]):
            if confidence >= _DERIVED_OKVED_CONFIDENCE:
                codes.update(dict.fromkeys(self.taxonomy.okved(code)))
        return tuple(codes), bool(codes)

    def _expand(self, terms: dict[str, float], nodes: dict[str, float], weight: float) -> None:
        for code, confidence in nodes.items():
            for stem in self.taxonomy.expansion_stems(code):
                if stem not in GENERIC_WORDS:
                    terms[stem] = terms.get(stem, 0.0) + weight * confidence

    def supplier(self, profile: SupplierProfile) -> Document:
        text = " . ".join([*(offer.text for offer in profile.offers), profile.description])
        explicit = tuple(dict.fromkeys(code for offer in profile.offers for code in offer.node_codes
                                       if code in self.taxonomy))
        nodes = self._nodes_for(explicit, text)
        counts, surface = _text_terms(text)
        okved, inferred = self._okved(profile.okved, nodes)
        return Document(
            id=profile.id, company_id=profile.id, region_code=profile.region_code,
            region_name_ru=profile.region_name_ru, region_name_en=profile.region_name_en,
            verified=profile.verified, nodes=nodes, explicit=explicit, okved=okved, okved_inferred=inferred,
            terms={stem: float(n) for stem, n in counts.items()}, surface=surface, length=float(sum(counts.values())),
            name=name_stems(profile.name),
        )

    def need(self, need: NeedProfile) -> Document:
        text = f"{need.title} . {need.text}"
        explicit = tuple(code for code in need.node_codes if code in self.taxonomy)
        nodes = self._nodes_for(explicit, text)
        # The title says what is wanted in few words; count it once more.
        counts, surface = _text_terms(text)
        title_counts, _ = _text_terms(need.title)
        terms = {stem: float(min(n + title_counts.get(stem, 0), 3)) for stem, n in counts.items()}
        self._expand(terms, nodes, QUERY_EXPANSION_WEIGHT)
        okved, inferred = self._okved(need.okved, nodes)
        return Document(
            id=need.id, company_id=need.company_id, region_code=need.region_code,
            region_name_ru=need.region_name_ru, region_name_en=need.region_name_en,
            nodes=nodes, explicit=explicit, okved=okved, okved_inferred=inferred,
            terms=terms, surface=surface, length=sum(terms.values()),
        )

    def search(self, text: str, node_codes=()) -> Document:
        """A visitor's typed query: a need without a requester, region or chosen OKVED codes."""
        document = self.need(NeedProfile(id=None, company_id=None, title=text, node_codes=tuple(node_codes)))
        document.okved, document.okved_inferred = (), False  # a typed word says nothing of codes
        return document

    # ── the stored form ──
    def stored(self, document: Document, average_length: float) -> Document:
        """Fixes a document's BM25 term weights against the corpus's current average length.

        A write touches only its own postings; the average moves slowly, so old weights stay close.
        """
        terms = {stem: tf for stem, tf in document.terms.items()}
        length = document.length
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / max(average_length, 1e-9))
        document.weights = {stem: tf * (BM25_K1 + 1) / (tf + norm) for stem, tf in terms.items()}
        return document

    def postings(self, document: Document, side: str) -> dict[str, float]:
        """Index keys of a stored document with their weights."""
        keys: dict[str, float] = {term_key(stem): weight for stem, weight in document.weights.items()}
        if side == SUPPLIERS:
            keys.update(dict.fromkeys(map(name_key, document.name), 1.0))
            # Among equally confident offers, verified firms and fuller profiles are read first.
            prior = 0.001 * document.verified + 0.001 * min(document.length, 50.0) / 50.0
            for code, confidence in document.nodes.items():
                confidence = round(confidence + prior, 4)
                keys[node_key(code)] = confidence
                # An offer of a node is an exact match for a need of any of its ancestors.
                for ancestor in self.taxonomy.path(code):
                    key = subtree_key(ancestor)
                    keys[key] = max(keys.get(key, 0.0), confidence)
        else:
            for code, share in wanted_shares(self.taxonomy, document.nodes).items():
                keys[node_key(code)] = share
        for code in document.okved:
            for length, value in _OKVED_LEVELS:
                if len(code) >= length:
                    key = okved_key(code[:length])
                    keys[key] = max(keys.get(key, 0.0), value)
        return keys


def wanted_weights(taxonomy: Taxonomy, nodes: dict[str, float]) -> dict[str, float]:
    return {code: confidence * _DEPTH_WEIGHT.get(taxonomy.depth(code), 1.0) for code, confidence in nodes.items()}


def wanted_shares(taxonomy: Taxonomy, nodes: dict[str, float]) -> dict[str, float]:
    """Each wanted node's share of the capability part."""
    weights = wanted_weights(taxonomy, nodes)
    total = sum(weights.values())
    return {code: weight / total for code, weight in weights.items()} if total else {}


class Scorer:
    """Scores and explains one pair of documents: the only place where scores and reasons are made."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self._relations: dict[tuple[str, bool], list[tuple[str, float, str]]] = {}

    # Relations are computed per node when first needed, so a fresh worker starts at once.
    def by_wanted(self, wanted: str) -> list[tuple[str, float, str]]:
        """Offered nodes that count for a wanted node: (offered, factor, kind), the closest first."""
        return self._related(wanted, as_wanted=True)

    def by_offered(self, offered: str) -> list[tuple[str, float, str]]:
        """Wanted nodes an offered node counts for: (wanted, factor, kind), the closest first."""
        return self._related(offered, as_wanted=False)

    def _related(self, code: str, as_wanted: bool) -> list[tuple[str, float, str]]:
        found = self._relations.get((code, as_wanted))
        if found is None:
            found = []
            for other in self.taxonomy.related(code):
                factor, kind = self._relation_factor(code, other) if as_wanted else self._relation_factor(other, code)
                if factor >= _MIN_RELATION_FACTOR:
                    found.append((other, factor, kind))
            found.sort(key=lambda item: (-item[1], item[0]))
            self._relations[(code, as_wanted)] = found
        return found

    def _relation_factor(self, wanted: str, offered: str) -> tuple[float, str]:
        kind = self.taxonomy.relation(wanted, offered)
        if kind == "exact":
            return 1.0, "capability_exact"
        if kind == "parent":
            return self.taxonomy.closeness(wanted, offered), "capability_parent"
        if kind == "sibling":
            return _SIBLING_FACTOR * self.taxonomy.closeness(wanted, offered), "capability_sibling"
        return 0.0, ""

    @staticmethod
    def idf(stats: Stats, stem: str) -> float:
        df = stats.df.get(stem, 0)
        return math.log(1 + (stats.documents - df + 0.5) / (df + 0.5))

    def text_weights(self, query: Document, stats: Stats) -> tuple[dict[str, float], float]:
        """Per query stem found in the corpus, idf times query weight; and the best possible total."""
        weights = {stem: self.idf(stats, stem) * min(qtf, 2.0)
                   for stem, qtf in query.terms.items() if stats.df.get(stem)}
        return weights, sum(weights.values()) * (BM25_K1 + 1)

    def explain(self, query: Document, entry: Document, stored_wants: bool, text_weights, text_best,
                stats: Stats) -> Match:
        wanted, offered = (entry, query) if stored_wants else (query, entry)
        reasons: list[Reason] = []
        reasons.extend(self._capability_reasons(wanted, offered))
        reasons.extend(self._text_reasons(query, entry, text_weights, text_best, stats))
        reasons.extend(self._okved_reasons(wanted, offered))
        # Another region is a bonus on a match, never a match by itself.
        if reasons and query.region_code and entry.region_code and query.region_code != entry.region_code:
            reasons.append(Reason("region", W_REGION, {
                "region_code": offered.region_code,
                "region_name_ru": offered.region_name_ru,
                "region_name_en": offered.region_name_en,
                "other_region_code": wanted.region_code,
                "other_region_name_ru": wanted.region_name_ru,
                "other_region_name_en": wanted.region_name_en,
            }))
        reasons = sorted((r for r in reasons if r.weight > 0), key=lambda r: -r.weight)
        return Match(entry.id, _round(min(1.0, sum(r.weight for r in reasons))), tuple(reasons))

    def _capability_reasons(self, wanted: Document, offered: Document) -> list[Reason]:
        if not offered.nodes:
            return []
        reasons = []
        shares = wanted_shares(self.taxonomy, wanted.nodes)
        for code, share in sorted(shares.items(), key=lambda item: (-item[1], item[0])):
            best = (0.0, "", "")
            for other, factor, kind in self.by_wanted(code):
                confidence = offered.nodes.get(other)
                if confidence is not None and factor * confidence > best[0]:
                    best = (factor * confidence, other, kind)
            if best[0] <= 0:
                continue
            value, other, kind = best
            want_node, offer_node = self.taxonomy.nodes[code], self.taxonomy.nodes[other]
            reasons.append(Reason(kind, _round(W_CAPABILITY * share * value), {
                "node_code": offer_node.code,
                "node_name_ru": offer_node.name_ru,
                "node_name_en": offer_node.name_en,
                "wanted_code": want_node.code,
                "wanted_name_ru": want_node.name_ru,
                "wanted_name_en": want_node.name_en,
                "closeness": round(self.taxonomy.closeness(code, other), 3),
                # Read from the text rather than chosen: the pages show such nodes as inferred.
                "wanted_inferred": code not in wanted.explicit,
                "offered_inferred": other not in offered.explicit,
            }))
        return reasons

    def _text_reasons(self, query: Document, entry: Document, text_weights, text_best, stats) -> list[Reason]:
        if not text_best:
            return []
        raw, matched = 0.0, []
        named_df = max(_NAMED_TERM_SHARE * stats.documents, 3)
        for stem, weight in text_weights.items():
            value = entry.weights.get(stem)
            if value:
                raw += weight * value
                # Only words the query really wrote (not its expansion), and not in a fifth of the corpus.
                if stem in query.surface and stats.df.get(stem, 0) <= named_df:
                    matched.append((weight * value, stem))
        if not raw:
            return []
        share = min(1.0, raw / (TEXT_SATURATION * text_best))
        matched.sort(reverse=True)
        words = list(dict.fromkeys(query.surface[stem] for _, stem in matched))
        return [Reason("text", _round(W_TEXT * share), {"terms": words[:8]})]

    def _okved_reasons(self, wanted: Document, offered: Document) -> list[Reason]:
        best = (0.0, "", "")
        for a in wanted.okved:
            for b in offered.okved:
                value = _okved_closeness(a, b)
                if value > best[0]:
                    best = (value, a, b)
        if not best[0]:
            return []
        return [Reason("okved", _round(W_OKVED * best[0]), {
            "wanted_okved": best[1], "okved": best[2],
            "wanted_inferred": wanted.okved_inferred, "offered_inferred": offered.okved_inferred,
        })]


def _okved_closeness(a: str, b: str) -> float:
    for length, value in _OKVED_LEVELS:
        if len(a) >= length and len(b) >= length and a[:length] == b[:length]:
            return value
    return 0.0


@dataclass
class Filters:
    """Which stored documents a ranking may return."""

    exclude_company_ids: frozenset = frozenset()
    region: str | None = None
    other_than_region: str | None = None
    verified_only: bool = False

    def accept(self, entry: Document) -> bool:
        if entry.company_id in self.exclude_company_ids:
            return False
        if self.verified_only and not entry.verified:
            return False
        if self.region is not None and entry.region_code != self.region:
            return False
        return not (self.other_than_region and entry.region_code == self.other_than_region)

    @property
    def narrowing(self) -> bool:
        return bool(self.region or self.other_than_region or self.verified_only)


class Retriever:
    """Candidates from the store's postings, then full scores and reasons for the best of them."""

    def __init__(self, taxonomy: Taxonomy, store: Store, scorer: Scorer | None = None):
        self.taxonomy = taxonomy
        self.store = store
        self.analyzer = Analyzer(taxonomy)
        # Relations over the whole tree take a while to build: share one scorer per taxonomy.
        self.scorer = scorer or Scorer(taxonomy)

    def rank(self, query: Document, side: str, limit: int = 10, filters: Filters | None = None) -> list[Match]:
        filters = filters or Filters()
        stats = self.store.stats(side, list(query.terms))
        if not stats.documents:
            return []
        text_weights, text_best = self.scorer.text_weights(query, stats)
        scale = 4 if filters.narrowing else 1
        wanted = max(SCORED_CANDIDATES, limit) * scale
        for attempt in range(2):
            partial = self._candidates(query, side, stats, text_weights, text_best, scale, broad=attempt > 0,
                                       refine_above=wanted)
            best = heapq.nlargest(wanted, partial.items(), key=lambda item: item[1])
            documents = self.store.documents(side, [entry_id for entry_id, _ in best])
            accepted = [doc for doc in documents.values() if filters.accept(doc)]
            if len(accepted) >= limit or attempt:
                break
        matches = [self.scorer.explain(query, doc, side == NEEDS, text_weights, text_best, stats)
                   for doc in accepted]
        matches = [m for m in matches if m.score > 0]
        matches.sort(key=lambda match: (-match.score, str(match.id)))
        return matches[:limit]

    def explain(self, query: Document, side: str, entry_id) -> Match | None:
        """The explained match of one stored document, whatever its rank."""
        entry = self.store.documents(side, [entry_id]).get(entry_id)
        if entry is None:
            return None
        stats = self.store.stats(side, list(query.terms))
        text_weights, text_best = self.scorer.text_weights(query, stats)
        return self.scorer.explain(query, entry, side == NEEDS, text_weights, text_best, stats)

    def explain_many(self, query: Document, side: str, ids) -> dict[object, Match]:
        """The explained matches of the given stored documents, whatever their rank: the corpus statistics
        and the documents are read once for all of them (an event's participants, say). Documents the
        store does not hold (an inactive firm, a closed need) are left out."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        entries = self.store.documents(side, ids)
        if not entries:
            return {}
        stats = self.store.stats(side, list(query.terms))
        text_weights, text_best = self.scorer.text_weights(query, stats)
        return {entry_id: self.scorer.explain(query, entry, side == NEEDS, text_weights, text_best, stats)
                for entry_id, entry in entries.items()}

    def _candidates(self, query: Document, side: str, stats: Stats, text_weights, text_best, scale: int,
                    broad: bool, refine_above: int) -> dict[object, float]:
        """Scores, all but the region bonus, of the documents that share a capability node or a
        selective term.

        Common terms and OKVED codes find candidates only when the specific evidence finds too little
        (`broad`): they touch a large share of all documents. When more candidates are found than will
        be scored (`refine_above`), their weights are read for those candidates alone, so the ones
        scored are the best and not an arbitrary few of many tied on their capability.
        """
        requests: dict[str, tuple[int, float]] = {}  # key -> (limit, share of the score per unit weight)

        def want(key: str, limit: int, share: float) -> None:
            if share > requests.get(key, (0, 0.0))[1]:
                requests[key] = (limit * scale, share)

        # A document takes the best of each group's keys (one group per wanted node, one for OKVED);
        # groups add up, and so does text, up to its share.
        groups: list[list[str]] = []
        if side == SUPPLIERS:
            for code, share in wanted_shares(self.taxonomy, query.nodes).items():
                keys = [subtree_key(code)]
                want(keys[0], TOP_PER_EXACT_KEY, W_CAPABILITY * share)
                for offered, factor, _ in self.scorer.by_wanted(code):
                    if factor < 1.0:
                        want(node_key(offered), TOP_PER_WEAK_KEY, W_CAPABILITY * share * factor)
                        keys.append(node_key(offered))
                groups.append(keys)
        else:
            best_for_wanted: dict[str, float] = {}
            for code, confidence in query.nodes.items():
                for wanted, factor, _ in self.scorer.by_offered(code):
                    best_for_wanted[wanted] = max(best_for_wanted.get(wanted, 0.0), factor * confidence)
            for wanted, value in best_for_wanted.items():
                want(node_key(wanted), TOP_PER_EXACT_KEY if value >= 1.0 else TOP_PER_WEAK_KEY, W_CAPABILITY * value)
                groups.append([node_key(wanted)])
        if broad:
            okved = [okved_key(code[:length]) for code in query.okved for length, _ in _OKVED_LEVELS
                     if len(code) >= length]
            for key in okved:
                want(key, TOP_PER_WEAK_KEY, W_OKVED * dict(_OKVED_LEVELS)[len(key) - 2])
            groups.append(okved)
        text_scale = W_TEXT / (TEXT_SATURATION * text_best) if text_best else 0.0
        common_df = max(COMMON_TERM_SHARE * stats.documents, _MIN_COMMON_DF)
        terms = [term_key(stem) for stem in text_weights if broad or stats.df[stem] <= common_df]
        for key in terms:
            want(key, TOP_PER_TERM, text_weights[key[2:]] * text_scale)

        found = self.store.top(side, [(key, limit) for key, (limit, _) in requests.items()])
        partial = self._partial_scores(found, groups, terms, requests)
        if len(partial) > refine_above:
            # Many candidates, often tied on their capability: read the weights of common terms and
            # OKVED codes for the most promising few and score those again.
            # The heaviest few common terms decide between tied candidates; the rest add crumbs.
            missing = {stem: weight for stem, weight in text_weights.items() if term_key(stem) not in requests}
            rest = [term_key(stem) for stem in heapq.nlargest(REFINED_TERMS, missing, key=missing.get)]
            for key in rest:
                requests[key] = (0, text_weights[key[2:]] * text_scale)
            if not broad:
                okved = [okved_key(code[:length]) for code in query.okved for length, _ in _OKVED_LEVELS
                         if len(code) >= length]
                for key in okved:
                    requests[key] = (0, W_OKVED * dict(_OKVED_LEVELS)[len(key) - 2])
                groups.append(okved)
                rest += okved
            if rest:
                promising = [entry_id for entry_id, _ in heapq.nlargest(
                    refine_above * REFINED_PER_SCORED, partial.items(), key=lambda item: item[1])]
                found.update(self.store.weights(side, promising, rest))
                kept = set(promising)
                found = {key: [(e, v) for e, v in postings if e in kept] for key, postings in found.items()}
                partial = self._partial_scores(found, groups, terms + rest, requests)
        return partial

    @staticmethod
    def _partial_scores(found, groups, terms, requests) -> dict[object, float]:
        partial: dict[object, float] = defaultdict(float)
        for keys in groups:
            best: dict[object, float] = {}
            for key in keys:
                share = requests[key][1]
                for entry_id, value in found.get(key, ()):
                    if share * value > best.get(entry_id, 0.0):
                        best[entry_id] = share * value
            for entry_id, value in best.items():
                partial[entry_id] += value
        text: dict[object, float] = defaultdict(float)
        for key in terms:
            share = requests[key][1]
            for entry_id, value in found.get(key, ()):
                text[entry_id] += share * value
        for entry_id, value in text.items():
            partial[entry_id] += min(value, W_TEXT)
        return partial


class MemoryStore:
    """A store in plain dictionaries: the engine's tests and the quality benchmark's direct path."""

    def __init__(self, taxonomy: Taxonomy):
        self.analyzer = Analyzer(taxonomy)
        self._documents: dict[str, dict[object, Document]] = {SUPPLIERS: {}, NEEDS: {}}
        self._postings: dict[str, dict[str, dict[object, float]]] = {SUPPLIERS: defaultdict(dict),
                                                                     NEEDS: defaultdict(dict)}
        self._length = {SUPPLIERS: 0.0, NEEDS: 0.0}

    def put(self, side: str, document: Document) -> None:
        self.remove(side, document.id)
        docs = self._documents[side]
        average = (self._length[side] + document.length) / (len(docs) + 1)
        stored = self.analyzer.stored(document, average)
        docs[stored.id] = stored
        self._length[side] += stored.length
        for key, weight in self.analyzer.postings(stored, side).items():
            self._postings[side][key][stored.id] = weight

    def remove(self, side: str, entry_id) -> bool:
        document = self._documents[side].pop(entry_id, None)
        if document is None:
            return False
        self._length[side] -= document.length
        for key in self.analyzer.postings(document, side):
            self._postings[side][key].pop(entry_id, None)
        return True

    def __contains__(self, item) -> bool:
        side, entry_id = item
        return entry_id in self._documents[side]

    def stats(self, side: str, stems: list[str]) -> Stats:
        postings = self._postings[side]
        df = {stem: len(postings[term_key(stem)]) for stem in stems if postings.get(term_key(stem))}
        return Stats(len(self._documents[side]), self._length[side], df)

    def top(self, side: str, requests):
        postings = self._postings[side]
        return {key: heapq.nlargest(limit, postings.get(key, {}).items(), key=lambda item: (item[1], str(item[0])))
                for key, limit in requests}

    def weights(self, side: str, ids, keys):
        postings = self._postings[side]
        return {key: [(i, postings[key][i]) for i in ids if i in postings.get(key, {})] for key in keys}

    def documents(self, side: str, ids) -> dict[object, Document]:
        docs = self._documents[side]
        return {entry_id: docs[entry_id] for entry_id in ids if entry_id in docs}


class MatchIndex:
    """Suppliers ranked for a need, in memory: the engine's own tests and benchmarks."""

    side = SUPPLIERS

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self.store = MemoryStore(taxonomy)
        self.retriever = Retriever(taxonomy, self.store)
        self.analyzer = self.retriever.analyzer

    def __len__(self) -> int:
        return len(self.store._documents[self.side])

    def __contains__(self, entry_id) -> bool:
        return (self.side, entry_id) in self.store

    def remove(self, entry_id) -> bool:
        return self.store.remove(self.side, entry_id)

    def upsert(self, profile: SupplierProfile) -> None:
        # Inactive firms are never offered: they are not indexed at all.
        if profile.active:
            self.store.put(self.side, self.analyzer.supplier(profile))
        else:
            self.remove(profile.id)

    def rank(self, need: NeedProfile, limit: int = 10, *, exclude_company_id=None, other_regions_only=False,
             region=None, verified_only=False) -> list[Match]:
        filters = Filters(frozenset({need.company_id, exclude_company_id} - {None}), region,
                          need.region_code if other_regions_only else None, verified_only)
        return self.retriever.rank(self.analyzer.need(need), self.side, limit, filters)

    def explain(self, need: NeedProfile, supplier_id) -> Match | None:
        return self.retriever.explain(self.analyzer.need(need), self.side, supplier_id)


class OpportunityIndex(MatchIndex):
    """Open needs ranked for a supplier ("opportunities"), in memory."""

    side = NEEDS

    def upsert(self, need: NeedProfile) -> None:
        self.store.put(self.side, self.analyzer.need(need))

    def rank(self, supplier: SupplierProfile, limit: int = 10, *, exclude_company_id=None, other_regions_only=False,
             region=None) -> list[Match]:
        filters = Filters(frozenset({supplier.id, exclude_company_id} - {None}), region,
                          supplier.region_code if other_regions_only else None)
        return self.retriever.rank(self.analyzer.supplier(supplier), self.side, limit, filters)

    def explain(self, supplier: SupplierProfile, need_id) -> Match | None:
        return self.retriever.explain(self.analyzer.supplier(supplier), self.side, need_id)
