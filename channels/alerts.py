"""Which bot replies the widget shows as alerts: chosen by the response's name in domain.yml,
never by its wording, so a translated or reworded reply keeps its alert. Pure Python: the REST
channel marks live answers with it and channels/whole_turns.py marks replayed ones."""

from __future__ import annotations

from typing import Any

# response name -> the "alert" the widget gets with each message of that response
ALERT_RESPONSES = {"utter_emergency": "emergency", "utter_warning_signs": "warning"}


def alert_of(response_name: Any) -> str | None:
    """The alert kind of a reply uttered from `response_name` (Rasa's "utter_action"), if any."""
    return ALERT_RESPONSES.get(response_name) if isinstance(response_name, str) else None
