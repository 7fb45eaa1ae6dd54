// End to end: the production build of the frontend, the real backend (its
// local chat agent), and Debian's Chromium. Nothing is stubbed.
//   E2E_BASE_URL      the frontend, e.g. http://127.0.0.1:3100 (required)
//   E2E_BACKEND_URL   the backend, to check what the UI did (required)
//   E2E_CHROMIUM      the browser (default /usr/bin/chromium; never downloaded)
//   E2E_OUTPUT_DIR    where screenshots go (default ./e2e-output)
//   E2E_HOST_RULES    Chromium --host-resolver-rules, e.g. "MAP todo.local 192.168.49.2",
//                     to reach an ingress by its host name without a hosts-file entry
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through tests/gates.d/46-frontend-e2e.sh`);
  return value.replace(/\/+$/, "");
}

const baseUrl = required("E2E_BASE_URL");
const backendUrl = required("E2E_BACKEND_URL");
const executablePath = process.env.E2E_CHROMIUM || "/usr/bin/chromium";
const outputDir = resolve(process.env.E2E_OUTPUT_DIR || "e2e-output");
const userId = `e2e-${Date.now().toString(36)}`;

const hostRules = process.env.E2E_HOST_RULES ? [`--host-resolver-rules=${process.env.E2E_HOST_RULES}`] : [];
const CHROMIUM_ARGS = [
  ...hostRules,
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface BackendTask {
  id: number;
  title: string;
  completed: boolean;
}

async function backendTasks(): Promise<BackendTask[]> {
  const response = await fetch(`${backendUrl}/api/${userId}/tasks?status=all`);
  expect(response.status).toBe(200);
  return (await response.json()) as BackendTask[];
}

let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(outputDir, { recursive: true });
  // playwright-core gives the browser a fresh temporary profile and --headless.
  browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The user id is chosen on the first visit; fix it so the backend can be checked.
  await context.addInitScript((id: string) => {
    if (!window.localStorage.getItem("todo.userId")) window.localStorage.setItem("todo.userId", id);
  }, userId);
  page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    // The 404 that the error step provokes is logged as a failed resource load.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      pageErrors.push(message.text());
    }
  });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page) {
    await page.screenshot({ path: join(outputDir, "frontend-e2e-failure.png"), fullPage: true }).catch(() => undefined);
  }
});

afterAll(async () => {
  await browser?.close();
});

describe("todo frontend in Chromium", () => {
  it("loads the page for the stored user", async () => {
    await page.goto(baseUrl, { waitUntil: "networkidle" });
    await expect.poll(() => page.getByTestId("user-id").textContent()).toBe(userId);
    expect(await page.getByRole("heading", { name: "Todo Chatbot" }).isVisible()).toBe(true);
    await page.getByText("No tasks yet").waitFor();
  });

  it("adds a task through the UI", async () => {
    await page.getByLabel("New task").fill("Write the e2e test");
    await page.getByRole("button", { name: "Add task" }).click();
    await page.getByRole("list", { name: "Task list" }).getByText("Write the e2e test").waitFor();
    expect((await backendTasks()).map((t) => t.title)).toEqual(["Write the e2e test"]);
  });

  it("completes it", async () => {
    await page.getByRole("checkbox", { name: 'Mark "Write the e2e test" as done' }).check();
    await page.getByRole("checkbox", { name: 'Mark "Write the e2e test" as not done' }).waitFor();
    const [task] = await backendTasks();
    expect(task?.completed).toBe(true);
  });

  it('sends "add buy milk" in the chat and sees it in the list', async () => {
    await page.getByLabel("Message").fill("add buy milk");
    await page.getByRole("button", { name: "Send" }).click();
    const log = page.getByRole("log", { name: "Conversation" });
    await log.getByText(/add_task\(/).waitFor();
    await page.getByRole("list", { name: "Task list" }).getByText("buy milk", { exact: true }).waitFor();
    const titles = (await backendTasks()).map((t) => t.title);
    expect(titles).toContain("buy milk");
    expect(await page.getByTestId("task-item").count()).toBe(2);
    await page.screenshot({ path: join(outputDir, "frontend-e2e.png"), fullPage: true });
  });

  it("shows a backend error to the user", async () => {
    // A task the UI shows but that is gone from the backend: deleting it gets a 404.
    const created = await fetch(`${backendUrl}/api/${userId}/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Stale task" }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as BackendTask;
    await page.getByRole("radio", { name: "Pending" }).check();
    const list = page.getByRole("list", { name: "Task list" });
    await list.getByText("Stale task").waitFor();
    expect((await fetch(`${backendUrl}/api/${userId}/tasks/${id}`, { method: "DELETE" })).status).toBe(204);

    await page.getByRole("button", { name: 'Delete "Stale task"' }).click();
    // (Next's route announcer is an empty role=alert too: pick ours by its text.)
    const alert = page.getByRole("alert").filter({ hasText: /not found/i });
    await alert.waitFor();
    expect(await alert.textContent()).toContain(String(id));
    await list.getByText("Stale task").waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Dismiss error" }).click();
    await page.getByRole("radio", { name: "All" }).check();
    await list.getByText("Write the e2e test").waitFor();
  });

  it("fits a phone-width screen", async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole("button", { name: "Send" }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(outputDir, "frontend-e2e-phone.png"), fullPage: true });
  });

  it("logged no errors in the browser", () => {
    expect(pageErrors).toEqual([]);
  });
});
