"""The web kit that the web chat (`bot.web`) and the staff dashboard (`loket`) share.

Modules, each for one concern of serving pages:
- `headers`: the security headers (one policy; the apps differ only in its parameters),
  and `Strict-Transport-Security` over https (`served_over_https`);
- `faults`: each app's own page for a failed request, never a bare 500 (503 with
  `Retry-After` for a passing fault such as a busy database);
- `templates`: Jinja2 environments per language, autoescaped, with gettext from
  `locales.translator`;
- `csrf`: the CSRF token check and the same-origin check (a FastAPI dependency);
- `rate_limits`: token buckets per key, and the client's address.

It imports nothing of ours but `locales`, so both apps may use it while neither is
seen from here (import-linter checks it: pyproject.toml).
"""
