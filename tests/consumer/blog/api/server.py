"""The blog's API: its health at /api/status, and fingerprints of the secrets its chart's Secret gives it."""

import hashlib
import http.server
import json
import os

SECRETS = {"token": os.environ.get("API_TOKEN", ""), "session-key": os.environ.get("SESSION_KEY", "")}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/api/status":
            status, answer = 200, {"status": "up"}
        elif self.path.startswith("/api/sha256/") and self.path[len("/api/sha256/") :] in SECRETS:
            secret = SECRETS[self.path[len("/api/sha256/") :]]
            status, answer = 200, {"sha256": hashlib.sha256(secret.encode()).hexdigest()}
        else:
            status, answer = 404, {"error": "no such path"}
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(("", 8000), Handler).serve_forever()
