"""A separate server process for the dedup test: apply one update once.

    python -m tests.storage.dedup_worker URL UPDATE_ID GATE_KEY

Waits at a shared advisory lock (the gate) that the test holds, so that both workers
race for the same update the moment the test opens the gate; then, in one unit of
work, marks the update processed and, if it is new, records its effect (an audit
event). Prints "applied" or "duplicate".
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import text

from storage.database import Database


async def work(url: str, update_id: str, gate: int) -> str:
    database = Database(url)
    try:
        async with database.unit_of_work() as uow:
            await uow.session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": gate})
            if not await uow.updates.mark_processed("telegram", update_id):
                return "duplicate"
            await uow.audit.record("update_applied", "update", update_id)
            await asyncio.sleep(0.2)  # the other worker arrives while this one is busy
        return "applied"
    finally:
        await database.dispose()


if __name__ == "__main__":
    print(asyncio.run(work(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
