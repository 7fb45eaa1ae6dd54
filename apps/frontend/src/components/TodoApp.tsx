"use client";

import { useCallback, useEffect, useState } from "react";
import type { TaskFilter } from "@/lib/types";
import { useTasks } from "@/lib/useTasks";
import { loadOrCreateUserId, saveUserId } from "@/lib/userId";
import { ChatPanel } from "./ChatPanel";
import { TaskPanel } from "./TaskPanel";
import { UserBar } from "./UserBar";

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function TodoApp() {
  // The id lives in the browser, so it is only known after hydration.
  const [userId, setUserId] = useState<string | null>(null);
  const [filter, setFilter] = useState<TaskFilter>("all");
  const tasks = useTasks(userId, filter);
  const { reload } = tasks;

  useEffect(() => {
    setUserId(loadOrCreateUserId(browserStorage()));
  }, []);

  const switchUser = useCallback((id: string) => {
    saveUserId(browserStorage(), id);
    setUserId(id);
  }, []);

  const onToolCalls = useCallback(() => {
    void reload();
  }, [reload]);

  return (
    <div className="app">
      <header className="app__header">
        <h1>Todo Chatbot</h1>
        {userId ? <UserBar userId={userId} onChange={switchUser} /> : null}
      </header>
      {userId ? (
        <main className="app__main">
          <TaskPanel state={tasks} filter={filter} onFilterChange={setFilter} />
          <ChatPanel userId={userId} onToolCalls={onToolCalls} />
        </main>
      ) : (
        <main className="app__main">
          <p className="status">Loading…</p>
        </main>
      )}
    </div>
  );
}
