from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import TypeAdapter
from sqlmodel import Session

from .. import crud
from ..db import get_session, read_connection
from ..schemas import ErrorResponse, TaskCreate, TaskId, TaskRead, TaskStatus, TaskUpdate, UserId

router = APIRouter(prefix="/{user_id}/tasks", tags=["tasks"])
SessionDep = Annotated[Session, Depends(get_session)]
NOT_FOUND = {status.HTTP_404_NOT_FOUND: {"model": ErrorResponse, "description": "No such task for this user"}}
TASK_LIST = TypeAdapter(list[TaskRead])


# The busiest route, kept to one thread-pool hop: no session dependency (its
# set-up and tear-down would be hops of their own) and a returned Response,
# which FastAPI passes through instead of validating and serializing the value
# again; response_model still documents the body. Plain rows, validated and
# serialized once by pydantic-core.
@router.get("", summary="List the user's tasks, oldest first", response_model=list[TaskRead])
def list_tasks(
    request: Request,
    user_id: UserId,
    status: Annotated[TaskStatus, Query(description="all, pending or completed")] = "all",
) -> Response:
    with read_connection(request.app.state.engine) as connection:
        rows = crud.list_task_rows(connection, user_id, status)
    return Response(TASK_LIST.dump_json(TASK_LIST.validate_python(rows)), media_type="application/json")


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
