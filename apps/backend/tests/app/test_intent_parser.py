"""The offline intent parser on its own: English in, intent out (no database)."""

from __future__ import annotations

import pytest

from app.chat.local_agent import Intent, parse


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("add buy milk", Intent("add", text="buy milk")),
        ("Add Buy Milk.", Intent("add", text="Buy Milk")),
        ("add task: call the bank", Intent("add", text="call the bank")),
        ("create a task to water the plants", Intent("add", text="water the plants")),
        ("new todo pay rent", Intent("add", text="pay rent")),
        ("please add a new task called Write report", Intent("add", text="Write report")),
        ("remind me to call mom", Intent("add", text="call mom")),
        ("what's pending?", Intent("list", status="pending")),
        ("What is left to do?", Intent("list", status="pending")),
        ("show my tasks", Intent("list", status="all")),
        ("list", Intent("list", status="all")),
        ("list all tasks", Intent("list", status="all")),
        ("show my to do list", Intent("list", status="all")),
        ("which tasks are not done", Intent("list", status="pending")),
        ("what have I completed?", Intent("list", status="completed")),
        ("show done tasks", Intent("list", status="completed")),
        ("mark 3 done", Intent("complete", task_id=3)),
        ("mark task #3 as completed", Intent("complete", task_id=3)),
        ("complete task 12", Intent("complete", task_id=12)),
        ("finish 4", Intent("complete", task_id=4)),
        ("task 5 is done", Intent("complete", task_id=5)),
        ("I finished task 6", Intent("complete", task_id=6)),
        ("mark Buy milk as done", Intent("complete", title="Buy milk")),
        ("delete task 2", Intent("delete", task_id=2)),
        ("remove #7", Intent("delete", task_id=7)),
        ("delete the task 'Pay rent'", Intent("delete", title="Pay rent")),
        ("rename 1 to call mom", Intent("rename", task_id=1, text="call mom")),
        ("Rename task 1 to Call Mom", Intent("rename", task_id=1, text="Call Mom")),
        ("change task 4 to go to the gym", Intent("rename", task_id=4, text="go to the gym")),
        ("update 2 title to: new name", Intent("rename", task_id=2, text="new name")),
        ("set the description of task 3 to two liters", Intent("describe", task_id=3, text="two liters")),
        ("help", Intent("help")),
        ("hello", Intent("help")),
        ("what is the weather like?", Intent("unknown")),
        ("mark", Intent("unknown")),
        ("", Intent("unknown")),
        ("   ", Intent("unknown")),
        ("delete all tasks", Intent("unknown")),
    ],
)
def test_parse(message, expected):
    assert parse(message) == expected


def test_parse_is_deterministic():
    assert [parse("mark 3 done") for _ in range(3)] == [Intent("complete", task_id=3)] * 3
