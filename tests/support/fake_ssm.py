"""A stand-in for the two Session Manager operations the sandbox emulator (moto) lacks, for
tests only: StartSession and TerminateSession are answered here and recorded (one JSON line per
call in the file given by --record); every other SSM operation is forwarded unchanged to the
emulator (--upstream), so the rest of SSM stays real. opsdeck reaches it the way any AWS SDK
user would: AWS_ENDPOINT_URL_SSM=http://127.0.0.1:PORT beside AWS_ENDPOINT_URL=<emulator>.

Prints the port it listens on as its first line."""
import argparse, http.server, json, sys, threading, urllib.request, uuid

parser = argparse.ArgumentParser()
parser.add_argument("--record", required=True)
parser.add_argument("--upstream", required=True)
args = parser.parse_args()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, status, body, content_type="application/x-amz-json-1.1"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = self.headers.get("X-Amz-Target", "")
        operation = target.split(".")[-1]
        if operation in ("StartSession", "TerminateSession"):
            request = json.loads(body or b"{}")
            with lock, open(args.record, "a") as f:
                f.write(json.dumps({"operation": operation, "request": request}) + "\n")
            if operation == "StartSession":
                sid = f"opsdeck-test-{uuid.uuid4().hex[:12]}"
                return self.reply(200, {
                    "SessionId": sid,
                    "TokenValue": "fake-token-" + uuid.uuid4().hex,
                    "StreamUrl": f"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/{sid}",
                })
            return self.reply(200, {"SessionId": request.get("SessionId", "")})
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        req = urllib.request.Request(args.upstream + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return self.reply(r.status, r.read(), r.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as e:
            return self.reply(e.code, e.read(), e.headers.get("Content-Type", ""))


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
