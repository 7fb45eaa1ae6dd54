"""Task operations scoped to one user; shared by the HTTP routes and the chat tools."""

from __future__ import annotations

from typing import Any, get_args

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import psycopg as postgresql_psycopg
from sqlmodel import Session, col, select

from .models import Task, utcnow
from .schemas import TaskCreate, TaskRow, TaskStatus, TaskUpdate


class TaskNotFoundError(LookupError):
    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} not found")
        self.task_id = task_id


def list_tasks(session: Session, user_id: str, status: TaskStatus = "all") -> list[Task]:
    query = select(Task).where(Task.user_id == user_id)
    if status != "all":
        query = query.where(Task.completed == (status == "completed"))
    return list(session.exec(query.order_by(col(Task.id))))


def _task_rows_query(status: TaskStatus) -> sa.Select[Any]:
    table = Task.__table__
    query = sa.select(*(table.c[name] for name in TaskRow.__annotations__)).where(
        table.c.user_id == sa.bindparam("user_id")
    )
    if status != "all":
        query = query.where(table.c.completed == sa.bindparam("completed"))
    return query.order_by(table.c.id)


def _task_rows_parameters(user_id: str, status: TaskStatus) -> dict[str, Any]:
    return {"user_id": user_id} if status == "all" else {"user_id": user_id, "completed": status == "completed"}


# Built once: each request reuses the statement and SQLAlchemy's cached
# compilation of it; psycopg gets the same statement as PostgreSQL SQL.
_TASK_ROWS_QUERIES = {status: _task_rows_query(status) for status in get_args(TaskStatus)}
_TASK_ROWS_SQL = {
    status: str(query.compile(dialect=postgresql_psycopg.dialect())) for status, query in _TASK_ROWS_QUERIES.items()
}


def list_task_rows(connection: sa.Connection, user_id: str, status: TaskStatus = "all") -> list[dict[str, Any]]:
    """Like list_tasks, as plain dicts of TaskRow's fields: no ORM objects (the HTTP list route on SQLite)."""
    result = connection.execute(_TASK_ROWS_QUERIES[status], _task_rows_parameters(user_id, status))
    names = tuple(result.keys())
    # all() fetches in one call; iterating the result would fetch row by row.
    return [dict(zip(names, row, strict=True)) for row in result.all()]


async def list_task_rows_async(
    connection: psycopg.AsyncConnection, user_id: str, status: TaskStatus = "all"
) -> list[dict[str, Any]]:
    """list_task_rows on a connection of the PostgreSQL read pool (db.create_read_pool)."""
    # Binary results: integers and timestamps arrive unparsed, cheaper to load than text.
    async with connection.cursor(binary=True) as cursor:
        await cursor.execute(_TASK_ROWS_SQL[status], _task_rows_parameters(user_id, status))
        names = tuple(column.name for column in cursor.description or ())
        return [dict(zip(names, row, strict=True)) for row in await cursor.fetchall()]


def get_task(session: Session, user_id: str, task_id: int) -> Task:
    """The user's task; another user's task is as absent as a missing one."""
    task = session.exec(select(Task).where(Task.id == task_id, Task.user_id == user_id)).first()
    if task is None:
        raise TaskNotFoundError(task_id)
    return task


def create_task(session: Session, user_id: str, data: TaskCreate) -> Task:
    now = utcnow()
    task = Task(user_id=user_id, title=data.title, description=data.description, created_at=now, updated_at=now)
    session.add(task)
    session.flush()
    return task


def update_task(session: Session, user_id: str, task_id: int, data: TaskUpdate) -> Task:
    task = get_task(session, user_id, task_id)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(task, name, value)
    task.updated_at = utcnow()
    session.add(task)
    session.flush()
    return task


def complete_task(session: Session, user_id: str, task_id: int) -> tuple[Task, bool]:
    """Mark the task completed (idempotent); also return whether it already was."""
    task = get_task(session, user_id, task_id)
    was_completed = task.completed
    if not was_completed:
        task.completed = True
        task.updated_at = utcnow()
        session.add(task)
        session.flush()
    return task, was_completed


def delete_task(session: Session, user_id: str, task_id: int) -> Task:
    task = get_task(session, user_id, task_id)
    session.delete(task)
    session.flush()
    return task
