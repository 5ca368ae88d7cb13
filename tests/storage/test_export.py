"""`intake export`: JSON and CSV, filters, the public profile spec, no identifiers."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from flows.screening_profile import ScreeningProfile, parse_profile
from storage.database import Database
from storage.export import EXPORT_COLUMNS, export_pre_aanmeldingen, write_csv, write_json
from storage.lifecycle import Status
from storage.migrate import head_revision
from storage.pre_aanmeldingen import PreAanmeldingFilter, Submitter
from tests.factories.databases import Backend, FakeClock
from tests.factories.pre_aanmeldingen import PROFILE, new_submission

FULL_PROFILE = ScreeningProfile(
    municipality="Geleen",
    age=52,
    sleeping_place="institution",
    institution="detention",
    ready_to_move_out=True,
    eviction_threat=False,
    ambulant_support_unsuitable_housing=False,
    nuisance="none",
    rent_arrears=True,
    detention_release_date=date(2025, 4, 1),
    justice_contact="repeated",
    homeless_months=30,
    homeless_repeated=True,
    problems=("addiction", "debts"),
    support_need="intensive",
    accepts_support=True,
)


async def fill(database: Database, clock: FakeClock) -> list[str]:
    references = []
    async with database.unit_of_work() as uow:
        first = await uow.pre_aanmeldingen.create(new_submission())
        references.append(first.reference)
    clock.advance(days=2)
    async with database.unit_of_work() as uow:
        second = await uow.pre_aanmeldingen.create(
            new_submission(
                profile=FULL_PROFILE,
                channel_user_hash=None,
                client_name='=HYPERLINK("x")',
                submitter=Submitter("veldwerker", "Kim", "Moveoo", convenant_partner=True),
            )
        )
        references.append(second.reference)
        await uow.pre_aanmeldingen.transition(
            second.reference, Status.IN_BEHANDELING, staff_user_id=None
        )
    return references


async def test_exported_profiles_follow_the_public_spec(
    database: Database, clock: FakeClock
) -> None:
    await fill(database, clock)
    async with database.unit_of_work(write=False) as uow:
        records = await export_pre_aanmeldingen(uow.pre_aanmeldingen, PreAanmeldingFilter())
    stream = io.StringIO()
    write_json(records, stream)
    exported = json.loads(stream.getvalue())
    assert [parse_profile(r["profile"]) for r in exported] == [PROFILE, FULL_PROFILE]
    assert exported[1]["profile"]["detention_release_date"] == "2025-04-01"
    assert all(r["profile_version"] == "1.1" for r in exported)
    second = exported[1]
    assert second["submitter_kind"] == "veldwerker"
    assert second["submitter_organisation"] == "Moveoo"
    assert second["submitter_convenant_partner"] is True
    assert (second["region"], second["municipality"]) == ("westelijke_mijnstreek", "Sittard-Geleen")
    assert second["status"] == "in_behandeling"
    text = stream.getvalue()
    for identifier in ("Jan de Vries", "1990-05-17", "06-12345678", "HYPERLINK", "Kim", "zus"):
        assert identifier not in text


async def test_csv_has_one_column_per_field_and_defuses_formulas(
    database: Database, clock: FakeClock
) -> None:
    await fill(database, clock)
    async with database.unit_of_work(write=False) as uow:
        records = await export_pre_aanmeldingen(uow.pre_aanmeldingen, PreAanmeldingFilter())
    records[0]["municipality"] = "=cmd|' /C calc'!A0"
    stream = io.StringIO()
    write_csv(records, stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert rows[0]["municipality"].startswith("'=")
    assert rows[1]["profile_problems"] == "addiction;debts"
    assert rows[1]["profile_detention_release_date"] == "2025-04-01"
    assert rows[1]["profile_ready_to_move_out"] == "true"
    assert rows[0]["profile_institution"] == ""


def run_export(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["export", "--database-url", url, *args])
    return result.exit_code, result.stdout, result.stderr


async def test_the_export_command_filters_by_date_region_and_status(
    backend: Backend, clock: FakeClock
) -> None:
    database = backend.database()
    try:
        first, second = await fill(database, clock)
    finally:
        await database.dispose()

    def references(*args: str) -> list[str]:
        code, out, err = run_export(backend.url, "--format", "json", *args)
        assert code == 0, err
        return [record["reference"] for record in json.loads(out)]

    # The CLI runs its own event loop; run it outside this test's loop.
    import asyncio

    async def in_thread(*args: str) -> list[str]:
        return await asyncio.to_thread(references, *args)

    assert await in_thread() == [first, second]
    assert await in_thread("--since", (clock.now - timedelta(days=1)).date().isoformat()) == [
        second
    ]
    assert await in_thread("--region", "parkstad") == [first]
    assert await in_thread("--status", "in_behandeling") == [second]
    assert await in_thread("--status", "geaccepteerd") == []
    code, out, _ = await asyncio.to_thread(run_export, backend.url, "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("reference,created_at,status")
    assert len(out.splitlines()) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "1-2-2025"], "--since: '1-2-2025' is not a date"),
        (["--region", "limburg"], "--region: unknown region 'limburg'; known: heuvelland"),
    ],
)
def test_the_export_command_names_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = run_export(f"sqlite:///{tmp_path}/x.db", "--format", "json", *args)
    assert code == 2
    assert message in err


def test_the_export_command_stops_on_an_unreachable_database() -> None:
    code, out, err = run_export("postgresql://intake:pw@127.0.0.1:1/intake", "--format", "json")
    assert code == 1
    assert out == ""
    assert "intake export: the database at postgresql://intake:***@127.0.0.1:1/intake" in err


def test_the_export_command_asks_for_a_migration_first(tmp_path: Path) -> None:
    (tmp_path / "old.db").touch()  # an empty SQLite database: there, never migrated
    code, _, err = run_export(f"sqlite:///{tmp_path}/old.db", "--format", "csv")
    assert code == 1
    assert "run `intake db upgrade`" in err


def test_db_upgrade_and_check_commands(tmp_path: Path) -> None:
    file = tmp_path / "intake.db"
    url = f"sqlite:///{file}"
    runner = CliRunner()
    missing = runner.invoke(main, ["db", "upgrade", "--database-url", url])
    assert missing.exit_code == 1 and f"no database at {file}" in missing.stderr
    assert not file.exists(), "db upgrade migrates a database; `intake init` makes one"
    file.touch()  # an empty SQLite database, never migrated
    before = runner.invoke(main, ["db", "check", "--database-url", url])
    assert before.exit_code == 1 and "schema version none" in before.stderr
    upgraded = runner.invoke(main, ["db", "upgrade", "--database-url", url])
    assert upgraded.exit_code == 0, upgraded.stderr
    assert f"schema at version {head_revision()}" in upgraded.stdout
    after = runner.invoke(main, ["db", "check", "--database-url", url])
    assert after.exit_code == 0 and "reachable" in after.stdout
    down = runner.invoke(main, ["db", "upgrade", "--database-url", "postgresql://u@127.0.0.1:1/x"])
    assert down.exit_code == 1 and "not reachable" in down.stderr
