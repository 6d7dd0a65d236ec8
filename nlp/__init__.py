"""The project's own spaCy pipeline (built offline) and the Rasa component that reads it."""
