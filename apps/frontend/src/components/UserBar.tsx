"use client";

import { useState, type FormEvent } from "react";
import { isValidUserId } from "@/lib/userId";

interface UserBarProps {
  userId: string;
  onChange: (userId: string) => void;
}

/** Shows whose tasks these are and lets the person switch to another id. */
export function UserBar({ userId, onChange }: UserBarProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(userId);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = draft.trim();
    if (!isValidUserId(value)) {
      setProblem("Use 1–128 letters, digits, '.', '_', '@' or '-'.");
      return;
    }
    setProblem(null);
    setEditing(false);
    if (value !== userId) onChange(value);
  };

  if (!editing) {
    return (
      <div className="user-bar">
        <span>
          Signed in as <strong data-testid="user-id">{userId}</strong>
        </span>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setDraft(userId);
            setEditing(true);
          }}
        >
          Switch user
        </button>
      </div>
    );
  }

  return (
    <form className="user-bar" onSubmit={submit}>
      <label htmlFor="user-id-input">User id</label>
      <input
        id="user-id-input"
        value={draft}
        autoFocus
        maxLength={128}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? "user-id-problem" : undefined}
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit">Use</button>
      <button type="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {problem ? (
        <p id="user-id-problem" className="error" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
