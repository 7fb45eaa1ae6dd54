"""One chat turn, stateless on the server: the conversation lives in the database."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ..models import Conversation, Message, utcnow
from ..schemas import ChatRequest, ChatResponse
from .agent import Agent, HistoryItem


class ConversationNotFoundError(LookupError):
    def __init__(self, conversation_id: int) -> None:
        super().__init__(f"Conversation {conversation_id} not found")
        self.conversation_id = conversation_id


def get_conversation(session: Session, user_id: str, conversation_id: int) -> Conversation:
    conversation = session.exec(
        select(Conversation).where(Conversation.id == conversation_id, Conversation.user_id == user_id)
    ).first()
    if conversation is None:
        raise ConversationNotFoundError(conversation_id)
    return conversation


def list_messages(session: Session, conversation_id: int, limit: int | None = None) -> list[Message]:
    """Messages of a conversation, oldest first; with `limit`, only the newest `limit` of them."""
    query = select(Message).where(Message.conversation_id == conversation_id).order_by(col(Message.id).desc())
    if limit is not None:
        query = query.limit(limit)
    return list(reversed(session.exec(query).all()))


def chat_turn(session: Session, agent: Agent, user_id: str, request: ChatRequest, history_limit: int) -> ChatResponse:
    """Load (or start) the conversation, let the agent answer, store both messages; one transaction.

    If the agent fails (model unreachable), nothing is stored, tool effects included.
    """
    if request.conversation_id is None:
        conversation = Conversation(user_id=user_id)
        session.add(conversation)
        session.flush()
    else:
        conversation = get_conversation(session, user_id, request.conversation_id)
    if conversation.id is None:  # set by the flush above
        raise RuntimeError("conversation was not stored")
    history = [HistoryItem(m.role, m.content) for m in list_messages(session, conversation.id, history_limit)]
    session.add(Message(conversation_id=conversation.id, user_id=user_id, role="user", content=request.message))
    try:
        reply = agent.reply(session, user_id, history, request.message)
    except Exception:
        session.rollback()
        raise
    calls = [call.model_dump() for call in reply.tool_calls]
    session.add(
        Message(
            conversation_id=conversation.id, user_id=user_id, role="assistant", content=reply.text, tool_calls=calls
        )
    )
    conversation.updated_at = utcnow()
    session.add(conversation)
    session.commit()
    return ChatResponse(conversation_id=conversation.id, response=reply.text, tool_calls=reply.tool_calls)
