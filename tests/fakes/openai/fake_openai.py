"""A fake OpenAI-compatible Chat Completions server for tests (stdlib only).

Stands in for the OpenAI API (`POST /v1/chat/completions`, `GET /v1/models`):
it answers in the real wire format, including function tool calls, and checks
requests the way the real API does (bearer key, model, messages, every tool
call answered by a `tool` message with its id, tool messages only after such a
call). Tests script its answers and read back the requests it received.

In-process:
    fake = FakeOpenAI(api_key="sk-test").start()
    fake.script({"tool_calls": [{"name": "add_task", "arguments": {"title": "milk"}}]},
                {"content": "Added it."})
    ... point the client at fake.base_url ...
    fake.requests  # JSON bodies received
    fake.stop()

Standalone (scripting through POST /_fake/script, reading GET /_fake/requests):
    python tests/fakes/openai/fake_openai.py --port 18080 --api-key sk-test

A scripted answer is one of:
    {"content": "text"}
    {"tool_calls": [{"name": "...", "arguments": {...} or "raw JSON string"}], "content": optional}
    {"error": {"status": 500, "message": "...", "type": "server_error"}}
With nothing scripted it answers {"content": "(fake) <last user message>"}.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ROLES = {"system", "developer", "user", "assistant", "tool"}


class RequestError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param


def validate_chat_request(body: Any) -> None:
    """Raise RequestError where the real API would answer 400."""
    if not isinstance(body, dict):
        raise RequestError(400, "We could not parse the JSON body of your request.")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise RequestError(400, "you must provide a model parameter", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError(400, "'messages' must be a non-empty array", param="messages")
    if body.get("stream"):
        raise RequestError(400, "this fake does not implement streaming", param="stream")
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise RequestError(400, "'tools' must be an array", param="tools")
        for i, tool in enumerate(tools):
            function = tool.get("function") if isinstance(tool, dict) else None
            if tool.get("type") != "function" or not isinstance(function, dict) or not function.get("name"):
                raise RequestError(400, f"Invalid value for 'tools[{i}]'", param=f"tools[{i}]")
            if not isinstance(function.get("parameters", {}), dict):
                raise RequestError(400, f"Invalid schema for function '{function['name']}'", param=f"tools[{i}]")
    pending: list[str] = []  # tool_call ids still waiting for their tool message
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ROLES:
            raise RequestError(400, f"Invalid value for 'messages[{i}].role'", param=f"messages[{i}].role")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in pending:
                raise RequestError(
                    400,
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with "
                    "'tool_calls'.",
                    param=f"messages[{i}].role",
                )
            pending.remove(call_id)
            if not isinstance(message.get("content"), str):
                raise RequestError(400, f"Invalid value for 'messages[{i}].content'", param=f"messages[{i}].content")
            continue
        if pending:
            raise RequestError(
                400,
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(pending)}",
                param="messages",
            )
        if role == "assistant" and message.get("tool_calls"):
            for call in message["tool_calls"]:
                function = call.get("function") or {}
                if (
                    call.get("type") != "function"
                    or not call.get("id")
                    or not isinstance(function.get("arguments"), str)
                ):
                    raise RequestError(400, f"Invalid value for 'messages[{i}].tool_calls'", param=f"messages[{i}]")
                pending.append(call["id"])
        elif not isinstance(message.get("content"), str):
            raise RequestError(400, f"Invalid value for 'messages[{i}].content'", param=f"messages[{i}].content")
    if pending:
        raise RequestError(
            400,
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
            f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(pending)}",
            param="messages",
        )


class FakeOpenAI:
    def __init__(self, api_key: str = "sk-fake", host: str = "127.0.0.1", port: int = 0) -> None:
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._script: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, *answers: dict[str, Any]) -> None:
        with self._lock:
            self._script.extend(answers)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.headers.clear()

    @property
    def unused_script(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._script)

    # --- answers -----------------------------------------------------------------
    def _next_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self._script:
                return self._script.pop(0)
        last_user = next((m.get("content") for m in reversed(body["messages"]) if m.get("role") == "user"), "")
        return {"content": f"(fake) {last_user}"}

    def _completion(self, body: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        n = next(self._ids)
        message: dict[str, Any] = {
            "role": "assistant",
            "content": answer.get("content"),
            "refusal": None,
            "annotations": [],
        }
        finish_reason = "stop"
        if answer.get("tool_calls"):
            offered = {t["function"]["name"] for t in body.get("tools") or []}
            calls = []
            for k, call in enumerate(answer["tool_calls"]):
                if call["name"] not in offered:
                    raise RequestError(500, f"fake script calls tool {call['name']!r} the request did not offer")
                arguments = call.get("arguments", {})
                calls.append(
                    {
                        "id": f"call_{n:012d}{k:012d}",
                        "type": "function",
                        "function": {
                            "name": call["name"],
                            "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                        },
                    }
                )
            message["tool_calls"] = calls
            finish_reason = "tool_calls"
        prompt_tokens = sum(len(str(m.get("content") or "").split()) for m in body["messages"])
        completion_tokens = len(str(message["content"] or "").split()) + 10 * len(message.get("tool_calls", []))
        return {
            "id": f"chatcmpl-fake{n:020d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {
                    "reasoning_tokens": 0,
                    "audio_tokens": 0,
                    "accepted_prediction_tokens": 0,
                    "rejected_prediction_tokens": 0,
                },
            },
            "service_tier": "default",
            "system_fingerprint": "fp_fake",
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-request-id", f"req_fake{next(fake._ids)}")
                self.end_headers()
                self.wfile.write(data)

            def _error(self, error: RequestError) -> None:
                kind = "invalid_request_error" if error.status < 500 else "server_error"
                self._send(
                    error.status,
                    {"error": {"message": error.message, "type": kind, "param": error.param, "code": error.code}},
                )

            def _read_json(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    return json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    raise RequestError(400, "We could not parse the JSON body of your request.") from None

            def _authorized(self) -> bool:
                if self.headers.get("Authorization") == f"Bearer {fake.api_key}":
                    return True
                self._error(RequestError(401, "Incorrect API key provided.", code="invalid_api_key"))
                return False

            def do_GET(self) -> None:
                if self.path == "/_fake/requests":
                    self._send(200, fake.requests)
                elif self.path == "/v1/models":
                    if self._authorized():
                        self._send(
                            200,
                            {
                                "object": "list",
                                "data": [{"id": "gpt-fake", "object": "model", "created": 0, "owned_by": "fake"}],
                            },
                        )
                else:
                    self._error(RequestError(404, f"Invalid URL (GET {self.path})"))

            def do_POST(self) -> None:
                try:
                    if self.path == "/_fake/script":
                        fake.script(*self._read_json()["responses"])
                        self._send(200, {"queued": len(fake.unused_script)})
                    elif self.path == "/_fake/reset":
                        fake.reset()
                        self._send(200, {})
                    elif self.path == "/v1/chat/completions":
                        if not self._authorized():
                            return
                        body = self._read_json()
                        fake.requests.append(body)
                        fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                        validate_chat_request(body)
                        answer = fake._next_answer(body)
                        if "error" in answer:
                            err = answer["error"]
                            raise RequestError(err.get("status", 500), err.get("message", "fake error"))
                        self._send(200, fake._completion(body, answer))
                    else:
                        raise RequestError(404, f"Invalid URL (POST {self.path})")
                except RequestError as error:
                    self._error(error)

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--api-key", default="sk-fake")
    args = parser.parse_args()
    fake = FakeOpenAI(api_key=args.api_key, host=args.host, port=args.port)
    print(f"fake OpenAI API on {fake.base_url} (key {args.api_key})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        fake._server.serve_forever()


if __name__ == "__main__":
    main()
