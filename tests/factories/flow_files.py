"""Flow files for the loader, lint and CLI tests: `GOOD` is a small flow that loads
without a problem (the tests break it one line at a time)."""

from __future__ import annotations

import textwrap

GOOD = textwrap.dedent(
    """\
    flow: mini
    version: 1
    title: "Mini"
    start: hello
    local_facts:
      contact: "how to reach the person"
    texts:
      greeting: "Hallo!"
    nodes:
      hello:
        say: {ref: greeting}
        next: place
      place:
        ask: municipality
        question: "Waar woon je?"
        label: "Plaats"
        fact: municipality
        next: sleep
      sleep:
        ask: single_choice
        question: "Waar slaap je?"
        label: "Slaapplek"
        fact: sleeping_place
        options:
          - id: public_space
            text: "Buiten"
          - id: family_friends
            text: "Bij vrienden"
        next:
          - when: {fact: sleeping_place, eq: public_space}
            to: contact
          - to: summary
      contact:
        ask: phone
        question: "Je telefoonnummer?"
        label: "Telefoon"
        fact: contact
        next: summary
      summary:
        action: summary
        next: submit
      submit:
        action: submit
        next: done
      done:
        action: end
    """
)
