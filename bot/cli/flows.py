"""`intake flows check`, `intake flows diagram FLOW` and `intake chat FLOW`.

Imports of the engine stay inside the commands, so `intake route` starts as fast as
before.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click

from bot.cli.common import EXIT_UNAVAILABLE

__all__ = ["chat", "flows"]

EXIT_PROBLEMS = EXIT_UNAVAILABLE  # problems found, or a tool missing


@click.group()
def flows() -> None:
    """Check and draw the conversation flows (flows/definitions/*.yaml)."""


def _untranslated(flow_messages: list[tuple[int, str]]) -> dict[str, list[tuple[int, str]]]:
    """Per catalog language, the flow texts it does not translate."""
    from babel.messages.pofile import read_po

    from locales import DOMAIN, LOCALE_DIR

    out: dict[str, list[tuple[int, str]]] = {}
    for po_path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        missing = []
        for line, msgid in flow_messages:
            message = catalog.get(msgid)
            if message is None or not message.string or message.fuzzy:
                missing.append((line, msgid))
        if missing:
            out[po_path.parts[-3]] = missing
    return out


@flows.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--translations",
    is_flag=True,
    help="Also list flow texts that a language catalog does not translate (warnings).",
)
def check(files: tuple[Path, ...], translations: bool) -> None:
    """Validate and lint flow files (default: the packaged flows).

    Reports every problem as FILE:LINE: MESSAGE: errors that stop a flow from loading
    (unknown facts, unknown message ids, dead ends, ...) and lint findings
    (unreachable nodes, unused texts, ...). Exits 1 when there is any.
    """
    from flows.engine.library import definition_files, read_flow_file
    from flows.engine.lint import lint, messages_of
    from flows.engine.loader import FlowProblem

    paths = list(files) or definition_files()
    problems: list[FlowProblem] = []
    seen: dict[tuple[str, int], str] = {}
    checked = 0
    for path in paths:
        flow, found = read_flow_file(path)
        problems.extend(found)
        if flow is None:
            continue
        checked += 1
        key = (flow.id, flow.version)
        if key in seen:
            problems.append(
                FlowProblem(
                    flow.source, 1, f"{flow.id} version {flow.version} is also in {seen[key]}"
                )
            )
        seen[key] = flow.source
        problems.extend(lint(flow))
        if translations:
            for locale, missing in _untranslated(messages_of(flow)).items():
                for line, msgid in missing:
                    click.echo(
                        f"{flow.source}:{line}: warning: not translated into {locale}: {msgid!r}"
                    )
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {len(paths)} file(s)", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(f"{checked} flow(s) checked: no problems")


@flows.command()
@click.argument("flow_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Text format to print.",
)
@click.option(
    "--image",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw an image (.svg, .png or .pdf) with Graphviz `dot`, when installed.",
)
def diagram(flow_id: str, fmt: str, image: Path | None) -> None:
    """Print a diagram of a flow (Mermaid by default); optionally draw an image."""
    from flows.engine.diagram import dot, mermaid
    from flows.engine.library import FlowNotFound, flow_library

    try:
        flow = flow_library().current(flow_id)
    except FlowNotFound as error:
        raise click.BadParameter(str(error), param_hint="FLOW") from None
    click.echo(mermaid(flow) if fmt == "mermaid" else dot(flow), nl=False)
    if image is None:
        return
    dot_program = shutil.which("dot")
    if dot_program is None:
        click.echo(
            "intake flows diagram: Graphviz is not installed (apt-get install graphviz); "
            "no image drawn. Paste the Mermaid text into a Markdown file instead.",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    kind = image.suffix.lstrip(".") or "svg"
    if kind not in ("svg", "png", "pdf"):
        raise click.BadParameter("use a .svg, .png or .pdf file", param_hint="--image")
    subprocess.run(  # noqa: S603 - a fixed program and arguments, no shell
        [dot_program, f"-T{kind}", "-o", str(image)], input=dot(flow), text=True, check=True
    )
    click.echo(f"intake flows diagram: drew {image}", err=True)


@click.command()
@click.argument("flow_id")
@click.option("--lang", default="nl", show_default=True, help="Language to start in.")
@click.option("--events", "show_events", is_flag=True, help="Print every event as JSON (stderr).")
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD", help="Pretend today is this date.")
def chat(flow_id: str, lang: str, show_events: bool, on: str | None) -> None:
    """Try a flow in the terminal. Type a number to pick an option; 'stop' to stop."""
    from datetime import date

    from bot.console import ConsoleChannel
    from flows.engine.library import FlowNotFound, flow_library

    try:
        flow = flow_library().current(flow_id)
    except FlowNotFound as error:
        raise click.BadParameter(str(error), param_hint="FLOW") from None
    today = None
    if on is not None:
        try:
            today = date.fromisoformat(on)
        except ValueError:
            raise click.BadParameter(f"{on!r} is not YYYY-MM-DD", param_hint="--on") from None
    from bot.service_data import ServiceDataError, load_service_directory
    from bot.settings import get_settings

    try:
        directory = load_service_directory(get_settings())
    except ServiceDataError as error:
        click.echo(f"intake chat: {error}", err=True)
        sys.exit(EXIT_PROBLEMS)
    ConsoleChannel(
        flow, locale=lang, show_events=show_events, today=today, directory=directory
    ).run()
