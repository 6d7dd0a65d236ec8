"""The assistant's servers as production starts them: Rasa through its launcher
(`python -m serving.rasa_server`, with the patches of serving/rasa_patches.py) and the action
server (`python -m serving.action_server`). The web app's entry is web/app.py."""

# The header that carries the action server's secret: Rasa sends it (the endpoints file's
# `headers:`) and the action server requires it. Named here, so that the development runner
# can write it into the endpoints file without importing the server.
TOKEN_HEADER = "X-Action-Server-Token"
