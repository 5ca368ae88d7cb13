"""What the screening profile (spec version 1.1) accepts, per field, for flow checks.

Flows write answers into profile fields; these tables say which question type fits a
field and which values it takes, so the loader can name a wrong one precisely.
"""

from __future__ import annotations

from flows.engine.flow_format import QuestionType
from flows.screening_profile import (
    BOOL_FIELDS,
    FIELD_NAMES,
    HOUSEHOLDS,
    INSTITUTIONS,
    JUSTICE_CONTACT,
    NUISANCE,
    PROBLEMS,
    SLEEPING_PLACES,
    SUPPORT_NEEDS,
)

__all__ = [
    "DATE_FACTS",
    "ENUM_VALUES",
    "FIELD_QUESTION_TYPES",
    "PROFILE_FACTS",
]

PROFILE_FACTS = frozenset(FIELD_NAMES)

ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "sleeping_place": SLEEPING_PLACES,
    "institution": INSTITUTIONS,
    "nuisance": NUISANCE,
    "justice_contact": JUSTICE_CONTACT,
    "support_need": SUPPORT_NEEDS,
    "problems": PROBLEMS,
    "household": HOUSEHOLDS,
}

FIELD_QUESTION_TYPES: dict[str, QuestionType] = {
    "municipality": QuestionType.MUNICIPALITY,
    "age": QuestionType.NUMBER,
    "homeless_months": QuestionType.NUMBER,
    "children": QuestionType.NUMBER,
    "detention_release_date": QuestionType.DATE,
    "problems": QuestionType.MULTIPLE_CHOICE,
    **{name: QuestionType.SINGLE_CHOICE for name in ENUM_VALUES if name != "problems"},
    **{name: QuestionType.YES_NO for name in BOOL_FIELDS},
}

DATE_FACTS = frozenset({"detention_release_date"})

assert set(FIELD_QUESTION_TYPES) == PROFILE_FACTS, "every profile field needs a question type"
