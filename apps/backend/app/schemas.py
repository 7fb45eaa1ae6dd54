"""Request and response models of the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from typing_extensions import TypedDict  # pydantic needs it over typing's before Python 3.12

from .models import DESCRIPTION_MAX, MESSAGE_MAX, TITLE_MAX, USER_ID_MAX

# PostgreSQL `integer` primary keys: larger ids cannot exist, reject them as input errors.
ID_MAX = 2**31 - 1

UserId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=USER_ID_MAX,
        pattern=r"^[A-Za-z0-9._@-]+$",
        description="Owner of the tasks: letters, digits, and . _ @ -",
        examples=["user-123"],
    ),
]
TaskId = Annotated[int, Path(ge=1, le=ID_MAX, description="Task id", examples=[1])]
ConversationId = Annotated[int, Path(ge=1, le=ID_MAX, description="Conversation id", examples=[1])]

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_MAX)]
TaskStatus = Literal["all", "pending", "completed"]


def _blank_to_none(value: str | None) -> str | None:
    return value or None


class ErrorResponse(BaseModel):
    detail: str = Field(examples=["Task 42 not found"])


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"title": "Buy milk"}]})

    title: Title = Field(description="1-200 characters")
    description: Description | None = Field(default=None, description="At most 1000 characters")

    _blank_description = field_validator("description")(_blank_to_none)


class TaskUpdate(BaseModel):
    """Partial update: send only the fields to change (at least one). `description: null` clears it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"title": "Buy oat milk"}]})

    title: Title | None = Field(default=None, description="1-200 characters; cannot be null")
    description: Description | None = Field(default=None, description="At most 1000 characters; null clears it")
    completed: bool | None = Field(default=None, description="Cannot be null")

    _blank_description = field_validator("description")(_blank_to_none)

    @model_validator(mode="after")
    def _check_fields(self) -> TaskUpdate:
        if not self.model_fields_set:
            raise ValueError("send at least one of: title, description, completed")
        for name in ("title", "completed"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: str
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime


# TaskRead's fields as a plain dict (derived, so the two cannot drift apart): a
# row the database typed already, which pydantic-core serializes as TaskRead
# would, without validating it first.
TaskRow = TypedDict("TaskRow", {name: field.annotation for name, field in TaskRead.model_fields.items()})  # type: ignore[misc]


class ToolCall(BaseModel):
    name: str = Field(
        description="Tool the agent called: add_task, list_tasks, complete_task, delete_task, update_task"
    )
    arguments: dict[str, Any] = Field(description="Arguments it passed (parsed JSON)")
    result: dict[str, Any] = Field(description="What the tool returned; {'error': ...} when it failed")


class ChatRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"message": "add buy milk"}, {"conversation_id": 1, "message": "what's pending?"}]
        },
    )

    conversation_id: int | None = Field(
        default=None, ge=1, le=ID_MAX, description="Continue this conversation; omit to start a new one"
    )
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MESSAGE_MAX)]


class ChatResponse(BaseModel):
    conversation_id: int
    response: str
    tool_calls: list[ToolCall]


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    role: Literal["user", "assistant"]
    content: str
    tool_calls: list[ToolCall] | None
    created_at: datetime


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyResponse(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]
