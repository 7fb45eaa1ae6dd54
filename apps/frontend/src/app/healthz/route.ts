// Liveness/readiness probe for the frontend process itself. It does not call
// the backend: a backend outage must not get healthy frontend pods restarted.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
