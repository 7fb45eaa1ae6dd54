/** A task as the backend returns it (GET/POST/PATCH /api/{user_id}/tasks...). */
export interface Task {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

export type TaskFilter = "all" | "pending" | "completed";

export const TASK_FILTERS: readonly TaskFilter[] = ["all", "pending", "completed"];

export interface NewTask {
  title: string;
  description?: string;
}

export interface TaskPatch {
  title?: string;
  description?: string | null;
  completed?: boolean;
}

/** One tool the assistant ran while answering a chat message. */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** What the tool returned; {error: "..."} when it failed. */
  result: Record<string, unknown> | null;
}

export interface ChatRequest {
  conversation_id?: number | null;
  message: string;
}

export interface ChatResponse {
  conversation_id: number;
  response: string;
  tool_calls: ToolCall[];
}
