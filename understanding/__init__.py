"""How a visitor's message is understood: rules as named data (the YAML files here, loaded by
registry.py), the screening and consent readers, and one reading per message (reading.py) that
the NLU pipeline makes once and stores in the parse data."""
