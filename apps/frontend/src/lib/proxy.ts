// Server side only: forwards the browser's /api/... requests to the backend.
// BACKEND_URL is read on every request (not at build time), so the same image
// works behind the ingress (which never sends /api here), with
// `minikube service` and with `docker run -e BACKEND_URL=http://backend:8000`.

export const DEFAULT_BACKEND_URL = "http://127.0.0.1:8000";
export const DEFAULT_TIMEOUT_MS = 60_000;

// Hop-by-hop headers (RFC 9110 7.6.1) plus the ones fetch sets itself.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
  "accept-encoding",
]);

// fetch decodes compressed bodies, so the encoding/length the backend sent no
// longer describe what is passed on.
const DROP_FROM_RESPONSE = new Set([...HOP_BY_HOP, "content-encoding"]);

export interface ProxyConfig {
  backendUrl: URL;
  timeoutMs: number;
}

export class ProxyConfigError extends Error {}

/** Reads BACKEND_URL / BACKEND_TIMEOUT_MS from the environment, now. */
export function readProxyConfig(env: Record<string, string | undefined> = process.env): ProxyConfig {
  const raw = (env.BACKEND_URL ?? "").trim() || DEFAULT_BACKEND_URL;
  let backendUrl: URL;
  try {
    backendUrl = new URL(raw);
  } catch {
    throw new ProxyConfigError(`BACKEND_URL is not a valid URL: "${raw}" (expected e.g. http://todo-backend:8000)`);
  }
  if (backendUrl.protocol !== "http:" && backendUrl.protocol !== "https:") {
    throw new ProxyConfigError(`BACKEND_URL must be an http:// or https:// URL, got "${raw}"`);
  }
  const timeoutRaw = env.BACKEND_TIMEOUT_MS;
  const timeoutMs = timeoutRaw === undefined || timeoutRaw === "" ? DEFAULT_TIMEOUT_MS : Number(timeoutRaw);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new ProxyConfigError(`BACKEND_TIMEOUT_MS must be a positive integer of milliseconds, got "${timeoutRaw}"`);
  }
  return { backendUrl, timeoutMs };
}

/** The backend URL for an incoming request: same path (the backend serves /api itself) and query. */
export function targetUrl(backendUrl: URL, incoming: URL): URL {
  const base = backendUrl.pathname.replace(/\/+$/, "");
  const target = new URL(backendUrl.toString());
  target.pathname = `${base}${incoming.pathname}`;
  target.search = incoming.search;
  target.hash = "";
  return target;
}

function forwardedRequestHeaders(request: Request, incoming: URL): Headers {
  const headers = new Headers();
  request.headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key.toLowerCase())) {
      headers.set(key, value);
    }
  });
  const priorFor = request.headers.get("x-forwarded-for");
  const clientIp = request.headers.get("x-real-ip");
  if (clientIp && !priorFor) {
    headers.set("x-forwarded-for", clientIp);
  }
  if (!request.headers.has("x-forwarded-host")) {
    const host = request.headers.get("host");
    if (host) headers.set("x-forwarded-host", host);
  }
  if (!request.headers.has("x-forwarded-proto")) {
    headers.set("x-forwarded-proto", incoming.protocol.replace(":", ""));
  }
  return headers;
}

function jsonError(status: number, detail: string): Response {
  return new Response(JSON.stringify({ detail }), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

function describeCause(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message) {
      const code = (cause as Error & { code?: string }).code;
      return code ? `${code}: ${cause.message}` : cause.message;
    }
    return error.message;
  }
  return String(error);
}

/**
 * Forwards one request to the backend and returns the backend's answer
 * (status, headers, body) unchanged but for hop-by-hop headers. Failures to
 * reach the backend become JSON errors in FastAPI's {detail} shape, so the
 * browser shows them like any other API error.
 */
export async function forwardToBackend(
  request: Request,
  config: ProxyConfig,
  fetchImpl: typeof fetch = fetch,
): Promise<Response> {
  const incoming = new URL(request.url);
  const target = targetUrl(config.backendUrl, incoming);
  const method = request.method.toUpperCase();
  const hasBody = method !== "GET" && method !== "HEAD";
  const body = hasBody ? await request.arrayBuffer() : undefined;

  let upstream: Response;
  try {
    upstream = await fetchImpl(target, {
      method,
      headers: forwardedRequestHeaders(request, incoming),
      body: body && body.byteLength > 0 ? body : undefined,
      redirect: "manual",
      cache: "no-store",
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError" || name === "AbortError") {
      return jsonError(504, `The backend at ${config.backendUrl.origin} did not answer within ${config.timeoutMs} ms.`);
    }
    return jsonError(502, `The backend at ${config.backendUrl.origin} could not be reached (${describeCause(error)}).`);
  }

  const headers = new Headers();
  upstream.headers.forEach((value, key) => {
    if (!DROP_FROM_RESPONSE.has(key.toLowerCase())) {
      headers.append(key, value);
    }
  });
  // A redirect to the backend's own (cluster-internal) address must not reach
  // the browser: keep only its path, which the browser resolves against us.
  const location = headers.get("location");
  if (location) {
    const resolved = new URL(location, target);
    if (resolved.origin === target.origin) {
      headers.set("location", `${resolved.pathname}${resolved.search}`);
    }
  }
  const nullBody = method === "HEAD" || [101, 204, 205, 304].includes(upstream.status);
  return new Response(nullBody ? null : upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers,
  });
}

/** The route handler: every method of /api/[...path]. */
export async function proxyHandler(request: Request): Promise<Response> {
  let config: ProxyConfig;
  try {
    config = readProxyConfig();
  } catch (error) {
    return jsonError(500, error instanceof Error ? error.message : String(error));
  }
  return forwardToBackend(request, config);
}
