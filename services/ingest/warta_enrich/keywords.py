"""Keywords for what the vocabulary misses: a lean YAKE-style statistical extractor.

YAKE (Campos et al., 2020) scores a term by its casing, position, frequency, how many different
words surround it and how many sentences it spreads over; lower is better. The ``yake`` package
does this well but took ~35 ms a report here (it builds a graph per candidate); this keeps its
single-term features and candidate formula. The text is cut into pieces by one regular
expression and candidates are counted with ``Counter`` over zipped lists, so the Python-level
loops only touch the few words that repeat.
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from warta_enrich.event_dates import CALENDAR_WORDS
from warta_enrich.languages import stopwords

MIN_FREQUENCY = 2
# Never part of a keyword, like stopwords: the calendar ("tanggal nopember") and the words that
# number documents ("Keputusan Nomor …"). A word holding a digit is a code ("PL-02-SD", "C1").
NOT_KEYWORDS = CALENDAR_WORDS | {"nomor", "no", "nomer", "tentang", "perihal", "lampiran"}
# One pass cuts the text into words, sentence breaks and chunk breaks. A sentence ends at
# whitespace after end punctuation or at a line break; candidates never cross a chunk break
# (punctuation). The full stop only marks a chunk break, so the whitespace after it still ends
# the sentence; "’" always breaks, it is never inside a word.
_PIECE = re.compile(
    # Words first (most pieces are words): a letter, then letters and digits with "'", ".", "-"
    # or "_" only between them; written so that the engine never backtracks.
    r"[^\W\d_][^\W_]*(?:[_'.-]+[^\W_]+)*"
    r"|(?<=[.!?…])\s+|\n+"
    r"|[,;:()\[\]\"“”‘’–—/|!?…]|\.(?=\s|$)|\s-\s"
)
_PUNCTUATION = frozenset(',;:()[]"“”‘’–—/|!?….')
_DIGIT = re.compile(r"\d")
_is_plain_word: Callable[[str], bool] = str.isalpha


@dataclass(frozen=True)
class Keyword:
    label: str
    score: float  # YAKE score: lower is more relevant


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def _repeated(counts: Counter[tuple[str | None, ...]]) -> dict[tuple[str, ...], int]:
    """Candidates seen often enough that hold no stopword and cross no break."""
    repeated: dict[tuple[str, ...], int] = {}
    # Most n-grams are seen once: sorted by count (in C), the loop stops at the first of them.
    for gram, count in counts.most_common():
        if count < MIN_FREQUENCY:
            break
        if None not in gram:
            repeated[gram] = count  # type: ignore[index]  # None-free, checked above
    return repeated


@cache
def _ignored_words(language: str) -> frozenset[str]:
    return stopwords(language) | NOT_KEYWORDS


def _term_scores(
    pieces: list[str],
    marks: list[str],
    wanted: set[str],
    frequencies: Counter[str | None],
    breaks: set[str],
    sentence_ends: list[int],
) -> dict[str, float]:
    sentence_count = 1 + len(sentence_ends)
    capitalised: Counter[str] = Counter()
    acronym: Counter[str] = Counter()
    sentences: dict[str, list[int]] = {word: [] for word in wanted}
    neighbours: dict[str, set[str]] = {word: set() for word in wanted}
    last = len(marks) - 1
    for position in [index for index, mark in enumerate(marks) if mark in wanted]:
        word = marks[position]
        sentences[word].append(bisect_right(sentence_ends, position))
        before = marks[position - 1] if position > 0 else ""
        after = marks[position + 1] if position < last else ""
        token = pieces[position]
        if len(token) > 1 and token.isupper():
            acronym[word] += 1
        elif before not in breaks and token[0].isupper():
            capitalised[word] += 1
        if before not in breaks:
            neighbours[word].add("<" + before)
        if after not in breaks:
            neighbours[word].add(">" + after)
    values = [count for word, count in frequencies.items() if word is not None]
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((value - mean) ** 2 for value in values) / len(values))
    most = max(values)
    scores = {}
    for word in wanted:
        tf = frequencies[word]
        casing = max(capitalised[word], acronym[word]) / (1.0 + math.log(tf))
        placement = math.log(math.log(3.0 + _median(sentences[word])))
        frequency = tf / (mean + spread)
        relatedness = 1.0 + len(neighbours[word]) / most
        different = len(set(sentences[word])) / sentence_count
        scores[word] = (placement * relatedness) / (
            casing + frequency / relatedness + different / relatedness
        )
    return scores


def extract_keywords(text: str, language: str, limit: int = 5) -> list[Keyword]:
    """The ``limit`` best keywords of ``text``, best first, each seen at least twice."""
    pieces = _PIECE.findall(text)
    # A call per piece (~25 µs a report) costs a tenth of a second pass of the pattern.
    marks = [piece.lower() for piece in pieces]
    # Words start with a letter; every other piece is a break, and whitespace ends a sentence.
    # "" stands for the edge of the text.
    # Most marks are words of letters only (told apart in C); the others are few: breaks, and
    # words with a digit, hyphen or apostrophe.
    plain_words: Iterator[str] = filter(_is_plain_word, marks)
    others = set(marks).difference(plain_words)
    breaks = {mark for mark in others if mark[0] in _PUNCTUATION or mark[0].isspace()}
    sentence_breaks = {mark for mark in breaks if mark.isspace()}
    breaks.add("")
    # Candidates are runs of content words: a stopword never starts, ends or sits inside one,
    # nor does a code.
    codes = {mark for mark in others - breaks if _DIGIT.search(mark)}
    ignored = _ignored_words(language) | breaks | codes
    content = [None if mark in ignored else mark for mark in marks]
    frequencies = Counter(content)
    counts: dict[tuple[str, ...], int] = {
        (word,): count
        for word, count in frequencies.items()
        if word is not None and count >= MIN_FREQUENCY and len(word) >= 3
    }
    counts.update(_repeated(Counter(itertools.pairwise(content))))
    counts.update(_repeated(Counter(zip(content, content[1:], content[2:], strict=False))))
    if not counts:
        return []
    wanted = {word for gram in counts for word in gram}
    sentence_ends = [index for index, mark in enumerate(marks) if mark in sentence_breaks]
    scores = _term_scores(pieces, marks, wanted, frequencies, breaks, sentence_ends)

    ranked: list[tuple[float, tuple[str, ...]]] = []
    for gram, count in counts.items():
        product = math.prod(scores[word] for word in gram)
        total = sum(scores[word] for word in gram)
        ranked.append((product / (count * (1.0 + total)), gram))
    ranked.sort()

    chosen: list[Keyword] = []
    taken: list[set[str]] = []
    for score, gram in ranked:
        members = set(gram)
        # "data pemilih" and "pemilih" are one keyword, not two.
        if any(members <= other or other <= members for other in taken):
            continue
        taken.append(members)
        label = " ".join(pieces[marks.index(word)] for word in gram)
        chosen.append(Keyword(label, score))
        if len(chosen) == limit:
            break
    return chosen
