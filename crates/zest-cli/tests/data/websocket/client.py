# A WebSocket client of a Zest node (crates/zest-cli/tests/websocket.rs): a raw
# client that sends bad input, then a zeekpy client exchanging events with
# records, vectors, sets, tables, enums, ports, addresses, times, intervals.
import dataclasses, datetime, ipaddress, json, os, sys, warnings
warnings.simplefilter("ignore")
import zeekpy
from websockets.sync.client import connect

uri = "ws://127.0.0.1:%s/v1/messages/json" % os.environ["WS_PORT"].split("/")[0]

def connect_retry():
    import time
    for _ in range(100):
        try:
            return connect(uri)
        except OSError:
            time.sleep(0.1)
    sys.exit("cannot connect")

# A client that misbehaves: every bad message gets Broker's error object,
# and the connection stays up.
bad = connect_retry()
bad.send('["/nothing"]')
ack = json.loads(bad.recv(timeout=10))
print("ack", ack["type"], ack["version"], len(ack["endpoint"]))
for msg in ['{"topic": ', '{"topic": "/x", "@data-type": "phone", "data": 1}',
            '{"topic": "/x", "@data-type": "real", "data": 1}', '[1,\r\n2]']:
    bad.send(msg)
    err = json.loads(bad.recv(timeout=10))
    print("error", err["type"], err["code"], err["context"].split(" -> ")[0])

@dataclasses.dataclass
class Info:
    a: zeekpy.addr
    p: zeekpy.port
    t: datetime.datetime
    c: zeekpy.enum
    v: list[zeekpy.count]
    s: set[zeekpy.subnet]
    tb: dict[str, datetime.timedelta]

z = zeekpy.Zeek(uri, topics=["/test/to_client"])

@z.on("to_client")
def to_client(i: Info, n: int, d: float):
    print("to_client", i.a, i.p, i.t.isoformat(), i.c, i.v, sorted(map(str, i.s)),
          sorted((k, v.total_seconds()) for k, v in i.tb.items()), n, d)
    reply = Info(ipaddress.ip_address("2001:db8::1"), zeekpy.port(53, "udp"),
                 {"@data-type": "timestamp", "data": "2023-01-02T03:04:05.250"},
                 zeekpy.enum("BLUE"), [zeekpy.count(7)], {ipaddress.ip_network("192.168.0.0/16")},
                 {"z": datetime.timedelta(seconds=3)})
    z.publish("/test/from_client", "from_client", [reply, n - 1, d * 2])
    z.stop()

with z:
    z.publish("/test/from_client", "hello", ["zeekpy"])
    z.consume(timeout=20)
bad.close()
print("done")
