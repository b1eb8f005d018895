//! A five-node cluster (manager, logger, proxy, two workers) of `zeek`
//! processes on loopback with Broker's default (anonymous TLS) transport:
//! a worker killed with SIGKILL is reported by the manager as
//! `Cluster::node_down` within `Cluster::retry_interval`, the other nodes
//! keep sending events to the manager and logs to the logger meanwhile,
//! and the restarted worker rejoins (`Cluster::node_up`).
//!
//! Each non-manager node publishes `Fault::tick(node, n)` to the manager
//! every 100 ms; workers and the proxy also write `n` to `Fault::LOG`,
//! which the logger writes to `fault.log`. The manager prints what it sees
//! to an unbuffered `events.txt`, which the test follows.
//!
//! The library is `$ZEEK_DIST/scripts`, or
//! `<workspace>/../shared/zeek-5.2/scripts` without `ZEEK_DIST`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::zeek_dist;

const RETRY_SECS: u64 = 3;

const SCRIPT: &str = r#"
@load base/frameworks/cluster

redef exit_only_after_terminate = T;

module Fault;

export {
	redef enum Log::ID += { LOG };
	type Info: record {
		node: string &log;
		n: count &log;
	};
	global tick: event(node: string, n: count);
	global send_tick: event();
}

global out: file;
global n = 0;

event Fault::send_tick()
	{
	++n;
	Broker::publish(Cluster::manager_topic, Fault::tick, Cluster::node, n);
	if ( Cluster::local_node_type() != Cluster::LOGGER )
		Log::write(Fault::LOG, [$node=Cluster::node, $n=n]);
	schedule 100msec { Fault::send_tick() };
	}

event zeek_init()
	{
	Log::create_stream(Fault::LOG, [$columns=Info, $path="fault"]);
	if ( Cluster::local_node_type() == Cluster::MANAGER )
		{
		out = open("events.txt");
		set_buf(out, F);
		}
	else
		schedule 100msec { Fault::send_tick() };
	}

event Fault::tick(node: string, n: count)
	{
	print out, fmt("tick %s %d", node, n);
	}

event Cluster::node_up(name: string, id: string)
	{
	if ( Cluster::local_node_type() == Cluster::MANAGER )
		print out, fmt("node_up %s", name);
	}

event Cluster::node_down(name: string, id: string)
	{
	if ( Cluster::local_node_type() == Cluster::MANAGER )
		print out, fmt("node_down %s", name);
	}
"#;

const NODES: [&str; 5] = ["manager", "logger", "proxy-1", "worker-1", "worker-2"];

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The running nodes; dropping it kills whatever is left.
struct Cluster {
    dir: PathBuf,
    zeekpath: String,
    ports: Vec<u16>,
    children: Vec<(String, Child)>,
}

impl Cluster {
    fn start(&mut self, node: &str) {
        let cwd = self.dir.join(node);
        std::fs::create_dir_all(&cwd).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zeek"));
        cmd.current_dir(&cwd)
            .args(["-b", "../fault.zeek"])
            .env("ZEEKPATH", &self.zeekpath)
            .env("CLUSTER_NODE", node)
            .env("TZ", "UTC")
            .env("LC_ALL", "C")
            .env_remove("ZEEK_ALLOW_INIT_ERRORS")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(cwd.join("stdout")).unwrap())
            .stderr(std::fs::File::create(cwd.join("stderr")).unwrap());
        for (i, p) in self.ports.iter().enumerate() {
            cmd.env(format!("FAULT_PORT{}", i + 1), format!("{p}/tcp"));
        }
        let child = cmd.spawn().expect("run zeek");
        self.children.push((node.to_owned(), child));
    }

    fn kill(&mut self, node: &str) {
        let i = self.children.iter().position(|(n, _)| n == node).unwrap();
        let (_, mut c) = self.children.remove(i);
        c.kill().unwrap(); // SIGKILL
        c.wait().unwrap();
    }

    /// SIGTERM to every node, then waits for them (10 s at most).
    fn terminate(&mut self) {
        for (_, c) in &self.children {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for (_, c) in &mut self.children {
            while Instant::now() < deadline {
                if c.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    fn events(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("manager/events.txt"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Waits until `pred` holds for the manager's events; returns them.
    fn wait(&self, what: &str, timeout: Duration, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let ev = self.events();
            if pred(&ev) {
                return ev;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; manager saw:\n{}\n{}",
                    ev.join("\n"),
                    self.stderr_of_all()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr_of_all(&self) -> String {
        let mut s = String::new();
        for n in NODES {
            let e = std::fs::read_to_string(self.dir.join(n).join("stderr")).unwrap_or_default();
            if !e.is_empty() {
                s += &format!("--- {n} stderr:\n{e}");
            }
        }
        s
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for (_, c) in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The last `n` the manager got from `node` in `events`.
fn last_tick(events: &[String], node: &str) -> u64 {
    let prefix = format!("tick {node} ");
    events
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix)?.parse().ok())
        .max()
        .unwrap_or(0)
}

fn count(events: &[String], line: &str) -> usize {
    events.iter().filter(|l| *l == line).count()
}

#[test]
fn worker_killed_and_restarted() {
    let lib = zeek_dist().join("scripts");
    if !lib.is_dir() {
        eprintln!("no Zeek library at {}; skipped", lib.display());
        return;
    }
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("zest-cluster-fault-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("fault.zeek"), SCRIPT).unwrap();
    std::fs::write(
        dir.join("cluster-layout.zeek"),
        format!(
            r#"redef Cluster::retry_interval = {RETRY_SECS}sec;
redef Cluster::nodes = {{
	["manager"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1, $p=to_port(getenv("FAULT_PORT1"))],
	["logger"] = [$node_type=Cluster::LOGGER, $ip=127.0.0.1, $p=to_port(getenv("FAULT_PORT2")), $manager="manager"],
	["proxy-1"] = [$node_type=Cluster::PROXY, $ip=127.0.0.1, $p=to_port(getenv("FAULT_PORT3")), $manager="manager"],
	["worker-1"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $p=to_port(getenv("FAULT_PORT4")), $manager="manager", $interface="eth0"],
	["worker-2"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $p=to_port(getenv("FAULT_PORT5")), $manager="manager", $interface="eth1"],
}};
"#
        ),
    )
    .unwrap();
    let zest_scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let zeekpath = format!(
        ".:{}:{}:{}:{}:{}",
        dir.display(),
        zest_scripts.display(),
        lib.display(),
        lib.join("policy").display(),
        lib.join("site").display()
    );
    let mut cluster = Cluster {
        dir: dir.clone(),
        zeekpath,
        ports: (0..5).map(|_| free_port()).collect(),
        children: Vec::new(),
    };
    for n in NODES {
        cluster.start(n);
    }
    let others = ["logger", "proxy-1", "worker-1", "worker-2"];
    cluster.wait("the cluster", Duration::from_secs(30), |ev| {
        others
            .iter()
            .all(|n| count(ev, &format!("node_up {n}")) == 1 && last_tick(ev, n) > 0)
    });

    // SIGKILL: no BYE, the sockets are reset by the kernel.
    cluster.kill("worker-1");
    let killed = Instant::now();
    let ev = cluster.wait(
        "node_down worker-1",
        Duration::from_secs(RETRY_SECS),
        |ev| count(ev, "node_down worker-1") == 1,
    );
    let down_after = killed.elapsed();
    let at_down: Vec<u64> = ["logger", "proxy-1", "worker-2"]
        .iter()
        .map(|n| last_tick(&ev, n))
        .collect();
    assert_eq!(count(&ev, "node_down worker-2"), 0);

    // The others keep talking to the manager while worker-1 is away.
    let ev = cluster.wait("ticks from the others", Duration::from_secs(15), |ev| {
        ["logger", "proxy-1", "worker-2"]
            .iter()
            .zip(&at_down)
            .all(|(n, before)| last_tick(ev, n) >= before + 5)
    });
    let w1_before = last_tick(&ev, "worker-1");
    let w2_while_down = last_tick(&ev, "worker-2");

    // Restarted, worker-1 rejoins (its counter starts again at 1).
    cluster.start("worker-1");
    let ev = cluster.wait("node_up worker-1 again", Duration::from_secs(30), |ev| {
        count(ev, "node_up worker-1") == 2
            && ev
                .iter()
                .skip_while(|l| *l != "node_down worker-1")
                .any(|l| l.starts_with("tick worker-1 "))
    });
    assert!(w1_before > 0);
    assert_eq!(count(&ev, "node_down worker-1"), 1);

    // Logs kept flowing to the logger: worker-2's records written while
    // worker-1 was down reach the logger's fault.log (log records travel
    // in batches, so they may arrive a moment after the events).
    let w2_records = |log: &str| -> Vec<u64> {
        log.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut f = l.split('\t');
                (f.next()? == "worker-2").then(|| f.next()?.parse().ok())?
            })
            .collect()
    };
    let in_window = |w2: &[u64]| w2.iter().any(|n| *n > at_down[2] && *n <= w2_while_down);
    let log_deadline = Instant::now() + Duration::from_secs(20);
    let mut log;
    loop {
        log = std::fs::read_to_string(dir.join("logger/fault.log")).unwrap_or_default();
        if in_window(&w2_records(&log)) || Instant::now() > log_deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    cluster.terminate();
    let w2 = w2_records(&log);
    assert!(
        in_window(&w2),
        "worker-2's records {}..={} missing from the logger's fault.log:\n{log}\n{}",
        at_down[2] + 1,
        w2_while_down,
        cluster.stderr_of_all()
    );
    eprintln!(
        "node_down after {:.0} ms; whole test {:.1} s",
        down_after.as_secs_f64() * 1000.0,
        started.elapsed().as_secs_f64()
    );
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
}
