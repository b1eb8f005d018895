//! A cluster's layout: the nodes a `cluster-layout.zeek` defines (read by
//! running it), their ports, who peers with whom, and the two scripts
//! `up` generates from it (the supervisor's and the one every node loads).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

/// A node's `Cluster::NodeType`, for the types a supervisor can start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    Logger,
    Manager,
    Proxy,
    Worker,
}

impl Kind {
    fn from_script(s: &str) -> Option<Kind> {
        match s.rsplit("::").next().unwrap_or(s) {
            "LOGGER" => Some(Kind::Logger),
            "MANAGER" => Some(Kind::Manager),
            "PROXY" => Some(Kind::Proxy),
            "WORKER" => Some(Kind::Worker),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Logger => "logger",
            Kind::Manager => "manager",
            Kind::Proxy => "proxy",
            Kind::Worker => "worker",
        }
    }

    fn role(self) -> &'static str {
        match self {
            Kind::Logger => "Supervisor::LOGGER",
            Kind::Manager => "Supervisor::MANAGER",
            Kind::Proxy => "Supervisor::PROXY",
            Kind::Worker => "Supervisor::WORKER",
        }
    }

    /// Whether a node of this type peers with one of `to` (Zeek's
    /// `setup-connections.zeek`: everyone with the loggers, proxies and
    /// workers with the manager, workers with the proxies).
    fn connects_to(self, to: Kind) -> bool {
        matches!(
            (self, to),
            (Kind::Manager | Kind::Proxy | Kind::Worker, Kind::Logger)
                | (Kind::Proxy | Kind::Worker, Kind::Manager)
                | (Kind::Worker, Kind::Proxy)
        )
    }
}

/// One node of the layout.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Node {
    pub name: String,
    pub kind: Kind,
    pub ip: String,
    pub port: u16,
    /// The nodes it peers with (either side initiating).
    #[serde(default)]
    pub peers: BTreeSet<String>,
}

const PRINT_NODES: &str = r#"event zeek_init()
	{
	for ( n in Cluster::nodes )
		{
		local v = Cluster::nodes[n];
		print fmt("zest-node %s %s %s %s", n, v$node_type, v$ip, port_to_count(v$p));
		}
	}"#;

/// Runs the layout script in a bare Zest process (`zest_as_zeek`) in
/// `dir` and returns its nodes, in start order (loggers, manager,
/// proxies, workers; by name within a type).
pub fn read(zest_as_zeek: &mut Command, layout: &Path) -> Result<Vec<Node>, String> {
    let out = zest_as_zeek
        .args(["-b", "base/frameworks/cluster"])
        .arg(layout)
        .args(["-e", PRINT_NODES])
        .output()
        .map_err(|e| format!("cannot run zest: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{}: the layout does not load:\n{}{}",
            layout.display(),
            stdout,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut nodes = Vec::new();
    for line in stdout.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let [tag, name, ty, ip, port] = f[..] else {
            continue;
        };
        if tag != "zest-node" {
            continue;
        }
        let Some(kind) = Kind::from_script(ty) else {
            return Err(format!(
                "node '{name}': a supervisor cannot start nodes of type {ty}"
            ));
        };
        nodes.push(Node {
            name: name.to_owned(),
            kind,
            ip: ip.to_owned(),
            port: port.parse().unwrap_or(0),
            peers: BTreeSet::new(),
        });
    }
    if nodes.is_empty() {
        return Err(format!(
            "{}: the layout defines no nodes (Cluster::nodes is empty)",
            layout.display()
        ));
    }
    if nodes.iter().filter(|n| n.kind == Kind::Manager).count() > 1 {
        return Err(format!("{}: more than one manager", layout.display()));
    }
    nodes.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    let kinds: Vec<(String, Kind)> = nodes.iter().map(|n| (n.name.clone(), n.kind)).collect();
    set_peers(&mut nodes, &kinds);
    Ok(nodes)
}

/// Fills in who peers with whom.
fn set_peers(nodes: &mut [Node], kinds: &[(String, Kind)]) {
    for n in nodes.iter_mut() {
        n.peers = kinds
            .iter()
            .filter(|(name, k)| {
                *name != n.name && (n.kind.connects_to(*k) || k.connects_to(n.kind))
            })
            .map(|(name, _)| name.clone())
            .collect();
    }
}

/// Gives every node without a port (`0/unknown`) a free one: each is
/// bound to port 0 at once, so no two nodes get the same port.
pub fn assign_ports(nodes: &mut [Node]) -> Result<(), String> {
    let mut held = Vec::new();
    for n in nodes.iter_mut().filter(|n| n.port == 0) {
        let l = std::net::TcpListener::bind(("0.0.0.0", 0))
            .map_err(|e| format!("cannot find a free port: {e}"))?;
        n.port = l
            .local_addr()
            .map_err(|e| format!("cannot find a free port: {e}"))?
            .port();
        held.push(l);
    }
    Ok(())
}

/// `s` as a Zeek string literal.
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                q.push('\\');
                q.push(c);
            }
            '\n' => q.push_str("\\n"),
            _ => q.push(c),
        }
    }
    q.push('"');
    q
}

/// An address as a Zeek literal.
fn addr(ip: &str) -> String {
    if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.to_owned()
    }
}

/// The supervisor's script: creates every node, in order, with its
/// working directory under `dir`, its output in `stdout.log` and
/// `stderr.log` there, and `scripts` to load.
pub fn supervisor_script(nodes: &[Node], dir: &Path, scripts: &[String]) -> String {
    let mut s = String::from(
        "# Generated by `zest cluster up`: the supervisor starts every node of the\n\
         # cluster layout (nodes ignore this script).\n\n\
         event zeek_init()\n\t{\n\tif ( ! Supervisor::is_supervisor() )\n\t\treturn;\n\n\
         \tlocal cluster: table[string] of Supervisor::ClusterEndpoint = table();\n",
    );
    for n in nodes {
        let _ = writeln!(
            s,
            "\tcluster[{}] = Supervisor::ClusterEndpoint($role={}, $host={}, $p={}/tcp);",
            quote(&n.name),
            n.kind.role(),
            addr(&n.ip),
            n.port
        );
    }
    let list = |items: &mut dyn Iterator<Item = String>| items.collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        s,
        "\n\tlocal scripts: vector of string = vector({});",
        list(&mut scripts.iter().map(|x| quote(x)))
    );
    let _ = writeln!(
        s,
        "\tlocal names: vector of string = vector({});",
        list(&mut nodes.iter().map(|n| quote(&n.name)))
    );
    let _ = write!(
        s,
        "\n\tfor ( i in names )\n\t\t{{\n\t\tlocal name = names[i];\n\
         \t\tlocal env: table[string] of string = table();\n\
         \t\tenv[\"{env}\"] = cat(port_to_count(cluster[name]$p));\n\
         \t\tlocal err = Supervisor::create(Supervisor::NodeConfig($name=name,\n\
         \t\t\t$directory={dir} + \"/\" + name, $stdout_file=\"stdout.log\",\n\
         \t\t\t$stderr_file=\"stderr.log\", $addl_user_scripts=scripts,\n\
         \t\t\t$cluster=cluster, $env=env));\n\
         \t\tif ( err != \"\" )\n\
         \t\t\tReporter::error(fmt(\"cannot start node %s: %s\", name, err));\n\
         \t\t}}\n\t}}\n",
        env = zest_bifs::supervisor::stem::LISTEN_PORT_ENV,
        dir = quote(&dir.display().to_string()),
    );
    s
}

/// The script every node loads before the site's: the Control
/// framework's controllee (answering on the node's cluster port), and a
/// status file (`.zest-node` in the node's directory: PID, start time,
/// the peers up, and when all expected peers were first up) that
/// `status` and `up` read.
pub fn node_script(nodes: &[Node]) -> String {
    let mut expected = String::new();
    for (i, n) in nodes.iter().enumerate() {
        let peers: Vec<String> = n.peers.iter().map(|p| quote(p)).collect();
        let _ = write!(
            expected,
            "{}\t[{}] = set({})",
            if i == 0 { "" } else { ",\n" },
            quote(&n.name),
            peers.join(", ")
        );
    }
    let mut s = String::from(
        "# Generated by `zest cluster up`: loaded by every node before the site's\n\
         # scripts.\n\n\
         @load base/frameworks/cluster\n\
         @load policy/frameworks/control/controllee\n\n\
         # Nodes answer control requests on their cluster port.\n\
         redef Control::controllee_listen = F;\n\
         # Nodes restart under the supervisor: lost peerings come back quickly.\n\
         redef Cluster::retry_interval = 1sec;\n\n\
         module ZestCluster;\n\n\
         global expected_peers: table[string] of set[string] = {\n",
    );
    s.push_str(&expected);
    s.push_str(NODE_SCRIPT_TAIL);
    s
}

const NODE_SCRIPT_TAIL: &str = r#"
};

global peers_up: set[string];
global started = current_time();
global ready_at = 0.0;

function save_status()
	{
	local f = open(".zest-node.tmp");
	print f, fmt("pid %d", getpid());
	print f, fmt("started %.6f", time_to_double(started));
	local names = "";
	for ( p in peers_up )
		names = names == "" ? p : names + "," + p;
	print f, fmt("peers %s", names);
	if ( ready_at > 0.0 )
		print f, fmt("ready %.6f", ready_at);
	close(f);
	rename(".zest-node.tmp", ".zest-node");
	}

function check_ready()
	{
	if ( ready_at > 0.0 || Cluster::node !in expected_peers )
		return;

	for ( p in expected_peers[Cluster::node] )
		if ( p !in peers_up )
			return;

	ready_at = time_to_double(current_time());
	}

event zeek_init() &priority=-20
	{
	check_ready();
	save_status();
	}

event Cluster::node_up(name: string, id: string) &priority=-20
	{
	add peers_up[name];
	print fmt("%.6f node_up %s", time_to_double(current_time()), name);
	check_ready();
	save_status();
	}

event Cluster::node_down(name: string, id: string) &priority=-20
	{
	delete peers_up[name];
	print fmt("%.6f node_down %s", time_to_double(current_time()), name);
	save_status();
	}
"#;

/// What a node's `.zest-node` file says.
#[derive(Debug, Default)]
pub struct NodeStatus {
    pub pid: u32,
    pub started: f64,
    pub peers: Vec<String>,
    pub ready: Option<f64>,
}

pub fn node_status(dir: &Path) -> Option<NodeStatus> {
    let text = std::fs::read_to_string(dir.join(".zest-node")).ok()?;
    let mut st = NodeStatus::default();
    for line in text.lines() {
        let (k, v) = line.split_once(' ').unwrap_or((line, ""));
        match k {
            "pid" => st.pid = v.parse().ok()?,
            "started" => st.started = v.parse().ok()?,
            "peers" => {
                st.peers = v
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "ready" => st.ready = v.parse().ok(),
            _ => {}
        }
    }
    (st.pid != 0).then_some(st)
}

/// Every node's status by name (nodes without a status file left out).
pub fn statuses(dir: &Path, nodes: &[Node]) -> BTreeMap<String, NodeStatus> {
    nodes
        .iter()
        .filter_map(|n| Some((n.name.clone(), node_status(&dir.join(&n.name))?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, kind: Kind) -> Node {
        Node {
            name: name.to_owned(),
            kind,
            ip: "127.0.0.1".to_owned(),
            port: 0,
            peers: BTreeSet::new(),
        }
    }

    #[test]
    fn peers_follow_setup_connections() {
        let mut nodes = vec![
            node("m", Kind::Manager),
            node("l", Kind::Logger),
            node("p", Kind::Proxy),
            node("w1", Kind::Worker),
            node("w2", Kind::Worker),
        ];
        let kinds: Vec<(String, Kind)> = nodes.iter().map(|n| (n.name.clone(), n.kind)).collect();
        set_peers(&mut nodes, &kinds);
        let peers = |i: usize| nodes[i].peers.iter().cloned().collect::<Vec<_>>().join(",");
        assert_eq!(peers(0), "l,p,w1,w2");
        assert_eq!(peers(1), "m,p,w1,w2");
        assert_eq!(peers(2), "l,m,w1,w2");
        assert_eq!(peers(3), "l,m,p");
    }

    #[test]
    fn ports_are_distinct() {
        let mut nodes = vec![node("a", Kind::Manager), node("b", Kind::Worker)];
        nodes[1].port = 1234;
        assign_ports(&mut nodes).unwrap();
        assert_ne!(nodes[0].port, 0);
        assert_eq!(nodes[1].port, 1234);
    }

    #[test]
    fn quoting() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(addr("::1"), "[::1]");
    }
}
