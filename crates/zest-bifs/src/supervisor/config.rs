//! `Supervisor::NodeConfig` outside the interpreter (Zeek's
//! `Supervisor::NodeConfig` C++ struct): read from and written back to
//! script records, and carried between the supervisor, its stem and the
//! node processes as the JSON text Zeek's `to_json` gives the record.

use std::collections::BTreeMap;
use std::rc::Rc;

use zest_runtime::table::TableVal;
use zest_runtime::types::{TypeKind, TypeRef};
use zest_runtime::value::{Addr, Port, Proto};
use zest_runtime::{Interp, Value};
use zest_syntax::Symbol;

/// `Supervisor::ClusterRole`, by its script name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Role {
    #[default]
    None,
    Logger,
    Manager,
    Proxy,
    Worker,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::None => "NONE",
            Role::Logger => "LOGGER",
            Role::Manager => "MANAGER",
            Role::Proxy => "PROXY",
            Role::Worker => "WORKER",
        }
    }

    /// Zeek's `role_str_to_enum`: anything unknown is `NONE`.
    fn from_name(s: &str) -> Role {
        match s.rsplit("::").next().unwrap_or(s) {
            "LOGGER" => Role::Logger,
            "MANAGER" => Role::Manager,
            "PROXY" => Role::Proxy,
            "WORKER" => Role::Worker,
            _ => Role::None,
        }
    }
}

/// `Supervisor::ClusterEndpoint`.
#[derive(Clone, Debug, Default)]
pub struct ClusterEndpoint {
    pub role: Role,
    pub host: String,
    pub port: u32,
    pub interface: Option<String>,
}

/// `Supervisor::NodeConfig`. `env` and `cluster` are ordered by name, as
/// Zeek's `std::map`s are.
#[derive(Clone, Debug, Default)]
pub struct NodeConfig {
    pub name: String,
    pub interface: Option<String>,
    pub directory: Option<String>,
    pub stdout_file: Option<String>,
    pub stderr_file: Option<String>,
    pub bare_mode: Option<bool>,
    pub addl_base_scripts: Vec<String>,
    pub addl_user_scripts: Vec<String>,
    pub scripts: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub cpu_affinity: Option<i64>,
    pub cluster: BTreeMap<String, ClusterEndpoint>,
}

fn text(v: &Value) -> String {
    String::from_utf8_lossy(v.as_bytes()).into_owned()
}

fn strings(v: Option<Value>) -> Vec<String> {
    match v {
        Some(Value::Vector(vv)) => vv.borrow().items.iter().flatten().map(text).collect(),
        _ => Vec::new(),
    }
}

fn table_entries(v: Option<Value>) -> Vec<(String, Option<Value>)> {
    match v {
        Some(Value::Table(t)) => t
            .borrow()
            .entries_vec()
            .into_iter()
            .map(|(k, v)| (k.first().map(text).unwrap_or_default(), v))
            .collect(),
        _ => Vec::new(),
    }
}

fn enum_name(v: &Value) -> String {
    match v {
        Value::Enum(t, i) => match &t.kind {
            TypeKind::Enum(e) => e.name_of(*i).map(|s| s.to_string()).unwrap_or_default(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// The value of enum type `ty` named `module::name` (or plain `name`).
pub fn enum_value(ty: &TypeRef, module: &str, name: &str) -> Option<Value> {
    let TypeKind::Enum(e) = &ty.kind else {
        return None;
    };
    let v = e
        .value_of(Symbol::intern(&format!("{module}::{name}")))
        .or_else(|| e.value_of(Symbol::intern(name)))?;
    Some(Value::Enum(ty.clone(), v))
}

/// The type a record type gives field `name`.
fn field_type(rt: &TypeRef, name: &str) -> Option<TypeRef> {
    let r = rt.record()?;
    let i = r.field_index(Symbol::intern(name))?;
    let fields = r.fields.borrow();
    Some(fields[i].ty.clone())
}

/// Sets field `name` of a record value.
pub fn set_field(rec: &Value, name: &str, v: Value) {
    if let Value::Record(r) = rec {
        let mut rb = r.borrow_mut();
        let Some(i) = rb
            .ty
            .record()
            .and_then(|t| t.field_index(Symbol::intern(name)))
        else {
            return;
        };
        if rb.fields.len() <= i {
            rb.fields.resize(i + 1, None);
        }
        rb.fields[i] = Some(v);
    }
}

fn string_vector(ty: Option<TypeRef>, items: &[String]) -> Option<Value> {
    let v = Value::new_vector(ty?);
    if let Value::Vector(vv) = &v {
        vv.borrow_mut()
            .items
            .extend(items.iter().map(|s| Some(Value::str(s.as_bytes()))));
    }
    Some(v)
}

fn new_table(ty: Option<TypeRef>) -> Option<(Value, Rc<std::cell::RefCell<TableVal>>)> {
    let t = Rc::new(std::cell::RefCell::new(TableVal::new(ty?)));
    Some((Value::Table(t.clone()), t))
}

pub fn parse_addr(s: &str) -> Option<Addr> {
    s.parse::<std::net::IpAddr>().ok().map(Addr::from_ip)
}

impl NodeConfig {
    /// Zeek's `NodeConfig::FromRecord`.
    pub fn from_record(it: &mut Interp, rec: &Value) -> NodeConfig {
        let mut f = |name: &str| it.field_or_default(rec, name);
        let opt = |v: Option<Value>| v.map(|v| text(&v));
        let mut c = NodeConfig {
            name: f("name").map(|v| text(&v)).unwrap_or_default(),
            interface: opt(f("interface")),
            directory: opt(f("directory")),
            stdout_file: opt(f("stdout_file")),
            stderr_file: opt(f("stderr_file")),
            bare_mode: f("bare_mode").map(|v| v.as_bool()),
            addl_base_scripts: strings(f("addl_base_scripts")),
            addl_user_scripts: strings(f("addl_user_scripts")),
            scripts: strings(f("scripts")),
            cpu_affinity: f("cpu_affinity").map(|v| v.as_int()),
            ..NodeConfig::default()
        };
        for (k, v) in table_entries(f("env")) {
            c.env.insert(k, v.map(|v| text(&v)).unwrap_or_default());
        }
        for (k, v) in table_entries(f("cluster")) {
            let Some(ep) = v else { continue };
            let host = match it.field_or_default(&ep, "host") {
                Some(Value::Addr(a)) => a.to_ip().to_string(),
                _ => String::new(),
            };
            let port = match it.field_or_default(&ep, "p") {
                Some(Value::Port(p)) => p.num,
                _ => 0,
            };
            let e = ClusterEndpoint {
                role: Role::from_name(
                    &it.field_or_default(&ep, "role")
                        .map(|r| enum_name(&r))
                        .unwrap_or_default(),
                ),
                host,
                port,
                interface: it.field_or_default(&ep, "interface").map(|v| text(&v)),
            };
            c.cluster.insert(k, e);
        }
        c
    }

    /// Zeek's `NodeConfig::ToRecord`, as a value of record type `rt`
    /// (`Supervisor::NodeConfig`).
    pub fn to_record(&self, it: &mut Interp, rt: &TypeRef) -> Value {
        let rec = Value::new_record(rt.clone());
        let s = |x: &str| Value::str(x.as_bytes());
        set_field(&rec, "name", s(&self.name));
        for (name, v) in [
            ("interface", &self.interface),
            ("directory", &self.directory),
            ("stdout_file", &self.stdout_file),
            ("stderr_file", &self.stderr_file),
        ] {
            if let Some(v) = v {
                set_field(&rec, name, s(v));
            }
        }
        if let Some(a) = self.cpu_affinity {
            set_field(&rec, "cpu_affinity", Value::Int(a));
        }
        if let Some(b) = self.bare_mode {
            set_field(&rec, "bare_mode", Value::Bool(b));
        }
        for (name, items) in [
            ("addl_base_scripts", &self.addl_base_scripts),
            ("addl_user_scripts", &self.addl_user_scripts),
            ("scripts", &self.scripts),
        ] {
            if let Some(v) = string_vector(field_type(rt, name), items) {
                set_field(&rec, name, v);
            }
        }
        if let Some((v, t)) = new_table(field_type(rt, "env")) {
            for (k, x) in &self.env {
                t.borrow_mut().insert(vec![s(k)], Some(s(x)));
            }
            set_field(&rec, "env", v);
        }
        let ctt = field_type(rt, "cluster");
        let ept = ctt.as_ref().and_then(|t| t.yield_type().cloned());
        let role_ty = ept.as_ref().and_then(|t| field_type(t, "role"));
        if let Some((v, t)) = new_table(ctt) {
            if let Some(ept) = &ept {
                for (k, ep) in &self.cluster {
                    let r = it.default_value(ept);
                    if let Some(role) = role_ty
                        .as_ref()
                        .and_then(|rt| enum_value(rt, "Supervisor", ep.role.name()))
                    {
                        set_field(&r, "role", role);
                    }
                    if let Some(a) = parse_addr(&ep.host) {
                        set_field(&r, "host", Value::Addr(a));
                    }
                    set_field(
                        &r,
                        "p",
                        Value::Port(Port {
                            num: ep.port,
                            proto: Proto::Tcp,
                        }),
                    );
                    if let Some(i) = &ep.interface {
                        set_field(&r, "interface", s(i));
                    }
                    t.borrow_mut().insert(vec![s(k)], Some(r));
                }
            }
            set_field(&rec, "cluster", v);
        }
        rec
    }

    /// The record as JSON, as Zeek's `NodeConfig::ToJSON` writes it: the
    /// fields by their script names, unset optional ones left out.
    pub fn to_json(&self) -> String {
        use serde_json::{json, Map, Value as J};
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        for (name, v) in [
            ("interface", &self.interface),
            ("directory", &self.directory),
            ("stdout_file", &self.stdout_file),
            ("stderr_file", &self.stderr_file),
        ] {
            if let Some(v) = v {
                m.insert(name.into(), json!(v));
            }
        }
        if let Some(b) = self.bare_mode {
            m.insert("bare_mode".into(), json!(b));
        }
        m.insert("addl_base_scripts".into(), json!(self.addl_base_scripts));
        m.insert("addl_user_scripts".into(), json!(self.addl_user_scripts));
        m.insert("scripts".into(), json!(self.scripts));
        m.insert("env".into(), json!(self.env));
        if let Some(a) = self.cpu_affinity {
            m.insert("cpu_affinity".into(), json!(a));
        }
        let mut cl = Map::new();
        for (k, ep) in &self.cluster {
            let mut e = Map::new();
            e.insert(
                "role".into(),
                json!(format!("Supervisor::{}", ep.role.name())),
            );
            e.insert("host".into(), json!(ep.host));
            e.insert("p".into(), json!({"port": ep.port, "proto": "tcp"}));
            if let Some(i) = &ep.interface {
                e.insert("interface".into(), json!(i));
            }
            cl.insert(k.clone(), J::Object(e));
        }
        m.insert("cluster".into(), J::Object(cl));
        J::Object(m).to_string()
    }

    /// Zeek's `NodeConfig::FromJSON`; `None` for text that is not such a
    /// record.
    pub fn from_json(s: &str) -> Option<NodeConfig> {
        use serde_json::Value as J;
        let j: J = serde_json::from_str(s).ok()?;
        let o = j.as_object()?;
        let st = |k: &str| o.get(k).and_then(J::as_str).map(str::to_owned);
        let list = |k: &str| -> Vec<String> {
            o.get(k)
                .and_then(J::as_array)
                .map(|a| a.iter().filter_map(J::as_str).map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let mut c = NodeConfig {
            name: st("name")?,
            interface: st("interface"),
            directory: st("directory"),
            stdout_file: st("stdout_file"),
            stderr_file: st("stderr_file"),
            bare_mode: o.get("bare_mode").and_then(J::as_bool),
            addl_base_scripts: list("addl_base_scripts"),
            addl_user_scripts: list("addl_user_scripts"),
            scripts: list("scripts"),
            cpu_affinity: o.get("cpu_affinity").and_then(J::as_i64),
            ..NodeConfig::default()
        };
        if let Some(env) = o.get("env").and_then(J::as_object) {
            for (k, v) in env {
                c.env
                    .insert(k.clone(), v.as_str().unwrap_or_default().to_owned());
            }
        }
        if let Some(cl) = o.get("cluster").and_then(J::as_object) {
            for (k, v) in cl {
                let ep = ClusterEndpoint {
                    role: Role::from_name(v.get("role").and_then(J::as_str).unwrap_or_default()),
                    host: v
                        .get("host")
                        .and_then(J::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    port: v
                        .get("p")
                        .and_then(|p| p.get("port"))
                        .and_then(J::as_u64)
                        .unwrap_or(0) as u32,
                    interface: v.get("interface").and_then(J::as_str).map(str::to_owned),
                };
                c.cluster.insert(k.clone(), ep);
            }
        }
        Some(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let mut c = NodeConfig {
            name: "worker-1".into(),
            directory: Some("w1".into()),
            cpu_affinity: Some(2),
            addl_user_scripts: vec!["a.zeek".into()],
            ..NodeConfig::default()
        };
        c.env.insert("foo".into(), "bar \"x\"".into());
        c.cluster.insert(
            "manager".into(),
            ClusterEndpoint {
                role: Role::Manager,
                host: "127.0.0.1".into(),
                port: 2000,
                interface: None,
            },
        );
        let j = c.to_json();
        let d = NodeConfig::from_json(&j).unwrap();
        assert_eq!(d.name, "worker-1");
        assert_eq!(d.cpu_affinity, Some(2));
        assert_eq!(d.env["foo"], "bar \"x\"");
        assert_eq!(d.cluster["manager"].role, Role::Manager);
        assert_eq!(d.cluster["manager"].port, 2000);
        assert!(NodeConfig::from_json("[1]").is_none());
    }
}
