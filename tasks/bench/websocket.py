#!/usr/bin/env python3
"""Events per second through Broker's WebSocket API of a Zest (or Zeek) node.

    tasks/bench/websocket.py [--zeek PATH] [--events N] [--window W]

Starts `zeek -b tasks/bench/websocket/node.zeek` (which calls
`Broker::listen_websocket`), connects one client with the `websockets`
package (`pip install websockets`) and measures three rates:

- in:         N `sink` events from the client into a script handler that
              counts them (timed until the script's reply to a final marker);
- out:        N events published by a script loop to the client, asked for
              in bursts of W;
- round trip: N `ping` events, each answered by the handler with a `pong`
              published back, at most W in flight.

Each rate is shown per wall-clock second and per CPU second of the node
(user + system, from /proc; the figure to read on a busy machine). The JSON
is built once per message kind; the client side is one asyncio task, so
Python's own JSON decoding bounds the wall-clock "out" and "round trip"
rates. The ZEEKPATH rules are those of tasks/bench/run.
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent.parent


def default_zeek():
    target = os.environ.get("CARGO_TARGET_DIR")
    base = Path(target) if target else CHECKOUT / "target"
    return base / "release" / "zeek"


def zeek_env(port):
    env = dict(os.environ)
    dist = Path(os.environ.get("ZEEK_DIST", CHECKOUT.parent / "shared" / "zeek-5.2"))
    lib = dist / "scripts"
    env.setdefault(
        "ZEEKPATH",
        f".:{CHECKOUT / 'scripts'}:{lib}:{lib / 'policy'}:{lib / 'site'}",
    )
    env["WS_PORT"] = f"{port}/tcp"
    return env


def cpu_seconds(pid):
    """User + system time of a process so far (Linux), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class Phase:
    def __init__(self, pid):
        self.pid = pid

    def __enter__(self):
        self.wall = time.perf_counter()
        self.cpu = cpu_seconds(self.pid)
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        end = cpu_seconds(self.pid)
        self.cpu = None if end is None or self.cpu is None else end - self.cpu


def value(t, d):
    return {"@data-type": t, "data": d}


def event(topic, name, args):
    return json.dumps(
        {
            "type": "data-message",
            "topic": topic,
            "@data-type": "vector",
            "data": [
                value("count", 1),
                value("count", 1),
                value("vector", [value("string", name), value("vector", args)]),
            ],
        }
    )


def event_name(msg):
    ev = json.loads(msg)["data"][2]["data"]
    return ev[0]["data"], ev[1]["data"]


async def run(o, port, pid):
    import websockets

    uri = f"ws://127.0.0.1:{port}/v1/messages/json"
    for _ in range(200):
        try:
            ws = await websockets.connect(uri, max_size=None)
            break
        except OSError:
            await asyncio.sleep(0.05)
    else:
        sys.exit("cannot connect to the node")
    await ws.send(json.dumps(["/bench/out"]))
    await ws.recv()
    n, w = o.events, o.window
    payload = "x" * 32
    results = {}

    # In.
    msgs = [event("/bench/in", "sink", [value("count", i), value("string", payload)]) for i in range(n)]
    with Phase(pid) as p:
        for m in msgs:
            await ws.send(m)
        await ws.send(event("/bench/in", "sink_done", []))
        name, args = event_name(await ws.recv())
    assert name == "finished" and args[0]["data"] == n, (name, args)
    results["in"] = p

    # Out.
    got = 0
    with Phase(pid) as p:
        while got < n:
            k = min(w, n - got)
            await ws.send(event("/bench/in", "burst", [value("count", k)]))
            while True:
                name, _ = event_name(await ws.recv())
                if name == "finished":
                    break
                got += 1
    results["out"] = p

    # Round trip.
    msgs = [event("/bench/in", "ping", [value("count", i), value("string", payload)]) for i in range(n)]
    sent = received = 0
    with Phase(pid) as p:
        while received < n:
            while sent < n and sent - received < w:
                await ws.send(msgs[sent])
                sent += 1
            name, _ = event_name(await ws.recv())
            assert name == "pong"
            received += 1
    results["round trip"] = p
    await ws.close()
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--zeek", type=Path, default=None)
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--window", type=int, default=500)
    o = ap.parse_args()
    zeek = o.zeek or default_zeek()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    node = subprocess.Popen(
        [str(zeek), "-b", str(HERE / "websocket" / "node.zeek")],
        env=zeek_env(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        results = asyncio.run(run(o, port, node.pid))
    finally:
        try:
            node.wait(timeout=10)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()
    print(f"{zeek}: {o.events} events, window {o.window}")
    print("| direction | events/s (wall) | events per node CPU second |")
    print("|---|---|---|")
    for k, p in results.items():
        per_cpu = f"{o.events / p.cpu:,.0f}" if p.cpu else "n/a"
        print(f"| {k} | {o.events / p.wall:,.0f} | {per_cpu} |")


if __name__ == "__main__":
    main()
