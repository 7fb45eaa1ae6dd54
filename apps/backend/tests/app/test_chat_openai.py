"""The chat endpoint with an OpenAI key: the real SDK against the fake OpenAI-compatible server."""

from __future__ import annotations

import json

USER = "erin"


def chat(client, message, conversation_id=None, user=USER, expect=200):
    body = {"message": message}
    if conversation_id is not None:
        body["conversation_id"] = conversation_id
    response = client.post(f"/api/{user}/chat", json=body)
    assert response.status_code == expect, response.text
    return response.json()


def test_tool_call_round_trip(openai_client, fake_openai):
    fake_openai.script(
        {"tool_calls": [{"name": "add_task", "arguments": {"title": "buy milk", "description": "2 liters"}}]},
        {"content": "I added “buy milk” to your list."},
    )
    reply = chat(openai_client, "I need to buy milk, 2 liters")
    [task] = openai_client.get(f"/api/{USER}/tasks").json()
    assert (task["title"], task["description"]) == ("buy milk", "2 liters")
    assert reply["response"] == "I added “buy milk” to your list."
    assert reply["tool_calls"] == [
        {
            "name": "add_task",
            "arguments": {"title": "buy milk", "description": "2 liters"},
            "result": {"task": {"id": task["id"], "title": "buy milk", "description": "2 liters", "completed": False}},
        }
    ]

    first, second = fake_openai.requests
    assert fake_openai.headers[0]["authorization"] == "Bearer sk-test-fake-key"
    assert first["model"] == "gpt-test"
    assert [t["function"]["name"] for t in first["tools"]] == [
        "add_task",
        "list_tasks",
        "complete_task",
        "delete_task",
        "update_task",
    ]
    add_spec = first["tools"][0]["function"]["parameters"]
    assert add_spec["required"] == ["title"]
    assert add_spec["properties"]["title"]["maxLength"] == 200
    assert first["messages"][0]["role"] == "system"
    assert first["messages"][-1] == {"role": "user", "content": "I need to buy milk, 2 liters"}
    # The second request carries the assistant's tool call and the tool's result under the same id.
    call = second["messages"][-2]["tool_calls"][0]
    assert second["messages"][-1]["tool_call_id"] == call["id"]
    assert json.loads(second["messages"][-1]["content"]) == reply["tool_calls"][0]["result"]


def test_several_tools_in_one_turn(openai_client, fake_openai, make_task):
    milk = make_task(openai_client, USER, "milk")
    bread = make_task(openai_client, USER, "bread")
    fake_openai.script(
        {"tool_calls": [{"name": "list_tasks", "arguments": {"status": "pending"}}]},
        {
            "tool_calls": [
                {"name": "complete_task", "arguments": {"task_id": milk["id"]}},
                {"name": "delete_task", "arguments": {"task_id": bread["id"]}},
                {"name": "update_task", "arguments": {"task_id": milk["id"], "title": "oat milk"}},
            ]
        },
        {"content": "Done."},
    )
    reply = chat(openai_client, "finish milk, drop bread, and call the milk oat milk")
    assert [c["name"] for c in reply["tool_calls"]] == ["list_tasks", "complete_task", "delete_task", "update_task"]
    assert reply["tool_calls"][0]["result"]["count"] == 2
    assert openai_client.get(f"/api/{USER}/tasks").json() == [
        {**openai_client.get(f"/api/{USER}/tasks/{milk['id']}").json(), "title": "oat milk", "completed": True}
    ]
    assert len(fake_openai.requests[2]["messages"]) == len(fake_openai.requests[1]["messages"]) + 4


def test_tool_errors_go_back_to_the_model(openai_client, fake_openai, make_task):
    other = make_task(openai_client, "frank", "frank's task")
    fake_openai.script(
        {
            "tool_calls": [
                {"name": "complete_task", "arguments": {"task_id": other["id"]}},  # another user's task
                {"name": "add_task", "arguments": "{not json"},
                {"name": "add_task", "arguments": {"title": ""}},
                {"name": "update_task", "arguments": {"task_id": 1}},
            ]
        },
        {"content": "Sorry, that did not work."},
    )
    reply = chat(openai_client, "do things")
    results = [c["result"] for c in reply["tool_calls"]]
    assert results[0] == {"error": f"Task {other['id']} not found"}
    assert results[1]["error"].startswith("invalid arguments:")
    assert results[2]["error"].startswith("invalid arguments: title:")
    assert results[3]["error"] == "invalid arguments: arguments: Value error, give a new title or description"
    tool_messages = [m for m in fake_openai.requests[1]["messages"] if m["role"] == "tool"]
    assert [json.loads(m["content"]) for m in tool_messages] == results
    assert openai_client.get(f"/api/frank/tasks/{other['id']}").json()["completed"] is False
    assert openai_client.get(f"/api/{USER}/tasks").json() == []


def test_history_comes_from_the_database(openai_client, fake_openai):
    fake_openai.script({"content": "Hello! How can I help?"}, {"content": "You said hi before."})
    first = chat(openai_client, "hi")
    second = chat(openai_client, "what did I say?", conversation_id=first["conversation_id"])
    assert second["conversation_id"] == first["conversation_id"]
    assert fake_openai.requests[1]["messages"][1:] == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "what did I say?"},
    ]


def test_model_failure_is_502_and_stores_nothing(openai_client, fake_openai):
    fake_openai.script(
        {"tool_calls": [{"name": "add_task", "arguments": {"title": "half done"}}]},
        {"error": {"status": 500, "message": "upstream exploded"}},
    )
    response = openai_client.post(f"/api/{USER}/chat", json={"message": "add half done"})
    assert response.status_code == 502
    assert response.json() == {"detail": "the language model request failed (InternalServerError)"}
    assert openai_client.get(f"/api/{USER}/tasks").json() == []
    assert openai_client.get(f"/api/{USER}/conversations/1/messages").status_code == 404


def test_wrong_key_is_502(openai_client, fake_openai):
    fake_openai.api_key, original = "sk-other", fake_openai.api_key
    try:
        response = openai_client.post(f"/api/{USER}/chat", json={"message": "hi"})
    finally:
        fake_openai.api_key = original
    assert response.status_code == 502
    assert "AuthenticationError" in response.json()["detail"]


def test_a_model_that_never_stops_calling_tools_is_cut_off(openai_client, fake_openai):
    fake_openai.script(*[{"tool_calls": [{"name": "list_tasks", "arguments": {}}]}] * 6)
    reply = chat(openai_client, "loop")
    assert reply["response"].startswith("Sorry, I could not finish that request")
    assert len(reply["tool_calls"]) == 6
    assert len(fake_openai.requests) == 6
