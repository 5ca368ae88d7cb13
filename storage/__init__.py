"""Persistence: SQLModel tables, repositories and migrations (SQLite and PostgreSQL)."""
