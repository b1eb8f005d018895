//! `zest cluster` end to end on the worked example (`examples/cluster`:
//! a manager, a logger, a proxy and two workers on free ports): it comes
//! up, every node answers a Control request, both workers' reports reach
//! the logger, a worker killed with SIGKILL is restarted by the
//! supervisor, the manager sees it go and come back and it reports again,
//! and `stop` ends every process and leaves closed logs only, with every
//! report in shared_counts.log and in the manager's totals.
//!
//! The library is `$ZEEK_DIST/scripts`, or
//! `<workspace>/../shared/zeek-5.2/scripts` without `ZEEK_DIST`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `zest cluster ARGS --dir DIR`.
fn zest(dir: &Path, args: &[&str]) -> Output {
    let zeekpath = common::zeekpath();
    Command::new(env!("CARGO_BIN_EXE_zest"))
        .arg("cluster")
        .args(args)
        .arg("--dir")
        .arg(dir)
        .env("ZEEKPATH", zeekpath)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env_remove("CLUSTER_NODE")
        .env_remove("ZEEK_ALLOW_INIT_ERRORS")
        .output()
        .expect("run zest")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Stops the cluster if the test ends early.
struct Cluster {
    dir: PathBuf,
    stopped: bool,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.stopped {
            let _ = zest(&self.dir, &["stop", "--timeout", "20"]);
        }
    }
}

fn node_pid(dir: &Path, node: &str) -> Option<u32> {
    let s = std::fs::read_to_string(dir.join(node).join(".zest-node")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("pid "))
        .and_then(|p| p.parse().ok())
}

fn node_ready(dir: &Path, node: &str) -> bool {
    std::fs::read_to_string(dir.join(node).join(".zest-node"))
        .is_ok_and(|s| s.lines().any(|l| l.starts_with("ready ")))
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit_once(')')
            .and_then(|(_, r)| r.trim_start().chars().next())
            .is_some_and(|c| c != 'Z' && c != 'X')
    })
}

fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

const HOSTS: [&str; 5] = [
    "10.0.0.1",
    "10.0.0.2",
    "10.0.0.3",
    "192.168.1.7",
    "192.168.1.8",
];

/// The (host, seen) pairs of shared_counts.log's rows.
fn count_rows(log: &str) -> Vec<(String, u64)> {
    let mut rows: Vec<(String, u64)> = log
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f.get(1)?.to_string(), f.get(2)?.parse().ok()?))
        })
        .collect();
    rows.sort();
    rows
}

/// What shared_counts.log holds once every host was reported `rounds`
/// times.
fn expected_rows(rounds: u64) -> Vec<(String, u64)> {
    let mut rows: Vec<(String, u64)> = HOSTS
        .iter()
        .flat_map(|h| (1..=rounds).map(move |n| (h.to_string(), n)))
        .collect();
    rows.sort();
    rows
}

/// Waits until the logger's open shared_counts.log holds the rows of
/// `rounds` reports of every host.
fn wait_for_rounds(dir: &Path, rounds: u64) {
    let log = dir.join("logger/shared_counts.log");
    let want = expected_rows(rounds);
    wait_for(
        &format!("{rounds} reports of every host in shared_counts.log"),
        Duration::from_secs(30),
        || count_rows(&std::fs::read_to_string(&log).unwrap_or_default()) == want,
    );
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn example_cluster_up_restart_stop() {
    let dir = std::env::temp_dir().join(format!("zest-cluster-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cluster = Cluster {
        dir: dir.clone(),
        stopped: false,
    };
    let example = workspace().join("examples/cluster");
    let example = example.to_str().unwrap();

    // Up: returns once every node saw all its peers, and says how long
    // that took.
    let up = zest(&dir, &["up", example, "--timeout", "120"]);
    assert!(up.status.success(), "up failed:\n{}", text(&up));
    let out = String::from_utf8_lossy(&up.stdout);
    assert!(out.contains("cluster up:"), "{}", text(&up));
    let nodes = ["logger", "manager", "proxy-1", "worker-1", "worker-2"];
    for n in nodes {
        assert!(node_ready(&dir, n), "{n} not ready after up");
    }

    let status = zest(&dir, &["status"]);
    assert!(status.status.success(), "{}", text(&status));
    let st = String::from_utf8_lossy(&status.stdout);
    for n in nodes {
        let line = st
            .lines()
            .find(|l| l.starts_with(&format!("{n} ")))
            .unwrap_or_else(|| panic!("no status line for {n}:\n{st}"));
        assert!(line.contains(" running "), "{n}: {line}");
    }

    // Control: every node answers with its own name.
    let ctl = zest(&dir, &["ctl", "id_value", "Cluster::node"]);
    assert!(ctl.status.success(), "{}", text(&ctl));
    let answers = String::from_utf8_lossy(&ctl.stdout);
    for n in nodes {
        assert!(
            answers
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == [n, n]),
            "no answer from {n}:\n{answers}"
        );
    }

    // Once every proxy has the logger, both workers report every host.
    wait_for_rounds(&dir, 2);

    // SIGKILL a worker: the supervisor starts it again, the manager sees
    // it leave and come back and tells it to report again.
    let old = node_pid(&dir, "worker-1").expect("worker-1 pid");
    let pid = rustix::process::Pid::from_raw(old as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::KILL).unwrap();
    let manager_out = dir.join("manager/stdout.log");
    wait_for(
        "the manager to see worker-1 down and up",
        Duration::from_secs(40),
        || {
            let s = std::fs::read_to_string(&manager_out).unwrap_or_default();
            s.lines()
                .skip_while(|l| !l.ends_with(" node_down worker-1"))
                .any(|l| l.ends_with(" node_up worker-1"))
        },
    );
    wait_for(
        "the new worker-1 to be ready",
        Duration::from_secs(20),
        || {
            node_pid(&dir, "worker-1").is_some_and(|p| p != old && alive(p))
                && node_ready(&dir, "worker-1")
        },
    );
    wait_for_rounds(&dir, 3);
    let pids: Vec<u32> = nodes.iter().filter_map(|n| node_pid(&dir, n)).collect();
    assert_eq!(pids.len(), nodes.len());

    // Stop: every process ends, every log is closed.
    let stop = zest(&dir, &["stop", "--timeout", "30"]);
    cluster.stopped = true;
    assert!(stop.status.success(), "stop failed:\n{}", text(&stop));
    for p in pids.iter().chain([&old]) {
        assert!(!alive(*p), "process {p} still runs after stop");
    }
    let status = zest(&dir, &["status"]);
    let st = String::from_utf8_lossy(&status.stdout);
    assert!(st.contains("stopped"), "{st}");
    let mut all = Vec::new();
    files(&dir, &mut all);
    let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
    let shadows: Vec<_> = all
        .iter()
        .filter(|p| name(p).starts_with(".shadow."))
        .collect();
    assert!(shadows.is_empty(), "leftover shadow files: {shadows:?}");
    let logs: Vec<&PathBuf> = all
        .iter()
        .filter(|p| p.starts_with(dir.join("logger")) && !name(p).starts_with("std"))
        .filter(|p| name(p).ends_with(".log"))
        .collect();
    for l in &logs {
        let s = std::fs::read_to_string(l).unwrap();
        assert!(
            s.lines().last().is_some_and(|l| l.starts_with("#close")),
            "{} is not closed:\n{s}",
            l.display()
        );
    }
    let log = |prefix: &str| -> String {
        logs.iter()
            .filter(|p| name(p).starts_with(prefix))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    };
    let cluster_log = log("cluster");
    assert!(
        cluster_log.contains("manager\tnode down: worker-1"),
        "cluster.log:\n{cluster_log}"
    );
    let counts = log("shared_counts");
    assert_eq!(
        count_rows(&counts),
        expected_rows(3),
        "shared_counts.log:\n{counts}"
    );
    let manager_out = std::fs::read_to_string(&manager_out).unwrap();
    let mut totals: Vec<&str> = manager_out
        .lines()
        .filter(|l| l.contains(" reported "))
        .collect();
    totals.sort();
    let want: Vec<String> = HOSTS
        .iter()
        .map(|h| format!("{h} reported 3 times"))
        .collect();
    assert_eq!(totals, want, "manager output:\n{manager_out}");
    let _ = std::fs::remove_dir_all(&dir);
}
