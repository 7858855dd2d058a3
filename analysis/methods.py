"""The two ways of grouping texts, TF-IDF of word stems and sentence embeddings, and their settings.

Every setting here was chosen on the benchmark sets (docs/themes.md, benchmarks/RESULTS.md);
the notes say by how much.
"""

from __future__ import annotations

from analysis.embed import semantic_installed

#: The vectorising methods, the default first.
METHODS = ("tfidf", "semantic")
#: Latent dimensions and fewest themes of the semantic method. Embeddings keep more useful
#: dimensions than short texts' TF-IDF (Polis NMI 0.52 at 20 against 0.44 at 10); and their
#: silhouette curve is flat, where k=2 won by 0.01 on the Danish set with NMI 0.02, while
#: the best k from 3 up scored 0.44. The latent space only chooses the number of themes: the
#: semantic method then groups the texts by spectral clustering of their neighbour graph,
#: which raised the benchmark NMI over k-means from 0.49 to 0.60 on the Polis set and from
#: 0.39 to 0.44 on the Danish one; told k, it scores 0.55 to 0.62 for any k from 10 to 30 there.
SEMANTIC_COMPONENTS = 20
SEMANTIC_MIN_THEMES = 3
#: Texts whose silhouettes choose the number of TF-IDF themes: fewer than the clusterer's
#: 1,000, as choosing k was the largest fixed cost of a run at 10,000 texts (0.040 s of 0.26,
#: 0.024 s with 600). Over 25 samples per benchmark set the TF-IDF NMI was 0.375, 0.265 and
#: 0.376 with 600 against 0.375, 0.265 and 0.382 with 1,000 (spread 0.01-0.03), and 0.378, 0.266
#: and 0.377 before the other speed-ups of issue #19 item 6.
TFIDF_SAMPLE = 600
#: The semantic method's, with which its figures in docs/themes.md were measured.
SEMANTIC_SAMPLE = 1000


#: Most texts the default method embeds on the spot: about a minute on one core. Beyond it,
#: texts without stored vectors are grouped by TF-IDF, in seconds rather than hours.
EMBED_ON_THE_SPOT = 2_000


def default_method(n_to_embed: int = 0) -> str:
    """Return the method to use when the user chose none.

    The semantic method found the topics of every benchmark set better (NMI 1.4 to 2.1 times
    TF-IDF's on each of five samples per set, docs/themes.md), so it is the default wherever
    the ``semantic`` extra is installed, unless more than `EMBED_ON_THE_SPOT` texts would first
    have to be embedded.

    Examples
    --------
    >>> default_method(10**6)
    'tfidf'
    """
    return "semantic" if semantic_installed() and n_to_embed <= EMBED_ON_THE_SPOT else "tfidf"


def clusterer_settings(method: str, n_components: int) -> dict:
    """Return the clusterer's parameters that depend on the method used.

    Examples
    --------
    >>> clusterer_settings("semantic", 10)["algorithm"]
    'spectral'
    """
    semantic = method == "semantic"
    return {
        "min_themes": SEMANTIC_MIN_THEMES if semantic else 2,
        "n_components": SEMANTIC_COMPONENTS if semantic else n_components,
        "sample_size": SEMANTIC_SAMPLE if semantic else TFIDF_SAMPLE,
        "algorithm": "spectral" if semantic else "kmeans",
    }
