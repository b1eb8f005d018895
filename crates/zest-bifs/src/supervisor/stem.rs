//! The supervisor's stem process (Zeek's `Stem`): it starts, restarts and
//! stops the node processes on the supervisor's behalf, forwards their
//! output with a `[node] ` prefix, reports node PIDs back, and revives
//! nodes that die with Zeek's backoff. It runs no scripts.
//!
//! The supervisor starts it as the same `zeek` binary with `ZEEK_STEM`
//! set to the supervisor's PID; standard input is a socket to the
//! supervisor carrying NUL-terminated messages both ways (`create NAME
//! JSON`, `destroy NAME`, `restart NAME` in; `status NAME PID`, `error
//! MSG` out). A node is the `zeek` binary again, started with the same
//! arguments and its configuration in `ZEEK_SUPERVISED_NODE`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::config::NodeConfig;

/// The environment variable that makes a `zeek` process a stem.
pub const STEM_ENV: &str = "ZEEK_STEM";
/// The environment variable with a node's JSON configuration.
pub const NODE_ENV: &str = "ZEEK_SUPERVISED_NODE";
/// The environment variable with the PID of a node's stem.
pub const NODE_PARENT_ENV: &str = "ZEEK_SUPERVISED_NODE_PARENT";
/// A Zest extension: a node whose configured environment sets this to a
/// TCP port gets a socket listening on that port (all addresses) as its
/// standard input, bound by the stem before the node starts and kept
/// across restarts; the node's `Broker::listen` on that port takes it
/// over. Peers started after it can connect at once, and the port is
/// never free while the node restarts.
pub const LISTEN_PORT_ENV: &str = "ZEST_BROKER_LISTEN_PORT";

const MAX_TERM_ATTEMPTS: u32 = 13;
const KILL_DELAY: Duration = Duration::from_secs(2);
const ATTEMPTS_BEFORE_DELAY_INCREASE: u32 = 3;
const DELAY_INCREASE_FACTOR: u64 = 2;
const RESET_REVIVAL_STATE_AFTER: Duration = Duration::from_secs(30);

struct Node {
    config: NodeConfig,
    child: Option<Child>,
    pid: u32,
    killed: bool,
    spawn_time: Instant,
    revival_attempts: u32,
    revival_delay: u64,
    /// The node's output lines (true: stdout), until both pipes end.
    output: Option<Receiver<(bool, Vec<u8>)>>,
    /// The socket bound for the node (see [`LISTEN_PORT_ENV`]).
    listener: Option<std::net::TcpListener>,
}

impl Node {
    fn new(config: NodeConfig) -> Node {
        Node {
            config,
            child: None,
            pid: 0,
            killed: false,
            spawn_time: Instant::now(),
            revival_attempts: 0,
            revival_delay: 1,
            output: None,
            listener: None,
        }
    }
}

enum Inbound {
    Msg(String),
    Eof,
    /// A node wrote a line.
    Wake,
}

struct Stem {
    parent_pid: u32,
    sock: UnixStream,
    exe: std::path::PathBuf,
    args: Vec<String>,
    nodes: BTreeMap<String, Node>,
    term: Arc<AtomicBool>,
    wake: Sender<Inbound>,
}

/// Runs a stem process; `env` is the value of `ZEEK_STEM` (the
/// supervisor's PID). Never returns while the supervisor lives.
pub fn main(env: &str) -> i32 {
    let Ok(parent_pid) = env.trim().parse::<u32>() else {
        eprintln!("invalid ZEEK_STEM environment variable value: '{env}'");
        return 1;
    };
    let sock = match std::io::stdin().as_fd().try_clone_to_owned() {
        Ok(fd) => UnixStream::from(fd),
        Err(e) => {
            eprintln!("failed to open the supervisor's stem channel: {e}");
            return 1;
        }
    };
    let term = Arc::new(AtomicBool::new(false));
    let _ = signal_hook::flag::register(signal_hook::consts::SIGTERM, term.clone());
    let (tx, rx) = mpsc::channel();
    let mut stem = Stem {
        wake: tx.clone(),
        parent_pid,
        sock,
        exe: std::env::current_exe().unwrap_or_else(|_| "zeek".into()),
        args: std::env::args().skip(1).collect(),
        nodes: BTreeMap::new(),
        term,
    };
    // A process group of its own, so a SIGINT to the supervisor's group
    // leaves the nodes alone: the supervisor orders their shutdown.
    if let Err(e) = rustix::process::setpgid(None, None) {
        stem.log_error(&format!("failed to set stem process group: {e}"));
    }
    match stem.sock.try_clone() {
        Ok(r) => {
            std::thread::spawn(move || read_messages(r, &tx));
        }
        Err(e) => {
            stem.log_error(&format!("Stem read() failed: {e}"));
            return 1;
        }
    }
    stem.run(&rx)
}

/// Splits the supervisor's channel into NUL-terminated messages.
fn read_messages(mut r: UnixStream, tx: &Sender<Inbound>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match r.read(&mut chunk) {
            Ok(0) | Err(_) => {
                let _ = tx.send(Inbound::Eof);
                return;
            }
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                while let Some(end) = buf.iter().position(|b| *b == 0) {
                    let msg = String::from_utf8_lossy(&buf[..end]).into_owned();
                    buf.drain(..=end);
                    if tx.send(Inbound::Msg(msg)).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Reads a node's output line by line for the stem's loop (Zeek's
/// `LineBufferedPipe`); `wake` tells the loop there is something.
fn read_lines(
    from: impl Read + Send + 'static,
    to_stdout: bool,
    lines: Sender<(bool, Vec<u8>)>,
    wake: Sender<Inbound>,
) {
    std::thread::spawn(move || {
        let mut r = BufReader::new(from);
        loop {
            let mut line = Vec::new();
            match r.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if line.last() == Some(&b'\n') {
                        line.pop();
                    }
                    if lines.send((to_stdout, line)).is_err() {
                        break;
                    }
                    let _ = wake.send(Inbound::Wake);
                }
            }
        }
    });
}

/// Writes a node's line after its `[node] ` prefix to the stem's stdout
/// or stderr; empty lines are skipped.
fn emit(prefix: &str, to_stdout: bool, line: &[u8]) {
    if line.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(prefix.len() + line.len() + 1);
    out.extend_from_slice(prefix.as_bytes());
    out.extend_from_slice(line);
    out.push(b'\n');
    if to_stdout {
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(&out);
        let _ = o.flush();
    } else {
        let _ = std::io::stderr().lock().write_all(&out);
    }
}

fn kill_signal(attempts: u32) -> rustix::process::Signal {
    if std::env::var_os("ZEEK_SUPERVISOR_NO_SIGKILL").is_some() || attempts < MAX_TERM_ATTEMPTS {
        rustix::process::Signal::TERM
    } else {
        rustix::process::Signal::KILL
    }
}

fn pid_of(n: u32) -> Option<rustix::process::Pid> {
    rustix::process::Pid::from_raw(i32::try_from(n).ok()?)
}

impl Stem {
    fn send(&self, msg: &str) {
        let mut b = msg.as_bytes().to_vec();
        b.push(0);
        let _ = (&self.sock).write_all(&b);
    }

    fn log_error(&self, msg: &str) {
        if std::env::var_os("ZEEK_DEBUG_STEM_STDERR").is_some() {
            eprintln!("{msg}");
            return;
        }
        self.send(&format!("error {msg}"));
    }

    fn report_status(&self, name: &str) {
        let pid = self.nodes.get(name).map_or(0, |n| n.pid);
        self.send(&format!("status {name} {pid}"));
    }

    fn run(&mut self, rx: &Receiver<Inbound>) -> i32 {
        loop {
            let msg = rx.recv_timeout(Duration::from_millis(100));
            if self.term.load(Ordering::Relaxed) {
                self.shutdown(0);
            }
            if std::os::unix::process::parent_id() != self.parent_pid {
                // The supervisor is gone: take the nodes down with us.
                self.shutdown(13);
            }
            self.reap();
            self.revive();
            self.forward_output();
            match msg {
                Ok(Inbound::Msg(m)) => self.handle(&m),
                Ok(Inbound::Eof) | Err(RecvTimeoutError::Disconnected) => self.shutdown(14),
                Ok(Inbound::Wake) | Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }

    /// Writes what the nodes wrote since the last time.
    fn forward_output(&mut self) {
        for (name, node) in &self.nodes {
            let Some(rx) = &node.output else { continue };
            let prefix = format!("[{name}] ");
            while let Ok((to_stdout, line)) = rx.try_recv() {
                emit(&prefix, to_stdout, &line);
            }
        }
    }

    fn handle(&mut self, msg: &str) {
        let mut parts = msg.splitn(3, ' ');
        let cmd = parts.next().unwrap_or_default();
        let name = parts.next().unwrap_or_default().to_owned();
        match cmd {
            "create" => {
                let Some(config) = NodeConfig::from_json(parts.next().unwrap_or_default()) else {
                    self.log_error(&format!("Stem got invalid node configuration: {name}"));
                    return;
                };
                if self.nodes.contains_key(&name) {
                    return;
                }
                self.nodes.insert(name.clone(), Node::new(config));
                self.spawn(&name);
                self.report_status(&name);
            }
            "destroy" => {
                self.destroy(&name);
                self.nodes.remove(&name);
            }
            "restart" => {
                if !self.nodes.contains_key(&name) {
                    return;
                }
                self.destroy(&name);
                self.spawn(&name);
                self.report_status(&name);
            }
            _ => self.log_error(&format!("Stem got unknown supervisor message: {cmd}")),
        }
    }

    /// Starts node `name`; false if the process could not be started.
    fn spawn(&mut self, name: &str) -> bool {
        let stem_pid = std::process::id();
        let Some(node) = self.nodes.get_mut(name) else {
            return false;
        };
        let mut error = None;
        if node.listener.is_none() {
            if let Some(port) = node.config.env.get(LISTEN_PORT_ENV) {
                match port.parse::<u16>() {
                    Ok(p) => match std::net::TcpListener::bind(("0.0.0.0", p)) {
                        Ok(l) => node.listener = Some(l),
                        Err(e) => error = Some(format!("failed to listen on port {p}: {e}")),
                    },
                    Err(_) => error = Some(format!("invalid listen port '{port}'")),
                }
            }
        }
        let stdin = node
            .listener
            .as_ref()
            .and_then(|l| l.try_clone().ok())
            .map_or_else(Stdio::null, |l| Stdio::from(std::os::fd::OwnedFd::from(l)));
        let mut cmd = Command::new(&self.exe);
        cmd.args(&self.args)
            .env_remove(STEM_ENV)
            .env(NODE_ENV, node.config.to_json())
            .env(NODE_PARENT_ENV, stem_pid.to_string())
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("failed to fork Zeek node '{name}': {e}");
                self.log_error(&msg);
                return false;
            }
        };
        let (lines_tx, lines_rx) = mpsc::channel();
        if let Some(o) = child.stdout.take() {
            read_lines(o, true, lines_tx.clone(), self.wake.clone());
        }
        if let Some(e) = child.stderr.take() {
            read_lines(e, false, lines_tx, self.wake.clone());
        }
        node.pid = child.id();
        node.child = Some(child);
        node.output = Some(lines_rx);
        node.spawn_time = Instant::now();
        if let Some(e) = error {
            self.log_error(&format!("node '{name}': {e}"));
        }
        true
    }

    /// Zeek's `Stem::Wait`: collects a node that exited; true if it is
    /// gone.
    fn wait(&mut self, name: &str) -> bool {
        let Some(node) = self.nodes.get_mut(name) else {
            return true;
        };
        let Some(child) = node.child.as_mut() else {
            return true;
        };
        let status = match child.try_wait() {
            Ok(Some(s)) => s,
            Ok(None) => return false,
            Err(e) => {
                let msg = format!(
                    "Stem failed to get node exit status '{name}' (PID {}): {e}",
                    node.pid
                );
                self.log_error(&msg);
                return false;
            }
        };
        let pid = node.pid;
        let killed = node.killed;
        node.child = None;
        node.pid = 0;
        let output = node.output.take();
        if !killed {
            if let Some(code) = status.code() {
                self.log_error(&format!(
                    "Supervised node '{name}' (PID {pid}) exited prematurely with status {code}"
                ));
            } else if let Some(sig) = status.signal() {
                self.log_error(&format!(
                    "Supervised node '{name}' (PID {pid}) terminated prematurely by signal {sig}"
                ));
            }
        }
        drain(name, output);
        true
    }

    fn reap(&mut self) {
        let names: Vec<String> = self
            .nodes
            .iter()
            .filter(|(_, n)| n.child.is_some())
            .map(|(k, _)| k.clone())
            .collect();
        for n in names {
            self.wait(&n);
        }
    }

    fn kill_node(&mut self, name: &str, sig: rustix::process::Signal) {
        let Some(node) = self.nodes.get_mut(name) else {
            return;
        };
        if node.child.is_none() {
            return;
        }
        node.killed = true;
        let pid = node.pid;
        let res = pid_of(pid).map(|p| rustix::process::kill_process(p, sig));
        if let Some(Err(e)) = res {
            self.log_error(&format!(
                "Failed to send signal to node '{name}' (PID {pid}): {e}"
            ));
        }
    }

    /// Zeek's `Stem::Destroy`: SIGTERM (SIGKILL after many tries) until
    /// the node is gone.
    fn destroy(&mut self, name: &str) {
        let mut attempts = 0;
        loop {
            if self.nodes.get(name).is_none_or(|n| n.child.is_none()) {
                return;
            }
            self.kill_node(name, kill_signal(attempts));
            attempts += 1;
            std::thread::sleep(Duration::from_micros(10));
            if self.wait(name) {
                return;
            }
            // Zeek sleeps the kill delay without forwarding the nodes'
            // output; a signal (the node's exit, or one to the stem) cuts
            // the sleep short.
            let deadline = Instant::now() + KILL_DELAY;
            while Instant::now() < deadline && !self.term.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(10));
                if self.wait(name) {
                    return;
                }
            }
        }
    }

    /// Zeek's `Stem::Revive`: restarts dead nodes, waiting a delay that
    /// doubles every third attempt; the state resets once a node has run
    /// for 30 seconds.
    fn revive(&mut self) {
        let now = Instant::now();
        let names: Vec<String> = self.nodes.keys().cloned().collect();
        for name in names {
            let Some(node) = self.nodes.get_mut(&name) else {
                continue;
            };
            let since_spawn = now.duration_since(node.spawn_time);
            if node.child.is_some() {
                if since_spawn > RESET_REVIVAL_STATE_AFTER {
                    node.revival_attempts = 0;
                    node.revival_delay = 1;
                }
                continue;
            }
            if since_spawn < Duration::from_secs(node.revival_delay) {
                continue;
            }
            node.revival_attempts += 1;
            if node.revival_attempts % ATTEMPTS_BEFORE_DELAY_INCREASE == 0 {
                node.revival_delay *= DELAY_INCREASE_FACTOR;
            }
            if self.spawn(&name) {
                let pid = self.nodes.get(&name).map_or(0, |n| n.pid);
                self.log_error(&format!(
                    "Supervised node '{name}' (PID {pid}) revived after premature exit"
                ));
            } else if let Some(node) = self.nodes.get_mut(&name) {
                // Count the failed attempt towards the delay.
                node.spawn_time = Instant::now();
            }
            self.report_status(&name);
        }
    }

    fn alive(&self) -> usize {
        self.nodes.values().filter(|n| n.child.is_some()).count()
    }

    /// Zeek's `Stem::Shutdown`: stops every node, then exits.
    fn shutdown(&mut self, code: i32) -> ! {
        let mut attempts = 0;
        loop {
            let sig = kill_signal(attempts);
            attempts += 1;
            let names: Vec<String> = self.nodes.keys().cloned().collect();
            for n in &names {
                self.kill_node(n, sig);
            }
            let deadline = Instant::now() + KILL_DELAY;
            loop {
                self.reap();
                if self.alive() == 0 {
                    let _ = std::io::stdout().flush();
                    std::process::exit(code);
                }
                if Instant::now() >= deadline {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// Forwards the rest of a node's output (Zeek drains the pipes of a node
/// it collected), waiting a little for its pipes to end.
fn drain(name: &str, output: Option<Receiver<(bool, Vec<u8>)>>) {
    let Some(rx) = output else { return };
    let prefix = format!("[{name}] ");
    let deadline = Instant::now() + Duration::from_secs(1);
    while let Ok((to_stdout, line)) =
        rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        emit(&prefix, to_stdout, &line);
    }
}
