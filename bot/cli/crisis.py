"""`intake crisis [--json] TEXT...`: whether a text is a sign of danger, and which kind.

For loket staff who want to test wording before they add a phrase to
`flows/data/crisis_phrases/`. The crisis layer is imported inside the command, so
other commands start as fast as before.
"""

from __future__ import annotations

import json

import click

__all__ = ["crisis"]


@click.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help='Print {"crisis": ..., "categories": [...]}.')
def crisis(text: tuple[str, ...], as_json: bool) -> None:
    """Whether TEXT is read as a sign of danger, and in which categories.

    The words are joined with spaces and read as one message, up to a Telegram
    message's length (4096 characters), exactly as the bot reads a typed answer."""
    from flows.engine.crisis import detect_crisis

    hit = detect_crisis(" ".join(text))
    categories = list(hit.categories) if hit else []
    if as_json:
        click.echo(json.dumps({"crisis": hit is not None, "categories": categories}))
        return
    if hit is None:
        click.echo("no crisis sign")
        return
    click.echo(f"crisis: {', '.join(categories)}")
    click.echo(f"  phrases: {'; '.join(hit.phrases)}")
    click.echo(f"  languages: {', '.join(hit.languages)}")
