"""The application services that the channels (bot/) and the dashboard (loket/) share:
the conversation service (load the session, run the engine, store, queue what to
send), submission (a submitted intake becomes a pre-aanmelding), the hand-off of an
intake to the web chat, and privacy requests (access copy, erasure).

It uses flows/, storage/ and locales/, never a channel or the dashboard: see
docs/architecture.md and the import-linter contracts in pyproject.toml.
"""
