// Image test: checks on the built todo-frontend image and on its container,
// started by tests/gates.d/47-frontend-image.sh beside the backend container on
// one user-defined Docker network (IMAGE_TEST_* variables say where).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["tests/image/**/*.image.test.ts"],
    testTimeout: 60_000,
    fileParallelism: false,
  },
});
