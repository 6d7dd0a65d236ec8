"""Custom actions of the clinic assistant, one module per capability:
answers (questions from the article, safety first), screening (contraindications),
consultation (contact details and the hand-off), booking (follow-ups, stopping, reaching
the clinic), clinic_profile (the clinic's own contact facts, when it gives them), parsing (pure
functions reading what visitors type)."""

from actions.answers import ActionAnswerQuestion  # noqa: F401
from actions.booking import (  # noqa: F401
    ActionRequestFollowup,
    ActionStopBooking,
    ActionTalkToSomeone,
)
from actions.consultation import (  # noqa: F401
    ActionResetBooking,
    ActionSubmitConsultationRequest,
    ValidateContactForm,
)
from actions.screening import ActionScreeningOutcome, ValidateSlotMappings  # noqa: F401
