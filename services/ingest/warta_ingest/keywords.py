"""Keywords for what the vocabulary misses: a lean YAKE-style statistical extractor.

YAKE (Campos et al., 2020) scores a term by its casing, position, frequency, how many different
words surround it and how many sentences it spreads over; lower is better. The ``yake`` package
does this well but took ~35 ms a report here (it builds a graph per candidate); this keeps its
single-term features and candidate formula and runs in about a millisecond.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from warta_ingest.languages import stopwords

MAX_NGRAM = 3
MIN_FREQUENCY = 2
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\n+")
# Chunks: candidates never cross punctuation.
_CHUNK_BREAK = re.compile(r"[,;:()\[\]\"“”‘’–—/|!?…]|\.(?:\s|$)|\s-\s")
_TOKEN = re.compile(r"[^\W\d_](?:[\w'’.-]*[^\W_])?")


@dataclass(frozen=True)
class Keyword:
    label: str
    score: float  # YAKE score: lower is more relevant


@dataclass
class _TermStats:
    frequency: int = 0
    capitalised: int = 0
    acronym: int = 0
    sentences: list[int] = field(default_factory=list)
    neighbours: set[str] = field(default_factory=set)


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def _term_scores(
    chunks: list[tuple[int, list[str], list[str]]], stop: frozenset[str], sentence_count: int
) -> dict[str, float]:
    stats: dict[str, _TermStats] = defaultdict(_TermStats)
    for sentence, tokens, lowered in chunks:
        last = len(tokens) - 1
        for position, word in enumerate(lowered):
            if word in stop:
                continue
            term = stats[word]
            term.frequency += 1
            term.sentences.append(sentence)
            token = tokens[position]
            if len(token) > 1 and token.isupper():
                term.acronym += 1
            elif position > 0 and token[0].isupper():
                term.capitalised += 1
            if position > 0:
                term.neighbours.add("<" + lowered[position - 1])
            if position < last:
                term.neighbours.add(">" + lowered[position + 1])
    if not stats:
        return {}
    frequencies = [term.frequency for term in stats.values()]
    mean = sum(frequencies) / len(frequencies)
    spread = math.sqrt(sum((value - mean) ** 2 for value in frequencies) / len(frequencies))
    most = max(frequencies)
    scores = {}
    for word, term in stats.items():
        tf = term.frequency
        casing = max(term.capitalised, term.acronym) / (1.0 + math.log(tf))
        position = math.log(math.log(3.0 + _median(term.sentences)))
        frequency = tf / (mean + spread)
        relatedness = 1.0 + len(term.neighbours) / most
        different = len(set(term.sentences)) / sentence_count
        scores[word] = (position * relatedness) / (
            casing + frequency / relatedness + different / relatedness
        )
    return scores


def extract_keywords(text: str, language: str, limit: int = 5) -> list[Keyword]:
    """The ``limit`` best keywords of ``text``, best first, each seen at least twice."""
    stop = stopwords(language)
    chunks: list[tuple[int, list[str], list[str]]] = []
    sentences = _SENTENCE_BREAK.split(text)
    for index, sentence in enumerate(sentences):
        for chunk in _CHUNK_BREAK.split(sentence):
            tokens = _TOKEN.findall(chunk)
            if tokens:
                chunks.append((index, tokens, [token.lower() for token in tokens]))
    scores = _term_scores(chunks, stop, max(1, len(sentences)))

    counts: Counter[tuple[str, ...]] = Counter()
    surfaces: dict[tuple[str, ...], str] = {}
    for _, tokens, lowered in chunks:
        # Candidates are runs of content words: a stopword never starts, ends or sits inside one.
        run_start = 0
        for end in range(len(lowered) + 1):
            if end < len(lowered) and lowered[end] not in stop:
                continue
            for start in range(run_start, end):
                for size in range(1, min(MAX_NGRAM, end - start) + 1):
                    gram = tuple(lowered[start : start + size])
                    if size == 1 and len(gram[0]) < 3:
                        continue
                    counts[gram] += 1
                    surfaces.setdefault(gram, " ".join(tokens[start : start + size]))
            run_start = end + 1

    ranked: list[tuple[float, tuple[str, ...]]] = []
    for gram, count in counts.items():
        if count < MIN_FREQUENCY:
            continue
        product = math.prod(scores[word] for word in gram)
        total = sum(scores[word] for word in gram)
        ranked.append((product / (count * (1.0 + total)), gram))
    ranked.sort()

    chosen: list[Keyword] = []
    taken: list[set[str]] = []
    for score, gram in ranked:
        words = set(gram)
        # "data pemilih" and "pemilih" are one keyword, not two.
        if any(words <= other or other <= words for other in taken):
            continue
        taken.append(words)
        chosen.append(Keyword(surfaces[gram], score))
        if len(chosen) == limit:
            break
    return chosen
