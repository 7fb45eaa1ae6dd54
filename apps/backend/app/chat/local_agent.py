"""Deterministic English intent parser over the five tools: the chatbot when no OpenAI key is set.

It understands one command per message, e.g. "add buy milk", "what's pending?",
"mark 3 done", "delete task 2", "rename 1 to call mom", and says plainly when
it does not understand. Tasks are referred to by number (as "list" shows them);
"complete"/"delete" also accept an exact title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from .. import crud
from .agent import AgentReply, HistoryItem
from .tools import run_tool

EXAMPLES = '"add buy milk", "what\'s pending?", "mark 3 done", "delete task 2", "rename 1 to call mom"'
HELP = (
    "I can add, list, complete, delete and rename your tasks. Try: " + EXAMPLES + ". "
    'Say "list tasks" to see the task numbers.'
)

LIST_HINT = "Say \u201clist tasks\u201d to see your tasks."

# A task reference: "3", "#3", "task 3", "task #3", "number 3".
_REF = r"(?:(?:task|todo|item|number|no\.?)\s*)?#?\s*(?P<id>\d+)"
# ... or, where allowed, a title in optional quotes.
_REF_OR_TITLE = rf"(?:{_REF}|(?:the\s+)?(?:task\s+)?[\"'“]?(?P<title>.+?)[\"'”]?)"
_DONE = r"(?:done|complete|completed|finished|checked(?:\s+off)?)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("help", re.compile(r"^(?:help|\?|what can you do|how does this work|commands|hi|hello|hey)$")),
    ("complete", re.compile(rf"^(?:please\s+)?(?:mark|set)\s+{_REF_OR_TITLE}\s+(?:as\s+)?{_DONE}$")),
    (
        "complete",
        re.compile(rf"^(?:please\s+)?(?:complete|finish|check\s+off|tick\s+off|close)\s+{_REF_OR_TITLE}$"),
    ),
    ("complete", re.compile(rf"^{_REF}\s+(?:is\s+)?{_DONE}$")),
    ("complete", re.compile(rf"^i\s+(?:have\s+|'ve\s+)?(?:finished|completed|done|did)\s+{_REF_OR_TITLE}$")),
    ("delete", re.compile(rf"^(?:please\s+)?(?:delete|remove|drop|erase|cancel|get\s+rid\s+of)\s+{_REF_OR_TITLE}$")),
    (
        "describe",
        re.compile(
            rf"^(?:set|change|update|edit)\s+(?:the\s+)?description\s+(?:of|for)\s+{_REF}\s+(?:to|as)\s*:?\s+(?P<text>.+)$"
        ),
    ),
    ("describe", re.compile(rf"^(?:describe)\s+{_REF}\s+as\s+(?P<text>.+)$")),
    (
        "rename",
        re.compile(
            rf"^(?:please\s+)?(?:rename|retitle|update|change|edit)\s+{_REF}(?:'s)?\s+(?:title\s+)?(?:to|as|into)\s*:?\s+(?P<text>.+)$"
        ),
    ),
    (
        "add",
        re.compile(
            r"^(?:please\s+)?(?:add|create|new|make)\s+(?:a\s+)?(?:new\s+)?(?:task|todo|to-do|item)?\s*"
            r"(?:to\s+|:\s*|called\s+|named\s+|for\s+)?(?P<text>.+)$"
        ),
    ),
    ("add", re.compile(r"^(?:remind\s+me\s+to|i\s+need\s+to|don'?t\s+let\s+me\s+forget\s+to)\s+(?P<text>.+)$")),
]

_LIST_START = re.compile(
    r"^(?:list|show|view|display|what|what's|whats|which|get|give|tell|see|do\s+i|how\s+many|my)\b"
)
_LIST_TOPIC = re.compile(
    r"\b(?:tasks?|todos?|to-dos?|to\s+do|list|pending|completed?|done|finished|open|remaining|left|outstanding)\b"
)
_MANY = re.compile(r"^(?:all|every|everything|my|the\s+tasks|tasks|todos)\b")
_PENDING = re.compile(
    r"\b(?:pending|open|remaining|left|outstanding|incomplete|unfinished|not\s+done|to\s+do(?!\s+list)|undone)\b"
)
_COMPLETED = re.compile(r"\b(?:completed?|done|finished|closed)\b")


@dataclass(frozen=True)
class Intent:
    action: str  # help | complete | delete | rename | describe | add | list | unknown
    task_id: int | None = None
    title: str | None = None
    text: str | None = None
    status: str = "all"


def _clean(message: str) -> str:
    text = " ".join(message.split())
    return text.strip().rstrip(".!?").strip()


def parse(message: str) -> Intent:
    """Map one English sentence to an intent; never raises."""
    text = _clean(message)
    lowered = text.lower()
    if not lowered:
        return Intent("unknown")
    for action, pattern in _PATTERNS:
        # Match on the lowered text, take user text (titles) from the original.
        match = pattern.match(lowered)
        if not match:
            continue
        groups = {k: text[match.start(k) : match.end(k)].strip() for k, v in match.groupdict().items() if v is not None}
        task_id = int(groups["id"]) if "id" in groups else None
        ref_title = groups.get("title")
        if action in {"complete", "delete"} and ref_title is not None and _MANY.match(ref_title.lower()):
            break  # "delete all tasks", "complete everything": one task at a time only
        return Intent(action, task_id=task_id, title=ref_title, text=groups.get("text"))
    if (_LIST_START.match(lowered) and _LIST_TOPIC.search(lowered)) or lowered in {"tasks", "todos", "list"}:
        status = "pending" if _PENDING.search(lowered) else "completed" if _COMPLETED.search(lowered) else "all"
        return Intent("list", status=status)
    return Intent("unknown")


def _quote(title: str) -> str:
    return f"\u201c{title}\u201d"


def _describe_list(result: dict[str, Any]) -> str:
    status, tasks = result["status"], result["tasks"]
    label = {"all": "", "pending": "pending ", "completed": "completed "}[status]
    if not tasks:
        return f"You have no {label}tasks."
    lines = [f"Your {label}tasks ({len(tasks)}):"]
    for task in tasks:
        mark = "[x]" if task["completed"] else "[ ]"
        lines.append(f"{mark} #{task['id']} {task['title']}")
    return "\n".join(lines)


class LocalAgent:
    """The offline chatbot: same tools as the OpenAI agent, English intents instead of a model."""

    name = "local"

    def close(self) -> None:
        """Nothing to release."""

    def reply(self, session: Session, user_id: str, history: list[HistoryItem], message: str) -> AgentReply:
        intent = parse(message)
        if intent.action == "help":
            return AgentReply(HELP)
        if intent.action == "unknown":
            return AgentReply(f"Sorry, I didn't understand {_quote(_clean(message) or message)}. {HELP}")
        if intent.action == "list":
            call = run_tool(session, user_id, "list_tasks", {"status": intent.status})
            return AgentReply(_describe_list(call.result), [call])
        if intent.action == "add":
            call = run_tool(session, user_id, "add_task", {"title": intent.text})
            if "error" in call.result:
                return AgentReply(f"I couldn't add that task: {call.result['error']}.", [call])
            task = call.result["task"]
            return AgentReply(f"Added task #{task['id']}: {task['title']}.", [call])

        task_id = intent.task_id
        if task_id is None:  # complete/delete by title
            title = intent.title or ""
            matches = [t for t in crud.list_tasks(session, user_id) if t.title.casefold() == title.casefold()]
            if not matches:
                return AgentReply(f"I couldn't find a task called {_quote(title)}. {LIST_HINT}")
            if len(matches) > 1:
                ids = ", ".join(f"#{t.id}" for t in matches)
                return AgentReply(f"Several tasks are called {_quote(title)} ({ids}); which number do you mean?")
            task_id = matches[0].id

        if intent.action == "complete":
            call = run_tool(session, user_id, "complete_task", {"task_id": task_id})
        elif intent.action == "delete":
            call = run_tool(session, user_id, "delete_task", {"task_id": task_id})
        elif intent.action == "rename":
            call = run_tool(session, user_id, "update_task", {"task_id": task_id, "title": intent.text})
        else:  # describe
            call = run_tool(session, user_id, "update_task", {"task_id": task_id, "description": intent.text})
        return AgentReply(self._describe_change(intent.action, task_id, call.result), [call])

    @staticmethod
    def _describe_change(action: str, task_id: int | None, result: dict[str, Any]) -> str:
        if "error" in result:
            if "not found" in result["error"]:
                return f"I couldn't find task #{task_id}. {LIST_HINT}"
            return f"I couldn't change task #{task_id}: {result['error']}."
        if action == "delete":
            task = result["deleted"]
            return f"Deleted task #{task['id']}: {task['title']}."
        task = result["task"]
        if action == "complete":
            if result["already_completed"]:
                return f"Task #{task['id']} ({task['title']}) was already done."
            return f"Marked task #{task['id']} ({task['title']}) as done."
        if action == "rename":
            return f"Renamed task #{task['id']} to {_quote(task['title'])}."
        return f"Updated the description of task #{task['id']} ({task['title']})."
