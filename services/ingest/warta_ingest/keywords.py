"""Keywords for what the vocabulary misses: a lean YAKE-style statistical extractor.

YAKE (Campos et al., 2020) scores a term by its casing, position, frequency, how many different
words surround it and how many sentences it spreads over; lower is better. The ``yake`` package
does this well but took ~35 ms a report here (it builds a graph per candidate); this keeps its
single-term features and candidate formula and runs in about a millisecond.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from warta_ingest.languages import stopwords

MIN_FREQUENCY = 2
# Candidates are one to three words long.
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
    chunks: list[tuple[int, list[str], list[str]]],
    wanted: set[str],
    frequencies: Counter[str],
    sentence_count: int,
) -> dict[str, float]:
    stats: dict[str, _TermStats] = defaultdict(_TermStats)
    for sentence, tokens, lowered in chunks:
        last = len(tokens) - 1
        for position, word in enumerate(lowered):
            if word not in wanted:
                continue
            term = stats[word]
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
    values = list(frequencies.values())
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((value - mean) ** 2 for value in values) / len(values))
    most = max(values)
    scores = {}
    for word, term in stats.items():
        tf = frequencies[word]
        casing = max(term.capitalised, term.acronym) / (1.0 + math.log(tf))
        placement = math.log(math.log(3.0 + _median(term.sentences)))
        frequency = tf / (mean + spread)
        relatedness = 1.0 + len(term.neighbours) / most
        different = len(set(term.sentences)) / sentence_count
        scores[word] = (placement * relatedness) / (
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

    # Candidates are runs of content words: a stopword never starts, ends or sits inside one.
    grams: list[tuple[str, ...]] = []
    words: list[str] = []
    surface: dict[str, str] = {}
    for _, tokens, lowered in chunks:
        run: list[str] = []
        for token, word in zip([*tokens, ""], [*lowered, ""], strict=True):
            if word and word not in stop:
                run.append(word)
                surface.setdefault(word, token)
                continue
            if run:
                words.extend(run)
                grams.extend((word,) for word in run if len(word) >= 3)
                grams.extend(itertools.pairwise(run))
                grams.extend(zip(run, run[1:], run[2:], strict=False))
                run = []
    # One Counter over everything: per-run updates cost more than the counting itself.
    counts = Counter(grams)
    frequencies = Counter(words)
    repeated = [gram for gram, count in counts.items() if count >= MIN_FREQUENCY]
    if not repeated:
        return []
    wanted = {word for gram in repeated for word in gram}
    scores = _term_scores(chunks, wanted, frequencies, max(1, len(sentences)))

    ranked: list[tuple[float, tuple[str, ...]]] = []
    for gram in repeated:
        product = math.prod(scores[word] for word in gram)
        total = sum(scores[word] for word in gram)
        ranked.append((product / (counts[gram] * (1.0 + total)), gram))
    ranked.sort()

    chosen: list[Keyword] = []
    taken: list[set[str]] = []
    for score, gram in ranked:
        members = set(gram)
        # "data pemilih" and "pemilih" are one keyword, not two.
        if any(members <= other or other <= members for other in taken):
            continue
        taken.append(members)
        chosen.append(Keyword(" ".join(surface[word] for word in gram), score))
        if len(chosen) == limit:
            break
    return chosen
