"""Throttling and lockout of logins.

- Per account: after `lockout_failures` failed logins within `lockout_window` (counted
  in the audit log, so it holds across restarts and processes, and counting starts
  again after a successful login), the account is locked until the window has passed.
  A locked account cannot log in even with the right password and code.
- Per client address: at most `attempts_per_address` attempts within the window (in
  memory), which also slows guessing of usernames that do not exist.
- TOTP codes are single-use: the time step of each successful login is in its audit
  event, and a code of that step or an earlier one is refused.

The person logging in always sees the same message, whatever went wrong.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from storage.audit import AuditFilter
from storage.unit_of_work import UnitOfWork

__all__ = [
    "LOGIN_FAILED",
    "LOGIN_SUCCEEDED",
    "LOGOUT",
    "AddressThrottle",
    "is_locked",
    "last_logout",
    "last_totp_step",
]

LOGIN_FAILED = "login_failed"
LOGIN_SUCCEEDED = "login_succeeded"
LOGOUT = "logout"


class AddressThrottle:
    def __init__(self, limit: int, window: timedelta) -> None:
        self._limit, self._window = limit, window
        self._attempts: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def allow(self, address: str, now: datetime) -> bool:
        """Count an attempt from `address`; False when it is over the limit."""
        with self._lock:
            if len(self._attempts) > 10_000:  # forget quiet addresses
                self._attempts = {
                    a: q for a, q in self._attempts.items() if q and q[-1] > now - self._window
                }
            attempts = self._attempts.setdefault(address, deque())
            while attempts and attempts[0] <= now - self._window:
                attempts.popleft()
            if len(attempts) >= self._limit:
                return False
            attempts.append(now)
            return True


async def is_locked(
    uow: UnitOfWork, staff_user_id: int, now: datetime, *, failures: int, window: timedelta
) -> bool:
    """Whether the account had `failures` failed logins within `window` since its last
    successful login."""
    subject = str(staff_user_id)
    since = now - window
    last_success = await uow.audit.find(
        AuditFilter(action=LOGIN_SUCCEEDED, subject_type="staff_user", subject_id=subject),
        limit=1,
    )
    if last_success and last_success[0].at > since:
        since = last_success[0].at
    count = await uow.audit.count(
        AuditFilter(action=LOGIN_FAILED, subject_type="staff_user", subject_id=subject, since=since)
    )
    return count >= failures


async def last_totp_step(uow: UnitOfWork, staff_user_id: int) -> int | None:
    """The TOTP time step of the account's last successful login (None: never)."""
    events = await uow.audit.find(
        AuditFilter(
            action=LOGIN_SUCCEEDED, subject_type="staff_user", subject_id=str(staff_user_id)
        ),
        limit=1,
    )
    step = events[0].details.get("totp_step") if events else None
    return step if isinstance(step, int) else None


async def last_logout(uow: UnitOfWork, staff_user_id: int) -> int | None:
    """The audit event id of the account's last logout (None: never logged out)."""
    events = await uow.audit.find(
        AuditFilter(action=LOGOUT, subject_type="staff_user", subject_id=str(staff_user_id)),
        limit=1,
    )
    return events[0].id if events else None
