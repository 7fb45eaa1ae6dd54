from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter
from sqlalchemy.engine import Engine
from sqlmodel import Session

from .. import crud
from ..db import get_session
from ..schemas import ErrorResponse, TaskCreate, TaskId, TaskRead, TaskRow, TaskStatus, TaskUpdate, UserId

router = APIRouter(prefix="/{user_id}/tasks", tags=["tasks"])
SessionDep = Annotated[Session, Depends(get_session)]
NOT_FOUND = {status.HTTP_404_NOT_FOUND: {"model": ErrorResponse, "description": "No such task for this user"}}
TASK_ROWS = TypeAdapter(list[TaskRow])


# The busiest route. On PostgreSQL it is async, on the read pool: no
# thread-pool hop. It returns a Response, which FastAPI passes through instead
# of validating and serializing the value again; response_model still
# documents the body. The rows, typed by the database, are serialized by
# pydantic-core as TaskRow dicts, byte for byte what TaskRead gives.
@router.get("", summary="List the user's tasks, oldest first", response_model=list[TaskRead])
async def list_tasks(
    request: Request,
    user_id: UserId,
    status: Annotated[TaskStatus, Query(description="all, pending or completed")] = "all",
) -> Response:
    read_pool = request.app.state.read_pool
    if read_pool is None:  # SQLite: no async driver, so one hop to the thread pool
        rows = await run_in_threadpool(_list_on_engine, request.app.state.engine, user_id, status)
    else:
        async with read_pool.connection() as connection:
            rows = await crud.list_task_rows_async(connection, user_id, status)
    return Response(TASK_ROWS.dump_json(rows), media_type="application/json")


def _list_on_engine(engine: Engine, user_id: str, status: TaskStatus) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return crud.list_task_rows(connection, user_id, status)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a task")
def create_task(user_id: UserId, body: TaskCreate, session: SessionDep) -> TaskRead:
    task = crud.create_task(session, user_id, body)
    session.commit()
    return TaskRead.model_validate(task)


@router.get("/{task_id}", responses=NOT_FOUND, summary="Get one task")
def get_task(user_id: UserId, task_id: TaskId, session: SessionDep) -> TaskRead:
    return TaskRead.model_validate(crud.get_task(session, user_id, task_id))


@router.patch("/{task_id}", responses=NOT_FOUND, summary="Change title, description and/or completed")
def update_task(user_id: UserId, task_id: TaskId, body: TaskUpdate, session: SessionDep) -> TaskRead:
    task = crud.update_task(session, user_id, task_id, body)
    session.commit()
    return TaskRead.model_validate(task)


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND, summary="Delete a task")
def delete_task(user_id: UserId, task_id: TaskId, session: SessionDep) -> Response:
    crud.delete_task(session, user_id, task_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{task_id}/complete", responses=NOT_FOUND, summary="Mark a task completed (idempotent)")
def complete_task(user_id: UserId, task_id: TaskId, session: SessionDep) -> TaskRead:
    task, _ = crud.complete_task(session, user_id, task_id)
    session.commit()
    return TaskRead.model_validate(task)
