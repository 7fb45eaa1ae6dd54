// The production image, run as a container next to the backend container on a
// user-defined Docker network, BACKEND_URL naming the backend container.
//   IMAGE_TEST_IMAGE               the frontend image (e.g. localdev-kube/todo-frontend:gate)
//   IMAGE_TEST_CONTAINER           the running frontend container
//   IMAGE_TEST_URL                 its port 3000 as published on 127.0.0.1
//   IMAGE_TEST_BACKEND_CONTAINER   the backend container (its name is the host in BACKEND_URL)
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through tests/gates.d/47-frontend-image.sh`);
  return value;
}

const image = required("IMAGE_TEST_IMAGE");
const container = required("IMAGE_TEST_CONTAINER");
const baseUrl = required("IMAGE_TEST_URL").replace(/\/+$/, "");
const backendContainer = required("IMAGE_TEST_BACKEND_CONTAINER");

function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function inspect<T>(target: string, format: string): T {
  return JSON.parse(docker("inspect", "--format", `{{json ${format}}}`, target)) as T;
}

describe("todo-frontend image", () => {
  it("runs as a non-root numeric user, exposes 3000 and has a HEALTHCHECK", () => {
    const user = inspect<string>(image, ".Config.User");
    expect(user).toMatch(/^[1-9][0-9]*(:[0-9]+)?$/);
    expect(Object.keys(inspect<Record<string, unknown>>(image, ".Config.ExposedPorts"))).toEqual(["3000/tcp"]);
    const health = inspect<{ Test: string[] } | null>(image, ".Config.Healthcheck");
    expect(health?.Test[0]).toBe("CMD");
    const env = inspect<string[]>(image, ".Config.Env");
    expect(env).toContain("NEXT_TELEMETRY_DISABLED=1");
    expect(env).toContain("NODE_ENV=production");
    expect(docker("exec", container, "id", "-u")).toBe(user.split(":")[0]);
  });

  it("holds the standalone server and static assets only: no sources, no dev tools", () => {
    const listing = docker(
      "exec",
      container,
      "sh",
      "-c",
      "cd /app && for p in server.js .next/static public/robots.txt src tests node_modules/next node_modules/typescript node_modules/vitest node_modules/playwright-core node_modules/eslint node_modules/sharp package-lock.json; do [ -e $p ] && echo present:$p || echo absent:$p; done",
    ).split("\n");
    expect(listing).toEqual([
      "present:server.js",
      "present:.next/static",
      "present:public/robots.txt",
      "absent:src",
      "absent:tests",
      "present:node_modules/next",
      "absent:node_modules/typescript",
      "absent:node_modules/vitest",
      "absent:node_modules/playwright-core",
      "absent:node_modules/eslint",
      "absent:node_modules/sharp",
      "absent:package-lock.json",
    ]);
    // The app cannot rewrite its own code.
    expect(docker("exec", container, "sh", "-c", "touch /app/server.js 2>/dev/null && echo writable || echo read-only")).toBe("read-only");
  });

  it("serves the page on GET /", async () => {
    const response = await fetch(`${baseUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("<title>Todo Chatbot</title>");
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\//i); // no remote fonts, scripts or images
    const script = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${baseUrl}${script}`)).status).toBe(200);
  });

  it("reaches the backend by its container name: GET /api/health through the frontend is 200", async () => {
    const backendUrl = inspect<string[]>(container, ".Config.Env").find((e) => e.startsWith("BACKEND_URL="));
    expect(backendUrl).toBe(`BACKEND_URL=http://${backendContainer}:8000`);
    const response = await fetch(`${baseUrl}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("forwards writes: a task created through the frontend is listed", async () => {
    const user = `image-${Date.now().toString(36)}`;
    const created = await fetch(`${baseUrl}/api/${user}/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "From the image test" }),
    });
    expect(created.status).toBe(201);
    const listed = (await (await fetch(`${baseUrl}/api/${user}/tasks?status=pending`)).json()) as { title: string }[];
    expect(listed.map((t) => t.title)).toEqual(["From the image test"]);
    const invalid = await fetch(`${baseUrl}/api/${user}/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "" }),
    });
    expect(invalid.status).toBe(422);
  });

  it("answers /healthz and its own HEALTHCHECK command succeeds", async () => {
    const response = await fetch(`${baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    const test = inspect<{ Test: string[] }>(image, ".Config.Healthcheck").Test.slice(1);
    expect(() => docker("exec", container, ...test)).not.toThrow();
  });

  it("refuses to start with an invalid BACKEND_URL, saying why", () => {
    let failure: { status?: number; stdout?: string; stderr?: string } = {};
    try {
      docker("run", "--rm", "--network", "none", "-e", "BACKEND_URL=todo-backend:8000", image);
    } catch (error) {
      failure = error as typeof failure;
    }
    expect(failure.status).toBe(1);
    expect(`${failure.stdout}${failure.stderr}`).toContain("BACKEND_URL must be an http:// or https:// URL");
  });

  it("reports a stopped backend as a 502 that names it, and keeps /healthz up", async () => {
    docker("stop", "--time", "10", backendContainer);
    const response = await fetch(`${baseUrl}/api/health`);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { detail: string }).detail).toContain(`http://${backendContainer}:8000`);
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
  });

  it("stops cleanly on SIGTERM (exit code 0)", () => {
    docker("stop", "--time", "15", container);
    expect(inspect<number>(container, ".State.ExitCode")).toBe(0);
  });
});
