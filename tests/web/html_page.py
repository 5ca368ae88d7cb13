"""The chat page as a browser without JavaScript sees it: its forms, buttons, tick
boxes and speech bubbles, read with the standard library's HTML parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Button:
    name: str | None
    value: str
    label: str = ""


@dataclass
class Form:
    action: str
    classes: str
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[Button] = field(default_factory=list)
    checkboxes: list[tuple[str, bool]] = field(default_factory=list)
    text_field: str | None = None
    text_value: str | None = None  # what the text field holds when the page comes
    max_length: int | None = None

    def button(self, value: str) -> Button | None:
        return next((b for b in self.buttons if b.value == value), None)


@dataclass
class Bubble:
    by: str
    kind: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Page:
    html: str
    lang: str = ""
    dir: str = ""
    forms: list[Form] = field(default_factory=list)
    bubbles: list[Bubble] = field(default_factory=list)
    code: str | None = None
    notice: str = ""
    emergency: str = ""

    def forms_with(self, cls: str) -> list[Form]:
        return [f for f in self.forms if cls in f.classes.split()]

    def form(self, cls: str) -> Form:
        (found,) = self.forms_with(cls)
        return found

    def option_form(self, option: str) -> Form | None:
        return next((f for f in self.forms_with("answer-buttons") if f.button(option)), None)

    @property
    def question(self) -> str | None:
        questions = [b for b in self.bubbles if b.kind == "question"]
        return questions[-1].text if questions else None

    def said_by_me(self) -> list[str]:
        return [b.text for b in self.bubbles if b.by == "me"]


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.form: Form | None = None
        self.button: Button | None = None
        self.bubble: Bubble | None = None
        self.line: list[str] | None = None
        self.depth = 0
        self.capture: str | None = None  # "code", "notice", "emergency"
        self.capture_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "html":
            self.page.lang, self.page.dir = a.get("lang", ""), a.get("dir", "")
        elif tag == "form":
            self.form = Form(a.get("action", ""), a.get("class", ""))
            self.page.forms.append(self.form)
        elif tag == "input" and self.form is not None:
            kind = a.get("type", "text")
            if kind == "hidden":
                self.form.hidden[a["name"]] = a.get("value", "")
            elif kind == "checkbox":
                self.form.checkboxes.append((a.get("value", ""), "checked" in a))
            else:
                self.form.text_field = a.get("name")
                self.form.text_value = a.get("value")
                self.form.max_length = int(a["maxlength"]) if "maxlength" in a else None
        elif tag == "textarea" and self.form is not None:
            self.form.text_field = a.get("name")
            self.form.max_length = int(a["maxlength"]) if "maxlength" in a else None
        elif tag == "button" and self.form is not None:
            self.button = Button(a.get("name"), a.get("value", ""))
            self.form.buttons.append(self.button)
        elif tag == "div" and "bubble" in classes:
            by = "me" if "me" in classes else "bot"
            kind = next((c[5:] for c in classes if c.startswith("kind-")), "say")
            self.bubble = Bubble(by, kind)
            self.page.bubbles.append(self.bubble)
            self.depth = 1
        elif self.bubble is not None and tag == "div":
            self.depth += 1
        elif tag == "p" and self.bubble is not None and "visually-hidden" not in classes:
            self.line = []
        if tag == "strong" and "code" in classes:
            self.capture, self.capture_depth = "code", 1
        elif tag == "p" and "notice" in classes:
            self.capture, self.capture_depth = "notice", 1
        elif tag == "aside" and "emergency" in classes:
            self.capture, self.capture_depth = "emergency", 1
        elif self.capture and tag not in ("br", "input", "meta", "link"):
            self.capture_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "button":
            self.button = None
        elif tag == "p" and self.line is not None and self.bubble is not None:
            self.bubble.lines.append("".join(self.line).strip())
            self.line = None
        elif tag == "div" and self.bubble is not None:
            self.depth -= 1
            if self.depth == 0:
                self.bubble = None
        if self.capture and tag not in ("br", "input", "meta", "link"):
            self.capture_depth -= 1
            if self.capture_depth == 0:
                self.capture = None

    def handle_data(self, data: str) -> None:
        if self.button is not None:
            self.button.label += data.strip()
        if self.line is not None:
            self.line.append(data)
        if self.capture == "code":
            self.page.code = (self.page.code or "") + data.strip()
        elif self.capture == "notice":
            self.page.notice += data
        elif self.capture == "emergency":
            self.page.emergency += data


def parse_page(html: str) -> Page:
    page = Page(html)
    _Reader(page).feed(html)
    page.notice = page.notice.strip()
    page.emergency = " ".join(page.emergency.split())
    return page
