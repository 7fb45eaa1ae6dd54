from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlmodel import Session

from .. import crud
from ..db import get_session
from ..schemas import ErrorResponse, TaskCreate, TaskId, TaskRead, TaskStatus, TaskUpdate, UserId

router = APIRouter(prefix="/{user_id}/tasks", tags=["tasks"])
SessionDep = Annotated[Session, Depends(get_session)]
NOT_FOUND = {status.HTTP_404_NOT_FOUND: {"model": ErrorResponse, "description": "No such task for this user"}}


@router.get("", summary="List the user's tasks, oldest first")
def list_tasks(
    user_id: UserId,
    session: SessionDep,
    status: Annotated[TaskStatus, Query(description="all, pending or completed")] = "all",
) -> list[TaskRead]:
    return [TaskRead.model_validate(t) for t in crud.list_tasks(session, user_id, status)]


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
