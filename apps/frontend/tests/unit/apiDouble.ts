// An in-memory stand-in for the backend's HTTP API (the contract in
// apps/backend), used only by the component tests to drive the UI without a
// server. The browser end-to-end test (tests/e2e) runs against the real backend.
import type { ChatResponse, Task } from "@/lib/types";

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
}

export interface ApiDouble {
  fetch: typeof fetch;
  tasks: Task[];
  calls: RecordedCall[];
  /** The next request (whatever it is) answers with this status and body. */
  failNext: (status: number, body: unknown) => void;
  /** What the chat endpoint does with the next message. */
  chatReply: (message: string, userId: string) => ChatResponse;
}

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

export function createApiDouble(): ApiDouble {
  let nextId = 1;
  let failure: { status: number; body: unknown } | null = null;
  const now = () => new Date().toISOString();

  const double: ApiDouble = {
    tasks: [],
    calls: [],
    failNext(status, body) {
      failure = { status, body };
    },
    chatReply(message, userId) {
      const match = /^add (.+)$/i.exec(message);
      if (!match) return { conversation_id: 1, response: "I did not understand.", tool_calls: [] };
      const task = addTask(userId, match[1]!);
      return {
        conversation_id: 1,
        response: `Added "${task.title}".`,
        tool_calls: [{ name: "add_task", arguments: { title: task.title }, result: { task_id: task.id, status: "created" } }],
      };
    },
    fetch: async (input, init) => {
      const url = new URL(String(input), "http://todo.test");
      const method = (init?.method ?? "GET").toUpperCase();
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      double.calls.push({ method, path: `${url.pathname}${url.search}`, body });
      if (failure) {
        const f = failure;
        failure = null;
        return json(f.status, f.body);
      }
      const m = /^\/api\/([^/]+)\/(tasks|chat)(?:\/(\d+))?(\/complete)?$/.exec(url.pathname);
      if (!m) return json(404, { detail: "Not Found" });
      const userId = decodeURIComponent(m[1]!);
      if (m[2] === "chat") return json(200, double.chatReply(String(body.message), userId));
      if (!m[3]) {
        if (method === "POST") return json(201, addTask(userId, body.title, body.description));
        const status = url.searchParams.get("status") ?? "all";
        return json(
          200,
          double.tasks.filter(
            (t) => t.user_id === userId && (status === "all" || t.completed === (status === "completed")),
          ),
        );
      }
      const task = double.tasks.find((t) => t.user_id === userId && t.id === Number(m[3]));
      if (!task) return json(404, { detail: `Task ${m[3]} not found` });
      if (m[4]) {
        task.completed = true;
        return json(200, task);
      }
      if (method === "PATCH") {
        Object.assign(task, body, { updated_at: now() });
        return json(200, task);
      }
      if (method === "DELETE") {
        double.tasks = double.tasks.filter((t) => t !== task);
        return new Response(null, { status: 204 });
      }
      return json(200, task);
    },
  };

  function addTask(userId: string, title: string, description?: string): Task {
    const task: Task = {
      id: nextId++,
      user_id: userId,
      title,
      description: description ?? null,
      completed: false,
      created_at: now(),
      updated_at: now(),
    };
    double.tasks.push(task);
    return task;
  }

  return double;
}
