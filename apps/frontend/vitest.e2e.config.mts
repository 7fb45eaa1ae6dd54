// Browser end-to-end test: Debian's Chromium driven by playwright-core against
// a running production server and the real backend. Started by
// tests/gates.d/46-frontend-e2e.sh, which passes their URLs in E2E_* variables.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["tests/e2e/**/*.e2e.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One browser, one backend: run the steps in order.
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
