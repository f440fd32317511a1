"""The capability tree and the classifier that maps free text onto it.

The app builds `CapabilityNode`s from database rows; `load_toml` reads the
seed file directly for tests and benchmarks.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .text import GENERIC_WORDS, normalize


@dataclass(frozen=True)
class CapabilityNode:
    code: str
    parent: str  # "" for a root
    name_ru: str
    name_en: str
    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    okved: tuple[str, ...] = ()

    def phrases(self) -> tuple[str, ...]:
        return (self.name_ru, self.name_en, *self.synonyms, *self.abbreviations)


def load_toml(path: str | Path) -> list[CapabilityNode]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    return [
        CapabilityNode(
            code=row["code"],
            parent=row.get("parent") or "",
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            synonyms=tuple(row.get("synonyms", ())),
            abbreviations=tuple(row.get("abbreviations", ())),
            okved=tuple(row.get("okved", ())),
        )
        for row in data["node"]
    ]


# A stem that differs from a phrase stem only in its ending still counts
# (фрезерова/фрезерован, тележк/тележек, цинкован/цинковальн): Snowball leaves
# such pairs apart, and listing every form in the taxonomy is hopeless. Longer
# differences are other words: штамп (a die) is not штамповк (stamping).
_FUZZY_PREFIX = 6
_FUZZY_QUALITY = 0.8
# Words of a multi-word phrase found in the text but far apart are weaker
# evidence than the phrase itself.
_SCATTERED_QUALITY = 0.55
_PURPOSE_QUALITY = 0.5
_COVERED_WEIGHT = 0.3
_CLAUSE = re.compile(r"[.;:!?()\n]+|,\s")


class _PurposeMarker:
    """Finds the first "для"/"for" of a clause."""

    _pattern = re.compile(r"(?<![\w-])(для|for)(?![\w-])", re.IGNORECASE)

    def partition_clause(self, clause: str) -> tuple[str, str, str]:
        found = self._pattern.search(clause)
        if not found:
            return clause, "", ""
        return clause[: found.start()], found.group(0), clause[found.end() :]


_PURPOSE = _PurposeMarker()
_PROXIMITY_SLACK = 3
# Single words are often generic ("ремонт", "оборудование"), the more so the
# more nodes use them; phrases and abbreviations are specific.
_SINGLE_WORD_WEIGHT = {1: 0.8, 2: 0.7, 3: 0.6, 4: 0.6}
_COMMON_SINGLE_WORD_WEIGHT = 0.5
_LENGTH_WEIGHT = {2: 0.85}
_ABBREVIATION_WEIGHT = 0.9
# Russian fleeting vowels: тележка/тележек, сборка/сборок, прокладка/прокладок.
_FLEETING_QUALITY = 0.95


def _without_fleeting_vowel(stem: str) -> str | None:
    if len(stem) >= 5 and stem[-2] in "ое" and stem[-1] not in "аеиоуыэюяй":
        return stem[:-2] + stem[-1]
    return None


def _fuzzy_equal(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) < _FUZZY_PREFIX or len(b) < _FUZZY_PREFIX or abs(len(a) - len(b)) > 2:
        return False
    if any(ch.isdigit() for ch in a) or any(ch.isdigit() for ch in b):
        return False
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= _FUZZY_PREFIX and common >= min(len(a), len(b)) - 2


@dataclass(frozen=True)
class _Phrase:
    stems: tuple[str, ...]
    owners: tuple[tuple[str, float], ...]  # (node code, weight)


class Taxonomy:
    def __init__(self, nodes):
        self.nodes: dict[str, CapabilityNode] = {}
        for node in nodes:
            if node.code in self.nodes:
                raise ValueError(f"duplicate capability code {node.code}")
            self.nodes[node.code] = node
        for node in self.nodes.values():
            if node.parent and node.parent not in self.nodes:
                raise ValueError(f"{node.code}: unknown parent {node.parent}")
        self.children: dict[str, list[str]] = defaultdict(list)
        for node in self.nodes.values():
            self.children[node.parent].append(node.code)
        self._paths: dict[str, tuple[str, ...]] = {}
        for code in self.nodes:
            self._paths[code] = self._compute_path(code)
        self._build_phrase_index()
        self._expansion = {code: self._expansion_stems(code) for code in self.nodes}

    # ── tree ──
    def _compute_path(self, code: str) -> tuple[str, ...]:
        path = []
        seen = set()
        while code:
            if code in seen:
                raise ValueError(f"cycle in capability tree at {code}")
            seen.add(code)
            path.append(code)
            code = self.nodes[code].parent
        return tuple(reversed(path))

    def __contains__(self, code: str) -> bool:
        return code in self.nodes

    def __len__(self) -> int:
        return len(self.nodes)

    def path(self, code: str) -> tuple[str, ...]:
        """Codes from the root down to `code` inclusive."""
        return self._paths[code]

    def ancestors(self, code: str) -> tuple[str, ...]:
        """Ancestors of `code`, nearest first."""
        return tuple(reversed(self._paths[code][:-1]))

    def depth(self, code: str) -> int:
        """1 for a root."""
        return len(self._paths[code])

    def common_ancestor(self, a: str, b: str) -> str | None:
        common = None
        for x, y in zip(self._paths[a], self._paths[b], strict=False):
            if x != y:
                break
            common = x
        return common

    def closeness(self, a: str, b: str) -> float:
        """Depth of the deepest common ancestor over the depth of the deeper node."""
        common = self.common_ancestor(a, b)
        if common is None:
            return 0.0
        return len(self._paths[common]) / max(len(self._paths[a]), len(self._paths[b]))

    def relation(self, wanted: str, offered: str) -> str | None:
        """How an offered node relates to a wanted one, from the buyer's side.

        "exact" also covers an offer more specific than the need (a need for
        welding is met by a TIG welding shop); "parent" is an offer one or more
        levels more general; "sibling" shares an ancestor.
        """
        if wanted == offered or wanted in self._paths[offered]:
            return "exact"
        if offered in self._paths[wanted]:
            return "parent"
        if self.common_ancestor(wanted, offered) is not None:
            return "sibling"
        return None

    def related(self, code: str) -> set[str]:
        """Nodes that can give `code` a non-zero closeness: its whole root subtree."""
        root = self._paths[code][0]
        out, stack = set(), [root]
        while stack:
            current = stack.pop()
            out.add(current)
            stack.extend(self.children.get(current, ()))
        return out

    def okved(self, code: str) -> tuple[str, ...]:
        return self.nodes[code].okved

    def expansion_stems(self, code: str) -> tuple[str, ...]:
        """Stems of a node's names in both languages, added to indexed text so a
        Russian profile and an English need share words."""
        return self._expansion[code]

    def _expansion_stems(self, code: str) -> tuple[str, ...]:
        node = self.nodes[code]
        stems = dict.fromkeys(normalize(node.name_ru) + normalize(node.name_en))
        return tuple(stems)

    # ── classification ──
    def _build_phrase_index(self) -> None:
        owners: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
        nodes_by_stem: dict[str, set[str]] = defaultdict(set)
        for node in self.nodes.values():
            for phrase in node.phrases():
                for stem in normalize(phrase):
                    nodes_by_stem[stem].add(node.code)
        for node in self.nodes.values():
            abbreviations = set(node.abbreviations)
            for phrase in node.phrases():
                stems = tuple(normalize(phrase))
                # "изготовление деталей" or "услуги" alone say nothing of what is made.
                if not stems or all(stem in GENERIC_WORDS for stem in stems):
                    continue
                if phrase in abbreviations:
                    weight = _ABBREVIATION_WEIGHT
                elif len(stems) == 1:
                    spread = len(nodes_by_stem[stems[0]])
                    weight = _SINGLE_WORD_WEIGHT.get(spread, _COMMON_SINGLE_WORD_WEIGHT)
                else:
                    weight = _LENGTH_WEIGHT.get(len(stems), 1.0)
                current = owners[stems].get(node.code, 0.0)
                owners[stems][node.code] = max(current, weight)
        self._phrases: list[_Phrase] = []
        self._phrases_by_stem: dict[str, list[int]] = defaultdict(list)
        for stems, by_node in owners.items():
            # A phrase claimed by several nodes says less about each of them.
            share = 1.0 / math.sqrt(len(by_node))
            phrase = _Phrase(stems, tuple((code, w * share) for code, w in by_node.items()))
            index = len(self._phrases)
            self._phrases.append(phrase)
            for stem in set(stems):
                self._phrases_by_stem[stem].append(index)
        self._vocabulary_by_prefix: dict[str, list[str]] = defaultdict(list)
        self._vocabulary_without_fleeting: dict[str, str] = {}
        for stem in self._phrases_by_stem:
            if len(stem) >= _FUZZY_PREFIX:
                self._vocabulary_by_prefix[stem[:_FUZZY_PREFIX]].append(stem)
            shortened = _without_fleeting_vowel(stem)
            if shortened:
                self._vocabulary_without_fleeting[shortened] = stem
        self._match_stem = lru_cache(maxsize=100_000)(self._match_stem_uncached)

    def _match_stem_uncached(self, stem: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary stems a text stem stands for, with a match quality."""
        found = {}
        if stem in self._phrases_by_stem:
            found[stem] = 1.0
        shortened = _without_fleeting_vowel(stem)
        if shortened in self._phrases_by_stem:
            found.setdefault(shortened, _FLEETING_QUALITY)
        longer = self._vocabulary_without_fleeting.get(stem)
        if longer:
            found.setdefault(longer, _FLEETING_QUALITY)
        if len(stem) >= _FUZZY_PREFIX:
            for candidate in self._vocabulary_by_prefix.get(stem[:_FUZZY_PREFIX], ()):
                if candidate not in found and _fuzzy_equal(stem, candidate):
                    found[candidate] = _FUZZY_QUALITY
        return tuple(found.items())

    def classify_stems(
        self, stems: list[str], limit: int = 8, min_score: float = 0.25, purpose: list[bool] | None = None
    ) -> list[tuple[str, float]]:
        positions: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, stem in enumerate(stems):
            for vocab, quality in self._match_stem(stem):
                positions[vocab].append((i, quality))
        in_purpose = {i for i, flag in enumerate(purpose or ()) if flag}
        if not positions:
            return []
        candidates = set()
        for vocab in positions:
            candidates.update(self._phrases_by_stem[vocab])
        matched = []  # (phrase, strength, positions or None when scattered)
        for index in candidates:
            phrase = self._phrases[index]
            strength, used = self._phrase_strength(phrase.stems, positions)
            if used is not None and in_purpose and used <= in_purpose:
                strength *= _PURPOSE_QUALITY
            if strength > 0.0:
                matched.append((phrase, strength, used))
        # A phrase inside a longer phrase of another field is not evidence of
        # its own: "литье под давлением" within "литье пластмасс под давлением"
        # says plastics, not metal die casting.
        spans = [
            (used, len(phrase.stems), {self._paths[code][0] for code, _ in phrase.owners})
            for phrase, _, used in matched
            if used is not None and len(phrase.stems) > 1
        ]
        evidence: dict[str, list[float]] = defaultdict(list)
        for phrase, strength, used in matched:
            for code, weight in phrase.owners:
                if used is not None and spans and self._covered(used, len(phrase.stems), self._paths[code][0], spans):
                    weight *= _COVERED_WEIGHT
                evidence[code].append(strength * weight)
        scored = []
        for code, parts in evidence.items():
            parts.sort(reverse=True)
            miss = 1.0
            # The best few pieces of evidence decide; dozens of weak hits
            # should not add up to certainty.
            for part in parts[:4]:
                miss *= 1.0 - min(part, 0.95)
            score = 1.0 - miss
            if score >= min_score:
                scored.append((code, round(score, 4)))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:limit]

    @staticmethod
    def _covered(used: frozenset, length: int, root: str, spans) -> bool:
        for position in used:
            if not any(position in other and other_length > length and root not in roots for other, other_length, roots in spans):
                return False
        return True

    @staticmethod
    def _phrase_strength(phrase: tuple[str, ...], positions) -> tuple[float, frozenset | None]:
        """How well a phrase is present, and the positions it covers (None when
        its words are scattered over the text)."""
        quality = 1.0
        for stem in phrase:
            hits = positions.get(stem)
            if not hits:
                return 0.0, None
            quality *= max(q for _, q in hits)
        if len(phrase) == 1:
            return quality, frozenset(i for i, _ in positions[phrase[0]])
        # Some occurrence of every word inside a short window?
        span_limit = len(phrase) + _PROXIMITY_SLACK
        for start, _ in positions[phrase[0]]:
            used = [start]
            for stem in phrase[1:]:
                near = [i for i, _ in positions[stem] if abs(i - start) < span_limit]
                if not near:
                    break
                used.append(min(near, key=lambda i: abs(i - start)))
            else:
                return quality, frozenset(used)
        return quality * _SCATTERED_QUALITY, None

    def classify(self, text: str, limit: int = 8, min_score: float = 0.25) -> list[tuple[str, float]]:
        """Capability nodes a free text (Russian or English) speaks about, with a
        confidence in (0, 1], best first.

        Words after "для"/"for" name a purpose or a market ("прокладки для
        вагонов", "sensors for reactors"), not the capability itself: they
        count for less.
        """
        stems: list[str] = []
        purpose: list[bool] = []
        for clause in _CLAUSE.split(text):
            head, marker, tail = _PURPOSE.partition_clause(clause)
            head_stems = normalize(head)
            stems.extend(head_stems)
            purpose.extend([False] * len(head_stems))
            if marker:
                tail_stems = normalize(tail)
                stems.extend(tail_stems)
                purpose.extend([True] * len(tail_stems))
        return self.classify_stems(stems, limit=limit, min_score=min_score, purpose=purpose)
