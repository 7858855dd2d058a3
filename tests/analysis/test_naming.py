"""Theme names people can read: the rules checked on the bundled sets and the Polis open data.

The Polis comments are real: "Polis open data, The Computational Democracy Project", CC BY 4.0
(see ``benchmarks/data/README.md`` and ``../shared/data/polis/README.md``).
"""

import csv
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import snowballstemmer

from analysis.pipeline import ThemeAnalysis
from analysis.text import stop_word_set, tokenise_chunk
from analysis.types import Document
from dialogue import PROJECT_ROOT
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
BENCHMARK_DATA = ROOT / "benchmarks" / "data"
#: The shared Polis open data, beside the project as CI and the developers' guide lay it out.
POLIS = PROJECT_ROOT.parent / "shared" / "data" / "polis"
STEMMERS = {"da": "danish", "en": "english"}
MIN_GROUP_SIZE = 5


def bundled(filename: str) -> tuple[list[Document], list[str]]:
    """Documents of a labelled benchmark set (each its own author) and their gold topics."""
    with open(BENCHMARK_DATA / filename, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [Document(row, record["text"]) for row, record in enumerate(rows)], [
        record["topic"] for record in rows
    ]


def polis_open_data() -> tuple[list[Document], list[str]]:
    """All comments not rejected by moderation, with their writers as authors."""
    require(
        (POLIS / "README.md").exists(),
        f"the Polis open data at {POLIS}",
        "put ../shared beside the project",
    )
    documents, topics = [], []
    for comments in sorted(POLIS.glob("*/comments.csv")):
        with open(comments, newline="", encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                if record["moderated"] != "-1":
                    author = (comments.parent.name, record["author-id"])
                    documents.append(Document(len(documents), record["comment-body"], author))
                    topics.append(comments.parent.name)
    return documents, topics


SETS = {
    "polis sample": (lambda: bundled("polis_comments_sample.csv"), "en"),
    "danish staff": (lambda: bundled("danish_staff_dialogue.csv"), "da"),
    "polis open data": (polis_open_data, "en"),
}


def topic_embeddings(topics: list[str]) -> np.ndarray:
    """Vectors near one direction per gold topic, as a good embedding model would give."""
    names = sorted(set(topics))
    rng = np.random.default_rng(0)
    rows = np.eye(len(names), 32, dtype=np.float32)[[names.index(t) for t in topics]]
    rows += rng.normal(0, 0.05, rows.shape).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def words(text: str) -> list[str]:
    return tokenise_chunk([text])


def best_coverage(members: list[set], allowed: set) -> float:
    """Share of members that some three allowed stems reach, chosen greedily.

    A theme as broad as a whole general conversation has no word in more than a tenth of its
    texts; no name of three words can reach a third of it, so the rule is not asked of it.
    """
    missed = [member & allowed for member in members]
    for _ in range(3):
        counts = Counter(word for member in missed for word in member)
        if not counts:
            break
        word = counts.most_common(1)[0][0]
        missed = [member for member in missed if word not in member]
    return 1 - len(missed) / max(len(members), 1)


def check_names(result, documents: list[Document], language: str) -> None:
    stop = stop_word_set(language)
    stem = snowballstemmer.stemmer(STEMMERS[language]).stemWord
    texts = {document.id: document for document in documents}
    writers = defaultdict(set)  # stem or stop word -> distinct authors
    for document in documents:
        for word in set(words(document.text or "")):
            author = document.author if document.author is not None else ("doc", document.id)
            writers[word if word in stop else stem(word)].add(author)
    names = [theme.label for theme in result.themes]
    covered = []  # of the themes that three words can cover
    for theme in result.themes:
        terms = theme.label.split(", ")
        shape = [len(words(term)) for term in terms]
        assert shape in ([2], [3], [4], [5]) or (len(terms) in (2, 3) and set(shape) == {1}), (
            theme.label
        )
        for term in terms:
            assert words(term)[0] not in stop, theme.label
            assert words(term)[-1] not in stop, theme.label
        content = {stem(word) for word in words(theme.label) if word not in stop}
        for word in words(theme.label):
            key = word if word in stop else stem(word)
            assert len(writers[key]) >= MIN_GROUP_SIZE, (theme.label, word)
        members = [set(map(stem, words(texts[member].text))) for member in theme.member_ids]
        public = {key for key, authors in writers.items() if len(authors) >= MIN_GROUP_SIZE}
        if best_coverage(members, public - stop) >= 1 / 3:
            covered.append(np.mean([bool(content & member) for member in members]) >= 1 / 3)
    assert np.mean(covered) >= 4 / 5, list(zip(names, covered, strict=False))
    assert len({name.casefold() for name in names}) == len(names), names
    assert len({words(name)[0] for name in names}) == len(names), names


@pytest.mark.parametrize("method", ["tfidf", "semantic"])
@pytest.mark.parametrize("name", SETS)
def test_names_are_phrases_or_words_that_tell_themes_apart(name, method):
    load, language = SETS[name]
    documents, topics = load()
    # The semantic runs get idealised embeddings and the true number of topics: what is tested
    # is how themes grouped by meaning are named, not how well they are found.
    semantic = method == "semantic"
    analysis = ThemeAnalysis(
        len(set(topics)) if semantic else None,
        language=language,
        min_group_size=MIN_GROUP_SIZE,
        random_state=0,
        method=method,
    )
    embeddings = topic_embeddings(topics) if semantic else None
    result = analysis.fit(documents, embeddings=embeddings).result_
    assert analysis.method_ == method
    assert len(result.themes) >= 3
    check_names(result, documents, language)


@pytest.mark.parametrize(
    ("filename", "language"),
    [("polis_comments_sample.csv", "en"), ("danish_staff_dialogue.csv", "da")],
)
def test_the_themes_command_writes_the_name_as_label_and_keeps_top_terms(
    filename, language, tmp_path
):
    out = tmp_path / "themes.json"
    command = [Path(sys.executable).parent / "dialogue", "themes", BENCHMARK_DATA / filename]
    options = ["--text-column", "text", "--method", "tfidf", "--out", out]
    finished = subprocess.run(
        [*map(str, command + options)], capture_output=True, text=True, timeout=300, check=False
    )
    assert finished.returncode == 0, finished.stderr
    themes = json.loads(out.read_text(encoding="utf-8"))["themes"]
    for theme in themes:
        assert theme["top_terms"], theme
        assert all(isinstance(term, str) for term in theme["top_terms"])
    result = SimpleNamespace(
        themes=[SimpleNamespace(label=t["label"], member_ids=t["members"]) for t in themes]
    )
    check_names(result, bundled(filename)[0], language)


def test_most_polis_names_are_phrases_that_members_wrote():
    documents, _topics = bundled("polis_comments_sample.csv")
    result = ThemeAnalysis(language="en", random_state=0).fit(documents).result_
    phrases = [theme.label for theme in result.themes if ", " not in theme.label]
    assert len(phrases) >= len(result.themes) / 2, [theme.label for theme in result.themes]
    for theme in result.themes:
        if theme.label in phrases:
            written = [documents[member].text.casefold() for member in theme.member_ids]
            assert sum(theme.label.casefold() in text for text in written) >= 2, theme.label


def test_quotes_of_a_theme_are_never_the_same_text_twice():
    documents, _topics = bundled("danish_staff_dialogue.csv")
    repeated = documents + [Document(f"copy{row}", documents[row].text) for row in range(240)]
    result = ThemeAnalysis(language="da", random_state=0).fit(repeated).result_
    text = {document.id: " ".join(words(document.text)) for document in repeated}
    for theme in result.themes:
        quoted = [text[member] for member in theme.representative_ids]
        assert len(set(quoted)) == len(quoted) >= 2, quoted


@pytest.mark.parametrize(("language", "word"), [("da", "tema"), ("en", "theme")])
def test_a_theme_whose_words_too_few_wrote_is_numbered_in_the_texts_language(language, word):
    texts = {
        "da": ("travlt og stress hver dag", "kaffemaskinen larmer"),
        "en": ("busy and stressed every day", "coffee machine rattles"),
    }[language]
    documents = [Document(f"a{n}", texts[0], f"writer {n}") for n in range(6)]
    documents += [Document(f"b{n}", texts[1], f"colleague {n % 2}") for n in range(6)]
    result = ThemeAnalysis(2, language=language, random_state=0).fit(documents).result_
    labels = {theme.member_ids[0][0]: theme.label for theme in result.themes}
    assert labels["b"] in {f"{word} 1", f"{word} 2"}
    assert not labels["a"].startswith(word)
