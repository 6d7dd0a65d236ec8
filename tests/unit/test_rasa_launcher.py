"""The Rasa launcher's speed-ups change nothing that Rasa checks (serving/rasa_patches.py)."""

import pytest
from jsonschema import ValidationError

from serving.rasa_patches import validate_action_results_with_a_compiled_schema


def test_action_server_replies_are_still_validated():
    from rasa.core.actions.action import RemoteAction

    validate_action_results_with_a_compiled_schema()
    action = RemoteAction("action_answer_question", None)
    reply = {
        "events": [{"event": "slot", "name": "pregnant", "value": "no"}],
        "responses": [{"response": "utter_pain"}],
    }
    assert action._validate_action_result(reply)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "slot", "name": 3}], "responses": 1})
