"""The benchmark's load figures: percentiles by nearest rank, and the same visitors every run."""

import random

from tools.bench.load import conversation_script, percentile, percentiles


def test_percentile_is_the_nearest_rank_value():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99


def test_percentile_does_not_depend_on_the_order_of_the_values():
    assert percentile([30.0, 10.0, 20.0], 0.5) == 20
    assert percentile([30.0, 10.0, 20.0], 0.99) == 30


def test_a_single_value_is_every_percentile():
    assert percentiles([42.0]) == {"p50": 42.0, "p95": 42.0, "p99": 42.0}


def test_no_values_give_no_percentiles_rather_than_zero():
    assert percentiles([]) == {"p50": None, "p95": None, "p99": None}


def test_the_same_seed_gives_the_same_conversations():
    first = [conversation_script(random.Random(7), i) for i in range(20)]
    again = [conversation_script(random.Random(7), i) for i in range(20)]
    assert first == again


def test_some_visitors_book_a_consultation_and_all_ask_questions():
    rng = random.Random(11)
    scripts = [conversation_script(rng, i) for i in range(200)]
    booking = [s for s in scripts if "I'd like to book a consultation" in s]
    assert 0.2 < len(booking) / len(scripts) < 0.5
    assert all(len(s) >= 2 for s in scripts)
    assert all(s[-1] != "I'd like to book a consultation" for s in booking)
