//! Broker's WebSocket JSON API end to end: a `zeek` node calling
//! `Broker::listen_websocket`, driven by Python clients (`tests/data/websocket/`):
//! a raw `websockets` client whose bad messages get Broker's error objects,
//! and a `zeekpy` client that publishes an event a script handles and
//! receives one a script publishes, with records, vectors, sets, tables,
//! enums, ports, addresses, times and intervals in both directions.
//!
//! Needs `python3` with the `zeekpy` and `websockets` packages (`.ci/run`
//! installs them); without them the test says so and passes.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

fn python_ready() -> bool {
    Command::new("python3")
        .args(["-c", "import zeekpy, websockets"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits for a child at most `limit`, killing it after that.
fn wait_output(mut child: std::process::Child, limit: Duration) -> (bool, String, String) {
    let start = Instant::now();
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break Some(s);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    (status.is_some_and(|s| s.success()), out, err)
}

#[test]
fn zeekpy_client_exchanges_events_with_scripts() {
    if !python_ready() {
        eprintln!("skipped: python3 lacks the zeekpy and websockets packages (pip install zeekpy websockets)");
        return;
    }
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/websocket");
    let dir = std::env::temp_dir().join(format!("zest-websocket-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = format!("{}/tcp", free_port());
    let zeekpath = common::zeekpath();
    let zeek = Command::new(env!("CARGO_BIN_EXE_zeek"))
        .current_dir(&dir)
        .arg("-b")
        .arg(data.join("node.zeek"))
        .env("ZEEKPATH", zeekpath)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env("WS_PORT", &port)
        .env_remove("CLUSTER_NODE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zeek");
    let client = Command::new("python3")
        .current_dir(&dir)
        .arg(data.join("client.py"))
        .env("WS_PORT", &port)
        .env("TZ", "UTC")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    let (py_ok, py_out, py_err) = wait_output(client, Duration::from_secs(60));
    let (zeek_ok, zeek_out, zeek_err) = wait_output(zeek, Duration::from_secs(30));
    let _ = std::fs::remove_dir_all(&dir);
    let context = format!("client:\n{py_out}\n{py_err}\nzeek:\n{zeek_out}\n{zeek_err}");
    assert!(py_ok && zeek_ok, "{context}");
    assert_eq!(
        py_out,
        "ack ack 2.5.0 36\n\
         error error deserialization_failed input #1 contained malformed JSON\n\
         error error deserialization_failed input #2 contained invalid data\n\
         error error deserialization_failed input #3 contained invalid data\n\
         error error deserialization_failed input #4 contained malformed JSON\n\
         to_client 192.168.1.1 port(port=443, proto='tcp') 2023-01-02T03:04:05.500000+00:00 \
         GREEN [1, 2, 3] ['10.0.0.0/8', '2001:db8::/32'] [('x', 1.5), ('y', 120.0)] -5 1.25\n\
         done\n",
        "{context}"
    );
    assert_eq!(
        zeek_out,
        "peer added: 127.0.0.1 handshake successful\n\
         peer added: 127.0.0.1 handshake successful\n\
         hello from zeekpy\n\
         from_client, [a=2001:db8::1, p=53/udp, t=1672628645.25, c=BLUE, v=[7], s={\n\
         192.168.0.0/16\n\
         }, tb={\n\
         [z] = 3.0 secs\n\
         }], -6, 2.5\n",
        "{context}"
    );
    assert_eq!(zeek_err, "received termination signal\n", "{context}");
}
