"""The language of a message (nlp/language.py), with the real langid.py model."""

import pytest
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from nlp.language import LanguageDetector
from understanding.language import chosen, identify


@pytest.mark.parametrize(
    "text,language",
    [
        ("est-ce que ça fait mal?", "fr"),
        ("ca fait tu mal pis combien de seances", "fr"),
        ("combien de temps avant de retourner au travail", "fr"),
        ("does it hurt a lot?", "en"),
        ("how many sessions will i need", "en"),
        ("hw lng dos it tk", "en"),  # texting reads as English
        ("ok", None),
        ("non", None),
        ("merci", "fr"),  # a greeting or thanks only French has
        ("bonjour!", "fr"),
        ("oui", None),
        ("c'est-tu safe?", "fr"),  # words only French has, and an anglicism
        ("inscris moi stp", "fr"),
        ("microneedling vs laser, lequel choisir?", "fr"),
        ("is the crème safe", None),  # a French word in English words
        ("Est-ce qu'il y a des effets secondaires? like the skin become dry?", "en"),
    ],
)
def test_a_message_is_taken_as_a_language_only_when_it_says_so_clearly(text, language):
    assert identify(text) == language


def test_the_widgets_switch_is_read_from_the_metadata_and_checked():
    assert chosen({"language": "fr"}) == "fr"
    assert chosen({"language": "de"}) is None
    assert chosen(None) is None


def _read(text, metadata=None, conversation="en"):
    tracker = DialogueStateTracker.from_events("t", [SlotSet("language", conversation)])
    message = Message(data={"text": text, "metadata": metadata})
    LanguageDetector().process([message], tracker)
    return message.get("language"), message.get("language_decided")


def _words_in(text, metadata=None, conversation="en"):
    tracker = DialogueStateTracker.from_events("t", [SlotSet("language", conversation)])
    message = Message(data={"text": text, "metadata": metadata})
    LanguageDetector().process([message], tracker)
    return message.get("text_language")


def test_a_short_message_keeps_the_conversations_language():
    assert _read("oui", conversation="fr") == ("fr", False)
    assert _read("ok", conversation="en") == ("en", False)


def test_the_switch_wins_over_what_the_message_reads_as():
    assert _read("does it hurt a lot?", {"language": "fr"}) == ("fr", True)
    assert _read("est-ce que ça fait mal?", {"language": "en"}, "fr") == ("en", True)


def test_a_clear_message_changes_the_conversations_language():
    assert _read("est-ce que ça fait mal?", conversation="en") == ("fr", True)
    assert _read("how many sessions will i need", conversation="fr") == ("en", True)


def test_the_words_are_read_in_their_own_language_whatever_the_reply_language():
    assert _words_in("est-ce que ça fait mal?", {"language": "en"}) == "fr"
    assert _words_in("does it hurt a lot?", {"language": "fr"}) == "en"
    assert _words_in("oui", conversation="fr") == "fr"
