import unicodedata

from plancampus.core.text import (
    clean,
    normalize,
    search_document,
    search_terms,
    segment_khmer,
    sort_key,
)


def test_zero_width_and_composition_do_not_change_the_search_form():
    typed = "ស្រី\u200bមុំ"
    decomposed = unicodedata.normalize("NFD", "ស្រីមុំ")
    assert normalize(typed) == normalize(decomposed) == normalize("ស្រីមុំ")
    assert clean(" Keo\u200b  Sreymom ") == "Keo Sreymom"


def test_khmer_words_are_split_for_search():
    assert segment_khmer("វិទ្យាស្ថានជាតិអប់រំ") == ["វិទ្យាស្ថាន", "ជាតិ", "អប់រំ"]
    document = search_document("National Institute of Education", "វិទ្យាស្ថានជាតិអប់រំ")
    assert all(term in document for term in search_terms("ជាតិ អប់រំ"))


def test_khmer_collation_follows_the_dictionary_not_code_points():
    names = ["អ៊ុំ", "ស៊ុន", "កែវ", "ខៀវ", "គង់"]
    assert sorted(names, key=sort_key) == ["កែវ", "ខៀវ", "គង់", "ស៊ុន", "អ៊ុំ"]
    # The independent vowel ឫ comes right after រ in Khmer dictionaries (Chuon Nath);
    # in code-point order it would come after every consonant.
    words = ["សាន", "ឫទ្ធី", "រស្មី", "ជា"]
    assert sorted(words) == ["ជា", "រស្មី", "សាន", "ឫទ្ធី"]
    assert sorted(words, key=sort_key) == ["ជា", "រស្មី", "ឫទ្ធី", "សាន"]
