//! Log rotation: the rotated file's name (`Log::rotation_format_func`),
//! the postprocessor call, the rotation timers' schedule, and the ASCII
//! writer's start-up rotation of leftover logs (`.shadow.` files).
//!
//! Upstream: `src/logging/Manager.cc` (`InstallRotationTimer`,
//! `FormatRotationPath`, `Rotate`, `FinishedRotation`),
//! `src/util.cc` (`calc_next_rotate`, `ensure_intermediate_dirs`),
//! `src/logging/writers/ascii/Ascii.cc` (`RotateLeftoverLogs`).

use super::ascii::{prefix_basename_with, strerror};
use super::format;
use std::os::unix::fs::MetadataExt as _;
use zest_runtime::ir::Loc;
use zest_runtime::types::{TypeKind, TypeRef};
use zest_runtime::{Interp, Value};
use zest_syntax::Symbol;

pub const NO_LOC: Loc = Loc {
    file: u32::MAX,
    first_line: 0,
    last_line: 0,
};

fn global_value(it: &Interp, name: &str) -> Option<Value> {
    let gid = it.prog.lookup(Symbol::intern(name))?;
    match &it.prog.globals[gid as usize].value {
        Value::Void => None,
        v => Some(v.clone()),
    }
}

fn global_type(it: &Interp, name: &str) -> Option<TypeRef> {
    let gid = it.prog.lookup(Symbol::intern(name))?;
    it.prog.globals[gid as usize].ty.clone()
}

/// A function value bound to a global name (`id::find_func`).
pub fn find_func(it: &Interp, name: &str) -> Option<Value> {
    match global_value(it, name) {
        Some(v @ Value::Func(_)) => Some(v),
        _ => None,
    }
}

/// A new record of the named type with its fields set by position.
fn make_record(it: &mut Interp, type_name: &str, fields: Vec<Option<Value>>) -> Option<Value> {
    let t = global_type(it, type_name)?;
    let rec = it.default_value(&t);
    if let Value::Record(r) = &rec {
        let mut rb = r.borrow_mut();
        for (i, v) in fields.into_iter().enumerate() {
            if let (Some(v), Some(slot)) = (v, rb.fields.get_mut(i)) {
                *slot = Some(v);
            }
        }
    }
    Some(rec)
}

fn record_field(rec: &Value, i: usize) -> Option<Value> {
    let Value::Record(r) = rec else { return None };
    let rb = r.borrow();
    rb.fields.get(i).cloned().flatten()
}

/// `Manager::FormatRotationPath`: the rotated file's path without the
/// writer's extension.
pub fn format_rotation_path(
    it: &mut Interp,
    writer: &Value,
    path: &[u8],
    open: f64,
    close: f64,
    terminating: bool,
    postprocessor: Option<Value>,
) -> Vec<u8> {
    let ri = make_record(
        it,
        "Log::RotationFmtInfo",
        vec![
            Some(writer.clone()),
            Some(Value::str(path)),
            Some(Value::Time(open)),
            Some(Value::Time(close)),
            Some(Value::Bool(terminating)),
            postprocessor,
        ],
    );
    let func = global_value(it, "Log::rotation_format_func");
    let res = match (func, ri) {
        (Some(f), Some(ri)) => it.call_value(&f, &mut [ri], NO_LOC).ok(),
        _ => None,
    };
    let Some(rp) = res.filter(|r| matches!(r, Value::Record(_))) else {
        let fallback = {
            let c = format::civil_utc(open as i64);
            format!(
                "{:02}-{:02}-{:02}_{:02}.{:02}.{:02}",
                c.year.rem_euclid(100),
                c.month,
                c.day,
                c.hour,
                c.min,
                c.sec
            )
        };
        let mut rval = path.to_vec();
        rval.push(b'-');
        rval.extend_from_slice(fallback.as_bytes());
        it.error(
            None,
            &format!(
                "Failed to call Log::rotation_format_func for path {} continuing with rotation to: ./{}",
                String::from_utf8_lossy(path),
                String::from_utf8_lossy(&rval)
            ),
        );
        return rval;
    };
    let mut dir = record_field(&rp, 0).map_or_else(
        || {
            global_value(it, "Log::default_rotation_dir")
                .map(|v| v.as_bytes().to_vec())
                .unwrap_or_default()
        },
        |v| v.as_bytes().to_vec(),
    );
    let prefix = record_field(&rp, 1)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let default_logdir = global_value(it, "Log::default_logdir")
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    if dir.is_empty() && !default_logdir.is_empty() {
        dir = default_logdir;
    }
    if !dir.is_empty() {
        if let Err(e) = ensure_intermediate_dirs(&dir) {
            it.error(
                None,
                &format!(
                    "Failed to create dir '{}' returned by Log::rotation_format_func for path {}: {}",
                    String::from_utf8_lossy(&dir),
                    String::from_utf8_lossy(path),
                    strerror(&e)
                ),
            );
            dir.clear();
        }
    }
    if dir.is_empty() {
        prefix
    } else {
        let mut r = dir;
        r.push(b'/');
        r.extend_from_slice(&prefix);
        r
    }
}

/// `util::detail::ensure_intermediate_dirs`.
fn ensure_intermediate_dirs(dir: &[u8]) -> std::io::Result<()> {
    let s = String::from_utf8_lossy(dir).into_owned();
    let absolute = s.starts_with('/');
    let mut current = String::new();
    for (i, comp) in s.split('/').enumerate() {
        if i > 0 || absolute {
            current.push('/');
        }
        current.push_str(comp);
        if current.is_empty() || current == "/" {
            continue;
        }
        match std::fs::create_dir(&current) {
            Ok(()) => {}
            Err(e) => {
                let is_dir = std::fs::metadata(&current).is_ok_and(|m| m.is_dir());
                if !is_dir {
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}

/// `Manager::FinishedRotation`'s call of the postprocessor: builds the
/// `Log::RotationInfo` and runs `func`. Returns its result.
#[allow(clippy::too_many_arguments)]
pub fn run_postprocessor(
    it: &mut Interp,
    func: &Value,
    writer: &Value,
    new_name: &[u8],
    path: &[u8],
    open: f64,
    close: f64,
    terminating: bool,
) -> Option<bool> {
    let info = make_record(
        it,
        "Log::RotationInfo",
        vec![
            Some(writer.clone()),
            Some(Value::str(new_name)),
            Some(Value::str(path)),
            Some(Value::Time(open)),
            Some(Value::Time(close)),
            Some(Value::Bool(terminating)),
        ],
    )?;
    match it.call_value(func, &mut [info], NO_LOC) {
        Ok(v) => Some(v.as_bool()),
        Err(_) => None,
    }
}

/// `util::detail::calc_next_rotate` (local time is UTC in Zest).
pub fn calc_next_rotate(it: &mut Interp, current: f64, interval: f64, base: f64) -> f64 {
    let mut interval = interval;
    if interval == 0.0 {
        it.error(
            None,
            "calc_next_rotate(): interval is zero, falling back to 24hrs",
        );
        interval = 86400.0;
    }
    if base < 0.0 {
        // Round up to the next multiple of the interval.
        return (current / interval).floor() * interval + interval - current;
    }
    let secs = current as i64;
    let startofday = (secs - secs.rem_euclid(86400)) as f64;
    let delta =
        startofday + base + ((current - startofday - base) / interval).ceil() * interval - current;
    if delta > 0.0 {
        delta
    } else {
        interval
    }
}

/// The `Log::Writer` value of the ASCII writer.
fn writer_ascii(it: &Interp) -> Option<Value> {
    let t = global_type(it, "Log::Writer")?;
    let TypeKind::Enum(et) = &t.kind else {
        return None;
    };
    let v = et.value_of(Symbol::intern("Log::WRITER_ASCII"))?;
    Some(Value::Enum(t.clone(), v))
}

struct LeftoverLog {
    filename: String,
    extension: String,
    shadow_filename: String,
    post_proc_func: String,
    open_time: i64,
    close_time: i64,
}

impl LeftoverLog {
    /// The log's "path": the file name without directory and extension.
    fn path(&self) -> String {
        let base = self.filename.rsplit('/').next().unwrap_or("");
        match base.rfind('.') {
            Some(i) if i > 0 => base[..i].to_owned(),
            _ => base.to_owned(),
        }
    }
}

/// `parse_shadow_log`.
fn parse_shadow_log(fname: &str) -> Result<LeftoverLog, String> {
    let sfname =
        String::from_utf8_lossy(&prefix_basename_with(fname.as_bytes(), b".shadow.")).into_owned();
    let content =
        std::fs::read(&sfname).map_err(|e| format!("Failed to open {sfname}: {}", strerror(&e)))?;
    let text = String::from_utf8_lossy(&content);
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.len() < 2 {
        return Err(format!(
            "Found leftover log, '{fname}', but the associated shadow  file, '{sfname}', required to process it is invalid"
        ));
    }
    let open_time = std::fs::metadata(&sfname)
        .map_err(|e| format!("Failed to stat {sfname}: {}", strerror(&e)))?
        .ctime();
    let close_time = std::fs::metadata(fname)
        .map_err(|e| format!("Failed to stat {fname}: {}", strerror(&e)))?
        .mtime();
    Ok(LeftoverLog {
        filename: fname.to_owned(),
        extension: lines[0].to_owned(),
        shadow_filename: sfname,
        post_proc_func: lines[1].to_owned(),
        open_time,
        close_time,
    })
}

/// `find_leftover_logs`: the logs with a `.shadow.` file in the log
/// directory; shadow files whose log is gone are removed.
fn find_leftover_logs(it: &mut Interp) -> Vec<LeftoverLog> {
    let absolute = |p: &str| -> String {
        if p.starts_with('/') {
            p.to_owned()
        } else {
            let cwd = std::env::current_dir()
                .map_or_else(|_| String::new(), |d| d.to_string_lossy().into_owned());
            format!("{cwd}/{p}")
        }
    };
    let mut logdir = std::env::current_dir()
        .map_or_else(|_| String::new(), |d| d.to_string_lossy().into_owned());
    let default_logdir = global_value(it, "Log::default_logdir")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    if !default_logdir.is_empty() {
        logdir = absolute(&default_logdir);
    }
    let ascii_logdir = global_value(it, "LogAscii::logdir")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    if !ascii_logdir.is_empty() {
        logdir = absolute(&ascii_logdir);
    }
    let mut rval = Vec::new();
    let entries = match std::fs::read_dir(&logdir) {
        Ok(d) => d,
        Err(e) => {
            it.error(
                None,
                &format!(
                    "failed to open directory '{logdir}' in search of leftover logs: {}",
                    strerror(&e)
                ),
            );
            return rval;
        }
    };
    let join = |name: &str| -> String {
        if logdir.ends_with('/') {
            format!("{logdir}{name}")
        } else {
            format!("{logdir}/{name}")
        }
    };
    let mut stale = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(log_name) = name.strip_prefix(".shadow.") else {
            continue;
        };
        let shadow_fname = join(&name);
        let log_fname = join(log_name);
        if std::fs::metadata(&log_fname).is_ok_and(|m| m.is_file()) {
            match parse_shadow_log(&log_fname) {
                Ok(ll) => rval.push(ll),
                Err(err) => it.error(
                    None,
                    &format!("failed to process leftover log '{log_fname}': {err}"),
                ),
            }
        } else {
            // There was a log here. It's gone now.
            stale.push(shadow_fname);
        }
    }
    for f in stale {
        if let Err(e) = std::fs::remove_file(&f) {
            it.error(None, &format!("cannot unlink stale {f}: {}", strerror(&e)));
        }
    }
    rval
}

/// `Ascii::RotateLeftoverLogs`, run once the scripts are loaded (the ASCII
/// writer plugin's `InitPostScript`).
pub fn rotate_leftover_logs(it: &mut Interp) {
    let enabled =
        global_value(it, "LogAscii::enable_leftover_log_rotation").is_some_and(|v| v.as_bool());
    if !enabled {
        return;
    }
    for ll in find_leftover_logs(it) {
        let Some(writer) = writer_ascii(it) else {
            return;
        };
        let Some(default_ppf) = find_func(it, "Log::__default_rotation_postprocessor") else {
            return;
        };
        let mut ppf = default_ppf;
        if !ll.post_proc_func.is_empty() {
            match find_func(it, &ll.post_proc_func) {
                Some(f) => ppf = f,
                None => it.warn(
                    None,
                    &format!(
                        "Could not postprocess log '{}' with intended postprocessor function '{}', proceeding  with the default function",
                        ll.filename, ll.post_proc_func
                    ),
                ),
            }
        }
        let path = ll.path();
        let mut rotation_path = format_rotation_path(
            it,
            &writer,
            path.as_bytes(),
            ll.open_time as f64,
            ll.close_time as f64,
            false,
            Some(ppf.clone()),
        );
        rotation_path.extend_from_slice(ll.extension.as_bytes());
        let rp = String::from_utf8_lossy(&rotation_path).into_owned();
        if let Err(e) = std::fs::rename(&ll.filename, &rp) {
            it.flush_stdout();
            it.report(
                "fatal error",
                None,
                &format!(
                    "Found leftover/unprocessed log '{}', but failed to rotate it: {}",
                    ll.filename,
                    strerror(&e)
                ),
            );
            super::manager::sync_writers(it);
            std::process::exit(1);
        }
        if let Err(e) = std::fs::remove_file(&ll.shadow_filename) {
            it.warn(
                None,
                &format!("Failed to unlink {}: {}", ll.shadow_filename, strerror(&e)),
            );
        }
        let ok = run_postprocessor(
            it,
            &ppf,
            &writer,
            &rotation_path,
            path.as_bytes(),
            ll.open_time as f64,
            ll.close_time as f64,
            false,
        );
        if ok.is_some() {
            it.report_info(&format!(
                "Rotated/postprocessed leftover log '{}' -> '{}' ",
                ll.filename, rp
            ));
        } else {
            let name = match &ppf {
                Value::Func(f) => f.name.as_str().to_owned(),
                _ => String::new(),
            };
            it.warn(
                None,
                &format!(
                    "Postprocess function '{name}' failed for leftover log '{}'",
                    ll.filename
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_path() {
        let ll = |f: &str| LeftoverLog {
            filename: f.to_owned(),
            extension: String::new(),
            shadow_filename: String::new(),
            post_proc_func: String::new(),
            open_time: 0,
            close_time: 0,
        };
        assert_eq!(ll("/x/logs/conn.log").path(), "conn");
        assert_eq!(ll("/x/dns.log").path(), "dns");
    }
}
