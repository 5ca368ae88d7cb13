"""Translations are a build check: complete, consistent, and current with the code."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from locales import LOCALE_DIR
from locales.check import check_all, check_catalog, long_sentences
from locales.templates import extract

ROOT = Path(__file__).resolve().parent.parent


def _ids(path: Path) -> set[object]:
    with path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(handle) if m.id}


@pytest.mark.parametrize("domain", ["messages", "loket"])
def test_the_committed_template_is_what_extraction_gives(tmp_path: Path, domain: str) -> None:
    out = extract(domain, tmp_path / f"{domain}.pot")
    committed = LOCALE_DIR / f"{domain}.pot"
    missing, stale = _ids(out) - _ids(committed), _ids(committed) - _ids(out)
    assert not missing and not stale, f"run `make i18n`: new {missing}, gone {stale}"


def test_every_shipped_catalog_is_complete_and_consistent() -> None:
    problems = check_all()
    assert not problems, "\n".join(str(p) for p in problems[:40])


def _template() -> Catalog:
    template = Catalog(locale=None)
    template.add("Hallo {name}.")
    template.add(("Je wacht {n} dag.", "Je wacht {n} dagen."))
    return template


def _catalog(locale: str, entries: dict[object, object]) -> Catalog:
    catalog = Catalog(locale=locale)
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)  # type: ignore[arg-type]
    return catalog


def _write(path: Path, catalog: Catalog) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return path


def test_a_good_catalog_has_no_problems(tmp_path: Path) -> None:
    good = _catalog(
        "pl",
        {
            "Hallo {name}.": "Cześć {name}.",
            ("Je wacht {n} dag.", "Je wacht {n} dagen."): ("{n} dzień", "{n} dni", "{n} dni"),
        },
    )
    assert check_catalog(_write(tmp_path / "pl.po", good), _template(), tmp_path) == []


def test_a_broken_placeholder_names_file_line_and_message(tmp_path: Path) -> None:
    bad = _catalog(
        "en",
        {
            "Hallo {name}.": "Hello {naam}.",
            ("Je wacht {n} dag.", "Je wacht {n} dagen."): ("{n} day", "{n} days"),
        },
    )
    [problem] = check_catalog(_write(tmp_path / "en.po", bad), _template(), tmp_path)
    assert problem.msgid == "Hallo {name}."
    assert problem.line > 0 and problem.file.endswith("en.po")
    assert "placeholders ['naam']" in problem.message


def test_a_missing_plural_form_fails(tmp_path: Path) -> None:
    bad = _catalog(
        "pl",
        {
            "Hallo {name}.": "Cześć {name}.",
            ("Je wacht {n} dag.", "Je wacht {n} dagen."): ("{n} dzień", "{n} dni", ""),
        },
    )
    [problem] = check_catalog(_write(tmp_path / "pl.po", bad), _template(), tmp_path)
    assert problem.msgid == "Je wacht {n} dag." and "plural form 2 is missing" in problem.message


def test_fuzzy_untranslated_and_missing_entries_fail(tmp_path: Path) -> None:
    catalog = _catalog("en", {"Hallo {name}.": "Hello {name}."})
    catalog["Hallo {name}."].flags.add("fuzzy")
    messages = {
        p.message for p in check_catalog(_write(tmp_path / "en.po", catalog), _template(), tmp_path)
    }
    assert "fuzzy: review and remove the flag" in messages
    assert "missing from the catalog" in messages


def test_a_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "en.po"
    path.write_text('msgid ""\nmsgstr ""\n\nmsgid "Hallo {name}."\nthis is no po\n')
    [problem] = check_catalog(path, _template(), tmp_path)
    assert problem.message.startswith("syntax error")
    assert problem.file.endswith("en.po")
    assert problem.line == 5


def test_long_sentence_report_lists_sentences_over_20_words(tmp_path: Path) -> None:
    template = Catalog()
    template.add("Kort. " + " ".join(["woord"] * 21) + ".")
    _write(tmp_path / "messages.pot", template)
    _write(tmp_path / "loket.pot", Catalog())
    [(words, sentence)] = long_sentences(tmp_path)
    assert words == 21 and sentence.startswith("woord")


def test_adding_a_language_takes_one_catalog_and_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test-only locale (Esperanto) with its catalog renders and passes the check."""
    from flows.texts import Text
    from locales import languages, render, translator
    from locales.check import DOMAIN_LANGUAGES

    root = tmp_path / "locales"
    root.mkdir()
    template = _template()
    _write(root / "messages.pot", template)
    _write(root / "loket.pot", Catalog())
    catalog = _catalog(
        "eo",
        {
            "Hallo {name}.": "Saluton {name}.",
            ("Je wacht {n} dag.", "Je wacht {n} dagen."): ("{n} tago", "{n} tagoj"),
        },
    )
    _write(root / "eo" / "LC_MESSAGES" / "messages.po", catalog)
    # The one line of configuration:
    monkeypatch.setattr(
        languages, "LANGUAGES", (*languages.LANGUAGES, languages.Language("eo", "Esperanto"))
    )
    monkeypatch.setitem(DOMAIN_LANGUAGES, "messages", ("eo",))
    monkeypatch.setitem(DOMAIN_LANGUAGES, "loket", ())
    assert check_all(root) == []
    monkeypatch.setattr("locales.LOCALE_DIR", root)
    translator.cache_clear()
    try:
        assert render(Text("Hallo {name}.", {"name": "Sam"}), "eo") == "Saluton Sam."
        assert (
            render(Text("Je wacht {n} dag.", {"n": 3}, "Je wacht {n} dagen.", "n"), "eo")
            == "3 tagoj"
        )
        assert languages.match_locale("eo-EO") == "eo"
    finally:
        translator.cache_clear()


def test_a_missing_catalog_fails_loudly_never_dutch_in_silence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from locales import CatalogError, check_catalogs, translator

    monkeypatch.setattr("locales.LOCALE_DIR", tmp_path)
    translator.cache_clear()
    try:
        with pytest.raises(CatalogError, match=r"pl/LC_MESSAGES/messages.po: missing"):
            check_catalogs({"messages": ("pl",)})
        (tmp_path / "pl" / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / "pl" / "LC_MESSAGES" / "messages.po").write_text('msgid "x\n', "utf-8")
        translator.cache_clear()
        with pytest.raises(CatalogError, match=r"messages.po: cannot be read"):
            translator("pl")
    finally:
        translator.cache_clear()


def test_the_shipped_catalogs_load_without_a_compile_step() -> None:
    from locales import SOURCE_LOCALE, check_catalogs
    from locales.languages import LANGUAGES

    check_catalogs({"messages": tuple(x.code for x in LANGUAGES if x.code != SOURCE_LOCALE)})
