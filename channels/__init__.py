"""Rasa input channels of the clinic assistant (named in credentials.yml)."""
