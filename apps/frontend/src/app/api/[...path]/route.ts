// Forwards /api/* to the backend (BACKEND_URL, read at run time on each request).
// Behind the ingress this route is never hit: /api goes straight to the backend.
import { proxyHandler } from "@/lib/proxy";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = proxyHandler;
export const HEAD = proxyHandler;
export const POST = proxyHandler;
export const PUT = proxyHandler;
export const PATCH = proxyHandler;
export const DELETE = proxyHandler;
export const OPTIONS = proxyHandler;
