"""The staff dashboard of the loket (FastAPI + Jinja2), mounted at /loket."""
