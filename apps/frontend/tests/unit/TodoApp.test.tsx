import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { TodoApp } from "@/components/TodoApp";
import { USER_ID_STORAGE_KEY } from "@/lib/userId";
import { createApiDouble, type ApiDouble } from "./apiDouble";

let api: ApiDouble;

beforeEach(() => {
  api = createApiDouble();
  vi.stubGlobal("fetch", vi.fn(api.fetch));
  window.localStorage.setItem(USER_ID_STORAGE_KEY, "user-test");
});

async function renderApp() {
  const user = userEvent.setup();
  render(<TodoApp />);
  await screen.findByText(/No tasks yet/);
  return user;
}

function taskList() {
  return screen.getByRole("list", { name: "Task list" });
}

describe("TodoApp", () => {
  it("chooses a user id on the first visit and keeps it", async () => {
    window.localStorage.clear();
    render(<TodoApp />);
    const shown = await screen.findByTestId("user-id");
    const id = window.localStorage.getItem(USER_ID_STORAGE_KEY);
    expect(id).toMatch(/^user-[0-9a-f]{8}$/);
    expect(shown).toHaveTextContent(id!);
    await waitFor(() => expect(api.calls[0]?.path).toBe(`/api/${id}/tasks?status=all`));
  });

  it("adds a task from the labelled form and clears it", async () => {
    const user = await renderApp();
    await user.type(screen.getByLabelText("New task"), "Buy milk");
    await user.type(screen.getByLabelText("Description (optional)"), "2 litres");
    await user.click(screen.getByRole("button", { name: "Add task" }));

    expect(await within(taskList()).findByText("Buy milk")).toBeInTheDocument();
    expect(screen.getByText("2 litres")).toBeInTheDocument();
    expect(screen.getByLabelText("New task")).toHaveValue("");
    expect(api.calls.find((c) => c.method === "POST")).toEqual({
      method: "POST",
      path: "/api/user-test/tasks",
      body: { title: "Buy milk", description: "2 litres" },
    });
  });

  it("adds with the keyboard alone (Enter submits)", async () => {
    const user = await renderApp();
    await user.click(screen.getByLabelText("New task"));
    await user.keyboard("Call mum{Enter}");
    expect(await within(taskList()).findByText("Call mum")).toBeInTheDocument();
  });

  it("completes and reopens a task", async () => {
    const user = await renderApp();
    await user.type(screen.getByLabelText("New task"), "Water plants{Enter}");
    const box = await screen.findByRole("checkbox", { name: 'Mark "Water plants" as done' });
    await user.click(box);
    const done = await screen.findByRole("checkbox", { name: 'Mark "Water plants" as not done' });
    expect(done).toBeChecked();
    expect(api.calls.some((c) => c.method === "POST" && c.path === "/api/user-test/tasks/1/complete")).toBe(true);

    await user.click(done);
    await screen.findByRole("checkbox", { name: 'Mark "Water plants" as done' });
    expect(api.calls.at(-2)).toEqual({ method: "PATCH", path: "/api/user-test/tasks/1", body: { completed: false } });
  });

  it("edits a title: Enter saves, Escape cancels", async () => {
    const user = await renderApp();
    await user.type(screen.getByLabelText("New task"), "Buy milk{Enter}");
    await user.click(await screen.findByRole("button", { name: 'Edit "Buy milk"' }));
    const input = screen.getByLabelText("New title for Buy milk");
    expect(input).toHaveFocus();
    await user.clear(input);
    await user.keyboard("Buy oat milk{Enter}");
    expect(await within(taskList()).findByText("Buy oat milk")).toBeInTheDocument();
    expect(api.tasks[0]?.title).toBe("Buy oat milk");

    await user.click(screen.getByRole("button", { name: 'Edit "Buy oat milk"' }));
    await user.keyboard("{Control>}a{/Control}Something else{Escape}");
    expect(screen.queryByLabelText(/New title for/)).not.toBeInTheDocument();
    expect(within(taskList()).getByText("Buy oat milk")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: 'Edit "Buy oat milk"' })).toHaveFocus();
  });

  it("deletes a task", async () => {
    const user = await renderApp();
    await user.type(screen.getByLabelText("New task"), "Temporary{Enter}");
    await user.click(await screen.findByRole("button", { name: 'Delete "Temporary"' }));
    expect(await screen.findByText(/No tasks yet/)).toBeInTheDocument();
    expect(api.tasks).toHaveLength(0);
  });

  it("filters through the API", async () => {
    const user = await renderApp();
    await user.type(screen.getByLabelText("New task"), "Open{Enter}");
    await user.type(screen.getByLabelText("New task"), "Done{Enter}");
    await user.click(await screen.findByRole("checkbox", { name: 'Mark "Done" as done' }));
    await screen.findByRole("checkbox", { name: 'Mark "Done" as not done' });

    await user.click(screen.getByRole("radio", { name: "Pending" }));
    await waitFor(() => expect(within(taskList()).queryByText("Done")).not.toBeInTheDocument());
    expect(within(taskList()).getByText("Open")).toBeInTheDocument();
    expect(api.calls.at(-1)?.path).toBe("/api/user-test/tasks?status=pending");

    await user.click(screen.getByRole("radio", { name: "Completed" }));
    expect(await within(taskList()).findByText("Done")).toBeInTheDocument();
    expect(within(taskList()).queryByText("Open")).not.toBeInTheDocument();
  });

  it("shows the backend's error and keeps what the user typed", async () => {
    const user = await renderApp();
    api.failNext(422, { detail: [{ loc: ["body", "title"], msg: "String should have at most 200 characters" }] });
    await user.type(screen.getByLabelText("New task"), "Too long{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("title: String should have at most 200 characters");
    expect(screen.getByLabelText("New task")).toHaveValue("Too long");

    await user.click(screen.getByRole("button", { name: "Dismiss error" }));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows an error when the list cannot be loaded", async () => {
    api.failNext(502, { detail: "The backend at http://todo-backend:8000 could not be reached (ECONNREFUSED)." });
    render(<TodoApp />);
    expect(await screen.findByRole("alert")).toHaveTextContent("could not be reached");
  });

  it("chats, shows what the assistant did and refreshes the list", async () => {
    const user = await renderApp();
    await user.type(screen.getByLabelText("Message"), "add buy milk{Enter}");

    const log = screen.getByRole("log", { name: "Conversation" });
    expect(await within(log).findByText('Added "buy milk".')).toBeInTheDocument();
    expect(within(log).getByText('add_task(title: "buy milk")')).toBeInTheDocument();
    expect(within(log).getByText(/"task_id":1/)).toBeInTheDocument();
    expect(await within(taskList()).findByText("buy milk")).toBeInTheDocument();
    expect(screen.getByLabelText("Message")).toHaveValue("");

    // The conversation goes on with the id the backend gave.
    await user.type(screen.getByLabelText("Message"), "hello{Enter}");
    await within(log).findByText("I did not understand.");
    expect(api.calls.filter((c) => c.path.endsWith("/chat")).map((c) => c.body)).toEqual([
      { message: "add buy milk" },
      { message: "hello", conversation_id: 1 },
    ]);
  });

  it("shows a chat failure and lets the user retry", async () => {
    const user = await renderApp();
    api.failNext(502, { detail: "The language model is unavailable" });
    await user.type(screen.getByLabelText("Message"), "add bread{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("The language model is unavailable");
    expect(screen.getByLabelText("Message")).toHaveValue("add bread");
  });

  it("switches to another user id and loads that user's tasks", async () => {
    const user = await renderApp();
    await user.click(screen.getByRole("button", { name: "Switch user" }));
    const input = screen.getByLabelText("User id");
    await user.clear(input);
    await user.type(input, "bad id{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Use 1–128 letters");
    await user.clear(input);
    await user.type(input, "ann{Enter}");
    expect(await screen.findByTestId("user-id")).toHaveTextContent("ann");
    expect(window.localStorage.getItem(USER_ID_STORAGE_KEY)).toBe("ann");
    await waitFor(() => expect(api.calls.at(-1)?.path).toBe("/api/ann/tasks?status=all"));
  });
});
