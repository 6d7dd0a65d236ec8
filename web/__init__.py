"""The clinic's web app: the site page with the chat widget, and the staff console."""
