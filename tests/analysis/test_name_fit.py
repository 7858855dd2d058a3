"""A quote stands under a theme's name only if it shares a content word with it."""

from analysis.name_fit import fits_name


def test_a_text_fits_a_name_it_shares_a_stemmed_word_with():
    assert fits_name("Travlheden er for stor", "Travlhed og arbejdspres", "da")
    assert fits_name("IT-systemerne går ned hver uge", "Ustabile systemer", "da")
    assert fits_name("The waiting lists keep growing", "Long waiting times", "en")


def test_danish_compounds_fit_their_parts():
    assert fits_name("Arbejdspresset er for højt", "Arbejdspres", "da")
    assert fits_name("Vi mangler tid til sparring med kollegerne", "Faglig sparring", "da")


def test_a_text_about_something_else_does_not_fit():
    assert not fits_name("Borgerne venter for længe på svar", "Travlhed og arbejdspres", "da")
    assert not fits_name("IT-systemerne går ned", "Parkering ved rådhuset", "da")


def test_stop_words_and_short_parts_never_make_a_text_fit():
    assert not fits_name("Vi er for få, og det er for meget", "Det er vi", "da")
    assert not fits_name("Tidspres hele dagen", "Tid", "da")  # "tid" is too short a part
    assert not fits_name("Hvad som helst", "og", "da")
