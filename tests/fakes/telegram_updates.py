"""The queue of updates waiting for the bot, with getUpdates' offset semantics.

- An update stays pending until it is confirmed: by a getUpdates call whose `offset` is
  higher than its `update_id` (a negative offset keeps only the last `-offset`), or by a
  2xx answer of the webhook.
- An update is confirmed only after it was handed out at least once. So an update
  injected with an old `update_id` (a redelivery) still reaches the bot once.
- `allowed_updates` (from getUpdates or setWebhook) filters by update type when an
  update is handed out; filtered updates are dropped, as Telegram never sends them.
  Unset or empty means every type except chat_member, message_reaction and
  message_reaction_count, as in the real API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram_objects import JSONDict

__all__ = ["UpdateQueue", "update_type"]

NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: JSONDict) -> str:
    """The kind of an update: its one field besides `update_id`."""
    return next((key for key in update if key != "update_id"), "")


@dataclass
class _Pending:
    update: JSONDict
    handed_out: bool = False


class UpdateQueue:
    def __init__(self, first_update_id: int = 1000) -> None:
        self._next_id = first_update_id
        self._pending: list[_Pending] = []
        self.allowed_updates: list[str] | None = None
        self.filtered_out: list[JSONDict] = []

    def __len__(self) -> int:
        return len(self._pending)

    @property
    def pending(self) -> list[JSONDict]:
        return [entry.update for entry in self._pending]

    def add(self, update: dict[str, Any]) -> JSONDict:
        """Queue `update`, giving it the next `update_id` unless it has one."""
        update = dict(update)
        given = update.get("update_id")
        if isinstance(given, int):
            self._next_id = max(self._next_id, given + 1)
        else:
            update = {"update_id": self._next_id, **update}
            self._next_id += 1
        self._pending.append(_Pending(update))
        return update

    def set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise ValueError("allowed_updates must be a list")
        self.allowed_updates = [str(kind) for kind in allowed]

    def _allows(self, update: JSONDict) -> bool:
        kind = update_type(update)
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_BY_DEFAULT

    def confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset > 0:
            self._pending = [
                e for e in self._pending if not (e.handed_out and e.update["update_id"] < offset)
            ]
        else:
            self._pending = self._pending[offset:]

    def hand_out(self, limit: int) -> list[JSONDict]:
        """The first `limit` pending updates the bot asked for, marked as handed out."""
        batch: list[JSONDict] = []
        for entry in list(self._pending):
            if len(batch) >= limit:
                break
            if not self._allows(entry.update):
                self._pending.remove(entry)
                self.filtered_out.append(entry.update)
                continue
            entry.handed_out = True
            batch.append(entry.update)
        return batch

    def remove(self, update: JSONDict) -> None:
        """Confirm one update (the webhook answered 2xx)."""
        self._pending = [e for e in self._pending if e.update is not update]

    def drop_all(self) -> None:
        self._pending.clear()
