"""A team's tiny web app: /healthz, and / greeting with the GREETING from its Secret."""

import http.server
import os


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok" if self.path == "/healthz" else f"{os.environ.get('GREETING', '')} from shop".encode()
        self.send_response(200 if self.path in ("/", "/healthz") else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(("", 8080), Handler).serve_forever()
