// @vitest-environment node
// The forwarding route against a real HTTP server on 127.0.0.1 standing where
// the backend would be.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as healthz } from "@/app/healthz/route";
import { forwardToBackend, proxyHandler, readProxyConfig, targetUrl } from "@/lib/proxy";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let server: Server;
let backend: string;
let seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url?.startsWith("/api/slow")) {
        setTimeout(() => res.end("late"), 2_000);
        return;
      }
      if (req.url?.startsWith("/api/redirect")) {
        res.writeHead(307, { location: `${backend}/api/u1/tasks?status=all` }).end();
        return;
      }
      if (req.method === "DELETE") {
        res.writeHead(204, { "x-backend": "yes" }).end();
        return;
      }
      if (req.url?.startsWith("/api/missing")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ detail: "Task 5 not found" }));
        return;
      }
      res
        .writeHead(201, { "content-type": "application/json", connection: "close", "x-backend": "yes" })
        .end(JSON.stringify({ echoed: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  backend = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
});

const config = () => readProxyConfig({ BACKEND_URL: backend });

describe("readProxyConfig", () => {
  it("reads BACKEND_URL at call time, with a local default", () => {
    expect(readProxyConfig({}).backendUrl.href).toBe("http://127.0.0.1:8000/");
    expect(readProxyConfig({ BACKEND_URL: "http://todo-backend:8000" }).backendUrl.host).toBe("todo-backend:8000");
    expect(readProxyConfig({ BACKEND_TIMEOUT_MS: "1500" }).timeoutMs).toBe(1500);
  });

  it("rejects values that cannot work, naming the variable", () => {
    expect(() => readProxyConfig({ BACKEND_URL: "todo-backend:8000" })).toThrow(/BACKEND_URL/);
    expect(() => readProxyConfig({ BACKEND_URL: "not a url" })).toThrow(/BACKEND_URL is not a valid URL/);
    expect(() => readProxyConfig({ BACKEND_TIMEOUT_MS: "soon" })).toThrow(/BACKEND_TIMEOUT_MS/);
  });
});

describe("targetUrl", () => {
  it("keeps the /api path and the query, under any base path", () => {
    const incoming = new URL("http://todo.local/api/u1/tasks?status=pending");
    expect(targetUrl(new URL("http://backend:8000"), incoming).href).toBe(
      "http://backend:8000/api/u1/tasks?status=pending",
    );
    expect(targetUrl(new URL("http://gw/prefix/"), incoming).href).toBe("http://gw/prefix/api/u1/tasks?status=pending");
  });
});

describe("forwardToBackend", () => {
  it("forwards method, path, query, body and end-to-end headers; returns status and body", async () => {
    const request = new Request("http://todo.local/api/u1/tasks?x=1", {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "abc", connection: "keep-alive" },
      body: JSON.stringify({ title: "Buy milk" }),
    });
    const response = await forwardToBackend(request, config());
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ echoed: '{"title":"Buy milk"}' });
    expect(response.headers.get("x-backend")).toBe("yes");
    expect(response.headers.get("connection")).toBeNull();

    expect(seen).toHaveLength(1);
    const got = seen[0]!;
    expect(got.method).toBe("POST");
    expect(got.url).toBe("/api/u1/tasks?x=1");
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["x-request-id"]).toBe("abc");
    expect(got.headers.host).toBe(new URL(backend).host);
    expect(got.headers["x-forwarded-proto"]).toBe("http");
  });

  it("passes backend errors through unchanged", async () => {
    const response = await forwardToBackend(new Request("http://todo.local/api/missing"), config());
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Task 5 not found" });
  });

  it("returns 204 without a body", async () => {
    const response = await forwardToBackend(new Request("http://todo.local/api/u1/tasks/1", { method: "DELETE" }), config());
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect(seen[0]?.method).toBe("DELETE");
  });

  it("does not leak the backend's address in redirects", async () => {
    const response = await forwardToBackend(new Request("http://todo.local/api/redirect"), config());
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("/api/u1/tasks?status=all");
  });

  it("answers 502 in FastAPI's error shape when the backend is down", async () => {
    const down = readProxyConfig({ BACKEND_URL: "http://127.0.0.1:9" });
    const response = await forwardToBackend(new Request("http://todo.local/api/health"), down);
    expect(response.status).toBe(502);
    const body = (await response.json()) as { detail: string };
    expect(body.detail).toMatch(/^The backend at http:\/\/127\.0\.0\.1:9 could not be reached/);
  });

  it("answers 504 when the backend is too slow", async () => {
    const impatient = readProxyConfig({ BACKEND_URL: backend, BACKEND_TIMEOUT_MS: "200" });
    const response = await forwardToBackend(new Request("http://todo.local/api/slow"), impatient);
    expect(response.status).toBe(504);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/did not answer within 200 ms/);
  });
});

describe("route handlers", () => {
  it("reads BACKEND_URL from the environment on each request", async () => {
    const before = process.env.BACKEND_URL;
    try {
      process.env.BACKEND_URL = backend;
      expect((await proxyHandler(new Request("http://todo.local/api/missing"))).status).toBe(404);
      process.env.BACKEND_URL = "ftp://nope";
      const misconfigured = await proxyHandler(new Request("http://todo.local/api/missing"));
      expect(misconfigured.status).toBe(500);
      expect(((await misconfigured.json()) as { detail: string }).detail).toMatch(/BACKEND_URL must be an http/);
    } finally {
      if (before === undefined) delete process.env.BACKEND_URL;
      else process.env.BACKEND_URL = before;
    }
  });

  it("serves /healthz without the backend", async () => {
    const response = healthz();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
