// BACKEND_URL is deliberately not read here: this file is evaluated at build
// time, and the backend's address must be chosen when the server starts.
// src/app/api/[...path]/route.ts reads it on every request instead, so one
// image works behind the ingress, with `minikube service` and with `docker run`.

import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** @type {import("next").NextConfig} */
const nextConfig = {
  // A self-contained server (server.js + the traced node_modules) for the image,
  // rooted here whatever lock files lie in parent directories.
  output: "standalone",
  outputFileTracingRoot: dirname(fileURLToPath(import.meta.url)),
  poweredByHeader: false,
  reactStrictMode: true,
  // No remote images and no optimizer: everything is served from the image...
  images: { unoptimized: true },
  // ...so the optimizer's native library (sharp, libvips) stays out of it.
  outputFileTracingExcludes: {
    "*": ["node_modules/sharp/**", "node_modules/@img/**", "node_modules/typescript/**"],
  },
  // Lint runs as its own step (npm run lint), not inside every image build.
  eslint: { ignoreDuringBuilds: true },
};

export default nextConfig;
