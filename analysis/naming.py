"""Name themes by a phrase their members wrote, or by their most typical public words.

A theme's *name* is a short phrase its members wrote ("tid til faglig sparring"), found in a
sample of them: a run of two to five words within one clause, starting and ending with a public
content word, written by at least `min_group_size` distinct authors of the sample (so every word
of it passes the public rule too), scored by how typical its content words are of the theme
times how many wrote it. A name must also share a word with a third of the members, and no two
themes may share a name or a first word, so the names tell themes apart. Without such a phrase
the name is the theme's two or three most typical public words. What is *public* is said in
:mod:`analysis.themes`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from analysis.phrases import Phrases

#: Least share of members that must contain a word of the name.
NAME_COVERAGE = 1 / 3
#: Most distinctive words of a theme among which a name of words is chosen.
WORD_CANDIDATES = 30
#: Breaks between clauses: a phrase never spans one.
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”„«»…/|\n\r\t]+|\s[-–—]+\s")


class Namer:
    """Name themes one after the other, so that no two share a name or a first word."""

    def __init__(self, scores, typical, names, words, numbered: str) -> None:
        self.scores, self.typical, self.names, self.words = scores, typical, names, words
        self.numbered = numbered
        self.used_names: set[str] = set()
        self.used_first: set[str] = set()

    def name(self, theme: int, rows, phrases: Phrases | None, texts) -> str:
        """Return the name of `theme` from its sampled `rows`, their `phrases` and `texts`.

        Phrases are tried by how typical their content words are times how many wrote them,
        equal scores in the order of their words; the words are only read for those tried.
        """
        if phrases is not None:
            mine = np.flatnonzero(phrases.theme == theme)
            columns = phrases.columns[mine]
            typical = np.where(columns >= 0, self.scores[theme][np.maximum(columns, 0)], 0.0)
            scores = typical.sum(axis=1) * phrases.n_writers[mine]
            order = np.argsort(-scores, kind="stable")
            present = rows.tocsc()
            bounds = [0, *(np.flatnonzero(np.diff(scores[order]) != 0) + 1).tolist(), len(order)]
            for begin, end in zip(bounds[:-1], bounds[1:], strict=True):
                tied = mine[order[begin:end]].tolist()
                for words, phrase in sorted((phrases.words_of(i), i) for i in tied):
                    if words[0] in self.used_first:
                        continue
                    wanted = phrases.columns[phrase]
                    if _coverage(present, wanted[wanted >= 0]) >= NAME_COVERAGE:
                        name = spelling(words, texts)
                        if name.casefold() not in self.used_names:
                            return self._use(words[0], name)
        return self._words(theme, rows)

    def _words(self, theme: int, rows) -> str:
        """Two or three distinctive public words that together occur in many members.

        From the theme's most distinctive words, each next word is the one found in most of
        the members that the words chosen so far miss; the first is never first elsewhere.
        """
        scores, typical = self.scores[theme], self.typical[theme]
        order = np.lexsort((-typical, -scores))
        order = order[self.words[order] & (typical[order] > 0)][:WORD_CANDIDATES]
        present = rows[:, order].toarray() > 0 if len(order) else np.zeros((0, 0), bool)
        missed = np.ones(rows.shape[0], dtype=bool)
        chosen: list[int] = []
        while len(chosen) < 3 and len(chosen) < len(order):
            gain = (present & missed[:, None]).sum(axis=0).astype(float)
            gain[chosen] = -1
            if not chosen:
                gain[[str(self.names[column]) in self.used_first for column in order]] = -1
            if gain.max() < 0 or (len(chosen) >= 2 and missed.mean() <= 1 - NAME_COVERAGE):
                break
            best = int(np.argmax(gain))  # ties: the more distinctive, which comes first
            chosen.append(best)
            missed &= ~present[:, best]
        if not chosen:
            name = f"{self.numbered} {theme + 1}"
            return self._use(name, name)
        words = [str(self.names[order[index]]) for index in chosen]
        return self._use(words[0], ", ".join(words))

    def _use(self, first: str, name: str) -> str:
        self.used_first.add(first)
        self.used_names.add(name.casefold())
        return name


def spelling(words: Sequence[str], texts: Sequence[str]) -> str:
    """Return the phrase of normalised `words` as most `texts` write it, or the words joined.

    The writers' own hyphens and capitals are kept ("IT-systemerne"), but a capital that only
    starts a sentence is not.

    Examples
    --------
    >>> spelling(["it", "systemerne", "taler"], ["IT-systemerne taler ikke.", "It systemerne"])
    'IT-systemerne taler'
    >>> spelling(["ventetiden", "er"], ["Ventetiden er lang", "ventetiden  er"])
    'ventetiden er'
    """
    pattern = re.compile(
        r"(?<![^\W\d_])" + r"[\W\d_]+".join(map(re.escape, words)) + r"(?![^\W\d_])",
        re.IGNORECASE,
    )
    found: Counter = Counter()
    # The regular expression is tried only on texts that contain the first word: most do not,
    # and a search costs many times the look-up.
    for text in (text for text in texts if words[0] in text.casefold()):
        match = pattern.search(text)
        if match and not _CLAUSE.search(match.group()):
            spelled = " ".join(match.group().split())
            capitals = [word[:1].isupper() for word in spelled.split()]
            if capitals[0] and not spelled[1:2].isupper() and not any(capitals[1:]):
                spelled = spelled[0].lower() + spelled[1:]
            found[spelled] += 1
    return found.most_common(1)[0][0] if found else " ".join(words)


def _coverage(present: sp.csc_matrix, columns) -> float:
    """Share of the rows of `present` that contain any of `columns`."""
    if not present.shape[0]:
        return 0.0
    covered = np.zeros(present.shape[0], dtype=bool)
    for column in columns:
        covered[present.indices[present.indptr[column] : present.indptr[column + 1]]] = True
    return float(covered.mean())
