"""The chatbot with an OpenAI key: Chat Completions tool calling through the official SDK."""

from __future__ import annotations

import json
import logging
from typing import Any

import openai
from sqlmodel import Session

from ..config import Settings
from .agent import AgentReply, ChatUnavailableError, HistoryItem
from .tools import openai_tool_specs, run_tool

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are the assistant of a todo app. You manage the user's tasks only through the tools "
    "add_task, list_tasks, complete_task, delete_task and update_task. Tasks are identified by the "
    "numeric id that list_tasks returns; when the user names a task by its title, call list_tasks "
    "first to find its id. Never invent ids or results. After acting, confirm briefly what you did; "
    "if a tool returns an error, explain it plainly. Answer in the user's language."
)
# Tool-call rounds per user message before the agent gives up (a model looping on tools).
MAX_ROUNDS = 6


class OpenAIAgent:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        if settings.openai_api_key is None:
            raise ValueError("OpenAIAgent needs OPENAI_API_KEY")
        self.model = settings.openai_model
        self.client = openai.OpenAI(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=str(settings.openai_base_url) if settings.openai_base_url else None,
            timeout=settings.openai_timeout,
            max_retries=settings.openai_max_retries,
        )
        self.tools = openai_tool_specs()

    def close(self) -> None:
        self.client.close()

    def reply(self, session: Session, user_id: str, history: list[HistoryItem], message: str) -> AgentReply:
        messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
        messages += [{"role": item.role, "content": item.content} for item in history]
        messages.append({"role": "user", "content": message})
        calls = []
        for _ in range(MAX_ROUNDS):
            answer = self._complete(messages)
            # Only function tools are offered, so other kinds of call are ignored.
            tool_calls = [tc for tc in answer.tool_calls or [] if tc.type == "function"]
            if not tool_calls:
                return AgentReply(answer.content or "", calls)
            messages.append(
                {
                    "role": "assistant",
                    "content": answer.content,
                    "tool_calls": [
                        {
                            "id": tc.id,
                            "type": "function",
                            "function": {"name": tc.function.name, "arguments": tc.function.arguments},
                        }
                        for tc in tool_calls
                    ],
                }
            )
            for tc in tool_calls:
                call = run_tool(session, user_id, tc.function.name, tc.function.arguments)
                log.info("tool call", extra={"tool": call.name, "ok": "error" not in call.result})
                calls.append(call)
                messages.append({"role": "tool", "tool_call_id": tc.id, "content": json.dumps(call.result)})
        log.warning("model kept calling tools", extra={"rounds": MAX_ROUNDS})
        return AgentReply("Sorry, I could not finish that request. Please try again in simpler steps.", calls)

    def _complete(self, messages: list[dict[str, Any]]) -> Any:
        try:
            completion = self.client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                tools=self.tools,  # type: ignore[arg-type]
                tool_choice="auto",
            )
        except openai.APIError as error:
            status = getattr(error, "status_code", None)
            log.error("model request failed", extra={"error": type(error).__name__, "status": status})
            raise ChatUnavailableError(f"the language model request failed ({type(error).__name__})") from error
        if not completion.choices:
            raise ChatUnavailableError("the language model returned no choices")
        return completion.choices[0].message
