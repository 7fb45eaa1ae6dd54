import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ApiError,
  completeTask,
  createTask,
  deleteTask,
  describeError,
  listTasks,
  sendChat,
  updateTask,
} from "@/lib/api";

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function stubFetch(response: Response | Error) {
  const fetchMock = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => {
    if (response instanceof Error) throw response;
    return response;
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("describeError", () => {
  it("uses FastAPI's string detail as is", () => {
    expect(describeError(404, { detail: "Task 42 not found" })).toBe("Task 42 not found");
  });

  it("joins validation errors with the field they are about", () => {
    const body = {
      detail: [
        { loc: ["body", "title"], msg: "String should have at least 1 character", type: "string_too_short" },
        { loc: ["path", "user_id"], msg: "String should match pattern", type: "string_pattern_mismatch" },
      ],
    };
    expect(describeError(422, body)).toBe(
      "title: String should have at least 1 character; path.user_id: String should match pattern",
    );
  });

  it("falls back to the status and the body text", () => {
    expect(describeError(502, undefined, "Bad Gateway")).toBe("Request failed (HTTP 502): Bad Gateway");
    expect(describeError(500, {})).toBe("Request failed (HTTP 500)");
  });
});

describe("API calls", () => {
  it("lists tasks with the filter as a relative, encoded URL", async () => {
    const fetchMock = stubFetch(jsonResponse(200, []));
    await expect(listTasks("ann@example.org", "pending")).resolves.toEqual([]);
    expect(fetchMock).toHaveBeenCalledOnce();
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/api/ann%40example.org/tasks?status=pending");
    expect(init?.method).toBeUndefined();
  });

  it("creates a task with a JSON body", async () => {
    const task = { id: 1, title: "Buy milk" };
    const fetchMock = stubFetch(jsonResponse(201, task));
    await expect(createTask("u1", { title: "Buy milk" })).resolves.toEqual(task);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/api/u1/tasks");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual({ title: "Buy milk" });
    expect(new Headers(init?.headers).get("content-type")).toBe("application/json");
  });

  it("patches, completes and deletes by id", async () => {
    const fetchMock = stubFetch(jsonResponse(200, { id: 7 }));
    await updateTask("u1", 7, { title: "New" });
    expect(fetchMock.mock.calls[0]![0]).toBe("/api/u1/tasks/7");
    expect(fetchMock.mock.calls[0]![1]?.method).toBe("PATCH");

    stubFetch(jsonResponse(200, { id: 7, completed: true }));
    await completeTask("u1", 7);
    expect(vi.mocked(fetch).mock.calls[0]![0]).toBe("/api/u1/tasks/7/complete");

    const deleteMock = stubFetch(new Response(null, { status: 204 }));
    await expect(deleteTask("u1", 7)).resolves.toBeUndefined();
    expect(deleteMock.mock.calls[0]![1]?.method).toBe("DELETE");
  });

  it("sends the conversation id only once there is one", async () => {
    const answer = { conversation_id: 3, response: "Added", tool_calls: [] };
    const fetchMock = stubFetch(jsonResponse(200, answer));
    await expect(sendChat("u1", { message: "add buy milk", conversation_id: null })).resolves.toEqual(answer);
    expect(JSON.parse(String(fetchMock.mock.calls[0]![1]?.body))).toEqual({ message: "add buy milk" });

    const second = stubFetch(jsonResponse(200, answer));
    await sendChat("u1", { message: "again", conversation_id: 3 });
    expect(JSON.parse(String(second.mock.calls[0]![1]?.body))).toEqual({ message: "again", conversation_id: 3 });
  });

  it("turns backend errors into ApiError with the backend's message", async () => {
    stubFetch(jsonResponse(404, { detail: "Task 9 not found" }));
    const error = await updateTask("u1", 9, { completed: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(404);
    expect((error as ApiError).message).toBe("Task 9 not found");
  });

  it("reports a server that cannot be reached", async () => {
    stubFetch(new TypeError("Failed to fetch"));
    await expect(listTasks("u1")).rejects.toThrow("Cannot reach the server: Failed to fetch");
  });

  it("shows the text of a non-JSON error page", async () => {
    stubFetch(new Response("upstream timed out", { status: 504 }));
    await expect(listTasks("u1")).rejects.toThrow("Request failed (HTTP 504): upstream timed out");
  });
});
