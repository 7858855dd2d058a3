from analysis import methods


def test_the_default_method_is_semantic_where_installed_unless_too_much_to_embed(monkeypatch):
    monkeypatch.setattr(methods, "semantic_installed", lambda: True)
    assert methods.default_method() == "semantic"
    assert methods.default_method(methods.EMBED_ON_THE_SPOT) == "semantic"
    assert methods.default_method(methods.EMBED_ON_THE_SPOT + 1) == "tfidf"
    monkeypatch.setattr(methods, "semantic_installed", lambda: False)
    assert methods.default_method() == "tfidf"
