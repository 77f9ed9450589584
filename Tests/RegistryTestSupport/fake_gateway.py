"""A local fake of the outbox's gateways for the tests: the LINE Messaging API's push message
(POST /v2/bot/message/push, Bearer token, X-Line-Retry-Key answered 409 once accepted, as LINE
does) and an HTTPS SMS gateway (POST /sms). It records every request, and can be told to fail
the next N requests with 500 (POST /control {"fail": N}). GET /received lists what it got.
Prints the port it listens on, then serves until killed."""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = sys.argv[1] if len(sys.argv) > 1 else "test-channel-token"
lock = threading.Lock()
received = []
accepted_keys = set()
failures = {"left": 0}


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
        if self.path == "/control":
            with lock:
                failures["left"] = json.loads(raw).get("fail", 0)
            return self.answer(200, {})
        with lock:
            record = {"path": self.path, "body": raw, "retryKey": self.headers.get("X-Line-Retry-Key"),
                      "authorization": self.headers.get("Authorization"), "contentType": self.headers.get("Content-Type")}
            if failures["left"] > 0:
                failures["left"] -= 1
                record["answered"] = 500
                received.append(record)
                return self.answer(500, {"message": "Internal server error"})
            if self.path == "/v2/bot/message/push":
                if self.headers.get("Authorization") != "Bearer " + TOKEN:
                    record["answered"] = 401
                    received.append(record)
                    return self.answer(401, {"message": "Authentication failed. Confirm that the access token in the authorization header is valid."})
                key = self.headers.get("X-Line-Retry-Key")
                if key in accepted_keys:
                    record["answered"] = 409
                    received.append(record)
                    return self.answer(409, {"message": "The retry key is already accepted"})
                if key:
                    accepted_keys.add(key)
                record["answered"] = 200
                received.append(record)
                return self.answer(200, {"sentMessages": [{"id": str(len(received)), "quoteToken": "q"}]})
            if self.path == "/sms":
                record["answered"] = 200
                received.append(record)
                return self.answer(200, {"status": "queued"})
            record["answered"] = 404
            received.append(record)
            return self.answer(404, {"message": "Not found"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
