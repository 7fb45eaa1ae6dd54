"use client";

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { Task } from "@/lib/types";

interface TaskItemProps {
  task: Task;
  onToggle: (task: Task, completed: boolean) => Promise<boolean>;
  onRename: (task: Task, title: string) => Promise<boolean>;
  onDelete: (task: Task) => Promise<boolean>;
}

export function TaskItem({ task, onToggle, onRename, onDelete }: TaskItemProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(task.title);
  const [busy, setBusy] = useState(false);
  // The state the user just asked for, shown until the backend has answered.
  const [requested, setRequested] = useState<boolean | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  useEffect(() => {
    if (editing) {
      inputRef.current?.focus();
      inputRef.current?.select();
    } else if (wasEditing.current) {
      editButtonRef.current?.focus(); // keyboard users land back where they started
    }
    wasEditing.current = editing;
  }, [editing]);

  const run = async (action: () => Promise<boolean>) => {
    setBusy(true);
    try {
      return await action();
    } finally {
      setBusy(false);
    }
  };

  const startEditing = () => {
    setDraft(task.title);
    setEditing(true);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const title = draft.trim();
    if (title === "" || title === task.title) {
      setEditing(false);
      return;
    }
    if (await run(() => onRename(task, title))) {
      setEditing(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Escape") {
      event.preventDefault();
      setEditing(false);
    }
  };

  const checkboxId = `task-${task.id}-done`;

  return (
    <li className={`task${task.completed ? " task--done" : ""}`} data-testid="task-item">
      {editing ? (
        <form className="task__edit" onSubmit={save}>
          <label htmlFor={`task-${task.id}-title`} className="visually-hidden">
            New title for {task.title}
          </label>
          <input
            id={`task-${task.id}-title`}
            ref={inputRef}
            value={draft}
            maxLength={200}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
            disabled={busy}
          />
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" onClick={() => setEditing(false)} disabled={busy}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          <input
            id={checkboxId}
            type="checkbox"
            checked={requested ?? task.completed}
            // Not `disabled` while saving: that would drop keyboard focus.
            aria-busy={busy}
            onChange={(e) => {
              if (busy) return;
              const completed = e.target.checked;
              setRequested(completed);
              void run(() => onToggle(task, completed)).finally(() => setRequested(null));
            }}
            aria-label={task.completed ? `Mark "${task.title}" as not done` : `Mark "${task.title}" as done`}
          />
          <div className="task__text">
            <span className="task__title">{task.title}</span>
            {task.description ? <p className="task__description">{task.description}</p> : null}
          </div>
          <div className="task__actions">
            <button
              type="button"
              ref={editButtonRef}
              onClick={startEditing}
              disabled={busy}
              aria-label={`Edit "${task.title}"`}
            >
              Edit
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => void run(() => onDelete(task))}
              disabled={busy}
              aria-label={`Delete "${task.title}"`}
            >
              Delete
            </button>
          </div>
        </>
      )}
    </li>
  );
}
