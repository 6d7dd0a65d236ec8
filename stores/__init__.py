"""The lock store and the tracker store of several Rasa servers sharing one conversation store
(deploy/endpoints.postgres-redis.yml names them; one Rasa server needs neither).

Rasa's own pair can lose a visitor's message when two servers process one conversation at once:
its Redis lock can let both through, and its SQL tracker store then appends each server's turn
after whatever is stored by then, dropping the start of the second one (its user message among
it) without a word. `lock_store` makes that rare and `tracker_store` makes it harmless.
"""
