"""Custom actions of the clinic assistant, one module per capability:
answers (questions from the article, safety first), screening (contraindications),
consultation (contact details and the hand-off), store (the consultation requests table),
parsing (pure functions reading what visitors type)."""

from actions.answers import ActionAnswerQuestion  # noqa: F401
from actions.consultation import (  # noqa: F401
    ActionResetBooking,
    ActionSubmitConsultationRequest,
    ValidateContactForm,
)
from actions.screening import ActionScreeningOutcome, ValidateSlotMappings  # noqa: F401
