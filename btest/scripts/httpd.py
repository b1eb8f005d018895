#!/usr/bin/env python3
"""Tiny HTTP server for tests of Zeek's ActiveHTTP (scripts/base/utils).

Answers every GET and POST with "200 OK", a text/plain body "It works!" (an
empty body when the path contains "/empty"), and fixed "Server" and "Date"
header values so that the responses are reproducible.

Usage: httpd.py [--addr ADDR] [--port PORT] [--max N]
  --addr  address to listen on (default: localhost)
  --port  TCP port (default: 32123)
  --max   answer this many requests, then exit (default: -1, never exit)
"""

import argparse
import http.server


class Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self):
        body = b"" if "/empty" in self.path else b"It works!"
        self.send_response(200)
        self.send_header("Content-type", "text/plain")
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer

    # Fixed values for the "Server" and "Date" headers.
    def version_string(self):
        return "1.0"

    def date_time_string(self, timestamp=None):
        return "July 22, 2013"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-a", "--addr", default="localhost",
                        help="address (numeric or name) to listen on")
    parser.add_argument("-p", "--port", type=int, default=32123,
                        help="TCP port to listen on")
    parser.add_argument("-m", "--max", type=int, default=-1,
                        help="number of requests to answer before exiting; -1: no limit")
    args = parser.parse_args()

    server = http.server.HTTPServer((args.addr, args.port), Handler)
    if args.max < 0:
        server.serve_forever()
    else:
        for _ in range(args.max):
            server.handle_request()
    server.server_close()


if __name__ == "__main__":
    main()
