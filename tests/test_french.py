"""French, end to end through the real servers: a visitor who writes in French gets the whole
assistant in French, a short reply keeps the conversation's language, the widget's switch wins,
and the safety replies and the screening work in French."""

import re
import sqlite3

ENGLISH = re.compile(r"\b(the|you|your|and|with)\b", re.I)


def french(reply: str) -> bool:
    return bool(
        re.search(r"\b(vous|votre|le|la|les|des|une?)\b", reply, re.I)
    ) and not ENGLISH.search(reply)


def test_a_question_in_french_is_answered_in_french(conversation):
    reply = conversation.say("est-ce que ça fait mal?")
    assert re.search(r"anesth[ée]siante|ne fait pas mal", reply, re.I), reply
    assert french(reply), reply


def test_a_short_message_keeps_the_conversations_language(conversation):
    conversation.say("combien de séances faut-il?")
    reply = conversation.say("ok")
    assert not ENGLISH.search(reply), reply
    reply = conversation.say("how many sessions do i need?")
    assert re.search(r"three to four", reply, re.I), reply


def test_the_widgets_switch_wins_over_the_words(conversation):
    reply = conversation.say("does it hurt?", language="fr")
    assert re.search(r"anesth[ée]siante|ne fait pas mal", reply, re.I), reply
    reply = conversation.say("est-ce que ça fait mal?", language="en")
    assert re.search(r"numbing|pain-free", reply, re.I), reply


def test_a_warning_sign_in_french_gets_the_french_warning(conversation):
    reply = conversation.say("trois jours après mon traitement j'ai du pus pis de la fièvre")
    assert re.search(r"communiquez rapidement avec la clinique ou un m[ée]decin", reply, re.I), (
        reply
    )
    assert "normal" not in reply.lower()


def test_a_severe_reaction_in_french_gets_call_911(conversation):
    reply = conversation.say("mes lèvres enflent pis j'respire mal depuis la crème")
    assert re.search(r"911", reply) and french(reply), reply


def test_a_booking_in_french_screens_and_sends_the_request_in_french(stack, conversation):
    reply = conversation.say("j'aimerais prendre rendez-vous pour une consultation")
    assert re.search(r"enceinte", reply, re.I), reply
    for answer in ("ben non", "pantoute", "non", "non jamais eu de réaction"):
        reply = conversation.say(answer)
    assert re.search(r"nom", reply, re.I) and french(reply), reply
    reply = conversation.say("Marie-Ève Tremblay-Côté")
    assert re.search(r"Marie-Ève", reply), reply
    reply = conversation.say("819-555-0142")
    reply = conversation.say("lundi matin")
    assert re.search(r"819\D*555\D*0142", reply) and re.search(r"lundi matin", reply), reply
    reply = conversation.say("oui envoie")
    assert re.search(r"envoy[ée]e|transmise", reply, re.I) and french(reply), reply
    # stored with its language, so staff know to call back in French
    with sqlite3.connect(stack.clinic_db) as db:
        [(name, language)] = db.execute(
            "SELECT name, language FROM consultation_requests WHERE sender_id = ?",
            (conversation.sender,),
        ).fetchall()
    assert (name, language) == ("Marie-Ève Tremblay-Côté", "fr")


def test_an_unsure_reading_offers_its_topics_named_in_the_conversations_language(conversation):
    from understanding.answers import TOPIC_NAMES

    offer = conversation.say("is it worth it", language="fr")
    titles = {names["visitor_fr"] for names in TOPIC_NAMES.values()}
    offered = [line for line in offer.splitlines() if line in titles]
    assert 1 <= len(offered) <= 3 and offer.splitlines()[-1] == "Autre chose", offer
    assert french(offer), offer
