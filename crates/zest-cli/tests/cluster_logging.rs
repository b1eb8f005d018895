//! Logging on a cluster: a manager, a logger and a worker (three `zeek`
//! processes peered over loopback on free ports) write `cluster.log` and
//! `broker.log` in the logger's directory only, with the columns of
//! Zeek's `Cluster::Info` (ts, node, message) and `Broker::Info` (ts, ty,
//! ev, peer.address, peer.bound_port, message), and every node's lines:
//! each node's "got hello from …" for both other nodes and each node's
//! `peer-added` lines.
//!
//! Termination: the manager and the worker, once they have both hellos,
//! flush their log buffers (`Broker::flush_logs`) and tell the logger
//! (the event travels behind the log messages on the same peering); the
//! logger ends when it has both hellos and both reports, and the others
//! end when they lose it.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::zeek_dist;

const LAYOUT: &str = r#"
redef Cluster::manager_is_logger = F;
redef Cluster::nodes = {
	["logger-1"] = [$node_type=Cluster::LOGGER, $ip=127.0.0.1, $p=to_port(getenv("ZEST_TEST_PORT1"))],
	["manager-1"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1, $p=to_port(getenv("ZEST_TEST_PORT2"))],
	["worker-1"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $p=to_port(getenv("ZEST_TEST_PORT3")), $manager="manager-1", $interface="eth0"],
};
"#;

const SCRIPT: &str = r#"
@load base/frameworks/cluster

redef exit_only_after_terminate = T;
# The logger rotates hourly and archives with `archive-log`; the test
# reads the logs as they are written.
redef Log::default_rotation_interval = 0 secs;

global hellos = 0;
global reports = 0;
global logs_flushed: event(node: string);

function maybe_done()
	{
	if ( Cluster::node == "logger-1" && hellos == 2 && reports == 2 )
		terminate();
	}

event Cluster::hello(name: string, id: string) &priority=-10
	{
	++hellos;
	if ( hellos < 2 )
		return;
	if ( Cluster::node == "logger-1" )
		maybe_done();
	else
		{
		Broker::flush_logs();
		Broker::publish(Cluster::logger_topic, logs_flushed, Cluster::node);
		}
	}

event logs_flushed(node: string)
	{
	++reports;
	maybe_done();
	}

event Broker::peer_lost(endpoint: Broker::EndpointInfo, msg: string)
	{
	terminate();
	}
"#;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn_node(base: &Path, node: &str, ports: &[u16; 3]) -> Child {
    let dir = base.join(node);
    std::fs::create_dir_all(&dir).unwrap();
    let lib = zeek_dist().join("scripts");
    let zest_scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let zeekpath = format!(
        ".:{}:{}:{}:{}:{}",
        zest_scripts.display(),
        lib.display(),
        lib.join("policy").display(),
        lib.join("site").display(),
        base.display()
    );
    Command::new(env!("CARGO_BIN_EXE_zeek"))
        .current_dir(&dir)
        .args(["-b", "../node.zeek"])
        .env("ZEEKPATH", zeekpath)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env("CLUSTER_NODE", node)
        .env("ZEST_TEST_PORT1", format!("{}/tcp", ports[0]))
        .env("ZEST_TEST_PORT2", format!("{}/tcp", ports[1]))
        .env("ZEST_TEST_PORT3", format!("{}/tcp", ports[2]))
        .env_remove("ZEEK_ALLOW_INIT_ERRORS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zeek")
}

/// Whether a TCP socket listens on `port` (from /proc/net/tcp, so
/// without connecting to it).
fn listening(port: u16) -> bool {
    let needle = format!(":{port:04X} ");
    std::fs::read_to_string("/proc/net/tcp")
        .unwrap_or_default()
        .lines()
        .skip(1)
        .any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && format!("{} ", f[1]).ends_with(&needle) && f[3] == "0A"
        })
}

/// A log's `#fields` and its rows as field maps.
fn read_log(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut fields = Vec::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("#fields\t") {
            fields = f.split('\t').map(str::to_owned).collect();
        } else if !line.starts_with('#') {
            let row = fields
                .iter()
                .cloned()
                .zip(line.split('\t').map(str::to_owned))
                .collect();
            rows.push(row);
        }
    }
    (fields, rows)
}

#[test]
fn logger_writes_cluster_and_broker_logs_of_every_node() {
    let base = std::env::temp_dir().join(format!("zest-cluster-logging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    std::fs::write(base.join("cluster-layout.zeek"), LAYOUT).unwrap();
    std::fs::write(base.join("node.zeek"), SCRIPT).unwrap();
    let ports = [free_port(), free_port(), free_port()];
    let nodes = ["logger-1", "manager-1", "worker-1"];
    // As `zeekctl` does, each node starts once the nodes it connects to
    // listen (a connection that fails is retried only after
    // `Cluster::retry_interval`, a minute).
    let mut children: Vec<(&str, Child)> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        children.push((*n, spawn_node(&base, n, &ports)));
        let until = Instant::now() + Duration::from_secs(60);
        while !listening(ports[i]) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    let start = Instant::now();
    let deadline = start + Duration::from_secs(90);
    let mut outputs = BTreeMap::new();
    for (node, child) in children.iter_mut() {
        loop {
            if child.try_wait().unwrap().is_some() {
                println!("{node} ended after {:?}", start.elapsed());
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    for (node, child) in children {
        let out = child.wait_with_output().unwrap();
        outputs.insert(node, out);
    }
    for (node, out) in &outputs {
        assert!(
            out.status.success(),
            "{node}: {:?}\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // As Broker does, a node reconnects at once to a peer it lost
        // (the logger or manager that ended first) and reports the
        // failure if it is still running.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let unexpected: Vec<&str> = stderr
            .lines()
            .filter(|l| {
                *l != "received termination signal"
                    && !(l.contains("Broker error (Broker::PEER_UNAVAILABLE)")
                        && l.ends_with("\"unable to connect to remote peer\")"))
            })
            .collect();
        assert!(unexpected.is_empty(), "{node}: stderr:\n{stderr}");
    }

    // Only the logger writes logs.
    for node in ["manager-1", "worker-1"] {
        for log in ["cluster.log", "broker.log"] {
            assert!(!base.join(node).join(log).exists(), "{node} wrote {log}");
        }
    }
    let logger = base.join("logger-1");

    let (fields, rows) = read_log(&logger.join("cluster.log"));
    assert_eq!(fields, ["ts", "node", "message"]);
    let mut hellos: Vec<(String, String)> = rows
        .iter()
        .filter_map(|r| {
            let m = r["message"].strip_prefix("got hello from ")?;
            // "NAME (ENDPOINT-ID)"
            let (name, id) = m.split_once(' ')?;
            assert!(
                id.starts_with('(') && id.ends_with(')') && id.len() > 2,
                "endpoint id in {m:?}"
            );
            Some((r["node"].clone(), name.to_owned()))
        })
        .collect();
    hellos.sort();
    let mut expect = Vec::new();
    for a in nodes {
        for b in nodes {
            if a != b {
                expect.push((a.to_owned(), b.to_owned()));
            }
        }
    }
    assert_eq!(hellos, expect, "cluster.log rows: {rows:#?}");
    // The logger's own first line (the others log theirs before they
    // are connected to it, so those go nowhere, as in Zeek).
    let listening_on = format!("listening on :{}/tcp", ports[0]);
    assert!(
        rows.iter()
            .any(|r| r["node"] == "logger-1" && r["message"] == listening_on),
        "cluster.log rows: {rows:#?}"
    );
    for r in &rows {
        let ts: f64 = r["ts"].parse().expect("ts is a time");
        assert!(ts > 1e9, "ts {ts}");
    }

    let (fields, rows) = read_log(&logger.join("broker.log"));
    assert_eq!(
        fields,
        [
            "ts",
            "ty",
            "ev",
            "peer.address",
            "peer.bound_port",
            "message"
        ]
    );
    let added: Vec<_> = rows.iter().filter(|r| r["ev"] == "peer-added").collect();
    // Each node saw both others.
    assert_eq!(added.len(), 6, "broker.log rows: {rows:#?}");
    for r in &added {
        assert_eq!(r["ty"], "Broker::STATUS");
        assert_eq!(r["peer.address"], "127.0.0.1");
        assert!(r["peer.bound_port"].parse::<u16>().is_ok(), "{r:?}");
        assert_eq!(r["message"], "handshake successful");
    }
    // The ports a node connected to are the listening ports of the layout.
    let listening: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
    let to_listeners = added
        .iter()
        .filter(|r| listening.contains(&r["peer.bound_port"]))
        .count();
    // manager→logger, worker→manager, worker→logger.
    assert!(to_listeners >= 3, "broker.log rows: {rows:#?}");
    let _ = std::fs::remove_dir_all(&base);
}
