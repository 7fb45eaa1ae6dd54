"""The five tools the chat agents work the tasks with, and their OpenAI function specs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlmodel import Session

from .. import crud
from ..models import Task
from ..schemas import ID_MAX, Description, TaskCreate, TaskStatus, TaskUpdate, Title, ToolCall


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddTaskArgs(_Args):
    title: Title = Field(description="Short title of the task, 1-200 characters")
    description: Description | None = Field(default=None, description="Optional details, at most 1000 characters")


class ListTasksArgs(_Args):
    status: TaskStatus = Field(default="all", description="Which tasks: all, pending or completed")


class TaskIdArgs(_Args):
    task_id: int = Field(ge=1, le=ID_MAX, description="Id of the task, as list_tasks shows it")


class UpdateTaskArgs(TaskIdArgs):
    title: Title | None = Field(default=None, description="New title, 1-200 characters")
    description: Description | None = Field(default=None, description="New description, at most 1000 characters")

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateTaskArgs:
        if self.title is None and self.description is None:
            raise ValueError("give a new title or description")
        return self


def task_summary(task: Task) -> dict[str, Any]:
    return {"id": task.id, "title": task.title, "description": task.description, "completed": task.completed}


def _add_task(session: Session, user_id: str, args: AddTaskArgs) -> dict[str, Any]:
    task = crud.create_task(session, user_id, TaskCreate(title=args.title, description=args.description))
    return {"task": task_summary(task)}


def _list_tasks(session: Session, user_id: str, args: ListTasksArgs) -> dict[str, Any]:
    tasks = crud.list_tasks(session, user_id, args.status)
    return {"status": args.status, "count": len(tasks), "tasks": [task_summary(t) for t in tasks]}


def _complete_task(session: Session, user_id: str, args: TaskIdArgs) -> dict[str, Any]:
    task, was_completed = crud.complete_task(session, user_id, args.task_id)
    return {"task": task_summary(task), "already_completed": was_completed}


def _delete_task(session: Session, user_id: str, args: TaskIdArgs) -> dict[str, Any]:
    task = crud.delete_task(session, user_id, args.task_id)
    return {"deleted": task_summary(task)}


def _update_task(session: Session, user_id: str, args: UpdateTaskArgs) -> dict[str, Any]:
    changes = args.model_dump(exclude={"task_id"}, exclude_none=True)
    task = crud.update_task(session, user_id, args.task_id, TaskUpdate(**changes))
    return {"task": task_summary(task), "changed": sorted(changes)}


class Tool:
    def __init__(
        self, name: str, description: str, args: type[_Args], run: Callable[[Session, str, Any], dict[str, Any]]
    ) -> None:
        self.name, self.description, self.args, self.run = name, description, args, run

    def spec(self) -> dict[str, Any]:
        """Chat Completions `tools` entry (type function, JSON-schema parameters)."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.args.model_json_schema(),
            },
        }


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool("add_task", "Create a new task for the user.", AddTaskArgs, _add_task),
        Tool(
            "list_tasks",
            "List the user's tasks, optionally only pending or completed ones.",
            ListTasksArgs,
            _list_tasks,
        ),
        Tool("complete_task", "Mark one of the user's tasks as completed.", TaskIdArgs, _complete_task),
        Tool("delete_task", "Delete one of the user's tasks.", TaskIdArgs, _delete_task),
        Tool(
            "update_task",
            "Change the title and/or description of one of the user's tasks.",
            UpdateTaskArgs,
            _update_task,
        ),
    )
}


def openai_tool_specs() -> list[dict[str, Any]]:
    return [tool.spec() for tool in TOOLS.values()]


def run_tool(session: Session, user_id: str, name: str, arguments: str | dict[str, Any]) -> ToolCall:
    """Run a tool for `user_id`; bad names, bad arguments and unknown tasks become an `error` result."""
    parsed: dict[str, Any] = {}
    try:
        loaded = json.loads(arguments or "{}") if isinstance(arguments, str) else arguments
        if not isinstance(loaded, dict):
            raise ValueError("arguments must be a JSON object")
        parsed = loaded
    except ValueError as error:
        return ToolCall(name=name, arguments={}, result={"error": f"invalid arguments: {error}"})
    tool = TOOLS.get(name)
    if tool is None:
        return ToolCall(name=name, arguments=parsed, result={"error": f"unknown tool {name!r}"})
    try:
        args = tool.args.model_validate(parsed)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in error.errors())
        return ToolCall(name=name, arguments=parsed, result={"error": f"invalid arguments: {problems}"})
    try:
        result = tool.run(session, user_id, args)
    except crud.TaskNotFoundError as error:
        result = {"error": str(error)}
    return ToolCall(name=name, arguments=args.model_dump(exclude_none=True), result=result)
