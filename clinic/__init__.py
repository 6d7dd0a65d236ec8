"""The clinic's own database, shared by the action server (which stores consultation requests)
and the web app (the staff console). Neither process owns it: both import the schema and the
engine from here, so the tables are declared and created in one place."""
