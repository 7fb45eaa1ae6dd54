"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import * as api from "./api";
import type { NewTask, Task, TaskFilter } from "./types";

export interface TasksState {
  tasks: Task[];
  loading: boolean;
  error: string | null;
  clearError: () => void;
  reload: () => Promise<void>;
  add: (task: NewTask) => Promise<boolean>;
  setCompleted: (task: Task, completed: boolean) => Promise<boolean>;
  rename: (task: Task, title: string) => Promise<boolean>;
  remove: (task: Task) => Promise<boolean>;
}

/**
 * The user's task list for one filter, kept in sync with the backend: every
 * change is sent to the API and the list is then read back, so what is shown
 * is what the backend holds (also after the chatbot changed it).
 */
export function useTasks(userId: string | null, filter: TaskFilter): TasksState {
  const [tasks, setTasks] = useState<Task[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Answers to older list requests (an earlier filter) must not overwrite newer ones.
  const latest = useRef(0);

  const reload = useCallback(async () => {
    if (!userId) return;
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const fresh = await api.listTasks(userId, filter);
      if (ticket === latest.current) {
        setTasks(fresh);
      }
    } catch (e) {
      if (ticket === latest.current) {
        setError(api.errorMessage(e));
      }
    } finally {
      if (ticket === latest.current) {
        setLoading(false);
      }
    }
  }, [userId, filter]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const mutate = useCallback(
    async (action: (id: string) => Promise<unknown>): Promise<boolean> => {
      if (!userId) return false;
      try {
        await action(userId);
        setError(null);
        return true;
      } catch (e) {
        setError(api.errorMessage(e));
        return false;
      } finally {
        await reload();
      }
    },
    [userId, reload],
  );

  return {
    tasks,
    loading,
    error,
    clearError: useCallback(() => setError(null), []),
    reload,
    add: useCallback((task: NewTask) => mutate((id) => api.createTask(id, task)), [mutate]),
    setCompleted: useCallback(
      (task: Task, completed: boolean) =>
        mutate((id) => (completed ? api.completeTask(id, task.id) : api.updateTask(id, task.id, { completed: false }))),
      [mutate],
    ),
    rename: useCallback((task: Task, title: string) => mutate((id) => api.updateTask(id, task.id, { title })), [mutate]),
    remove: useCallback((task: Task) => mutate((id) => api.deleteTask(id, task.id)), [mutate]),
  };
}
