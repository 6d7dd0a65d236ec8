"""Keyboard mash is sent to the fallback; stretched and rare-but-trained words are language."""

from nlp.components import (
    UnknownWordsGuard,
    common_english_words,
    only_punctuation,
    stretched_forms,
)


def guard(*trained: str) -> UnknownWordsGuard:
    guard = UnknownWordsGuard({}, None, None)  # type: ignore[arg-type]
    guard.known = common_english_words() | set(trained)
    return guard


def test_keyboard_mash_is_not_language():
    assert guard().is_gibberish(["asdfgh", "qwerty", "zxcv"])
    assert guard().is_gibberish(["xqzv", "blorp", "wibble"])


def test_a_single_common_or_trained_word_makes_it_language():
    assert not guard().is_gibberish(["does", "it", "hurt"])
    assert not guard("microneedling").is_gibberish(["microneedling"])
    assert not guard().is_gibberish(["wtf", "is", "dermapen"])


def test_stretched_words_are_read_as_typed_by_people():
    assert {"hello"} <= stretched_forms("helloo") and "hey" in stretched_forms("heyyy")
    assert not guard().is_gibberish(["heyyy"]) and not guard().is_gibberish(["soooo", "nervous"])


def test_no_words_at_all_is_left_to_the_classifier():
    assert not guard().is_gibberish([])


def test_punctuation_alone_is_no_answer_but_an_emoji_is_left_to_the_classifier():
    assert only_punctuation("...") and only_punctuation(" ? ") and only_punctuation("!!!")
    assert not only_punctuation("👍") and not only_punctuation("ok.") and not only_punctuation("")
