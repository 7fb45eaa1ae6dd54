"""The chat endpoint with the offline agent: each intent, conversations kept in the database."""

from __future__ import annotations

import pytest

USER = "carol"


def chat(client, message, conversation_id=None, user=USER):
    body = {"message": message}
    if conversation_id is not None:
        body["conversation_id"] = conversation_id
    response = client.post(f"/api/{user}/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def tasks(client, user=USER):
    return client.get(f"/api/{user}/tasks").json()


def test_add(client):
    reply = chat(client, "add buy milk")
    [task] = tasks(client)
    assert task["title"] == "buy milk"
    assert reply["response"] == f"Added task #{task['id']}: buy milk."
    assert reply["tool_calls"] == [
        {
            "name": "add_task",
            "arguments": {"title": "buy milk"},
            "result": {"task": {"id": task["id"], "title": "buy milk", "description": None, "completed": False}},
        }
    ]
    assert isinstance(reply["conversation_id"], int)


def test_add_too_long_title_is_refused_not_truncated(client):
    reply = chat(client, "add " + "x" * 201)
    assert reply["response"].startswith("I couldn't add that task: invalid arguments: title:")
    assert "error" in reply["tool_calls"][0]["result"]
    assert tasks(client) == []


def test_list_pending_and_completed(client, make_task):
    milk = make_task(client, USER, "buy milk")
    bank = make_task(client, USER, "call bank")
    client.post(f"/api/{USER}/tasks/{bank['id']}/complete")

    pending = chat(client, "what's pending?")
    assert pending["response"] == f"Your pending tasks (1):\n[ ] #{milk['id']} buy milk"
    assert pending["tool_calls"][0]["name"] == "list_tasks"
    assert pending["tool_calls"][0]["arguments"] == {"status": "pending"}
    assert pending["tool_calls"][0]["result"]["count"] == 1

    done = chat(client, "what have I completed?")
    assert done["response"] == f"Your completed tasks (1):\n[x] #{bank['id']} call bank"

    everything = chat(client, "show my tasks")
    assert everything["response"].splitlines() == [
        "Your tasks (2):",
        f"[ ] #{milk['id']} buy milk",
        f"[x] #{bank['id']} call bank",
    ]


def test_list_empty(client):
    assert chat(client, "what's pending?")["response"] == "You have no pending tasks."


def test_complete_by_number_and_by_title(client, make_task):
    milk = make_task(client, USER, "buy milk")
    rent = make_task(client, USER, "Pay rent")
    reply = chat(client, f"mark {milk['id']} done")
    assert reply["response"] == f"Marked task #{milk['id']} (buy milk) as done."
    assert reply["tool_calls"][0]["name"] == "complete_task"
    assert reply["tool_calls"][0]["arguments"] == {"task_id": milk["id"]}
    assert chat(client, f"mark {milk['id']} done")["response"] == f"Task #{milk['id']} (buy milk) was already done."
    assert chat(client, "complete pay RENT")["tool_calls"][0]["arguments"] == {"task_id": rent["id"]}
    assert all(t["completed"] for t in tasks(client))


def test_delete(client, make_task):
    task = make_task(client, USER, "call mom")
    keep = make_task(client, USER, "keep me")
    reply = chat(client, f"delete task {task['id']}")
    assert reply["response"] == f"Deleted task #{task['id']}: call mom."
    assert reply["tool_calls"][0]["result"]["deleted"]["id"] == task["id"]
    assert [t["id"] for t in tasks(client)] == [keep["id"]]


def test_rename_and_describe(client, make_task):
    task = make_task(client, USER, "call dad")
    reply = chat(client, f"rename {task['id']} to call mom")
    assert reply["response"] == f"Renamed task #{task['id']} to \u201ccall mom\u201d."
    assert reply["tool_calls"][0] == {
        "name": "update_task",
        "arguments": {"task_id": task["id"], "title": "call mom"},
        "result": {
            "task": {"id": task["id"], "title": "call mom", "description": None, "completed": False},
            "changed": ["title"],
        },
    }
    chat(client, f"set the description of task {task['id']} to after 6pm")
    assert tasks(client)[0]["description"] == "after 6pm"


@pytest.mark.parametrize("message", ["mark 99 done", "delete task 99", "rename 99 to x"])
def test_unknown_task_number(client, message):
    reply = chat(client, message)
    assert reply["response"] == "I couldn't find task #99. Say \u201clist tasks\u201d to see your tasks."
    assert reply["tool_calls"][0]["result"] == {"error": "Task 99 not found"}


def test_unknown_and_ambiguous_titles(client, make_task):
    assert chat(client, "complete walk the dog")["response"].startswith("I couldn't find a task called")
    first = make_task(client, USER, "same")
    second = make_task(client, USER, "same")
    reply = chat(client, "delete same")
    assert reply["response"] == (
        f"Several tasks are called \u201csame\u201d (#{first['id']}, #{second['id']}); which number do you mean?"
    )
    assert reply["tool_calls"] == []
    assert len(tasks(client)) == 2


def test_says_plainly_what_it_did_not_understand(client):
    reply = chat(client, "what is the weather like?")
    assert reply["response"].startswith("Sorry, I didn't understand \u201cwhat is the weather like\u201d.")
    assert "add buy milk" in reply["response"]
    assert reply["tool_calls"] == []


def test_help(client):
    assert "mark 3 done" in chat(client, "help")["response"]


def test_conversation_is_persisted_and_continued(client):
    first = chat(client, "add buy milk")
    conversation_id = first["conversation_id"]
    second = chat(client, "what's pending?", conversation_id=conversation_id)
    assert second["conversation_id"] == conversation_id
    new = chat(client, "help")
    assert new["conversation_id"] != conversation_id

    messages = client.get(f"/api/{USER}/conversations/{conversation_id}/messages").json()
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "add buy milk"),
        ("assistant", first["response"]),
        ("user", "what's pending?"),
        ("assistant", second["response"]),
    ]
    assert messages[0]["tool_calls"] is None
    assert messages[1]["tool_calls"] == first["tool_calls"]
    assert messages[3]["tool_calls"] == second["tool_calls"]


def test_conversations_are_per_user(client):
    conversation_id = chat(client, "help")["conversation_id"]
    response = client.post("/api/mallory/chat", json={"conversation_id": conversation_id, "message": "help"})
    assert response.status_code == 404
    assert response.json() == {"detail": f"Conversation {conversation_id} not found"}
    assert client.get(f"/api/mallory/conversations/{conversation_id}/messages").status_code == 404
    assert len(client.get(f"/api/{USER}/conversations/{conversation_id}/messages").json()) == 2


def test_chat_cannot_touch_another_users_tasks(client, make_task):
    theirs = make_task(client, "dave", "dave's task")
    assert chat(client, f"delete task {theirs['id']}")["tool_calls"][0]["result"] == {
        "error": f"Task {theirs['id']} not found"
    }
    assert chat(client, "show my tasks")["response"] == "You have no tasks."
    assert client.get(f"/api/dave/tasks/{theirs['id']}").json() == theirs


def test_unknown_conversation_is_404(client):
    response = client.post(f"/api/{USER}/chat", json={"conversation_id": 12345, "message": "hi"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["body", "message"]),
        ({"message": ""}, ["body", "message"]),
        ({"message": "  "}, ["body", "message"]),
        ({"message": "x" * 4001}, ["body", "message"]),
        ({"message": "hi", "conversation_id": 0}, ["body", "conversation_id"]),
        ({"message": "hi", "conversation_id": "abc"}, ["body", "conversation_id"]),
        ({"message": "hi", "extra": 1}, ["body", "extra"]),
    ],
)
def test_chat_validation(client, body, loc):
    response = client.post(f"/api/{USER}/chat", json=body)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [loc]
