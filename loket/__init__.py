"""The staff dashboard of the loket (FastAPI + Jinja2, server-rendered), mounted at
/loket by `intake serve`.

- `loket.app.create_loket_app(config, database)`: the ASGI application.
- `loket.config.LoketConfig`: cookie, session and lockout settings (`LOKET_*`).
- `loket.access`: roles, what each may do, and a staff member's region scope.
- `loket.passwords`, `loket.totp`: argon2 password hashes and RFC 6238 codes
  (also used by `intake staff`).
- Routes: `routes_auth` (login, logout, language), `routes_queue`, `routes_case`
  (detail and actions), `routes_reports`, `routes_admin` (audit log, accounts).

See docs/dashboard.md.
"""
