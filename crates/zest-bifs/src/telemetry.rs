//! `telemetry.bif`: metric families and metrics (counters, gauges and
//! histograms over `int` and `double`) with label dimensions, and the
//! collection of their values (`Telemetry::__collect_metrics`).
//!
//! Zeek keeps the metrics in Broker's registry, which is CAF's
//! `telemetry::metric_registry`; this module reproduces its rules:
//!
//! * families live in one list, in creation order, keyed by prefix and
//!   name; asking again for an existing family returns it (its help text
//!   and, for histograms, its bounds are those of the first call), unless
//!   type, label names, unit or is-sum flag differ, which CAF raises as an
//!   uncaught exception (the process terminates);
//! * a family keeps its label names sorted; a metric keeps its labels
//!   sorted by their `name=value` text, and a family's metrics are listed
//!   in creation order;
//! * a histogram has one bucket per upper bound plus the implicit
//!   infinite one (`+inf`, or the largest `int`); an observation counts in
//!   the first bucket whose bound it does not exceed.
//!
//! Script-level handles are opaque values (`opaque of
//! dbl_counter_metric_family`, …) whose native state — which family or
//! metric they denote — lives in this module's registry (`Interp::ext`),
//! keyed by the address of the opaque value's allocation (see
//! `probabilistic.rs`). Copies of a handle denote the same metric, as
//! Zeek's `TelemetryValImpl::DoClone` shares the handle.
//!
//! Zeek's registry also holds the metrics of CAF and Broker themselves
//! (actor-system and process metrics); there is no such subsystem here,
//! so collecting returns the families scripts created.

use crate::reporter;
use crate::Bif;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::io::Write;
use std::rc::{Rc, Weak};
use zest_runtime::opaque::{OpaqueState, OpaqueVal};
use zest_runtime::program::GlobalKind;
use zest_runtime::types::{Type, TypeKind, TypeRef};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

// Metric kinds, numbered as the `Telemetry::MetricType` enum.
const DBL_COUNTER: u8 = 0;
const INT_COUNTER: u8 = 1;
const DBL_GAUGE: u8 = 2;
const INT_GAUGE: u8 = 3;
const DBL_HISTOGRAM: u8 = 4;
const INT_HISTOGRAM: u8 = 5;

pub static BIFS: &[Bif] = &[
    // -- IntCounter
    Bif {
        name: "Telemetry::__int_counter_family",
        signature: "function(prefix: string, name: string, labels: vector of string, helptext: string &default=\"Zeek Script Metric\", unit: string &default=\"1\", is_sum: bool &default=F): opaque of int_counter_metric_family",
        func: family::<INT_COUNTER>,
    },
    Bif {
        name: "Telemetry::__int_counter_metric_get_or_add",
        signature: "function(family: opaque of int_counter_metric_family, labels: table[string] of string): opaque of int_counter_metric",
        func: get_or_add::<INT_COUNTER>,
    },
    Bif {
        name: "Telemetry::__int_counter_inc",
        signature: "function(val: opaque of int_counter_metric, amount: int &default=1): bool",
        func: inc::<INT_COUNTER>,
    },
    Bif {
        name: "Telemetry::__int_counter_value",
        signature: "function(val: opaque of int_counter_metric): int",
        func: value::<INT_COUNTER>,
    },
    // -- DblCounter
    Bif {
        name: "Telemetry::__dbl_counter_family",
        signature: "function(prefix: string, name: string, labels: vector of string, helptext: string &default=\"Zeek Script Metric\", unit: string &default=\"1\", is_sum: bool &default=F): opaque of dbl_counter_metric_family",
        func: family::<DBL_COUNTER>,
    },
    Bif {
        name: "Telemetry::__dbl_counter_metric_get_or_add",
        signature: "function(family: opaque of dbl_counter_metric_family, labels: table[string] of string): opaque of dbl_counter_metric",
        func: get_or_add::<DBL_COUNTER>,
    },
    Bif {
        name: "Telemetry::__dbl_counter_inc",
        signature: "function(val: opaque of dbl_counter_metric, amount: double &default=1.0): bool",
        func: inc::<DBL_COUNTER>,
    },
    Bif {
        name: "Telemetry::__dbl_counter_value",
        signature: "function(val: opaque of dbl_counter_metric): double",
        func: value::<DBL_COUNTER>,
    },
    // -- IntGauge
    Bif {
        name: "Telemetry::__int_gauge_family",
        signature: "function(prefix: string, name: string, labels: vector of string, helptext: string &default=\"Zeek Script Metric\", unit: string &default=\"1\", is_sum: bool &default=F): opaque of int_gauge_metric_family",
        func: family::<INT_GAUGE>,
    },
    Bif {
        name: "Telemetry::__int_gauge_metric_get_or_add",
        signature: "function(family: opaque of int_gauge_metric_family, labels: table[string] of string): opaque of int_gauge_metric",
        func: get_or_add::<INT_GAUGE>,
    },
    Bif {
        name: "Telemetry::__int_gauge_inc",
        signature: "function(val: opaque of int_gauge_metric, amount: int &default=1): bool",
        func: inc::<INT_GAUGE>,
    },
    Bif {
        name: "Telemetry::__int_gauge_dec",
        signature: "function(val: opaque of int_gauge_metric, amount: int &default=1): bool",
        func: dec::<INT_GAUGE>,
    },
    Bif {
        name: "Telemetry::__int_gauge_value",
        signature: "function(val: opaque of int_gauge_metric): int",
        func: value::<INT_GAUGE>,
    },
    // -- DblGauge
    Bif {
        name: "Telemetry::__dbl_gauge_family",
        signature: "function(prefix: string, name: string, labels: vector of string, helptext: string &default=\"Zeek Script Metric\", unit: string &default=\"1\", is_sum: bool &default=F): opaque of dbl_gauge_metric_family",
        func: family::<DBL_GAUGE>,
    },
    Bif {
        name: "Telemetry::__dbl_gauge_metric_get_or_add",
        signature: "function(family: opaque of dbl_gauge_metric_family, labels: table[string] of string): opaque of dbl_gauge_metric",
        func: get_or_add::<DBL_GAUGE>,
    },
    Bif {
        name: "Telemetry::__dbl_gauge_inc",
        signature: "function(val: opaque of dbl_gauge_metric, amount: double &default=1.0): bool",
        func: inc::<DBL_GAUGE>,
    },
    Bif {
        name: "Telemetry::__dbl_gauge_dec",
        signature: "function(val: opaque of dbl_gauge_metric, amount: double &default=1.0): bool",
        func: dec::<DBL_GAUGE>,
    },
    Bif {
        name: "Telemetry::__dbl_gauge_value",
        signature: "function(val: opaque of dbl_gauge_metric): double",
        func: value::<DBL_GAUGE>,
    },
    // -- IntHistogram
    Bif {
        name: "Telemetry::__int_histogram_family",
        signature: "function(prefix: string, name: string, labels: vector of string, bounds: vector of int, helptext: string &default=\"Zeek Script Metric\", unit: string &default=\"1\", is_sum: bool &default=F): opaque of int_histogram_metric_family",
        func: family::<INT_HISTOGRAM>,
    },
    Bif {
        name: "Telemetry::__int_histogram_metric_get_or_add",
        signature: "function(family: opaque of int_histogram_metric_family, labels: table[string] of string): opaque of int_histogram_metric",
        func: get_or_add::<INT_HISTOGRAM>,
    },
    Bif {
        name: "Telemetry::__int_histogram_observe",
        signature: "function(val: opaque of int_histogram_metric, measurement: int): bool",
        func: inc::<INT_HISTOGRAM>,
    },
    Bif {
        name: "Telemetry::__int_histogram_sum",
        signature: "function(val: opaque of int_histogram_metric): int",
        func: value::<INT_HISTOGRAM>,
    },
    // -- DblHistogram
    Bif {
        name: "Telemetry::__dbl_histogram_family",
        signature: "function(prefix: string, name: string, labels: vector of string, bounds: vector of double, helptext: string &default=\"Zeek Script Metric\", unit: string &default=\"1\", is_sum: bool &default=F): opaque of dbl_histogram_metric_family",
        func: family::<DBL_HISTOGRAM>,
    },
    Bif {
        name: "Telemetry::__dbl_histogram_metric_get_or_add",
        signature: "function(family: opaque of dbl_histogram_metric_family, labels: table[string] of string): opaque of dbl_histogram_metric",
        func: get_or_add::<DBL_HISTOGRAM>,
    },
    Bif {
        name: "Telemetry::__dbl_histogram_observe",
        signature: "function(val: opaque of dbl_histogram_metric, measurement: double): bool",
        func: inc::<DBL_HISTOGRAM>,
    },
    Bif {
        name: "Telemetry::__dbl_histogram_sum",
        signature: "function(val: opaque of dbl_histogram_metric): double",
        func: value::<DBL_HISTOGRAM>,
    },
    // -- collection
    Bif {
        name: "Telemetry::__collect_metrics",
        signature: "function(prefix: string, name: string): vector of any",
        func: collect_metrics,
    },
    Bif {
        name: "Telemetry::__collect_histogram_metrics",
        signature: "function(prefix: string, name: string): vector of any",
        func: collect_histogram_metrics,
    },
];

// ------------------------------------------------------------ metric kinds

/// The script-level name stem of a kind (`int_counter`, …), as in the
/// opaque type names and Zeek's error messages.
fn stem(kind: u8) -> &'static str {
    match kind {
        DBL_COUNTER => "dbl_counter",
        INT_COUNTER => "int_counter",
        DBL_GAUGE => "dbl_gauge",
        INT_GAUGE => "int_gauge",
        DBL_HISTOGRAM => "dbl_histogram",
        _ => "int_histogram",
    }
}

fn is_int(kind: u8) -> bool {
    matches!(kind, INT_COUNTER | INT_GAUGE | INT_HISTOGRAM)
}

fn is_histogram(kind: u8) -> bool {
    matches!(kind, DBL_HISTOGRAM | INT_HISTOGRAM)
}

// ------------------------------------------------------------ the registry

/// Histogram bucket bounds, without the implicit infinite bucket.
#[derive(Clone, Debug, PartialEq)]
enum Bounds {
    None,
    Int(Vec<i64>),
    Dbl(Vec<f64>),
}

/// The value of one metric.
#[derive(Clone, Debug, PartialEq)]
enum State {
    Int(i64),
    Dbl(f64),
    /// Bucket counts (one more than the bounds) and the sum.
    IntHist(Vec<i64>, i64),
    DblHist(Vec<i64>, f64),
}

#[derive(Clone, Debug)]
struct Metric {
    /// Sorted by `name=value`.
    labels: Vec<(Vec<u8>, Vec<u8>)>,
    state: State,
}

#[derive(Debug)]
struct Family {
    kind: u8,
    prefix: Vec<u8>,
    name: Vec<u8>,
    /// Sorted.
    label_names: Vec<Vec<u8>>,
    helptext: Vec<u8>,
    unit: Vec<u8>,
    is_sum: bool,
    bounds: Bounds,
    metrics: Vec<Metric>,
    /// The `Telemetry::MetricOpts` record made for this family the first
    /// time it was collected (Zeek hands out the same record every time).
    opts: Option<Value>,
}

/// What a script-level handle denotes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Handle {
    Family(u8, usize),
    Metric(u8, usize, usize),
}

#[derive(Default)]
struct Registry {
    families: Vec<Family>,
    handles: FxHashMap<usize, (Weak<RefCell<OpaqueVal>>, Handle)>,
    since_sweep: usize,
}

const KEY: &str = "telemetry";

/// What a family is asked for with.
struct Spec<'a> {
    kind: u8,
    prefix: &'a [u8],
    name: &'a [u8],
    labels: &'a [Vec<u8>],
    helptext: &'a [u8],
    unit: &'a [u8],
    is_sum: bool,
    bounds: Bounds,
}

/// The error CAF raises (an uncaught `std::runtime_error` in Zeek, which
/// terminates the process).
#[derive(Debug, PartialEq)]
struct Raise(&'static str);

impl Registry {
    /// `metric_registry::*_family`: the existing family of that prefix and
    /// name, or a new one.
    fn family(&mut self, spec: Spec<'_>) -> Result<usize, Raise> {
        let Spec {
            kind,
            prefix,
            name,
            labels,
            helptext,
            unit,
            is_sum,
            bounds,
        } = spec;
        let empty_bounds = match &bounds {
            Bounds::None => false,
            Bounds::Int(b) => b.is_empty(),
            Bounds::Dbl(b) => b.is_empty(),
        };
        if empty_bounds {
            return Err(Raise(
                "at least one bucket must exist in the default settings",
            ));
        }
        if let Some(i) = self
            .families
            .iter()
            .position(|f| f.prefix == prefix && f.name == name)
        {
            let f = &self.families[i];
            if f.kind != kind {
                return Err(Raise("full name with different metric type found"));
            }
            let labels_match = if labels.windows(2).all(|w| w[0] <= w[1]) {
                f.label_names == labels
            } else {
                is_permutation(&f.label_names, labels)
            };
            if !labels_match {
                return Err(Raise("full name with different label dimensions found"));
            }
            if f.unit != unit {
                return Err(Raise("full name with different unit found"));
            }
            if f.is_sum != is_sum {
                return Err(Raise("full name with different is-sum flag found"));
            }
            return Ok(i);
        }
        let mut label_names = labels.to_vec();
        label_names.sort();
        self.families.push(Family {
            kind,
            prefix: prefix.to_vec(),
            name: name.to_vec(),
            label_names,
            helptext: helptext.to_vec(),
            unit: unit.to_vec(),
            is_sum,
            bounds,
            metrics: Vec::new(),
            opts: None,
        });
        Ok(self.families.len() - 1)
    }

    /// `is_valid` of telemetry.bif, then `metric_family_impl::get_or_add`:
    /// the index of the family's metric with these labels (in any order),
    /// created if new; `None` if the label names do not fit the family.
    fn get_or_add(&mut self, fam: usize, labels: &[(Vec<u8>, Vec<u8>)]) -> Option<usize> {
        let f = &mut self.families[fam];
        let valid = labels.len() == f.label_names.len()
            && labels.iter().all(|(k, _)| f.label_names.contains(k));
        if !valid {
            return None;
        }
        if let Some(i) = f
            .metrics
            .iter()
            .position(|m| is_permutation(&m.labels, labels))
        {
            return Some(i);
        }
        let mut sorted = labels.to_vec();
        sorted.sort_by_key(label_text);
        let state = match (&f.bounds, is_int(f.kind)) {
            (Bounds::Int(b), _) => State::IntHist(vec![0; b.len() + 1], 0),
            (Bounds::Dbl(b), _) => State::DblHist(vec![0; b.len() + 1], 0.0),
            (Bounds::None, true) => State::Int(0),
            (Bounds::None, false) => State::Dbl(0.0),
        };
        f.metrics.push(Metric {
            labels: sorted,
            state,
        });
        Some(f.metrics.len() - 1)
    }

    fn metric(&mut self, fam: usize, m: usize) -> &mut Metric {
        &mut self.families[fam].metrics[m]
    }

    /// Increments (or, with `negate`, decrements) a counter or gauge, or
    /// observes a value in a histogram.
    fn update(&mut self, fam: usize, m: usize, amount: &Value, negate: bool) {
        let bounds = self.families[fam].bounds.clone();
        match &mut self.metric(fam, m).state {
            State::Int(v) => {
                let a = amount.as_int();
                *v = if negate {
                    v.wrapping_sub(a)
                } else {
                    v.wrapping_add(a)
                };
            }
            State::Dbl(v) => {
                let a = amount.as_double();
                *v = if negate { *v - a } else { *v + a };
            }
            State::IntHist(counts, sum) => {
                let x = amount.as_int();
                if let Bounds::Int(b) = &bounds {
                    let i = b.iter().position(|ub| x <= *ub).unwrap_or(b.len());
                    counts[i] = counts[i].wrapping_add(1);
                }
                *sum = sum.wrapping_add(x);
            }
            State::DblHist(counts, sum) => {
                let x = amount.as_double();
                if let Bounds::Dbl(b) = &bounds {
                    // A NaN exceeds every bound, even the infinite one
                    // (undefined in CAF, which reads past its buckets); it
                    // is counted nowhere.
                    let i = b
                        .iter()
                        .position(|ub| x <= *ub)
                        .or_else(|| (x <= f64::INFINITY).then_some(b.len()));
                    if let Some(i) = i {
                        counts[i] = counts[i].wrapping_add(1);
                    }
                }
                *sum += x;
            }
        }
    }

    /// A counter's or gauge's value, or a histogram's sum.
    fn read(&mut self, fam: usize, m: usize) -> Value {
        match &self.metric(fam, m).state {
            State::Int(v) | State::IntHist(_, v) => Value::Int(*v),
            State::Dbl(v) | State::DblHist(_, v) => Value::Double(*v),
        }
    }
}

/// A label in CAF's `name=value` notation, by which labels sort.
fn label_text((name, value): &(Vec<u8>, Vec<u8>)) -> Vec<u8> {
    let mut s = Vec::with_capacity(name.len() + value.len() + 1);
    s.extend_from_slice(name);
    s.push(b'=');
    s.extend_from_slice(value);
    s
}

/// `std::is_permutation`.
fn is_permutation<T: PartialEq>(xs: &[T], ys: &[T]) -> bool {
    if xs.len() != ys.len() {
        return false;
    }
    let mut used = vec![false; ys.len()];
    xs.iter()
        .all(|x| match (0..ys.len()).find(|&j| !used[j] && ys[j] == *x) {
            Some(j) => {
                used[j] = true;
                true
            }
            None => false,
        })
}

// ------------------------------------------------------------ handles

fn new_handle(it: &mut Interp, handle: Handle) -> Value {
    let name = match handle {
        Handle::Family(k, _) => format!("{}_metric_family", stem(k)),
        Handle::Metric(k, _, _) => format!("{}_metric", stem(k)),
    };
    let rc = Rc::new(RefCell::new(OpaqueVal {
        ty: Type::new(TypeKind::Opaque(Symbol::intern(&name))),
        state: OpaqueState::Other,
    }));
    let reg = it.ext_mut::<Registry>(KEY);
    reg.since_sweep += 1;
    if reg.since_sweep >= 1024 {
        reg.since_sweep = 0;
        reg.handles.retain(|_, (w, _)| w.strong_count() > 0);
    }
    reg.handles
        .insert(Rc::as_ptr(&rc) as usize, (Rc::downgrade(&rc), handle));
    Value::Opaque(rc)
}

fn handle_of(it: &mut Interp, v: Option<&Value>) -> Option<Handle> {
    let Some(Value::Opaque(o)) = v else {
        return None;
    };
    it.ext_mut::<Registry>(KEY)
        .handles
        .get(&(Rc::as_ptr(o) as usize))
        .map(|(_, h)| *h)
}

/// The metric a handle argument denotes, if it is one of kind `kind`
/// (Zeek's `dynamic_cast` to the handle class).
fn metric_of(it: &mut Interp, v: Option<&Value>, kind: u8) -> Option<(usize, usize)> {
    match handle_of(it, v)? {
        Handle::Metric(k, f, m) if k == kind => Some((f, m)),
        _ => None,
    }
}

/// CAF's `CAF_RAISE_ERROR`: an exception nothing catches, so the C++
/// runtime terminates the process.
fn raise(it: &mut Interp, e: &Raise) -> ! {
    it.flush_stdout();
    let _ = std::io::stderr().write_all(
        format!(
            "terminate called after throwing an instance of 'std::runtime_error'\n  what():  {}\n",
            e.0
        )
        .as_bytes(),
    );
    std::process::abort();
}

// ------------------------------------------------------------ built-ins

fn bytes(args: &[Value], i: usize) -> Vec<u8> {
    args.get(i).map_or(&b""[..], Value::as_bytes).to_vec()
}

/// The elements of a vector argument, holes left out (`sv_vec`).
fn vector_items(args: &[Value], i: usize) -> Vec<Value> {
    match args.get(i) {
        Some(Value::Vector(v)) => v.borrow().items.iter().flatten().cloned().collect(),
        _ => Vec::new(),
    }
}

fn family<const K: u8>(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let labels: Vec<Vec<u8>> = vector_items(args, 2)
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect();
    // The histogram variants take the bounds before the options.
    let (bounds, opt) = match K {
        INT_HISTOGRAM => (
            Bounds::Int(vector_items(args, 3).iter().map(Value::as_int).collect()),
            4,
        ),
        DBL_HISTOGRAM => (
            Bounds::Dbl(vector_items(args, 3).iter().map(Value::as_double).collect()),
            4,
        ),
        _ => (Bounds::None, 3),
    };
    let is_sum = args.get(opt + 2).is_some_and(Value::as_bool);
    let (prefix, name) = (bytes(args, 0), bytes(args, 1));
    let (helptext, unit) = (bytes(args, opt), bytes(args, opt + 1));
    let r = it.ext_mut::<Registry>(KEY).family(Spec {
        kind: K,
        prefix: &prefix,
        name: &name,
        labels: &labels,
        helptext: &helptext,
        unit: &unit,
        is_sum,
        bounds,
    });
    match r {
        Ok(i) => Ok(new_handle(it, Handle::Family(K, i))),
        Err(e) => raise(it, &e),
    }
}

fn get_or_add<const K: u8>(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let fam = match handle_of(it, args.first()) {
        Some(Handle::Family(k, f)) if k == K => f,
        _ => {
            let msg = format!("Telemetry::{}_metric_get_or_add: invalid handle.", stem(K));
            reporter::error(it, site, &msg);
            return Err(it.no_value());
        }
    };
    // The table's keys are the label names (a one-string index is its
    // own hash key), its values the label values.
    let labels: Vec<(Vec<u8>, Vec<u8>)> = match args.get(1) {
        Some(Value::Table(t)) => t
            .borrow()
            .entries_vec()
            .into_iter()
            .map(|(k, v)| {
                let name = k.first().map_or(&b""[..], Value::as_bytes).to_vec();
                let value = v.as_ref().map_or(&b""[..], Value::as_bytes).to_vec();
                (name, value)
            })
            .collect(),
        _ => Vec::new(),
    };
    match it.ext_mut::<Registry>(KEY).get_or_add(fam, &labels) {
        Some(m) => Ok(new_handle(it, Handle::Metric(K, fam, m))),
        None => {
            let msg = format!(
                "Telemetry::{}_metric_get_or_add: invalid label dimensions.",
                stem(K)
            );
            reporter::error(it, site, &msg);
            Err(it.no_value())
        }
    }
}

/// `*_inc` and `*_observe` (whose error message also says `_inc`).
fn inc<const K: u8>(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    update(it, args, site, K, false, "inc")
}

fn dec<const K: u8>(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    update(it, args, site, K, true, "dec")
}

fn update(
    it: &mut Interp,
    args: &[Value],
    site: &CallSite<'_>,
    kind: u8,
    negate: bool,
    what: &str,
) -> RtResult {
    match metric_of(it, args.first(), kind) {
        Some((f, m)) => {
            let amount = args.get(1).cloned().unwrap_or(Value::Int(1));
            it.ext_mut::<Registry>(KEY).update(f, m, &amount, negate);
            Ok(Value::Bool(true))
        }
        None => {
            let msg = format!("Telemetry::{}_{what}: invalid handle.", stem(kind));
            reporter::error(it, site, &msg);
            Ok(Value::Bool(false))
        }
    }
}

/// `*_value` of counters and gauges, `*_sum` of histograms.
fn value<const K: u8>(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    match metric_of(it, args.first(), K) {
        Some((f, m)) => Ok(it.ext_mut::<Registry>(KEY).read(f, m)),
        None => {
            let what = if is_histogram(K) { "sum" } else { "value" };
            let msg = format!("Telemetry::{}_{what}: invalid handle.", stem(K));
            reporter::error(it, site, &msg);
            Ok(if is_int(K) {
                Value::Int(0)
            } else {
                Value::Double(0.0)
            })
        }
    }
}

// ------------------------------------------------------------ collection

/// `zeek::id::find_type`: a type the scripts declare; Zeek stops with an
/// internal error when there is none (e.g. `Telemetry::Metric` under `-b`
/// without the telemetry framework).
fn find_type(it: &mut Interp, name: &str) -> TypeRef {
    let found = it.prog.lookup(Symbol::intern(name)).and_then(|gid| {
        let g = &it.prog.globals[gid as usize];
        (g.kind == GlobalKind::Type).then(|| g.ty.clone()).flatten()
    });
    match found {
        Some(t) => t,
        None => reporter::internal_error(it, &format!("Failed to find type named: {name}")),
    }
}

fn set_field(rec: &Value, name: &str, v: Value) {
    if let Value::Record(r) = rec {
        let mut rb = r.borrow_mut();
        let idx = rb
            .ty
            .record()
            .and_then(|rt| rt.field_index(Symbol::intern(name)));
        if let Some(i) = idx {
            rb.fields[i] = Some(v);
        }
    }
}

fn vector(ty: TypeRef, items: Vec<Value>) -> Value {
    let v = Value::new_vector(ty);
    if let Value::Vector(vv) = &v {
        vv.borrow_mut().items = items.into_iter().map(Some).collect();
    }
    v
}

fn strings(ty: &TypeRef, xs: &[Vec<u8>]) -> Value {
    vector(ty.clone(), xs.iter().map(|x| Value::str(x)).collect())
}

/// `Manager::GetMetricOptsRecord`: the family's options, made once.
fn opts_record(it: &mut Interp, fam: usize) -> Value {
    let string_vec = find_type(it, "string_vec");
    let double_vec = find_type(it, "double_vec");
    let count_vec = find_type(it, "index_vec");
    let opts_type = find_type(it, "Telemetry::MetricOpts");
    if let Some(r) = &it.ext_mut::<Registry>(KEY).families[fam].opts {
        return r.clone();
    }
    let metric_type = find_type(it, "Telemetry::MetricType");
    let r = it.default_value(&opts_type);
    let reg = it.ext_mut::<Registry>(KEY);
    let f = &reg.families[fam];
    set_field(&r, "prefix", Value::str(&f.prefix));
    set_field(&r, "name", Value::str(&f.name));
    set_field(&r, "help_text", Value::str(&f.helptext));
    set_field(&r, "unit", Value::str(&f.unit));
    set_field(&r, "is_total", Value::Bool(f.is_sum));
    set_field(&r, "labels", strings(&string_vec, &f.label_names));
    set_field(
        &r,
        "metric_type",
        Value::Enum(metric_type, i64::from(f.kind)),
    );
    match &f.bounds {
        Bounds::None => {}
        Bounds::Dbl(b) => {
            let mut xs: Vec<Value> = b.iter().map(|x| Value::Double(*x)).collect();
            xs.push(Value::Double(f64::INFINITY));
            set_field(&r, "bounds", vector(double_vec, xs));
        }
        Bounds::Int(b) => {
            let all: Vec<i64> = b.iter().copied().chain([i64::MAX]).collect();
            let xs = all.iter().map(|x| Value::Double(*x as f64)).collect();
            set_field(&r, "bounds", vector(double_vec, xs));
            let cs = all.iter().map(|x| Value::Count(*x as u64)).collect();
            set_field(&r, "count_bounds", vector(count_vec, cs));
        }
    }
    reg.families[fam].opts = Some(r.clone());
    r
}

/// `MetricFamilyMatcher`: prefix and name against the glob patterns.
fn matching(it: &mut Interp, args: &[Value], histograms: bool) -> Vec<(usize, usize)> {
    let prefix = bytes(args, 0);
    let name = bytes(args, 1);
    let reg = it.ext_mut::<Registry>(KEY);
    let mut out = Vec::new();
    for (i, f) in reg.families.iter().enumerate() {
        if is_histogram(f.kind) != histograms
            || !fnmatch(&prefix, &f.prefix)
            || !fnmatch(&name, &f.name)
        {
            continue;
        }
        out.extend((0..f.metrics.len()).map(|m| (i, m)));
    }
    out
}

fn label_values(m: &Metric) -> Vec<Vec<u8>> {
    m.labels.iter().map(|(_, v)| v.clone()).collect()
}

fn collect_metrics(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let any_vec = find_type(it, "any_vec");
    let mut out = Vec::new();
    for (fam, m) in matching(it, args, false) {
        let string_vec = find_type(it, "string_vec");
        let metric_type = find_type(it, "Telemetry::Metric");
        let r = it.default_value(&metric_type);
        let metric = it.ext_mut::<Registry>(KEY).families[fam].metrics[m].clone();
        set_field(&r, "labels", strings(&string_vec, &label_values(&metric)));
        let opts = opts_record(it, fam);
        set_field(&r, "opts", opts);
        match metric.state {
            State::Int(v) => {
                set_field(&r, "value", Value::Double(v as f64));
                set_field(&r, "count_value", Value::Count(v as u64));
            }
            State::Dbl(v) => set_field(&r, "value", Value::Double(v)),
            State::IntHist(..) | State::DblHist(..) => {}
        }
        out.push(r);
    }
    Ok(vector(any_vec, out))
}

fn collect_histogram_metrics(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    let any_vec = find_type(it, "any_vec");
    let mut out = Vec::new();
    for (fam, m) in matching(it, args, true) {
        let string_vec = find_type(it, "string_vec");
        let double_vec = find_type(it, "double_vec");
        let count_vec = find_type(it, "index_vec");
        let hist_type = find_type(it, "Telemetry::HistogramMetric");
        let r = it.default_value(&hist_type);
        let metric = it.ext_mut::<Registry>(KEY).families[fam].metrics[m].clone();
        set_field(&r, "labels", strings(&string_vec, &label_values(&metric)));
        let opts = opts_record(it, fam);
        set_field(&r, "opts", opts);
        match metric.state {
            State::IntHist(counts, sum) => {
                let observations = counts.iter().fold(0i64, |a, c| a.wrapping_add(*c));
                let values = counts.iter().map(|c| Value::Double(*c as f64)).collect();
                let cvalues = counts.iter().map(|c| Value::Count(*c as u64)).collect();
                set_field(&r, "values", vector(double_vec, values));
                set_field(&r, "sum", Value::Double(sum as f64));
                set_field(&r, "observations", Value::Double(observations as f64));
                set_field(&r, "count_values", vector(count_vec, cvalues));
                set_field(&r, "count_sum", Value::Count(sum as u64));
                set_field(&r, "count_observations", Value::Count(observations as u64));
            }
            State::DblHist(counts, sum) => {
                let observations = counts.iter().fold(0.0, |a, c| a + *c as f64);
                let values = counts.iter().map(|c| Value::Double(*c as f64)).collect();
                set_field(&r, "values", vector(double_vec, values));
                set_field(&r, "sum", Value::Double(sum));
                set_field(&r, "observations", Value::Double(observations));
            }
            State::Int(_) | State::Dbl(_) => {}
        }
        out.push(r);
    }
    Ok(vector(any_vec, out))
}

// ------------------------------------------------------------ export

/// Broker's metric scraper: one row per metric of the families whose
/// prefix is in `prefixes` (all when empty): `[prefix, name, type, unit,
/// helptext, is_sum, labels, value]`, a histogram's value being its
/// `[upper bound, count]` buckets followed by the sum.
pub fn scrape_rows(it: &mut Interp, prefixes: &[Vec<u8>]) -> Vec<zest_broker::Data> {
    use zest_broker::Data;
    let Some(reg) = it.ext_ref::<Registry>(KEY) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for f in &reg.families {
        if !prefixes.is_empty() && !prefixes.contains(&f.prefix) {
            continue;
        }
        let ty = match f.kind {
            DBL_COUNTER | INT_COUNTER => "counter",
            DBL_GAUGE | INT_GAUGE => "gauge",
            _ => "histogram",
        };
        for m in &f.metrics {
            let labels = m
                .labels
                .iter()
                .map(|(k, v)| (Data::string(k), Data::string(v)))
                .collect();
            let value = match (&m.state, &f.bounds) {
                (State::Int(v), _) => Data::Integer(*v),
                (State::Dbl(v), _) => Data::Real(*v),
                (State::IntHist(counts, sum), Bounds::Int(b)) => {
                    let mut out: Vec<Data> = counts
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let ub = b.get(i).copied().unwrap_or(i64::MAX);
                            Data::Vector(vec![Data::Integer(ub), Data::Integer(*c)])
                        })
                        .collect();
                    out.push(Data::Integer(*sum));
                    Data::Vector(out)
                }
                (State::DblHist(counts, sum), Bounds::Dbl(b)) => {
                    let mut out: Vec<Data> = counts
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let ub = b.get(i).copied().unwrap_or(f64::INFINITY);
                            Data::Vector(vec![Data::Real(ub), Data::Integer(*c)])
                        })
                        .collect();
                    out.push(Data::Real(*sum));
                    Data::Vector(out)
                }
                _ => continue,
            };
            rows.push(Data::Vector(vec![
                Data::string(&f.prefix),
                Data::string(&f.name),
                Data::string(ty),
                Data::string(&f.unit),
                Data::string(&f.helptext),
                Data::Bool(f.is_sum),
                Data::Table(labels),
                value,
            ]));
        }
    }
    rows
}

// ------------------------------------------------------------ fnmatch

/// `fnmatch(pattern, string, 0)` of the C library in the C locale: `*`,
/// `?`, bracket expressions (`!`/`^` negation, ranges, `[:class:]`,
/// `[=c=]`, `[.c.]`) and backslash escapes; `/` and leading dots are
/// ordinary characters. Both strings end at a NUL byte, as C strings do.
pub fn fnmatch(pattern: &[u8], s: &[u8]) -> bool {
    let cut = |x: &[u8]| -> usize { x.iter().position(|&b| b == 0).unwrap_or(x.len()) };
    let p = &pattern[..cut(pattern)];
    let s = &s[..cut(s)];
    glob(p, s)
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    while pi < p.len() {
        match p[pi] {
            b'*' => {
                while pi < p.len() && p[pi] == b'*' {
                    pi += 1;
                }
                if pi == p.len() {
                    return true;
                }
                return (si..=s.len()).any(|k| glob(&p[pi..], &s[k..]));
            }
            b'?' => {
                if si == s.len() {
                    return false;
                }
                pi += 1;
                si += 1;
            }
            b'[' => {
                if si == s.len() {
                    return false;
                }
                match bracket(&p[pi + 1..], s[si]) {
                    Bracket::Match(len) => {
                        pi += 1 + len;
                        si += 1;
                    }
                    Bracket::NoMatch => return false,
                    // Unterminated: `[` is an ordinary character.
                    Bracket::Literal => {
                        if s[si] != b'[' {
                            return false;
                        }
                        pi += 1;
                        si += 1;
                    }
                }
            }
            b'\\' => {
                // A trailing backslash matches nothing.
                let Some(&c) = p.get(pi + 1) else {
                    return false;
                };
                if s.get(si) != Some(&c) {
                    return false;
                }
                pi += 2;
                si += 1;
            }
            c => {
                if s.get(si) != Some(&c) {
                    return false;
                }
                pi += 1;
                si += 1;
            }
        }
    }
    si == s.len()
}

enum Bracket {
    /// The character is in the set; the bracket expression after `[` is
    /// this long.
    Match(usize),
    NoMatch,
    Literal,
}

/// One bracket expression (`p` starts after the `[`) against byte `c`.
fn bracket(p: &[u8], c: u8) -> Bracket {
    let mut i = 0;
    let negate = matches!(p.first(), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    loop {
        let Some(&b) = p.get(i) else {
            return Bracket::Literal;
        };
        if b == b']' && !first {
            i += 1;
            break;
        }
        first = false;
        // The start of a range or a single character.
        let lo = match b {
            b'\\' => {
                let Some(&e) = p.get(i + 1) else {
                    return Bracket::NoMatch;
                };
                i += 2;
                e
            }
            b'[' if matches!(p.get(i + 1), Some(b':' | b'=' | b'.')) => {
                let kind = p[i + 1];
                let body = i + 2;
                let end =
                    (body..p.len().saturating_sub(1)).find(|&k| p[k] == kind && p[k + 1] == b']');
                let Some(end) = end else {
                    return Bracket::Literal;
                };
                let word = &p[body..end];
                i = end + 2;
                match kind {
                    b':' => {
                        let Some(inside) = in_class(word, c) else {
                            return Bracket::NoMatch;
                        };
                        found |= inside;
                        continue;
                    }
                    // One-character equivalence classes and collating
                    // symbols are that character in the C locale.
                    _ if word.len() == 1 => word[0],
                    _ => return Bracket::NoMatch,
                }
            }
            _ => {
                i += 1;
                b
            }
        };
        // A range `lo-hi`, unless the `-` ends the expression.
        if p.get(i) == Some(&b'-') && p.get(i + 1).is_some_and(|&x| x != b']') {
            let mut j = i + 1;
            let hi = match p[j] {
                b'\\' => {
                    let Some(&e) = p.get(j + 1) else {
                        return Bracket::NoMatch;
                    };
                    j += 2;
                    e
                }
                b'[' if p.get(j + 1) == Some(&b'.') => {
                    let body = j + 2;
                    let end = (body..p.len().saturating_sub(1))
                        .find(|&k| p[k] == b'.' && p[k + 1] == b']');
                    match end {
                        Some(end) if end == body + 1 => {
                            j = end + 2;
                            p[body]
                        }
                        _ => return Bracket::NoMatch,
                    }
                }
                x => {
                    j += 1;
                    x
                }
            };
            i = j;
            found |= lo <= c && c <= hi;
        } else {
            found |= c == lo;
        }
    }
    if found != negate {
        Bracket::Match(i)
    } else {
        Bracket::NoMatch
    }
}

/// Whether `c` is in the character class `name` of the C locale; `None`
/// for an unknown class name.
fn in_class(name: &[u8], c: u8) -> Option<bool> {
    Some(match name {
        b"alnum" => c.is_ascii_alphanumeric(),
        b"alpha" => c.is_ascii_alphabetic(),
        b"blank" => c == b' ' || c == b'\t',
        b"cntrl" => c.is_ascii_control(),
        b"digit" => c.is_ascii_digit(),
        b"graph" => c.is_ascii_graphic(),
        b"lower" => c.is_ascii_lowercase(),
        b"print" => c.is_ascii_graphic() || c == b' ',
        b"punct" => c.is_ascii_punctuation(),
        b"space" => matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
        b"upper" => c.is_ascii_uppercase(),
        b"xdigit" => c.is_ascii_hexdigit(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(xs: &[&str]) -> Vec<Vec<u8>> {
        xs.iter().map(|x| x.as_bytes().to_vec()).collect()
    }

    fn labels(xs: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
        xs.iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    fn fam(reg: &mut Registry, kind: u8, prefix: &str, dims: &[&str], bounds: Bounds) -> usize {
        reg.family(Spec {
            kind,
            prefix: prefix.as_bytes(),
            name: b"bar",
            labels: &names(dims),
            helptext: b"Zeek Script Metric",
            unit: b"1",
            is_sum: false,
            bounds,
        })
        .unwrap()
    }

    /// btest `telemetry/counter.zeek`: cnt1_bar 1, cnt2_bar 42,
    /// cnt3_bar 1.000000, cnt4_bar 42.000000.
    #[test]
    fn counter_baseline() {
        let mut reg = Registry::default();
        let cnt1 = fam(
            &mut reg,
            INT_COUNTER,
            "cnt1",
            &["dim1", "dim2"],
            Bounds::None,
        );
        let cnt2 = fam(&mut reg, INT_COUNTER, "cnt2", &[], Bounds::None);
        let cnt3 = fam(
            &mut reg,
            DBL_COUNTER,
            "cnt3",
            &["dim1", "dim2"],
            Bounds::None,
        );
        let cnt4 = fam(&mut reg, DBL_COUNTER, "cnt4", &[], Bounds::None);
        let dims = labels(&[("dim1", "val1"), ("dim2", "val2")]);
        let m1 = reg.get_or_add(cnt1, &dims).unwrap();
        reg.update(cnt1, m1, &Value::Int(1), false);
        let m2 = reg.get_or_add(cnt2, &[]).unwrap();
        reg.update(cnt2, m2, &Value::Int(1), false);
        reg.update(cnt2, m2, &Value::Int(41), false);
        assert_eq!(reg.read(cnt1, m1).as_int(), 1);
        assert_eq!(reg.read(cnt2, m2).as_int(), 42);
        let m3 = reg.get_or_add(cnt3, &dims).unwrap();
        reg.update(cnt3, m3, &Value::Double(1.0), false);
        let m4 = reg.get_or_add(cnt4, &[]).unwrap();
        reg.update(cnt4, m4, &Value::Double(1.0), false);
        reg.update(cnt4, m4, &Value::Double(41.0), false);
        assert_eq!(reg.read(cnt3, m3).as_double(), 1.0);
        assert_eq!(reg.read(cnt4, m4).as_double(), 42.0);
    }

    /// btest `telemetry/histogram.zeek`: sums 12, 31337, 6.0 and 64.0.
    #[test]
    fn histogram_baseline() {
        let mut reg = Registry::default();
        let ib = || Bounds::Int(vec![10, 20]);
        let db = || Bounds::Dbl(vec![10.0, 20.0]);
        let h1 = fam(&mut reg, INT_HISTOGRAM, "hst1", &["dim1", "dim2"], ib());
        let h2 = fam(&mut reg, INT_HISTOGRAM, "hst2", &[], ib());
        let h3 = fam(&mut reg, DBL_HISTOGRAM, "hst3", &["dim1", "dim2"], db());
        let h4 = fam(&mut reg, DBL_HISTOGRAM, "hst4", &[], db());
        let dims = labels(&[("dim1", "val1"), ("dim2", "val2")]);
        // (family, with the dims labels?, observations, expected sum)
        let cases: [(usize, bool, Vec<Value>, f64); 4] = [
            (h1, true, vec![Value::Int(1), Value::Int(11)], 12.0),
            (h2, false, vec![Value::Int(31337)], 31337.0),
            (h3, true, vec![Value::Double(2.0), Value::Double(4.0)], 6.0),
            (h4, false, vec![Value::Double(64.0)], 64.0),
        ];
        for (f, with_dims, xs, sum) in cases {
            let l = if with_dims { dims.clone() } else { vec![] };
            let m = reg.get_or_add(f, &l).unwrap();
            for x in &xs {
                reg.update(f, m, x, false);
            }
            assert_eq!(reg.read(f, m).as_double(), sum);
        }
        // CAF's buckets: 1 → (≤10), 11 → (≤20); 31337 → the infinite one.
        assert_eq!(
            reg.families[h1].metrics[0].state,
            State::IntHist(vec![1, 1, 0], 12)
        );
        assert_eq!(
            reg.families[h2].metrics[0].state,
            State::IntHist(vec![0, 0, 1], 31337)
        );
    }

    /// CAF: the same labels in any order denote the same metric; stored
    /// labels sort by `name=value`; a second family request with the same
    /// name returns the first family; mismatches raise CAF's errors.
    #[test]
    fn registry_rules() {
        let mut reg = Registry::default();
        let f = fam(&mut reg, DBL_GAUGE, "zeek", &["b", "a"], Bounds::None);
        assert_eq!(reg.families[f].label_names, names(&["a", "b"]));
        let m1 = reg
            .get_or_add(f, &labels(&[("b", "1"), ("a", "2")]))
            .unwrap();
        let m2 = reg
            .get_or_add(f, &labels(&[("a", "2"), ("b", "1")]))
            .unwrap();
        assert_eq!(m1, m2);
        assert_eq!(
            reg.families[f].metrics[m1].labels,
            labels(&[("a", "2"), ("b", "1")])
        );
        // Wrong label names: `is_valid` fails.
        assert_eq!(reg.get_or_add(f, &labels(&[("a", "2")])), None);
        assert_eq!(reg.get_or_add(f, &labels(&[("a", "2"), ("c", "1")])), None);
        // Same family again, label names in any order.
        assert_eq!(
            fam(&mut reg, DBL_GAUGE, "zeek", &["a", "b"], Bounds::None),
            f
        );
        assert_eq!(
            fam(&mut reg, DBL_GAUGE, "zeek", &["b", "a"], Bounds::None),
            f
        );
        let err = |reg: &mut Registry, kind, dims: &[&str], unit: &[u8], is_sum| {
            reg.family(Spec {
                kind,
                prefix: b"zeek",
                name: b"bar",
                labels: &names(dims),
                helptext: b"",
                unit,
                is_sum,
                bounds: Bounds::None,
            })
            .unwrap_err()
            .0
        };
        assert_eq!(
            err(&mut reg, INT_GAUGE, &["a", "b"], b"1", false),
            "full name with different metric type found"
        );
        assert_eq!(
            err(&mut reg, DBL_GAUGE, &["a"], b"1", false),
            "full name with different label dimensions found"
        );
        assert_eq!(
            err(&mut reg, DBL_GAUGE, &["a", "b"], b"s", false),
            "full name with different unit found"
        );
        assert_eq!(
            err(&mut reg, DBL_GAUGE, &["a", "b"], b"1", true),
            "full name with different is-sum flag found"
        );
        let empty = Spec {
            kind: DBL_HISTOGRAM,
            prefix: b"x",
            name: b"y",
            labels: &[],
            helptext: b"",
            unit: b"1",
            is_sum: false,
            bounds: Bounds::Dbl(vec![]),
        };
        assert_eq!(
            reg.family(empty).unwrap_err().0,
            "at least one bucket must exist in the default settings"
        );
    }

    /// `label::compare` compares the `name=value` strings: `a1` sorts
    /// before `a` (`'1'` < `'='`).
    #[test]
    fn label_order() {
        let mut xs = labels(&[("a", "x"), ("a1", "y"), ("a_b", "z")]);
        xs.sort_by_key(label_text);
        assert_eq!(xs, labels(&[("a1", "y"), ("a", "x"), ("a_b", "z")]));
    }

    /// `fnmatch` with no flags, as glibc answers these cases (C locale).
    #[test]
    fn fnmatch_cases() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "zeek", true),
            ("*", "", true),
            ("zeek", "zeek", true),
            ("ze?k", "zeek", true),
            ("ze?k", "zek", false),
            ("z*k", "zeek", true),
            ("z*k", "zeeks", false),
            ("[a-z]*", "zeek", true),
            ("[!a-z]*", "zeek", false),
            ("[^a-z]*", "Zeek", true),
            ("[]]", "]", true),
            ("[!]]", "a", true),
            ("[a-]", "-", true),
            ("[[:digit:]]", "5", true),
            ("[[:alpha:]]", "5", false),
            ("[[:foo:]]", "a", false),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("a\\", "a\\", false),
            ("[", "[", true),
            ("[abc", "[abc", true),
            ("*/b", "a/b", true),
            ("*", ".hidden", true),
            ("[[.a.]]", "a", true),
            ("[[=a=]]", "a", true),
            ("[\\]]", "]", true),
            ("[a\\-z]", "-", true),
            ("[a\\-z]", "b", false),
            ("[z-a]", "m", false),
            ("[--0]", "/", true),
            ("[[:alpha:]-z]", "-", true),
            ("[[.-.]-0]", "/", true),
            ("a[", "a[", true),
            ("[!", "[!", true),
            ("[\\", "[\\", false),
            ("[[:alpha:]", "[[:alpha:]", false),
            ("[[:alpha:", "a", false),
        ];
        for &(p, s, want) in cases {
            assert_eq!(fnmatch(p.as_bytes(), s.as_bytes()), want, "{p:?} {s:?}");
        }
    }
}
