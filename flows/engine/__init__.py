"""The conversation engine: flows as versioned data, run by a pure engine.

The public API for hosts (the conversation service and its channels)::

    from flows.engine import Env, TextInput, ChoiceInput, flow_library, start, resume

    flow = flow_library().current("zelfmelding")
    sprint = start(flow, env, locale="nl")          # opening messages, first question
    sprint = resume(flow, session, TextInput("ja"), env)
    sprint.session  -> store it (Session.to_json / Session.from_json)
    sprint.events   -> show MessageCreated and QuestionAsked; store the rest

See docs/flows.md for the flow file format.
"""

from __future__ import annotations

from flows.engine.crisis import CrisisHit, detect_crisis
from flows.engine.engine import Env, FlowMismatch, Sprint, resume, start
from flows.engine.events import (
    AnswerRecorded,
    AnswerRejected,
    AnswersCleared,
    ChoiceRejected,
    CrisisDetected,
    Event,
    IntakeSubmitted,
    LanguageChanged,
    MessageCreated,
    QuestionAsked,
    SessionEnded,
    SessionRestarted,
    SessionStarted,
    SessionStopped,
    SummaryItem,
    SummaryShown,
    event_to_json,
    recommendation_to_json,
)
from flows.engine.flow_format import Action, Flow, Node, Option, Question, QuestionType
from flows.engine.inputs import (
    CALLBACK_LIMIT,
    ChoiceInput,
    Command,
    CommandInput,
    Input,
    LanguageInput,
    SelectionInput,
    TextInput,
    callback_data,
    parse_callback,
)
from flows.engine.library import FlowLibrary, FlowNotFound, definition_files, flow_library
from flows.engine.lint import lint
from flows.engine.loader import FlowError, FlowProblem, check_flow_text, load_flow, parse_flow
from flows.engine.prompt_builder import current_prompt
from flows.engine.prompts import Prompt, PromptOption
from flows.engine.session import (
    Answer,
    AnswerStatus,
    Pending,
    PendingKind,
    Session,
    SessionStatus,
    Submission,
)
from flows.text_json import text_from_json, text_to_json

__all__ = [
    "CALLBACK_LIMIT",
    "Action",
    "Answer",
    "AnswerRecorded",
    "AnswerRejected",
    "AnswerStatus",
    "AnswersCleared",
    "ChoiceInput",
    "ChoiceRejected",
    "Command",
    "CommandInput",
    "CrisisDetected",
    "CrisisHit",
    "Env",
    "Event",
    "Flow",
    "FlowError",
    "FlowLibrary",
    "FlowMismatch",
    "FlowNotFound",
    "FlowProblem",
    "Input",
    "IntakeSubmitted",
    "LanguageChanged",
    "LanguageInput",
    "MessageCreated",
    "Node",
    "Option",
    "Pending",
    "PendingKind",
    "Prompt",
    "PromptOption",
    "Question",
    "QuestionAsked",
    "QuestionType",
    "SelectionInput",
    "Session",
    "SessionEnded",
    "SessionRestarted",
    "SessionStarted",
    "SessionStatus",
    "SessionStopped",
    "Sprint",
    "Submission",
    "SummaryItem",
    "SummaryShown",
    "TextInput",
    "callback_data",
    "check_flow_text",
    "current_prompt",
    "definition_files",
    "detect_crisis",
    "event_to_json",
    "flow_library",
    "lint",
    "load_flow",
    "parse_callback",
    "parse_flow",
    "recommendation_to_json",
    "resume",
    "start",
    "text_from_json",
    "text_to_json",
]
