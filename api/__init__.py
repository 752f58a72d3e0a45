"""Where users meet Dealwise: the CLI, the FastAPI app (REST + web page) and the Slack app.

May import ``assistant`` and everything below it.
"""
