//! `zest cluster`: runs every node of a `cluster-layout.zeek` under
//! Zest's supervisor (`zeek -j`), in the background.
//!
//! `up` reads the layout (by running it), gives port-less nodes free
//! ports, and writes two scripts into the cluster directory: the
//! supervisor's (`Supervisor::create` for each node, with the layout as
//! the node's cluster table) and one every node loads first (the Control
//! framework's controllee and a status file, `.zest-node`, in the node's
//! working directory). It starts `zeek -j` on the first, detached, records
//! it in `cluster.state`, and waits until every node has seen
//! `Cluster::node_up` for each of its peers. `status`, `stop`, `restart`
//! and `ctl` find the cluster through the state file; `ctl` sends the
//! Control framework's requests as zeekctl does, from a short-lived
//! controller (`policy/frameworks/control/controller`) per node.

mod ctl;
pub mod layout;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use layout::{Kind, Node};

/// With this set, `zest` is the `zeek` command line (how the supervisor,
/// its stem and the nodes run from the `zest` binary).
pub const AS_ZEEK_ENV: &str = "ZEST_RUN_AS_ZEEK";

const STATE_FILE: &str = "cluster.state";
const DEFAULT_DIR: &str = "zest-cluster";

const USAGE: &str = "usage: zest cluster <command> [--dir DIR] [args]
commands:
    up [LAYOUT] [SCRIPT...]   start every node of LAYOUT (a cluster-layout.zeek, or a
                              directory holding one; default: the current directory)
                              in the background; nodes load the SCRIPTs, and a LAYOUT
                              directory's __load__.zeek if it has one
    status                    show each node: type, pid, state, peers up, uptime
    stop                      stop every node (logs are flushed and closed)
    restart                   stop, then start again as the last `up` did
    ctl COMMAND [ARG] [NODE...]
                              Control framework requests, answered by each node (or
                              the NODEs): id_value ID, peer_status, net_stats,
                              configuration_update, shutdown
options:
    --dir DIR                 the cluster directory (node directories, logs, state);
                              default ./zest-cluster
    --timeout SECS            how long `up` waits for the nodes (default 60)
";

/// What `up` recorded about a running (or stopped) cluster.
#[derive(Serialize, Deserialize)]
struct State {
    supervisor_pid: u32,
    started: f64,
    layout: PathBuf,
    scripts: Vec<String>,
    nodes: Vec<Node>,
}

struct Opts {
    dir: PathBuf,
    timeout: Duration,
    args: Vec<String>,
}

/// Runs `zest cluster ARGS`; returns the exit status.
pub fn main(args: &[String]) -> i32 {
    let Some(cmd) = args.first() else {
        eprint!("{USAGE}");
        return 2;
    };
    let mut o = Opts {
        dir: PathBuf::from(DEFAULT_DIR),
        timeout: Duration::from_secs(60),
        args: Vec::new(),
    };
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--dir" | "--timeout" => {
                let Some(v) = args.get(i + 1) else {
                    eprintln!("zest cluster: {} needs a value", args[i]);
                    return 2;
                };
                if args[i] == "--dir" {
                    o.dir = PathBuf::from(v);
                } else {
                    match v.parse::<f64>() {
                        Ok(s) if s > 0.0 => o.timeout = Duration::from_secs_f64(s),
                        _ => {
                            eprintln!("zest cluster: invalid timeout '{v}'");
                            return 2;
                        }
                    }
                }
                i += 1;
            }
            a => o.args.push(a.to_owned()),
        }
        i += 1;
    }
    let res = match cmd.as_str() {
        "up" => up(&o),
        "status" => status(&o),
        "stop" => stop(&o),
        "restart" => restart(&o),
        "ctl" => ctl::main(&o.dir, &o.args),
        "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command '{other}'\n{USAGE}")),
    };
    match res {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("zest cluster: {e}");
            1
        }
    }
}

/// This binary as the `zeek` command line.
fn zest_as_zeek() -> Result<Command, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the zest binary: {e}"))?;
    let mut c = Command::new(exe);
    c.env(AS_ZEEK_ENV, "1")
        .env_remove("CLUSTER_NODE")
        .env_remove(zest_bifs::supervisor::stem::STEM_ENV)
        .env_remove(zest_bifs::supervisor::stem::NODE_ENV)
        .env_remove(zest_bifs::supervisor::stem::NODE_PARENT_ENV)
        .stdin(Stdio::null());
    Ok(c)
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn absolute(p: &Path) -> Result<PathBuf, String> {
    std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// Whether process `pid` is running (a zombie is not).
fn alive(pid: u32) -> bool {
    if pid == 0 {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|s| s != 'Z' && s != 'X'),
        Err(_) => rustix::process::Pid::from_raw(pid as i32)
            .is_some_and(|p| rustix::process::test_kill_process(p).is_ok()),
    }
}

fn signal(pid: u32, sig: rustix::process::Signal) {
    if let Some(p) = rustix::process::Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process(p, sig);
    }
}

fn read_state(dir: &Path) -> Result<State, String> {
    let path = dir.join(STATE_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|_| format!("no cluster in {} (run `zest cluster up`)", dir.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The node whose directory holds the logs (a logger, else the manager).
fn log_node(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| n.kind == Kind::Logger)
        .or_else(|| nodes.iter().find(|n| n.kind == Kind::Manager))
}

fn up(o: &Opts) -> Result<(), String> {
    let start = now();
    let t0 = Instant::now();
    let (layout_arg, scripts) = match o.args.split_first() {
        Some((l, s)) => (PathBuf::from(l), s.to_vec()),
        None => (PathBuf::from("."), Vec::new()),
    };
    let dir = absolute(&o.dir)?;
    if let Ok(st) = read_state(&dir) {
        if alive(st.supervisor_pid) {
            return Err(format!(
                "a cluster is already running in {} (supervisor PID {})",
                dir.display(),
                st.supervisor_pid
            ));
        }
    }
    let layout_arg =
        std::fs::canonicalize(&layout_arg).map_err(|e| format!("{}: {e}", layout_arg.display()))?;
    let (layout, mut node_scripts) = if layout_arg.is_dir() {
        let load = layout_arg.join("__load__.zeek");
        let site = if load.is_file() {
            vec![layout_arg.display().to_string()]
        } else {
            Vec::new()
        };
        (layout_arg.join("cluster-layout.zeek"), site)
    } else {
        (layout_arg, Vec::new())
    };
    if !layout.is_file() {
        return Err(format!("{}: no such layout file", layout.display()));
    }
    for s in &scripts {
        // A file here is passed by its absolute path, anything else is
        // found on ZEEKPATH by the nodes.
        let p = Path::new(s);
        node_scripts.push(if p.exists() {
            absolute(p)?.display().to_string()
        } else {
            s.clone()
        });
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut nodes = layout::read(zest_as_zeek()?.current_dir(&dir), &layout)?;
    layout::assign_ports(&mut nodes)?;
    for n in &nodes {
        let nd = dir.join(&n.name);
        let _ = std::fs::remove_file(nd.join(".zest-node"));
    }
    let node_script = dir.join("node.zeek");
    let sup_script = dir.join("supervisor.zeek");
    let mut all_scripts = vec![node_script.display().to_string()];
    all_scripts.extend(node_scripts.iter().cloned());
    write(&node_script, &layout::node_script(&nodes))?;
    write(
        &sup_script,
        &layout::supervisor_script(&nodes, &dir, &all_scripts),
    )?;
    let log = std::fs::File::create(dir.join("supervisor.log"))
        .map_err(|e| format!("{}: {e}", dir.join("supervisor.log").display()))?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    let mut cmd = zest_as_zeek()?;
    {
        use std::os::unix::process::CommandExt;
        // A process group of its own: the terminal's signals leave the
        // cluster alone.
        cmd.process_group(0);
    }
    let child = cmd
        .arg("-j")
        .arg(&sup_script)
        .current_dir(&dir)
        .stdout(log)
        .stderr(log2)
        .spawn()
        .map_err(|e| format!("cannot start the supervisor: {e}"))?;
    let state = State {
        supervisor_pid: child.id(),
        started: start,
        layout: layout.clone(),
        scripts: node_scripts,
        nodes,
    };
    write(
        &dir.join(STATE_FILE),
        &serde_json::to_string_pretty(&state).map_err(|e| e.to_string())?,
    )?;
    // The supervisor outlives us; it is not waited for here.
    drop(child);
    println!(
        "starting {} nodes of {} in {} (supervisor PID {})",
        state.nodes.len(),
        layout.display(),
        dir.display(),
        state.supervisor_pid
    );
    let ready = match wait_ready(&dir, &state, t0 + o.timeout) {
        Ok(t) => t,
        Err(e) => {
            // Nothing is left running when `up` fails.
            let stopped = stop(&Opts {
                dir: dir.clone(),
                timeout: Duration::from_secs(30),
                args: Vec::new(),
            });
            let what = if stopped.is_ok() {
                "the cluster was stopped"
            } else {
                "the cluster could not be stopped cleanly"
            };
            return Err(format!("{e}\n({what})"));
        }
    };
    println!(
        "cluster up: every node saw Cluster::node_up for all its peers {:.3} s after start",
        ready - start
    );
    if let Some(n) = log_node(&state.nodes) {
        println!("logs: {}", dir.join(&n.name).display());
    }
    println!("node output: {}/NODE/stdout.log, stderr.log", dir.display());
    Ok(())
}

/// The last lines of a node's stderr (`err`), indented.
fn stderr_tail(err: &str) -> String {
    let tail: Vec<&str> = err.lines().rev().take(5).collect();
    if tail.is_empty() {
        return "    (nothing on stderr)".to_owned();
    }
    tail.into_iter()
        .rev()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Waits until every node saw all its peers; returns the last time one
/// did (Unix seconds). Fails when a node exits, the supervisor is gone,
/// or at `deadline`.
fn wait_ready(dir: &Path, state: &State, deadline: Instant) -> Result<f64, String> {
    // What each node last wrote to stderr: a node started again after a
    // failure truncates the file.
    let mut stderr: BTreeMap<&str, String> = BTreeMap::new();
    loop {
        for n in &state.nodes {
            let err =
                std::fs::read_to_string(dir.join(&n.name).join("stderr.log")).unwrap_or_default();
            if !err.is_empty() {
                stderr.insert(&n.name, err);
            }
        }
        let st = layout::statuses(dir, &state.nodes);
        let times: Vec<f64> = state
            .nodes
            .iter()
            .filter_map(|n| st.get(&n.name).and_then(|s| s.ready))
            .collect();
        if times.len() == state.nodes.len() {
            return Ok(times.into_iter().fold(0.0, f64::max));
        }
        let log = std::fs::read_to_string(dir.join("supervisor.log")).unwrap_or_default();
        if !alive(state.supervisor_pid) {
            return Err(format!("the supervisor exited:\n{log}"));
        }
        // The stem reports a node that ended (`Supervised node 'NAME'
        // (PID n) exited prematurely ...`).
        if let Some(line) = log.lines().find(|l| l.contains("prematurely")) {
            let node = line.split('\'').nth(1).unwrap_or_default();
            let err = stderr.get(node).map_or("", String::as_str);
            return Err(format!(
                "node {node} failed to start:\n{}",
                stderr_tail(err)
            ));
        }
        if Instant::now() >= deadline {
            let mut msg = "not every node saw all its peers in time; waiting for:".to_owned();
            for n in &state.nodes {
                if st.get(&n.name).and_then(|s| s.ready).is_none() {
                    let err = stderr.get(n.name.as_str()).map_or("", String::as_str);
                    msg.push_str(&format!("\n  {}:\n{}", n.name, stderr_tail(err)));
                }
            }
            return Err(msg);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn uptime(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

fn status(o: &Opts) -> Result<(), String> {
    let dir = absolute(&o.dir)?;
    let state = read_state(&dir)?;
    let running = alive(state.supervisor_pid);
    println!(
        "cluster {} (supervisor PID {}: {})",
        dir.display(),
        state.supervisor_pid,
        if running { "running" } else { "stopped" }
    );
    let st = layout::statuses(&dir, &state.nodes);
    let w = state
        .nodes
        .iter()
        .map(|n| n.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:<w$}  {:<7}  {:<7}  {:>5}  {:<8}  {:<6}  uptime",
        "node", "type", "pid", "port", "state", "peers"
    );
    let now = now();
    for n in &state.nodes {
        let s = st.get(&n.name);
        let pid = s.map_or(0, |s| s.pid);
        let up = running && alive(pid);
        let peers_up = s.map_or(0, |s| {
            s.peers.iter().filter(|p| n.peers.contains(*p)).count()
        });
        let state_text = if !running {
            "stopped"
        } else if !up {
            "down"
        } else if peers_up == n.peers.len() {
            "running"
        } else {
            "partial"
        };
        println!(
            "{:<w$}  {:<7}  {:<7}  {:>5}  {:<8}  {:<6}  {}",
            n.name,
            n.kind.name(),
            if up { pid.to_string() } else { "-".to_owned() },
            n.port,
            state_text,
            if up {
                format!("{peers_up}/{}", n.peers.len())
            } else {
                "-".to_owned()
            },
            match s {
                Some(s) if up => uptime(now - s.started),
                _ => "-".to_owned(),
            }
        );
    }
    Ok(())
}

fn stop(o: &Opts) -> Result<(), String> {
    let dir = absolute(&o.dir)?;
    let state = read_state(&dir)?;
    let t0 = Instant::now();
    let pid = state.supervisor_pid;
    if !alive(pid) {
        println!("cluster {} is not running", dir.display());
        return Ok(());
    }
    // The supervisor tells its stem to stop, which stops every node with
    // SIGTERM: each runs zeek_done and closes its logs.
    signal(pid, rustix::process::Signal::TERM);
    let deadline = t0 + o.timeout;
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let st = layout::statuses(&dir, &state.nodes);
    let mut left: Vec<u32> = st.values().map(|s| s.pid).filter(|p| alive(*p)).collect();
    if alive(pid) || !left.is_empty() {
        eprintln!("zest cluster: the cluster did not stop in time; killing it");
        if let Some(p) = rustix::process::Pid::from_raw(pid as i32) {
            let _ = rustix::process::kill_process_group(p, rustix::process::Signal::KILL);
        }
        for p in left.drain(..) {
            signal(p, rustix::process::Signal::KILL);
        }
        return Err("the cluster was killed".to_owned());
    }
    println!("cluster stopped in {:.2} s", t0.elapsed().as_secs_f64());
    if let Some(n) = log_node(&state.nodes) {
        // The logger rotates its logs when it ends (into
        // Log::default_rotation_dir, `log-queue` for cluster loggers).
        let node_dir = dir.join(&n.name);
        let queue = node_dir.join("log-queue");
        let shown = if queue.is_dir() { queue } else { node_dir };
        let mut logs: Vec<String> = std::fs::read_dir(&shown)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".log") && !f.starts_with('.') && !f.starts_with("std"))
            .collect();
        logs.sort();
        println!("logs: {}", shown.display());
        for l in logs {
            println!("    {l}");
        }
    }
    Ok(())
}

fn restart(o: &Opts) -> Result<(), String> {
    let dir = absolute(&o.dir)?;
    let state = read_state(&dir)?;
    stop(o)?;
    let mut args = vec![state.layout.display().to_string()];
    args.extend(state.scripts.iter().cloned());
    let o2 = Opts {
        dir,
        timeout: o.timeout,
        args,
    };
    up(&o2)
}
