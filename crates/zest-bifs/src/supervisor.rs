//! `supervisor.bif` and Zeek's supervisor mode (`zeek -j`).
//!
//! A process is one of three things here:
//! - the supervisor (`zeek -j`): runs the scripts and keeps the desired
//!   set of nodes; a stem process (see [`stem`]) does the process work
//!   and is revived if it dies. Its output reaches the supervisor's
//!   stdout/stderr with `[supervisor:STDOUT] ` / `[supervisor:STDERR] `
//!   before the stem's own `[node] ` prefix (`Supervisor::stdout_hook`
//!   and `stderr_hook` may take the lines instead);
//! - a supervised node: started by the stem with its configuration in
//!   the environment; it ends when its stem goes away;
//! - neither: the queries answer "no", the control functions report
//!   `supervisor mode not enabled` and return Zeek's fallback values.

pub mod config;
pub mod stem;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::support::{builtin_error, declared_record, record};
use crate::Bif;
pub use config::NodeConfig;
use zest_runtime::types::TypeRef;
use zest_runtime::value::{Port, Proto};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "Supervisor::__status",
        signature: "function(node: string): Supervisor::Status",
        func: status,
    },
    Bif {
        name: "Supervisor::__create",
        signature: "function(node: Supervisor::NodeConfig): string",
        func: create,
    },
    Bif {
        name: "Supervisor::__destroy",
        signature: "function(node: string): bool",
        func: destroy,
    },
    Bif {
        name: "Supervisor::__restart",
        signature: "function(node: string): bool",
        func: restart,
    },
    Bif {
        name: "Supervisor::__init_cluster",
        signature: "function(): bool",
        func: init_cluster,
    },
    Bif {
        name: "Supervisor::__is_supervised",
        signature: "function(): bool",
        func: is_supervised,
    },
    Bif {
        name: "Supervisor::__node",
        signature: "function(): Supervisor::NodeConfig",
        func: node,
    },
    Bif {
        name: "Supervisor::__is_supervisor",
        signature: "function(): bool",
        func: is_supervisor,
    },
    Bif {
        name: "Supervisor::__stem_pid",
        signature: "function(): int",
        func: stem_pid,
    },
];

const NOT_ENABLED: &str = "supervisor mode not enabled";
const KEY: &str = "supervisor";

/// What this process is in supervisor mode.
#[derive(Default)]
enum Role {
    #[default]
    Neither,
    Supervisor(Box<Supervisor>),
    Node {
        config: Box<NodeConfig>,
        parent_pid: u32,
    },
}

fn role(it: &mut Interp) -> &mut Role {
    it.ext_mut::<Role>(KEY)
}

// ------------------------------------------------------------ signals

static TERMINATION: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Makes SIGTERM and SIGINT end the run loop as `terminate()` does
/// (Zeek's "received termination signal").
fn watch_termination_signals() {
    let flag = TERMINATION.get_or_init(|| Arc::new(AtomicBool::new(false)));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        let _ = signal_hook::flag::register(sig, flag.clone());
    }
}

fn termination_signalled() -> bool {
    TERMINATION
        .get()
        .is_some_and(|f| f.swap(false, Ordering::Relaxed))
}

// ------------------------------------------------------------ supervisor

/// What the supervisor hears from its stem: messages, and the stem's
/// stdout and stderr lines.
enum FromStem {
    Msg(String),
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
}

struct Supervisor {
    exe: std::path::PathBuf,
    args: Vec<String>,
    stem: Option<Child>,
    stem_pid: u32,
    sock: Option<UnixStream>,
    tx: Option<Sender<FromStem>>,
    rx: Receiver<FromStem>,
    /// The nodes that should exist, by name, with the PID the stem last
    /// reported.
    nodes: BTreeMap<String, (NodeConfig, u32)>,
    node_status: Option<u32>,
    stdout_hook: Option<u32>,
    stderr_hook: Option<u32>,
    /// The stem was not looked at in the last poll.
    deferred: bool,
}

fn lines_to(from: impl Read + Send + 'static, tx: Sender<FromStem>, stdout: bool) {
    std::thread::spawn(move || {
        let mut r = BufReader::new(from);
        loop {
            let mut line = Vec::new();
            match r.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    if line.last() == Some(&b'\n') {
                        line.pop();
                    }
                    let m = if stdout {
                        FromStem::Stdout(line)
                    } else {
                        FromStem::Stderr(line)
                    };
                    if tx.send(m).is_err() {
                        return;
                    }
                }
            }
        }
    });
}

fn messages_to(mut from: UnixStream, tx: Sender<FromStem>) {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match from.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buf.iter().position(|b| *b == 0) {
                        let m = String::from_utf8_lossy(&buf[..end]).into_owned();
                        buf.drain(..=end);
                        if tx.send(FromStem::Msg(m)).is_err() {
                            return;
                        }
                    }
                }
            }
        }
    });
}

impl Supervisor {
    /// Starts a stem process (Zeek's `CreateStem` and the stem revival).
    fn spawn_stem(&mut self) -> std::io::Result<()> {
        let (mine, theirs) = UnixStream::pair()?;
        let mut child = Command::new(&self.exe)
            .args(&self.args)
            .env(stem::STEM_ENV, std::process::id().to_string())
            .env_remove(stem::NODE_ENV)
            .env_remove(stem::NODE_PARENT_ENV)
            .stdin(Stdio::from(OwnedFd::from(theirs)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let Some(tx) = self.tx.clone() else {
            return Ok(());
        };
        if let Some(o) = child.stdout.take() {
            lines_to(o, tx.clone(), true);
        }
        if let Some(e) = child.stderr.take() {
            lines_to(e, tx.clone(), false);
        }
        messages_to(mine.try_clone()?, tx);
        self.stem_pid = child.id();
        self.stem = Some(child);
        self.sock = Some(mine);
        Ok(())
    }

    fn send(&mut self, msg: &str) {
        let mut b = msg.as_bytes().to_vec();
        b.push(0);
        if let Some(s) = self.sock.as_mut() {
            let _ = s.write_all(&b);
        }
    }

    fn create_message(c: &NodeConfig) -> String {
        format!("create {} {}", c.name, c.to_json())
    }
}

/// Starts supervisor mode before the scripts load: spawns the stem (with
/// `args`, the command line whose scripts are absolute paths) and makes
/// the natives act as the supervisor's. Returns Zeek's error text if the
/// stem could not be started.
pub fn start_supervisor(it: &mut Interp, args: Vec<String>) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let mut s = Supervisor {
        exe: std::env::current_exe().map_err(|e| e.to_string())?,
        args,
        stem: None,
        stem_pid: 0,
        sock: None,
        tx: Some(tx),
        rx,
        nodes: BTreeMap::new(),
        node_status: None,
        stdout_hook: None,
        stderr_hook: None,
        deferred: false,
    };
    s.spawn_stem()
        .map_err(|e| format!("failed to fork Zeek supervisor stem process: {e}"))?;
    watch_termination_signals();
    *role(it) = Role::Supervisor(Box::new(s));
    it.hooks.io_poll = Some(poll);
    it.hooks.post_script.push(supervisor_post_script);
    Ok(())
}

fn global(it: &Interp, name: &str) -> Option<u32> {
    it.prog.lookup(Symbol::intern(name))
}

fn supervisor_post_script(it: &mut Interp) {
    let ns = global(it, "Supervisor::node_status");
    let out = global(it, "Supervisor::stdout_hook").filter(|g| has_bodies(it, *g));
    let err = global(it, "Supervisor::stderr_hook").filter(|g| has_bodies(it, *g));
    if let Role::Supervisor(s) = role(it) {
        s.node_status = ns;
        s.stdout_hook = out;
        s.stderr_hook = err;
    }
}

fn has_bodies(it: &Interp, g: u32) -> bool {
    !it.prog.globals[g as usize].bodies.is_empty()
}

/// Zeek's `LineBufferedPipe::Emit` in the supervisor: the hook sees the
/// node name and the text; unless it breaks, the line is printed after
/// the stream's prefix.
fn emit(it: &mut Interp, line: &[u8], stdout: bool) {
    if line.is_empty() {
        return;
    }
    let hook = match role(it) {
        Role::Supervisor(s) => {
            if stdout {
                s.stdout_hook
            } else {
                s.stderr_hook
            }
        }
        _ => None,
    };
    let mut print = true;
    if let Some(h) = hook {
        let (node, msg) = match line.strip_prefix(b"[").and_then(|rest| {
            let end = rest.iter().position(|b| *b == b']')?;
            let msg = &rest[end + 1..];
            Some((&rest[..end], msg.strip_prefix(b" ").unwrap_or(msg)))
        }) {
            Some(x) => x,
            None => (&b""[..], line),
        };
        print = it
            .call_hook(h, &[Value::str(node), Value::str(msg)])
            .unwrap_or(true);
    }
    if !print {
        return;
    }
    if stdout {
        let _ = it.out.write_all(b"[supervisor:STDOUT] ");
        let _ = it.out.write_all(line);
        let _ = it.out.write_all(b"\n");
    } else {
        let mut b = b"[supervisor:STDERR] ".to_vec();
        b.extend_from_slice(line);
        b.push(b'\n');
        let _ = std::io::stderr().write_all(&b);
    }
}

/// Zeek's `Supervisor::ProcessMessages` for one message.
fn stem_message(it: &mut Interp, msg: &str) {
    let mut parts = msg.split(' ');
    match parts.next().unwrap_or_default() {
        "status" => {
            let name = parts.next().unwrap_or_default().to_owned();
            let pid = parts
                .next()
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0);
            let ev = match role(it) {
                Role::Supervisor(s) => {
                    if let Some(n) = s.nodes.get_mut(&name) {
                        n.1 = pid;
                    }
                    s.node_status
                }
                _ => None,
            };
            if let Some(ev) = ev {
                it.queue_event(
                    ev,
                    vec![Value::str(name.as_bytes()), Value::Count(pid.into())],
                );
            }
        }
        "debug" => {}
        "error" => {
            let text = msg.strip_prefix("error ").unwrap_or_default();
            it.error(None, text);
        }
        _ => it.error(None, &format!("Supervisor got unknown msg: {msg}")),
    }
}

fn deliver(it: &mut Interp, m: FromStem) {
    match m {
        FromStem::Msg(m) => stem_message(it, &m),
        FromStem::Stdout(l) => emit(it, &l, true),
        FromStem::Stderr(l) => emit(it, &l, false),
    }
}

/// The supervisor's and a node's I/O source, polled from the run loop
/// beside Broker's.
fn poll(it: &mut Interp) -> bool {
    let queued = it.events.len();
    // The sources every process polls (the log writers, Broker).
    let counting = crate::io_poll(it);
    let delivered = it.events.len() != queued;
    if termination_signalled() {
        it.terminate_requested = true;
    }
    match role(it) {
        Role::Supervisor(s) => {
            // What Broker delivered is handled first (it may end the
            // run): the stem's output waits one round, never more; once
            // terminating, that output is drained at the end.
            let defer = delivered && !s.deferred;
            s.deferred = defer;
            if !defer && !it.terminate_requested {
                supervisor_poll(it);
            }
            true
        }
        Role::Node { parent_pid, .. } => {
            if std::os::unix::process::parent_id() != *parent_pid {
                // Zeek's ParentProcessCheckTimer: an orphaned node ends.
                it.terminate_requested = true;
            }
            counting
        }
        Role::Neither => counting,
    }
}

fn supervisor_poll(it: &mut Interp) {
    // Zeek's HandleChildSignal: a stem that died is revived and told the
    // nodes again.
    if let Role::Supervisor(s) = role(it) {
        let dead = s
            .stem
            .as_mut()
            .is_none_or(|c| !matches!(c.try_wait(), Ok(None)));
        if dead {
            s.stem = None;
            s.stem_pid = 0;
            s.sock = None;
            match s.spawn_stem() {
                Ok(()) => {
                    let msgs: Vec<String> = s
                        .nodes
                        .values()
                        .map(|(c, _)| Supervisor::create_message(c))
                        .collect();
                    for m in msgs {
                        s.send(&m);
                    }
                }
                Err(e) => {
                    let msg = format!("failed to fork Zeek supervisor stem process: {e}");
                    it.error(None, &msg);
                }
            }
        }
    }
    loop {
        let m = match role(it) {
            Role::Supervisor(s) => s.rx.try_recv().ok(),
            _ => None,
        };
        let Some(m) = m else { break };
        deliver(it, m);
    }
}

/// The supervisor's end (Zeek's `~Supervisor`): the stem is told to stop
/// (it stops the nodes), and what it still wrote is processed. This runs
/// after the logging framework terminates but before open files close, so
/// output hooks writing the nodes' last lines to files (the management
/// framework's) still get them written. Does nothing in other processes.
pub fn shutdown(it: &mut Interp) {
    let Role::Supervisor(s) = role(it) else {
        return;
    };
    s.tx = None;
    s.sock = None;
    if let Some(mut child) = s.stem.take() {
        let pid = rustix::process::Pid::from_raw(child.id() as i32);
        match pid.map(|p| rustix::process::kill_process(p, rustix::process::Signal::TERM)) {
            Some(Err(e)) => {
                let msg = format!("Failed to send SIGTERM to stem process: {e}");
                it.error(None, &msg);
            }
            _ => {
                if let Err(e) = child.wait() {
                    let msg = format!("Failed to wait for stem process to exit: {e}");
                    it.error(None, &msg);
                }
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let m = match role(it) {
            Role::Supervisor(s) => s.rx.recv_timeout(left),
            _ => Err(RecvTimeoutError::Disconnected),
        };
        match m {
            Ok(m) => deliver(it, m),
            Err(_) => break,
        }
    }
    let _ = it.out.flush();
}

// ------------------------------------------------------------ nodes

/// The configuration a supervised node was started with, from its
/// environment, and its stem's PID.
pub fn node_from_env() -> Option<(NodeConfig, u32)> {
    let json = std::env::var(stem::NODE_ENV).ok()?;
    let config = NodeConfig::from_json(&json)?;
    let parent = std::env::var(stem::NODE_PARENT_ENV)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(std::os::unix::process::parent_id);
    Some((config, parent))
}

/// Zeek's `SupervisedNode::Init` for the process: working directory,
/// output files, CPU affinity and environment. Errors are printed; the
/// result is the exit status to end with.
pub fn init_node_process(c: &NodeConfig) -> Result<(), i32> {
    let name = &c.name;
    if let Some(dir) = &c.directory {
        if let Err(e) = std::env::set_current_dir(dir) {
            eprintln!("node '{name}' failed to chdir to {dir}: {}", os_error(&e));
            return Err(1);
        }
    }
    for (file, stdout) in [(&c.stderr_file, false), (&c.stdout_file, true)] {
        let Some(path) = file else { continue };
        let f = open_output(path);
        let res = f.and_then(|f| {
            if stdout {
                rustix::stdio::dup2_stdout(&f).map_err(std::io::Error::from)
            } else {
                rustix::stdio::dup2_stderr(&f).map_err(std::io::Error::from)
            }
        });
        if let Err(e) = res {
            let which = if stdout { "stdout" } else { "stderr" };
            eprintln!(
                "node '{name}' failed to create {which} file {path}: {}",
                os_error(&e)
            );
            return Err(1);
        }
    }
    if let Some(cpu) = c.cpu_affinity {
        let mut set = rustix::thread::CpuSet::new();
        let ok = usize::try_from(cpu).is_ok_and(|cpu| {
            if cpu >= rustix::thread::CpuSet::MAX_CPU {
                return false;
            }
            set.set(cpu);
            rustix::thread::sched_setaffinity(None, &set).is_ok()
        });
        if !ok {
            eprintln!(
                "node '{name}' failed to set CPU affinity: {}",
                os_error(&std::io::Error::from_raw_os_error(22))
            );
        }
    }
    for (k, v) in &c.env {
        std::env::set_var(k, v);
    }
    if !c.cluster.is_empty() {
        std::env::set_var("CLUSTER_NODE", name);
    }
    Ok(())
}

fn open_output(path: &str) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .and_then(|f| {
            f.set_len(0)?;
            Ok(f)
        })
}

/// `strerror` text of an I/O error, without Rust's "(os error N)".
fn os_error(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// A supervised node's listening socket for `port`, bound by its stem
/// and passed as standard input (see [`stem::LISTEN_PORT_ENV`]); taken
/// once.
pub fn inherited_listener(port: u16) -> Option<std::net::TcpListener> {
    use std::os::fd::AsFd;
    static TAKEN: AtomicBool = AtomicBool::new(false);
    if port == 0 || std::env::var_os(stem::NODE_ENV).is_none() {
        return None;
    }
    let want = std::env::var(stem::LISTEN_PORT_ENV).ok()?;
    if want.parse::<u16>().ok()? != port || TAKEN.swap(true, Ordering::Relaxed) {
        return None;
    }
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let l = std::net::TcpListener::from(fd);
    // Standard input may be anything if the stem could not bind.
    (l.local_addr().ok()?.port() == port).then_some(l)
}

/// Makes this interpreter a supervised node (before the scripts load).
pub fn install_node(it: &mut Interp, config: NodeConfig, parent_pid: u32) {
    watch_termination_signals();
    *role(it) = Role::Node {
        config: Box::new(config),
        parent_pid,
    };
    it.hooks.io_poll = Some(poll);
    // Nodes write their stdout line by line, as Zeek sets it up.
    it.out = std::io::BufWriter::with_capacity(0, std::io::stdout());
}

// ------------------------------------------------------------ natives

fn status(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    if !matches!(role(it), Role::Supervisor(_)) {
        builtin_error(it, site, NOT_ENABLED, None);
        return Ok(record(it, "Supervisor::__status", Vec::new()));
    }
    let want = String::from_utf8_lossy(args.first().map_or(b"", Value::as_bytes)).into_owned();
    let Some(st) = declared_record(it, "Supervisor::__status") else {
        return Ok(Value::Void);
    };
    let Some(nc_ty) = declared_record(it, "Supervisor::__node") else {
        return Ok(Value::Void);
    };
    let rec = it.default_value(&st);
    let nodes_ty = field_type(&st, "nodes");
    let ns_ty = nodes_ty.as_ref().and_then(|t| t.yield_type().cloned());
    let entries: Vec<(String, NodeConfig, u32)> = match role(it) {
        Role::Supervisor(s) => s
            .nodes
            .iter()
            .filter(|(k, _)| want.is_empty() || **k == want)
            .map(|(k, (c, p))| (k.clone(), c.clone(), *p))
            .collect(),
        _ => Vec::new(),
    };
    if let (Some(ns_ty), Some(Value::Table(t))) = (ns_ty, it.field_or_default(&rec, "nodes")) {
        for (name, c, pid) in entries {
            let ns = Value::new_record(ns_ty.clone());
            let cfg = c.to_record(it, &nc_ty);
            config::set_field(&ns, "node", cfg);
            if pid != 0 {
                config::set_field(&ns, "pid", Value::Int(pid.into()));
            }
            t.borrow_mut()
                .insert(vec![Value::str(name.as_bytes())], Some(ns));
        }
    }
    Ok(rec)
}

fn field_type(rt: &TypeRef, name: &str) -> Option<TypeRef> {
    let r = rt.record()?;
    let i = r.field_index(Symbol::intern(name))?;
    let fields = r.fields.borrow();
    Some(fields[i].ty.clone())
}

fn create(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    if !matches!(role(it), Role::Supervisor(_)) {
        builtin_error(it, site, NOT_ENABLED, None);
        return Ok(Value::str(NOT_ENABLED.as_bytes()));
    }
    let Some(rec) = args.first().cloned() else {
        return Ok(Value::str(b""));
    };
    let c = NodeConfig::from_record(it, &rec);
    let Role::Supervisor(s) = role(it) else {
        return Ok(Value::str(b""));
    };
    let err = if c.name.is_empty() {
        "node names must not be an empty string".to_owned()
    } else if c.name.contains(' ') {
        format!("node names must not contain spaces: '{}'", c.name)
    } else if s.nodes.contains_key(&c.name) {
        format!("node with name '{}' already exists", c.name)
    } else if c
        .directory
        .as_ref()
        .is_some_and(|d| std::fs::create_dir_all(d).is_err())
    {
        format!(
            "failed to create working directory {}\n",
            c.directory.as_deref().unwrap_or_default()
        )
    } else {
        let m = Supervisor::create_message(&c);
        s.send(&m);
        s.nodes.insert(c.name.clone(), (c, 0));
        String::new()
    };
    Ok(Value::str(err.as_bytes()))
}

fn destroy(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let Role::Supervisor(s) = role(it) else {
        builtin_error(it, site, NOT_ENABLED, None);
        return Ok(Value::Bool(false));
    };
    let name = String::from_utf8_lossy(args.first().map_or(b"", Value::as_bytes)).into_owned();
    if name.is_empty() {
        let names: Vec<String> = s.nodes.keys().cloned().collect();
        for n in names {
            s.send(&format!("destroy {n}"));
        }
        s.nodes.clear();
        return Ok(Value::Bool(true));
    }
    if s.nodes.remove(&name).is_none() {
        return Ok(Value::Bool(false));
    }
    s.send(&format!("destroy {name}"));
    Ok(Value::Bool(true))
}

fn restart(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let Role::Supervisor(s) = role(it) else {
        builtin_error(it, site, NOT_ENABLED, None);
        return Ok(Value::Bool(false));
    };
    let name = String::from_utf8_lossy(args.first().map_or(b"", Value::as_bytes)).into_owned();
    if name.is_empty() {
        let names: Vec<String> = s.nodes.keys().cloned().collect();
        for n in names {
            s.send(&format!("restart {n}"));
        }
        return Ok(Value::Bool(true));
    }
    if !s.nodes.contains_key(&name) {
        return Ok(Value::Bool(false));
    }
    s.send(&format!("restart {name}"));
    Ok(Value::Bool(true))
}

/// Zeek's `SupervisedNode::InitCluster`: a node whose configuration has
/// a cluster table fills `Cluster::nodes` from it (instead of loading a
/// cluster-layout script).
fn init_cluster(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let cluster = match role(it) {
        Role::Node { config, .. } if !config.cluster.is_empty() => config.cluster.clone(),
        _ => return Ok(Value::Bool(false)),
    };
    let node_ty = global(it, "Cluster::Node").and_then(|g| it.prog.globals[g as usize].ty.clone());
    let type_ty =
        global(it, "Cluster::NodeType").and_then(|g| it.prog.globals[g as usize].ty.clone());
    let nodes = global(it, "Cluster::nodes").map(|g| it.prog.globals[g as usize].value.clone());
    let (Some(node_ty), Some(type_ty), Some(Value::Table(nodes))) = (node_ty, type_ty, nodes)
    else {
        return Ok(Value::Bool(false));
    };
    let manager = cluster
        .iter()
        .find(|(_, e)| e.role == config::Role::Manager)
        .map(|(k, _)| k.clone());
    let has_logger = cluster.values().any(|e| e.role == config::Role::Logger);
    for (name, ep) in &cluster {
        let rec = it.default_value(&node_ty);
        if let Some(v) = config::enum_value(&type_ty, "Cluster", ep.role.name()) {
            config::set_field(&rec, "node_type", v);
        }
        if let Some(a) = config::parse_addr(&ep.host) {
            config::set_field(&rec, "ip", Value::Addr(a));
        }
        config::set_field(
            &rec,
            "p",
            Value::Port(Port {
                num: ep.port,
                proto: Proto::Tcp,
            }),
        );
        if let Some(i) = &ep.interface {
            config::set_field(&rec, "interface", Value::str(i.as_bytes()));
        }
        if let Some(m) = &manager {
            if ep.role != config::Role::Manager {
                config::set_field(&rec, "manager", Value::str(m.as_bytes()));
            }
        }
        nodes
            .borrow_mut()
            .insert(vec![Value::str(name.as_bytes())], Some(rec));
    }
    if let Some(g) = global(it, "Cluster::manager_is_logger") {
        it.prog.globals[g as usize].value = Value::Bool(!has_logger);
    }
    Ok(Value::Bool(true))
}

fn is_supervised(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(matches!(role(it), Role::Node { .. })))
}

fn is_supervisor(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(matches!(role(it), Role::Supervisor(_))))
}

fn node(it: &mut Interp, _args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let Role::Node { config, .. } = role(it) else {
        builtin_error(it, site, "not a supervised process", None);
        return Ok(record(
            it,
            "Supervisor::__node",
            vec![("name", Value::str(b"<invalid>"))],
        ));
    };
    let c = (**config).clone();
    let Some(ty) = declared_record(it, "Supervisor::__node") else {
        return Ok(Value::Void);
    };
    Ok(c.to_record(it, &ty))
}

fn stem_pid(it: &mut Interp, _args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    match role(it) {
        Role::Supervisor(s) => Ok(Value::Int(s.stem_pid.into())),
        Role::Node { parent_pid, .. } => Ok(Value::Int((*parent_pid).into())),
        Role::Neither => {
            builtin_error(
                it,
                site,
                "supervisor mode not enabled and not a supervised node",
                None,
            );
            Ok(Value::Int(-1))
        }
    }
}
