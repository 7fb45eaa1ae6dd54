"use client";

import { useState, type FormEvent } from "react";
import type { TasksState } from "@/lib/useTasks";
import { TASK_FILTERS, type TaskFilter } from "@/lib/types";
import { ErrorMessage } from "./ErrorMessage";
import { TaskItem } from "./TaskItem";

const FILTER_LABELS: Record<TaskFilter, string> = {
  all: "All",
  pending: "Pending",
  completed: "Completed",
};

const EMPTY_TEXT: Record<TaskFilter, string> = {
  all: "No tasks yet. Add one above or ask the assistant.",
  pending: "Nothing pending.",
  completed: "No completed tasks.",
};

interface TaskPanelProps {
  state: TasksState;
  filter: TaskFilter;
  onFilterChange: (filter: TaskFilter) => void;
}

export function TaskPanel({ state, filter, onFilterChange }: TaskPanelProps) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [adding, setAdding] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = title.trim();
    if (trimmed === "" || adding) return;
    setAdding(true);
    const desc = description.trim();
    const ok = await state.add(desc === "" ? { title: trimmed } : { title: trimmed, description: desc });
    setAdding(false);
    if (ok) {
      setTitle("");
      setDescription("");
    }
  };

  return (
    <section className="panel" aria-labelledby="tasks-heading">
      <h2 id="tasks-heading">Tasks</h2>

      <form className="add-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="new-task-title">New task</label>
          <input
            id="new-task-title"
            name="title"
            value={title}
            maxLength={200}
            required
            placeholder="What needs doing?"
            onChange={(e) => setTitle(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="new-task-description">Description (optional)</label>
          <input
            id="new-task-description"
            name="description"
            value={description}
            maxLength={1000}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <button type="submit" className="primary" aria-disabled={adding}>
          {adding ? "Adding…" : "Add task"}
        </button>
      </form>

      <fieldset className="filters">
        <legend>Show</legend>
        {TASK_FILTERS.map((value) => (
          <label key={value} className="filters__option">
            <input
              type="radio"
              name="task-filter"
              value={value}
              checked={filter === value}
              onChange={() => onFilterChange(value)}
            />
            {FILTER_LABELS[value]}
          </label>
        ))}
      </fieldset>

      <ErrorMessage message={state.error} onDismiss={state.clearError} />

      <p className="status" aria-live="polite">
        {state.loading ? "Loading…" : `${state.tasks.length} ${state.tasks.length === 1 ? "task" : "tasks"}`}
      </p>

      {state.tasks.length > 0 ? (
        <ul className="task-list" aria-label="Task list">
          {state.tasks.map((task) => (
            <TaskItem
              key={task.id}
              task={task}
              onToggle={state.setCompleted}
              onRename={state.rename}
              onDelete={state.remove}
            />
          ))}
        </ul>
      ) : state.loading ? null : (
        <p className="empty">{EMPTY_TEXT[filter]}</p>
      )}
    </section>
  );
}
