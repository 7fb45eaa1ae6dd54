// Browser-side client of the backend API. It only ever calls relative /api/...
// URLs: the frontend server forwards them to the backend (route handler), and
// the ingress sends them straight to the backend.
import type { ChatRequest, ChatResponse, NewTask, Task, TaskFilter, TaskPatch } from "./types";

/** An error the user should see: the message is already human-readable. */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

interface ValidationItem {
  loc?: unknown;
  msg?: unknown;
}

/** Turns FastAPI's error bodies ({detail: "..."} or {detail: [{loc, msg}]}) into one sentence. */
export function describeError(status: number, body: unknown, fallbackText = ""): string {
  const detail = typeof body === "object" && body !== null ? (body as { detail?: unknown }).detail : undefined;
  if (typeof detail === "string" && detail.trim() !== "") {
    return detail;
  }
  if (Array.isArray(detail) && detail.length > 0) {
    return detail
      .map((item: ValidationItem) => {
        const msg = typeof item?.msg === "string" ? item.msg : JSON.stringify(item);
        const loc = Array.isArray(item?.loc) ? item.loc.filter((part) => part !== "body" && part !== "query") : [];
        return loc.length > 0 ? `${loc.join(".")}: ${msg}` : msg;
      })
      .join("; ");
  }
  const text = fallbackText.trim();
  return text !== "" ? `Request failed (HTTP ${status}): ${text.slice(0, 200)}` : `Request failed (HTTP ${status})`;
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { Accept: "application/json", ...(init.body ? { "Content-Type": "application/json" } : {}) },
      cache: "no-store",
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(0, `Cannot reach the server: ${reason}`);
  }
  const text = await response.text();
  let body: unknown = undefined;
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, describeError(response.status, body, body === undefined ? text : ""));
  }
  return body as T;
}

function tasksPath(userId: string): string {
  return `/api/${encodeURIComponent(userId)}/tasks`;
}

function taskPath(userId: string, id: number): string {
  return `${tasksPath(userId)}/${encodeURIComponent(String(id))}`;
}

export function listTasks(userId: string, filter: TaskFilter = "all"): Promise<Task[]> {
  return request<Task[]>(`${tasksPath(userId)}?status=${encodeURIComponent(filter)}`);
}

export function createTask(userId: string, task: NewTask): Promise<Task> {
  return request<Task>(tasksPath(userId), { method: "POST", body: JSON.stringify(task) });
}

export function updateTask(userId: string, id: number, patch: TaskPatch): Promise<Task> {
  return request<Task>(taskPath(userId, id), { method: "PATCH", body: JSON.stringify(patch) });
}

export function completeTask(userId: string, id: number): Promise<Task> {
  return request<Task>(`${taskPath(userId, id)}/complete`, { method: "POST" });
}

export async function deleteTask(userId: string, id: number): Promise<void> {
  await request<unknown>(taskPath(userId, id), { method: "DELETE" });
}

export function sendChat(userId: string, chat: ChatRequest): Promise<ChatResponse> {
  const body: ChatRequest = { message: chat.message };
  if (chat.conversation_id !== undefined && chat.conversation_id !== null) {
    body.conversation_id = chat.conversation_id;
  }
  return request<ChatResponse>(`/api/${encodeURIComponent(userId)}/chat`, {
    method: "POST",
    body: JSON.stringify(body),
  });
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
