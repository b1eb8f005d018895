//! The `zeek` binary loads Zeek 5.2.2's script library as Zeek does: `-b`
//! (init-bare plus the frameworks and BiFs) and default mode (plus
//! init-default) load with no error or warning, run `zeek_init` and
//! `zeek_done` and exit 0; with `CLUSTER_NODE` and a `cluster-layout.zeek`
//! on the path, the cluster framework loads each node type's scripts and
//! `Cluster::local_node_type()` names the node's type.
//!
//! The library is `$ZEEK_DIST/scripts`, or
//! `<workspace>/../shared/zeek-5.2/scripts` without `ZEEK_DIST`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

/// Runs `zeek ARGS` in `dir` with upstream's test environment.
fn zeek(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let zeekpath = common::zeekpath();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zeek"));
    cmd.current_dir(dir)
        .args(args)
        .env("ZEEKPATH", zeekpath)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env_remove("CLUSTER_NODE")
        .env_remove("ZEEK_ALLOW_INIT_ERRORS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run zeek")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zest-library-load-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const INIT_DONE: &str =
    r#"event zeek_init() { print "zeek_init"; } event zeek_done() { print "zeek_done"; }"#;

fn assert_clean_run(out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "exit status {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    assert_eq!(stderr, "", "stderr is not empty");
    assert_eq!(stdout, "zeek_init\nzeek_done\n");
}

#[test]
fn bare_mode_loads_cleanly() {
    let dir = scratch("bare");
    assert_clean_run(&zeek(&dir, &["-b", "-e", INIT_DONE], &[]));
    // `-e ''` on its own: nothing printed, exit 0.
    let out = zeek(&dir, &["-b", "-e", ""], &[]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn default_mode_loads_cleanly() {
    let dir = scratch("default");
    assert_clean_run(&zeek(&dir, &["-e", INIT_DONE], &[]));
    let _ = std::fs::remove_dir_all(&dir);
}

const LAYOUT: &str = r#"
redef Cluster::manager_is_logger = F;
redef Cluster::nodes = {
	["manager"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1, $p=0/tcp],
	["logger-1"] = [$node_type=Cluster::LOGGER, $ip=127.0.0.1, $p=0/tcp, $manager="manager"],
	["proxy-1"] = [$node_type=Cluster::PROXY, $ip=127.0.0.1, $p=0/tcp, $manager="manager"],
	["worker-1"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $p=0/tcp, $manager="manager"],
};
"#;

/// Prints the node's name and type and which of the cluster framework's
/// node scripts were loaded. `zeek_script_loaded` events follow `zeek_init`
/// in the queue, in load order, the probe's own last: it prints and exits
/// there, in the same queue drain as `zeek_init`, before an answer to the
/// peerings `zeek_init` started can arrive.
const NODE_PROBE: &str = r#"
global loaded: vector of string;
event zeek_script_loaded(path: string, level: count)
	{
	for ( s in set("setup-connections.zeek", "broker-stores.zeek", "nodes/manager.zeek",
	               "nodes/logger.zeek", "nodes/proxy.zeek", "nodes/worker.zeek") )
		if ( ends_with(path, "/" + s) )
			loaded += s;
	if ( ends_with(path, "/probe.zeek") )
		{
		print Cluster::node, Cluster::local_node_type(), Cluster::is_enabled();
		print join_string_vec(sort(loaded, strcmp), ",");
		exit(0);
		}
	}
"#;

#[test]
fn cluster_nodes_load_their_scripts() {
    let dir = scratch("cluster");
    std::fs::write(dir.join("cluster-layout.zeek"), LAYOUT).unwrap();
    std::fs::write(dir.join("probe.zeek"), NODE_PROBE).unwrap();
    for (node, ty, script) in [
        ("manager", "Cluster::MANAGER", "nodes/manager.zeek"),
        ("logger-1", "Cluster::LOGGER", "nodes/logger.zeek"),
        ("proxy-1", "Cluster::PROXY", "nodes/proxy.zeek"),
        ("worker-1", "Cluster::WORKER", "nodes/worker.zeek"),
    ] {
        let out = zeek(
            &dir,
            &["-b", "probe.zeek", "Broker::disable_ssl=T"],
            &[("CLUSTER_NODE", node)],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{node}: exit status {:?}\n{stdout}\n{stderr}",
            out.status
        );
        assert_eq!(stderr, "", "{node}: stderr is not empty");
        let mut scripts = ["broker-stores.zeek", script, "setup-connections.zeek"];
        scripts.sort();
        assert_eq!(
            stdout,
            format!("{node}, {ty}, T\n{}\n", scripts.join(",")),
            "{node}"
        );
    }
    // Without CLUSTER_NODE the layout is not loaded and the node is standalone.
    let out = zeek(&dir, &["-b", "probe.zeek"], &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ", Cluster::NONE, F\n\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
