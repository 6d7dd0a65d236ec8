"""The search baseline answers with the article's best paragraph, judged as the bot is judged."""

from eval.answer_accuracy import judge
from tools.bench.search import NO_RESULT, SearchBaseline, paragraphs

ARTICLE = """Medical needling 101

Medical needling 101

Does it hurt? Don't worry, it doesn't. A topical anesthetic makes the process pain-free.

There are situations when medical needling is not recommended. Some situations are:

  • Pregnancy
  • Allergies to topical lidocaine

Aftercare is important: avoid the sun, pools and saunas for a few days.
"""


def test_a_bulleted_list_stays_with_the_paragraph_that_introduces_it():
    found = paragraphs(ARTICLE)
    assert found[0] == "Medical needling 101"  # the repeated title once
    assert len(found) == 4
    assert "Pregnancy" in found[2] and "not recommended" in found[2]


def test_the_best_paragraph_answers_and_is_judged_like_the_bot():
    search = SearchBaseline(paragraphs(ARTICLE))
    reply = search.answer("can I get it while pregnant?")
    assert judge({"expect": ["pregnan", "lidocaine"]}, reply) is None
    pain = {"expect": ["an(a)?esthetic|numb"], "forbid": ["lidocaine"]}
    assert judge(pain, search.answer("will it hurt")) is None


def test_a_question_sharing_nothing_with_the_article_gets_no_result():
    search = SearchBaseline(paragraphs(ARTICLE))
    reply = search.answer("qqq zzz")
    assert reply == NO_RESULT
    assert judge({"expect": ["collagen"]}, reply) == "missing /collagen/"
