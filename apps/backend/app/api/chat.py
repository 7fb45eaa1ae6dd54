from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from sqlmodel import Session

from ..chat.service import chat_turn, get_conversation, list_messages
from ..db import get_session
from ..schemas import ChatRequest, ChatResponse, ConversationId, ErrorResponse, MessageRead, UserId

router = APIRouter(prefix="/{user_id}", tags=["chat"])
SessionDep = Annotated[Session, Depends(get_session)]


@router.post(
    "/chat",
    summary="Send a message to the todo chatbot",
    description=(
        "Starts a conversation when `conversation_id` is omitted, else continues it (its earlier messages are "
        "loaded from the database). The agent works the user's tasks through the tools add_task, list_tasks, "
        "complete_task, delete_task and update_task; `tool_calls` lists what it did."
    ),
    responses={
        status.HTTP_404_NOT_FOUND: {"model": ErrorResponse, "description": "No such conversation for this user"},
        status.HTTP_502_BAD_GATEWAY: {"model": ErrorResponse, "description": "The language model failed"},
    },
)
def chat(user_id: UserId, body: ChatRequest, request: Request, session: SessionDep) -> ChatResponse:
    settings = request.app.state.settings
    return chat_turn(session, request.app.state.agent, user_id, body, settings.chat_history_limit)


@router.get(
    "/conversations/{conversation_id}/messages",
    summary="Messages of a conversation, oldest first",
    responses={status.HTTP_404_NOT_FOUND: {"model": ErrorResponse, "description": "No such conversation"}},
)
def conversation_messages(user_id: UserId, conversation_id: ConversationId, session: SessionDep) -> list[MessageRead]:
    conversation = get_conversation(session, user_id, conversation_id)
    return [MessageRead.model_validate(m) for m in list_messages(session, conversation.id or 0)]
