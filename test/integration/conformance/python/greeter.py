"""The greeter of StateFun's playground, written with the official StateFun Python SDK (package `statefun`)
and served by the standard library's HTTP server, for python-sdk.test.ts.

    PYTHONPATH=<statefun-sdk-python folder> python3 greeter.py [port]

Listens on 127.0.0.1 (port 0: a free one) and prints "serving on <port>" once it does. Every POST body is
handed to the SDK's RequestReplyHandler; a failure of the SDK answers 500, as the SDK's own examples do.
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from statefun import (Context, IntType, Message, RequestReplyHandler, StatefulFunctions, ValueSpec,
                      egress_message_builder, make_json_type, message_builder)

functions = StatefulFunctions()

GREET_REQUEST = make_json_type(typename="example/GreetRequest")
EGRESS_RECORD = make_json_type(typename="io.statefun.playground/EgressRecord")


def greeting(name: str, visits: int) -> str:
    if visits == 1:
        return f"Welcome {name}"
    if visits == 2:
        return f"Nice to see you again {name}"
    if visits == 3:
        return f"Third time is a charm {name}"
    return f"Nice to see you at the {visits}-nth time {name}!"


@functions.bind(typename="example/person", specs=[ValueSpec(name="visits", type=IntType)])
def person(context: Context, message: Message):
    visits = (context.storage.visits or 0) + 1
    context.storage.visits = visits
    name = message.as_type(GREET_REQUEST)["name"]
    context.send(message_builder(target_typename="example/greeter", target_id=name,
                                 value={"name": name, "visits": visits}, value_type=GREET_REQUEST))


@functions.bind(typename="example/greeter")
async def greeter(context: Context, message: Message):
    request = message.as_type(GREET_REQUEST)
    record = {"topic": "greetings", "payload": greeting(request["name"], request["visits"])}
    context.send_egress(egress_message_builder(target_typename="io.statefun.playground/egress",
                                               value=record, value_type=EGRESS_RECORD))


handler = RequestReplyHandler(functions)


class Endpoint(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            answer = handler.handle_sync(body)
        except Exception as error:  # the SDK raises for whatever it cannot handle
            sys.stderr.write(f"statefun handler failed: {error!r}\n")
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Endpoint)
    print(f"serving on {server.server_address[1]}", flush=True)
    server.serve_forever()
