"""A fake SMS gateway for CI's production smoke (.ci/production_smoke): the approach of
tests/notifications/conftest.py's FakeGateway, as its own process. It answers every POST
like a gateway that took the message (200, JSON ``{"id": ...}``) and appends the request
(path, headers, JSON body) as one line of JSON to the record file.

    python .ci/fake_sms_gateway.py PORT RECORD_FILE
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main(port: int, record: str) -> None:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"unparsed": raw.decode(errors="replace")}
            line = json.dumps({"path": self.path, "headers": dict(self.headers), "json": body})
            with lock, open(record, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
            answer = json.dumps({"id": f"gw-{body.get('reference')}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
            sys.stderr.write("fake gateway: " + format % args + "\n")

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"fake SMS gateway on http://127.0.0.1:{port}/sms, recording to {record}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
