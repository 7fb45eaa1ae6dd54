"""What a chat agent is: given the history and a message, work the tools and answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlmodel import Session

from ..schemas import ToolCall


@dataclass(frozen=True)
class HistoryItem:
    role: str  # "user" | "assistant"
    content: str


@dataclass
class AgentReply:
    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)


class ChatUnavailableError(RuntimeError):
    """The language model could not be reached or answered with an error."""


class Agent(Protocol):
    name: str

    def reply(self, session: Session, user_id: str, history: list[HistoryItem], message: str) -> AgentReply: ...

    def close(self) -> None: ...
