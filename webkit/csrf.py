"""Cross-site request forgery: a form post counts only when it carries the session's
CSRF token and, where an app asks, comes from a page of this site.

- `tokens_match(expected, posted)`: the posted token against the session's, in
  constant time; a missing token, or anything but a string, never matches.
- `same_origin(request)`: a FastAPI dependency; False for a post whose `Origin` header
  names another site. A browser that does not say (no `Origin`, or "null") passes this
  check: the token still has to match.
- `CsrfRefused`: an app's CSRF dependency raises it; the app answers it (the dashboard
  with a 403 page, audited).
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from fastapi import Request

__all__ = ["CsrfRefused", "same_origin", "tokens_match"]


class CsrfRefused(Exception):
    """A form post without the session's CSRF token."""


def tokens_match(expected: str, posted: object) -> bool:
    return isinstance(posted, str) and hmac.compare_digest(posted.encode(), expected.encode())


async def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")
