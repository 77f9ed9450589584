"""A local fake of the outbox's gateways for the tests: the LINE Messaging API's push message
(POST /v2/bot/message/push, Bearer token, X-Line-Retry-Key answered 409 once accepted, as LINE
does) and an HTTPS SMS gateway (POST /sms). It records every request, and can be told to fail
the next N requests with 500 (POST /control {"fail": N}) or to accept the next N and hold each
answer for S seconds (POST /control {"hold": N, "seconds": S}, optionally only on "path"). GET /received lists what it got.
Prints the port it listens on, then serves until killed."""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = sys.argv[1] if len(sys.argv) > 1 else "test-channel-token"
lock = threading.Lock()
received = []
accepted_keys = set()
failures = {"left": 0}
holds = {"left": 0, "seconds": 0.0, "path": None}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/received":
            with lock:
                self.answer(200, received)
        else:
            self.answer(404, {"message": "Not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        self.body_text = raw
        if self.path == "/control":
            control = json.loads(raw)
            with lock:
                failures["left"] = control.get("fail", 0)
                holds["left"], holds["seconds"], holds["path"] = control.get("hold", 0), control.get("seconds", 0.0), control.get("path")
            return self.answer(200, {})
        with lock:
            status, body = self.decide()
            hold = 0
            if holds["left"] > 0 and holds["path"] in (None, self.path):
                holds["left"] -= 1
                hold = holds["seconds"]
        # Held outside the lock: what was received can be read meanwhile.
        if hold:
            time.sleep(hold)
        self.answer(status, body)

    def decide(self):
        """Records the request and says how to answer it (called holding the lock)."""
        record = {"path": self.path, "body": self.body_text, "retryKey": self.headers.get("X-Line-Retry-Key"),
                      "authorization": self.headers.get("Authorization"), "contentType": self.headers.get("Content-Type")}
        status, body = self.answer_for()
        record["answered"] = status
        received.append(record)
        return status, body

    def answer_for(self):
        if failures["left"] > 0:
            failures["left"] -= 1
            return 500, {"message": "Internal server error"}
        if self.path == "/v2/bot/message/push":
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                return 401, {"message": "Authentication failed. Confirm that the access token in the authorization header is valid."}
            key = self.headers.get("X-Line-Retry-Key")
            if key in accepted_keys:
                return 409, {"message": "The retry key is already accepted"}
            if key:
                accepted_keys.add(key)
            return 200, {"sentMessages": [{"id": str(len(received) + 1), "quoteToken": "q"}]}
        if self.path == "/sms":
            return 200, {"status": "queued"}
        return 404, {"message": "Not found"}


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
