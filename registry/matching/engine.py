"""Explained matching of needs and suppliers over an incremental inverted index.

A score is the sum of its reasons' weights, each capped by its part's share:
capability-tree closeness (exact, parent, sibling), BM25 text relevance over
stemmed text (the query expanded with its capability nodes' names in both
languages), OKVED overlap and a small cross-region bonus.

Ranking touches only entries that share a capability node (or a close one),
a term or an OKVED class with the query, and bounds weak evidence so most of
those need no full scoring (MaxScore). The fast scores equal the explained
ones, so the order shown is the order of the scores shown.

The index is a cache of the database: `upsert`/`remove` touch one entry's
postings only. BM25 length normalisation uses the average length at the time
an entry was added; rebuild occasionally if the corpus changes character.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from .taxonomy import Taxonomy
from .text import normalize, tokens

# Shares of the score. Capability leads; a cross-region link is what officials
# want to see, but it must never outrank a better capability match.
W_CAPABILITY = 0.50
W_TEXT = 0.33
W_OKVED = 0.15
W_REGION = 0.02

BM25_K1 = 1.2
BM25_B = 0.75
# Taxonomy names can be added to stored text too (as a fraction of a word);
# on the judged set that only blurred entries of one node together, so it is
# off and only the query is expanded.
EXPANSION_TF = 0.0
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

_OKVED_LEVELS = ((5, 1.0), (4, 0.6))  # class "25.62", group "25.6"
# Terms found in more than this share of entries only add to candidates
# that other evidence found.
_COMMON_TERM_SHARE = 0.02

# Words of the request itself, not of what is requested.
_REQUEST_WORDS = frozenset(
    normalize(
        "нужен нужна нужно нужны требуется требуются требуется необходим необходимо необходима "
        "ищем ищет ищу просим прошу предложение поставка поставку поставщик поставщика подрядчик "
        "подрядчика исполнитель исполнителя изготовить изготовление выполнить организация компания "
        "предприятие заказ заказчик партия партии год квартал месяц штук "
        "need needs needed require required requires looking supplier suppliers supply contractor "
        "manufacture manufacturer request quote company pieces year month"
    )
)


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


_second = itemgetter(1)


def _round(value: float) -> float:
    return round(value, 4)


@dataclass
class _Side:
    """One profile as the scorer sees it, whichever direction it plays."""

    id: object
    company_id: object
    region_code: str
    region_name_ru: str
    region_name_en: str
    verified: bool
    active: bool
    nodes: dict[str, float]  # code -> confidence
    terms: dict[str, float]  # stem -> term frequency (own words, then expansion)
    okved: tuple[str, ...]
    surface: dict[str, str]  # stem -> a word as written, for explanations
    length: float = 0.0


def _text_terms(text: str) -> tuple[Counter, dict[str, str]]:
    counts: Counter = Counter()
    surface: dict[str, str] = {}
    for word, stem in zip(tokens(text), normalize(text), strict=True):
        if stem.isdigit() or stem in _REQUEST_WORDS or len(stem) < 2:
            continue
        counts[stem] += 1
        surface.setdefault(stem, word)
    return counts, surface


class _Index:
    """Postings shared by both directions; subclasses say which side is stored."""

    # True when stored entries are needs (they want, the query offers).
    stores_wanted = False

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self._entries: dict[object, _Side] = {}
        # stem -> {entry id: precomputed BM25 term weight (without idf)}
        self._term_postings: dict[str, dict[object, float]] = defaultdict(dict)
        # node -> {entry id: confidence (suppliers) or share of capability weight (needs)}
        self._node_postings: dict[str, dict[object, float]] = defaultdict(dict)
        # stem -> largest weight in its posting (a bound for pruning), filled lazily
        self._term_max: dict[str, float] = {}
        # node -> {supplier id: best confidence of an offer in the node's subtree}
        self._subtree_postings: dict[str, dict[object, float]] = defaultdict(dict)
        # OKVED prefix -> set of entry ids
        self._okved_postings: dict[str, set] = defaultdict(set)
        self._total_length = 0.0
        self._relations = self._build_relations()
        # How much work the last ranking did (for benchmarks and curiosity).
        self.last_query_stats: dict = {}

    # ── taxonomy relations, precomputed once ──
    def _build_relations(self):
        """wanted node -> [(offered node, factor, kind)] and the reverse."""
        tax = self.taxonomy
        by_wanted: dict[str, list[tuple[str, float, str]]] = {}
        by_offered: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
        for wanted in tax.nodes:
            out = []
            for offered in tax.related(wanted):
                factor, kind = self._relation_factor(wanted, offered)
                if factor >= _MIN_RELATION_FACTOR:
                    out.append((offered, factor, kind))
                    by_offered[offered].append((wanted, factor, kind))
            out.sort(key=lambda item: -item[1])
            by_wanted[wanted] = out
        return by_wanted, dict(by_offered)

    def _relation_factor(self, wanted: str, offered: str) -> tuple[float, str]:
        kind = self.taxonomy.relation(wanted, offered)
        if kind == "exact":
            return 1.0, "capability_exact"
        if kind == "parent":
            return self.taxonomy.closeness(wanted, offered), "capability_parent"
        if kind == "sibling":
            return _SIBLING_FACTOR * self.taxonomy.closeness(wanted, offered), "capability_sibling"
        return 0.0, ""

    # ── building sides ──
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

    def _derived_okved(self, nodes: dict[str, float]) -> tuple[str, ...]:
        codes: dict[str, None] = {}
        for code, confidence in sorted(nodes.items(), key=lambda item: -item[1]):
            if confidence >= 0.6:
                codes.update(dict.fromkeys(self.taxonomy.okved(code)))
        return tuple(codes)

    def _expand(self, terms: dict[str, float], nodes: dict[str, float], weight: float) -> None:
        if weight <= 0:
            return
        for code, confidence in nodes.items():
            for stem in self.taxonomy.expansion_stems(code):
                if stem in _REQUEST_WORDS:
                    continue
                terms[stem] = terms.get(stem, 0.0) + weight * confidence

    def supplier_side(self, profile: SupplierProfile) -> _Side:
        text = " . ".join([*(offer.text for offer in profile.offers), profile.description])
        explicit = [code for offer in profile.offers for code in offer.node_codes]
        nodes = self._nodes_for(explicit, text)
        counts, surface = _text_terms(text)
        terms = {stem: float(n) for stem, n in counts.items()}
        self._expand(terms, nodes, EXPANSION_TF)
        return _Side(
            id=profile.id,
            company_id=profile.id,
            region_code=profile.region_code,
            region_name_ru=profile.region_name_ru,
            region_name_en=profile.region_name_en,
            verified=profile.verified,
            active=profile.active,
            nodes=nodes,
            terms=terms,
            okved=tuple(profile.okved) or self._derived_okved(nodes),
            surface=surface,
            length=sum(terms.values()),
        )

    def need_side(self, need: NeedProfile) -> _Side:
        text = f"{need.title} . {need.text}"
        nodes = self._nodes_for(need.node_codes, text)
        # The title says what is wanted in few words; count it once more.
        counts, surface = _text_terms(text)
        title_counts, _ = _text_terms(need.title)
        terms = {stem: float(min(n + title_counts.get(stem, 0), 3)) for stem, n in counts.items()}
        self._expand(terms, nodes, QUERY_EXPANSION_WEIGHT)
        return _Side(
            id=need.id,
            company_id=need.company_id,
            region_code=need.region_code,
            region_name_ru=need.region_name_ru,
            region_name_en=need.region_name_en,
            verified=True,
            active=True,
            nodes=nodes,
            terms=terms,
            okved=tuple(need.okved) or self._derived_okved(nodes),
            surface=surface,
            length=sum(terms.values()),
        )

    # ── incremental maintenance ──
    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, entry_id) -> bool:
        return entry_id in self._entries

    def _average_length(self) -> float:
        return self._total_length / len(self._entries) if self._entries else 1.0

    def _add(self, side: _Side) -> None:
        if side.id in self._entries:
            self.remove(side.id)
        self._entries[side.id] = side
        self._total_length += side.length
        # Term weights use the average length at insertion time: an upsert
        # touches only its own postings, and the average moves slowly.
        norm = BM25_K1 * (1 - BM25_B + BM25_B * side.length / max(self._average_length(), 1e-9))
        term_max = self._term_max
        for stem, tf in side.terms.items():
            weight = tf * (BM25_K1 + 1) / (tf + norm)
            self._term_postings[stem][side.id] = weight
            if stem in term_max and weight > term_max[stem]:
                term_max[stem] = weight
        node_values = self._node_values(side)
        for code, value in node_values.items():
            self._node_postings[code][side.id] = value
        if not self.stores_wanted:
            # An offer of a node is an exact match for a need of any of its
            # ancestors: keep each subtree's best offer ready.
            for code, value in node_values.items():
                for ancestor in self.taxonomy.path(code):
                    bucket = self._subtree_postings[ancestor]
                    if value > bucket.get(side.id, 0.0):
                        bucket[side.id] = value
        for key in self._okved_keys(side.okved):
            self._okved_postings[key].add(side.id)

    def remove(self, entry_id) -> bool:
        """Drops one entry; returns whether it was there."""
        side = self._entries.pop(entry_id, None)
        if side is None:
            return False
        self._total_length -= side.length
        for stem in side.terms:
            self._discard(self._term_postings, stem, entry_id)
            self._term_max.pop(stem, None)
        for code in side.nodes:
            self._discard(self._node_postings, code, entry_id)
            for ancestor in self.taxonomy.path(code):
                self._discard(self._subtree_postings, ancestor, entry_id)
        for key in self._okved_keys(side.okved):
            bucket = self._okved_postings.get(key)
            if bucket is not None:
                bucket.discard(entry_id)
                if not bucket:
                    del self._okved_postings[key]
        return True

    @staticmethod
    def _discard(postings, key, entry_id) -> None:
        bucket = postings.get(key)
        if bucket is not None:
            bucket.pop(entry_id, None)
            if not bucket:
                del postings[key]

    @staticmethod
    def _okved_keys(codes) -> set[str]:
        return {code[:length] for code in codes for length, _ in _OKVED_LEVELS if len(code) >= length}

    def _node_values(self, side: _Side) -> dict[str, float]:
        if not self.stores_wanted:
            return dict(side.nodes)
        weights = self._wanted_weights(side.nodes)
        total = sum(weights.values())
        return {code: weight / total for code, weight in weights.items()} if total else {}

    def _wanted_weights(self, nodes: dict[str, float]) -> dict[str, float]:
        return {code: confidence * _DEPTH_WEIGHT.get(self.taxonomy.depth(code), 1.0) for code, confidence in nodes.items()}

    # ── the scorer (one for both directions) ──
    def _idf(self, stem: str) -> float:
        df = len(self._term_postings.get(stem, ()))
        n = len(self._entries)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _query_text_weights(self, query: _Side) -> tuple[dict[str, float], float]:
        """Per query stem, idf times query weight; and the best possible total."""
        weights = {stem: self._idf(stem) * min(qtf, 2.0) for stem, qtf in query.terms.items() if stem in self._term_postings}
        best = sum(weights.values()) * (BM25_K1 + 1)
        return weights, best

    def _explain(self, query: _Side, entry: _Side, text_weights, text_best) -> list[Reason]:
        wanted, offered = (entry, query) if self.stores_wanted else (query, entry)
        reasons: list[Reason] = []
        reasons.extend(self._capability_reasons(wanted.nodes, offered.nodes))
        reasons.extend(self._text_reasons(query, entry, text_weights, text_best))
        reasons.extend(self._okved_reasons(wanted.okved, offered.okved))
        # Another region is a bonus on a match, never a match by itself.
        if reasons and query.region_code and entry.region_code and query.region_code != entry.region_code:
            reasons.append(
                Reason(
                    "region",
                    W_REGION,
                    {
                        "region_code": offered.region_code,
                        "region_name_ru": offered.region_name_ru,
                        "region_name_en": offered.region_name_en,
                        "other_region_code": wanted.region_code,
                        "other_region_name_ru": wanted.region_name_ru,
                        "other_region_name_en": wanted.region_name_en,
                    },
                )
            )
        return [reason for reason in reasons if reason.weight > 0]

    def _capability_reasons(self, wanted: dict[str, float], offered: dict[str, float]) -> list[Reason]:
        weights = self._wanted_weights(wanted)
        total = sum(weights.values())
        if not total or not offered:
            return []
        by_wanted, _ = self._relations
        reasons = []
        for code, weight in sorted(weights.items(), key=lambda item: (-item[1], item[0])):
            best = (0.0, "", "")
            for other, factor, kind in by_wanted[code]:
                confidence = offered.get(other)
                if confidence is not None and factor * confidence > best[0]:
                    best = (factor * confidence, other, kind)
            if best[0] <= 0:
                continue
            value, other, kind = best
            want_node, offer_node = self.taxonomy.nodes[code], self.taxonomy.nodes[other]
            reasons.append(
                Reason(
                    kind,
                    _round(W_CAPABILITY * weight / total * value),
                    {
                        "node_code": offer_node.code,
                        "node_name_ru": offer_node.name_ru,
                        "node_name_en": offer_node.name_en,
                        "wanted_code": want_node.code,
                        "wanted_name_ru": want_node.name_ru,
                        "wanted_name_en": want_node.name_en,
                        "closeness": round(self.taxonomy.closeness(code, other), 3),
                    },
                )
            )
        return reasons

    def _text_reasons(self, query: _Side, entry: _Side, text_weights, text_best) -> list[Reason]:
        if not text_best:
            return []
        raw, matched = 0.0, []
        for stem, weight in text_weights.items():
            posting = self._term_postings[stem].get(entry.id)
            if posting:
                raw += weight * posting
                matched.append((weight * posting, stem))
        if not raw:
            return []
        share = min(1.0, raw / (TEXT_SATURATION * text_best))
        matched.sort(reverse=True)
        words = []
        for _, stem in matched:
            word = query.surface.get(stem) or entry.surface.get(stem) or stem
            if word not in words:
                words.append(word)
        return [Reason("text", _round(W_TEXT * share), {"terms": words[:8]})]

    def _okved_reasons(self, wanted: tuple[str, ...], offered: tuple[str, ...]) -> list[Reason]:
        best = (0.0, "", "")
        for a in wanted:
            for b in offered:
                value = self._okved_closeness(a, b)
                if value > best[0]:
                    best = (value, a, b)
        if not best[0]:
            return []
        return [Reason("okved", _round(W_OKVED * best[0]), {"wanted_okved": best[1], "okved": best[2]})]

    @staticmethod
    def _okved_closeness(a: str, b: str) -> float:
        for length, value in _OKVED_LEVELS:
            if len(a) >= length and len(b) >= length and a[:length] == b[:length]:
                return value
        return 0.0

    # ── fast candidate scoring ──
    def _candidate_scores(self, query: _Side, text_weights, text_best, want: int, accept) -> dict[object, float]:
        """Scores, region bonus included, of every entry that can reach the top `want`.

        Specific evidence (exactly matching capability nodes, rare terms) finds
        candidates. Weak evidence (parent and sibling nodes, common terms,
        OKVED, region) has a known upper bound: it is looked up only for
        candidates that bound could still lift into the top list (the MaxScore
        idea), unless too few candidates were found, when it finds more.
        """
        by_wanted, by_offered = self._relations
        # Capability, per wanted node: (share of the score, exact values by
        # entry (read-only), weak relations still to apply, weak values by entry).
        groups: list[tuple[float, dict, list, dict]] = []
        if self.stores_wanted:
            # Entries want, the query offers: a wanted node's best factor
            # depends on the query only, and each entry's share is stored.
            best_for_wanted: dict[str, float] = {}
            for code, confidence in query.nodes.items():
                for wanted, factor, _ in by_offered.get(code, ()):
                    value = factor * confidence
                    if value > best_for_wanted.get(wanted, 0.0):
                        best_for_wanted[wanted] = value
            combined: dict[object, float] = defaultdict(float)
            for wanted, value in best_for_wanted.items():
                for entry_id, share in self._node_postings.get(wanted, {}).items():
                    combined[entry_id] += share * value
            groups.append((W_CAPABILITY, combined, [], {}))
        else:
            weights = self._wanted_weights(query.nodes)
            total = sum(weights.values())
            for code, weight in weights.items():
                exact = self._subtree_postings.get(code, {})
                weak = [
                    (factor, self._node_postings[offered])
                    for offered, factor, _ in by_wanted[code]
                    if factor < 1.0 and offered in self._node_postings
                ]
                groups.append((W_CAPABILITY * weight / total, exact, weak, {}))

        # Text: rare terms now, common ones later.
        text: dict[object, float] = defaultdict(float)
        common_terms = []
        if text_best:
            scale = W_TEXT / (TEXT_SATURATION * text_best)
            common_df = max(_COMMON_TERM_SHARE * len(self._entries), 50)
            for stem, weight in text_weights.items():
                posting = self._term_postings[stem]
                w = weight * scale
                if len(posting) > common_df:
                    common_terms.append((w, posting, self._posting_max(stem)))
                    continue
                for entry_id, value in posting.items():
                    text[entry_id] += w * value

        okved_buckets = [
            (value, self._okved_postings[code[:length]])
            for code in query.okved
            for length, value in _OKVED_LEVELS
            if len(code) >= length and code[:length] in self._okved_postings
        ]

        candidates: set = set(text)
        for _, exact, _, _ in groups:
            candidates.update(exact)

        # Weak evidence as lists with an upper bound on what each can add.
        weak_lists: list[tuple[float, str, tuple]] = []
        for number, (share, _, weak, weak_values) in enumerate(groups):
            for factor, posting in weak:
                weak_lists.append((share * factor, "capability", (weak_values, factor, posting, number)))
        for w, posting, top in common_terms:
            weak_lists.append((w * top, "text", (w, posting)))
        if okved_buckets:
            weak_lists.append((W_OKVED * max(value for value, _ in okved_buckets), "okved", tuple(okved_buckets)))
        weak_lists.sort(key=lambda item: -item[0])

        partial: dict[object, float] = {}
        floor = 0.0
        if len(candidates) >= want * 8:
            partial = dict.fromkeys(candidates, 0.0)
            for share, exact, _, _ in groups:
                for entry_id, value in exact.items():
                    partial[entry_id] += share * value
            for entry_id, value in text.items():
                partial[entry_id] += value if value < W_TEXT else W_TEXT
            floor = self._accepted_floor(partial, want, accept)

        # An entry found by none of the lists used so far scores at most what
        # the remaining lists can add: while that could reach the floor, the
        # strongest remaining list finds candidates too.
        remaining = self._remaining_bound(weak_lists)
        promoted = 0
        lifted: dict[object, float] = defaultdict(float)  # bound of promoted lists per entry
        while promoted < len(weak_lists) and remaining + W_REGION >= floor:
            bound, kind, payload = weak_lists[promoted]
            promoted += 1
            remaining = self._remaining_bound(weak_lists[promoted:])
            if kind == "capability":
                weak_values, factor, posting, _ = payload
                self._apply_max(weak_values, posting, factor, None)
                members = posting
            elif kind == "text":
                w, posting = payload
                for entry_id, value in posting.items():
                    text[entry_id] += w * value
                members = posting
            else:
                members = set().union(*(bucket for _, bucket in payload))
            candidates.update(members)
            if floor > 0.0:
                for entry_id in members:
                    lifted[entry_id] += bound
        if floor > 0.0:
            threshold = floor - remaining - W_REGION
            survivors = {e for e in candidates if partial.get(e, 0.0) + lifted.get(e, 0.0) >= threshold}
        else:
            survivors = candidates
        for _, kind, payload in weak_lists[promoted:]:
            if kind == "capability":
                weak_values, factor, posting, _ = payload
                self._apply_max(weak_values, posting, factor, survivors)
            elif kind == "text":
                w, posting = payload
                for entry_id, value in self._restrict(posting, survivors):
                    text[entry_id] += w * value

        self.last_query_stats = {"candidates": len(candidates), "scored": len(survivors), "pruned": floor > 0.0}
        scores = dict.fromkeys(survivors, 0.0)
        for share, exact, _, weak_values in groups:
            if weak_values:
                for entry_id in survivors:
                    value = exact.get(entry_id, 0.0)
                    other = weak_values.get(entry_id, 0.0)
                    if other > value:
                        value = other
                    if value:
                        scores[entry_id] += share * value
            else:
                for entry_id, value in self._restrict(exact, survivors):
                    scores[entry_id] += share * value
        for entry_id, value in self._restrict(text, survivors):
            scores[entry_id] += value if value < W_TEXT else W_TEXT
        okved: dict[object, float] = {}
        for value, bucket in okved_buckets:
            for entry_id in self._restrict_set(bucket, survivors):
                if value > okved.get(entry_id, 0.0):
                    okved[entry_id] = value
        for entry_id, value in okved.items():
            scores[entry_id] += W_OKVED * value
        home = query.region_code
        if home:
            entries = self._entries
            for entry_id in survivors:
                region = entries[entry_id].region_code
                if region and region != home:
                    scores[entry_id] += W_REGION
        return scores

    @staticmethod
    def _remaining_bound(weak_lists) -> float:
        """The most the given weak lists can add to one entry's score: a
        capability node takes its best relation only, text is capped."""
        by_group: dict[int, float] = {}
        text = okved = 0.0
        for bound, kind, payload in weak_lists:
            if kind == "capability":
                by_group[payload[3]] = max(by_group.get(payload[3], 0.0), bound)
            elif kind == "text":
                text += bound
            else:
                okved = bound
        return sum(by_group.values()) + min(text, W_TEXT) + okved

    def _posting_max(self, stem: str) -> float:
        top = self._term_max.get(stem)
        if top is None:
            top = self._term_max[stem] = max(self._term_postings[stem].values())
        return top

    def _accepted_floor(self, partial: dict, want: int, accept) -> float:
        """The want-th best partial score among accepted entries (0 if unknown).

        Scores only grow from partial ones, so an entry whose partial score
        plus the weak evidence's bound stays below this cannot make the list.
        """
        entries = self._entries
        top = heapq.nlargest(want * 4, partial.items(), key=_second)
        for attempt in (top, None):
            if attempt is None:
                if len(top) == len(partial):
                    break
                # Strict filters: walk the whole order.
                attempt = sorted(partial.items(), key=_second, reverse=True)
            found = 0
            for entry_id, value in attempt:
                if accept(entries[entry_id]):
                    found += 1
                    if found == want:
                        return value
        return 0.0

    @staticmethod
    def _restrict(posting: dict, survivors):
        if len(posting) <= len(survivors):
            return [(e, v) for e, v in posting.items() if e in survivors]
        return [(e, posting[e]) for e in survivors if e in posting]

    @staticmethod
    def _restrict_set(bucket: set, survivors):
        return bucket & survivors if isinstance(survivors, set) else [e for e in survivors if e in bucket]

    def _apply_max(self, best: dict, posting: dict, factor: float, survivors) -> None:
        items = posting.items() if survivors is None else self._restrict(posting, survivors)
        for entry_id, confidence in items:
            value = factor * confidence
            if value > best.get(entry_id, 0.0):
                best[entry_id] = value

    def _rank(self, query: _Side, limit: int, accept) -> list[Match]:
        text_weights, text_best = self._query_text_weights(query)
        # Fast and explained scores agree; a few spare places absorb rounding ties.
        want = limit + 5
        scores = self._candidate_scores(query, text_weights, text_best, want, accept)
        entries = self._entries
        # Best first, accepting lazily: there may be thousands of candidates.
        shortlist: list[object] = []
        ranked = heapq.nlargest(want * 4, scores.items(), key=_second)
        if len(ranked) < len(scores) and sum(1 for e, _ in ranked if accept(entries[e])) < want:
            ranked = sorted(scores.items(), key=_second, reverse=True)
        for entry_id, _ in ranked:
            if accept(entries[entry_id]):
                shortlist.append(entry_id)
                if len(shortlist) == want:
                    break
        matches = []
        for entry_id in shortlist:
            reasons = sorted(self._explain(query, entries[entry_id], text_weights, text_best), key=lambda r: -r.weight)
            score = _round(min(1.0, sum(reason.weight for reason in reasons)))
            if score > 0:
                matches.append(Match(entry_id, score, tuple(reasons)))
        matches.sort(key=lambda match: (-match.score, str(match.id)))
        return matches[:limit]

    def score(self, query: _Side, entry_id) -> Match | None:
        """The explained match of one stored entry, whatever its rank."""
        entry = self._entries.get(entry_id)
        if entry is None:
            return None
        text_weights, text_best = self._query_text_weights(query)
        reasons = sorted(self._explain(query, entry, text_weights, text_best), key=lambda r: -r.weight)
        return Match(entry_id, _round(min(1.0, sum(r.weight for r in reasons))), tuple(reasons))


class MatchIndex(_Index):
    """Suppliers, ranked for a need."""

    stores_wanted = False

    def upsert(self, profile: SupplierProfile) -> None:
        """Adds or replaces one supplier; touches only its own postings."""
        self._add(self.supplier_side(profile))

    def rank(
        self,
        need: NeedProfile,
        limit: int = 10,
        *,
        exclude_company_id=None,
        other_regions_only: bool = False,
        region: str | None = None,
        verified_only: bool = False,
    ) -> list[Match]:
        query = self.need_side(need)
        excluded = {need.company_id, exclude_company_id} - {None}

        def accept(entry: _Side) -> bool:
            if not entry.active or entry.id in excluded:
                return False
            if verified_only and not entry.verified:
                return False
            if region is not None and entry.region_code != region:
                return False
            return not (other_regions_only and entry.region_code == need.region_code)

        return self._rank(query, limit, accept)

    def explain(self, need: NeedProfile, supplier_id) -> Match | None:
        return self.score(self.need_side(need), supplier_id)


class OpportunityIndex(_Index):
    """Open needs, ranked for a supplier ("opportunities")."""

    stores_wanted = True

    def upsert(self, need: NeedProfile) -> None:
        """Adds or replaces one open need; remove() it when it closes."""
        self._add(self.need_side(need))

    def rank(
        self,
        supplier: SupplierProfile,
        limit: int = 10,
        *,
        exclude_company_id=None,
        other_regions_only: bool = False,
        region: str | None = None,
    ) -> list[Match]:
        query = self.supplier_side(supplier)
        excluded = {supplier.id, exclude_company_id} - {None}

        def accept(entry: _Side) -> bool:
            if entry.company_id in excluded:
                return False
            if region is not None and entry.region_code != region:
                return False
            return not (other_regions_only and entry.region_code == supplier.region_code)

        return self._rank(query, limit, accept)

    def explain(self, supplier: SupplierProfile, need_id) -> Match | None:
        return self.score(self.supplier_side(supplier), need_id)
