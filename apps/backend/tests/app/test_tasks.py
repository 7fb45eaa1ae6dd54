"""Task CRUD, validation and isolation, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlmodel import Session

from app import crud
from app.main import create_app
from app.schemas import TaskRead

from .conftest import database_altered, make_settings

ALICE, BOB = "alice", "bob-2"


def test_create_returns_the_task(client, make_task):
    task = make_task(client, ALICE, "  Buy milk  ", description="2 liters")
    assert task["title"] == "Buy milk"
    assert task["description"] == "2 liters"
    assert task["completed"] is False
    assert task["user_id"] == ALICE
    assert isinstance(task["id"], int)
    created = datetime.fromisoformat(task["created_at"])
    assert created.utcoffset() == timedelta(0)
    assert task["created_at"] == task["updated_at"]


def test_get_list_and_persisted_fields(client, make_task):
    first = make_task(client, ALICE, "one")
    second = make_task(client, ALICE, "two", description="details")
    assert client.get(f"/api/{ALICE}/tasks/{second['id']}").json() == second
    listed = client.get(f"/api/{ALICE}/tasks").json()
    assert [t["id"] for t in listed] == [first["id"], second["id"]]
    assert listed[1] == second


def test_status_filter(client, make_task):
    open_task = make_task(client, ALICE, "open")
    done = make_task(client, ALICE, "done")
    assert client.post(f"/api/{ALICE}/tasks/{done['id']}/complete").status_code == 200

    def ids(status: str | None) -> list[int]:
        params = {"status": status} if status else {}
        response = client.get(f"/api/{ALICE}/tasks", params=params)
        assert response.status_code == 200
        return [t["id"] for t in response.json()]

    assert ids(None) == ids("all") == [open_task["id"], done["id"]]
    assert ids("pending") == [open_task["id"]]
    assert ids("completed") == [done["id"]]
    bad = client.get(f"/api/{ALICE}/tasks", params={"status": "later"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "status"]


def test_patch_changes_only_given_fields_and_bumps_updated_at(client, make_task):
    task = make_task(client, ALICE, "old title", description="keep me")
    response = client.patch(f"/api/{ALICE}/tasks/{task['id']}", json={"title": "new title"})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["title"] == "new title"
    assert updated["description"] == "keep me"
    assert updated["completed"] is False
    assert updated["created_at"] == task["created_at"]
    assert datetime.fromisoformat(updated["updated_at"]) > datetime.fromisoformat(task["updated_at"])

    cleared = client.patch(f"/api/{ALICE}/tasks/{task['id']}", json={"description": None, "completed": True}).json()
    assert cleared["description"] is None
    assert cleared["completed"] is True
    assert client.get(f"/api/{ALICE}/tasks/{task['id']}").json() == cleared


def test_complete_is_idempotent_and_patch_can_reopen(client, make_task):
    task = make_task(client, ALICE, "t")
    first = client.post(f"/api/{ALICE}/tasks/{task['id']}/complete")
    assert first.status_code == 200
    assert first.json()["completed"] is True
    again = client.post(f"/api/{ALICE}/tasks/{task['id']}/complete")
    assert again.json() == first.json()
    reopened = client.patch(f"/api/{ALICE}/tasks/{task['id']}", json={"completed": False}).json()
    assert reopened["completed"] is False


def test_delete(client, make_task):
    task = make_task(client, ALICE, "t")
    response = client.delete(f"/api/{ALICE}/tasks/{task['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/api/{ALICE}/tasks/{task['id']}").status_code == 404
    assert client.delete(f"/api/{ALICE}/tasks/{task['id']}").status_code == 404
    assert client.get(f"/api/{ALICE}/tasks").json() == []


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"title": "x"}),
        ("delete", "", None),
        ("post", "/complete", None),
    ],
)
def test_unknown_task_is_404(client, method, suffix, body):
    response = client.request(method, f"/api/{ALICE}/tasks/999{suffix}", json=body)
    assert response.status_code == 404
    assert response.json() == {"detail": "Task 999 not found"}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["body", "title"]),
        ({"title": ""}, ["body", "title"]),
        ({"title": "   "}, ["body", "title"]),
        ({"title": "x" * 201}, ["body", "title"]),
        ({"title": 5}, ["body", "title"]),
        ({"title": "ok", "description": "d" * 1001}, ["body", "description"]),
        ({"title": "ok", "completed": True}, ["body", "completed"]),  # not settable on create
        ({"title": "ok", "owner": "bob"}, ["body", "owner"]),
    ],
)
def test_create_validation(client, body, loc):
    response = client.post(f"/api/{ALICE}/tasks", json=body)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [loc]
    assert all(e["msg"] for e in errors)
    assert client.get(f"/api/{ALICE}/tasks").json() == []


def test_limits_are_inclusive(client, make_task):
    task = make_task(client, ALICE, "x" * 200, description="d" * 1000)
    assert len(task["title"]) == 200
    assert len(task["description"]) == 1000


@pytest.mark.parametrize(
    "body",
    [{}, {"title": None}, {"completed": None}, {"title": ""}, {"title": "x" * 201}, {"completed": "maybe"}, {"id": 5}],
)
def test_patch_validation(client, make_task, body):
    task = make_task(client, ALICE, "keep")
    response = client.patch(f"/api/{ALICE}/tasks/{task['id']}", json=body)
    assert response.status_code == 422, response.text
    assert client.get(f"/api/{ALICE}/tasks/{task['id']}").json() == task


@pytest.mark.parametrize(
    "path",
    [
        "/api/{user}/tasks/0",
        "/api/{user}/tasks/-1",
        "/api/{user}/tasks/abc",
        "/api/{user}/tasks/2147483648",
        "/api/has space/tasks",
        "/api/" + "u" * 129 + "/tasks",
        "/api/semi;colon/tasks",
    ],
)
def test_bad_path_parameters_are_422(client, path):
    response = client.get(path.format(user=ALICE))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "path"


def test_users_are_isolated(client, make_task):
    mine = make_task(client, ALICE, "alice's secret")
    make_task(client, BOB, "bob's")
    assert [t["title"] for t in client.get(f"/api/{BOB}/tasks").json()] == ["bob's"]
    base = f"/api/{BOB}/tasks/{mine['id']}"
    assert client.get(base).status_code == 404
    assert client.patch(base, json={"title": "hijacked"}).status_code == 404
    assert client.post(f"{base}/complete").status_code == 404
    assert client.delete(base).status_code == 404
    assert client.get(f"/api/{ALICE}/tasks/{mine['id']}").json() == mine


def test_user_ids_are_exact_not_case_folded(client, make_task):
    make_task(client, ALICE, "t")
    assert client.get(f"/api/{ALICE.upper()}/tasks").json() == []


def test_list_json_is_what_the_orm_path_and_the_single_task_route_give(client, make_task):
    """The list is built from plain rows; its bytes equal the ORM objects' and GET /tasks/{id}'s serialization."""
    make_task(client, ALICE, "plain")
    make_task(client, ALICE, '  Grüße, 東京 "quoted"  ', description="line\nbreak\ttab \\ é")
    done = make_task(client, ALICE, "done", description="   ")
    make_task(client, BOB, "not alice's")
    assert client.post(f"/api/{ALICE}/tasks/{done['id']}/complete").status_code == 200

    for status in ("all", "pending", "completed"):
        response = client.get(f"/api/{ALICE}/tasks", params={"status": status})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        with Session(client.app.state.engine) as session:
            tasks = crud.list_tasks(session, ALICE, status)
        assert response.content == TypeAdapter(list[TaskRead]).dump_json([TaskRead.model_validate(t) for t in tasks])
        singles = [client.get(f"/api/{ALICE}/tasks/{t.id}").content for t in tasks]
        assert response.content == b"[" + b",".join(singles) + b"]"
    assert [t["title"] for t in client.get(f"/api/{ALICE}/tasks", params={"status": "completed"}).json()] == ["done"]


def test_list_is_oldest_first_whatever_changed(client, make_task):
    ids = [make_task(client, ALICE, f"t{i}")["id"] for i in range(4)]
    client.patch(f"/api/{ALICE}/tasks/{ids[0]}", json={"title": "renamed"})
    client.post(f"/api/{ALICE}/tasks/{ids[1]}/complete")
    client.patch(f"/api/{ALICE}/tasks/{ids[1]}", json={"completed": False})
    client.delete(f"/api/{ALICE}/tasks/{ids[2]}")
    assert [t["id"] for t in client.get(f"/api/{ALICE}/tasks").json()] == [ids[0], ids[1], ids[3]]
    assert client.get(f"/api/{ALICE}/tasks").json()[0]["title"] == "renamed"


def test_list_operation_is_documented_as_a_task_array(client):
    operation = client.get("/api/openapi.json").json()["paths"]["/api/{user_id}/tasks"]["get"]
    assert operation["operationId"] == "list_tasks_api__user_id__tasks_get"
    assert [(p["name"], p["in"]) for p in operation["parameters"]] == [("user_id", "path"), ("status", "query")]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array"
    assert schema["items"] == {"$ref": "#/components/schemas/TaskRead"}
    assert "422" in operation["responses"]


def test_list_timestamps_are_utc_whatever_the_server_time_zone(postgres_url, make_task):
    """The read pool's sessions run in UTC: a server default elsewhere changes no byte of the list."""
    new_york = database_altered(postgres_url, "SET timezone TO 'America/New_York'", "RESET timezone")
    with new_york, TestClient(create_app(make_settings(postgres_url))) as client:
        make_task(client, ALICE, "in new york")
        listed = client.get(f"/api/{ALICE}/tasks")
        singles = [client.get(f"/api/{ALICE}/tasks/{task['id']}").content for task in listed.json()]
        assert listed.content == b"[" + b",".join(singles) + b"]"
