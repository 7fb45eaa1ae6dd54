// Runs once when the server starts: check BACKEND_URL early and say where
// /api is forwarded, so a misconfigured deployment fails loudly at start-up
// (the container exits with the reason) instead of on every request.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { readProxyConfig } = await import("./lib/proxy");
  try {
    const { backendUrl, timeoutMs } = readProxyConfig();
    const target = `${backendUrl.origin}${backendUrl.pathname.replace(/\/$/, "")}`;
    console.log(`todo-frontend: forwarding /api/* to ${target} (timeout ${timeoutMs} ms)`);
  } catch (error) {
    console.error(`todo-frontend: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
