//! Table expiration (`&read_expire`, `&write_expire`, `&create_expire`,
//! `&expire_func`) and change notification (`&on_change`), as Zeek 5.2's
//! `TableVal` does them (`SetAttrs`, `Assign`, `Remove`, `DoExpire`,
//! `CallExpireFunc`, `CallChangeFunc`).
//!
//! Tables without these attributes never come here: their values have no
//! `hooks`, and every entry point checks that first.

use super::timers::{Timer, TimerAction};
use super::Interp;
use crate::table::{access_time, TableAttrs, TableHooks, TableVal};
use crate::types::Tag;
use crate::value::Value;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

type TableRef = Rc<RefCell<TableVal>>;

/// What `&on_change` is told (the script-level `TableChange`).
#[derive(Clone, Copy)]
pub(crate) enum Change {
    New = 0,
    Changed = 1,
    Removed = 2,
    Expired = 3,
}

/// Script-level values the table machinery looks up once.
#[derive(Default)]
pub struct TableRt {
    /// `table_expire_interval`, `table_expire_delay`,
    /// `table_incremental_step`, read at the first expiration (Zeek reads
    /// them once, after the scripts are loaded).
    consts: Option<(f64, f64, u64)>,
    /// `TABLE_ELEMENT_NEW`, `…_CHANGED`, `…_REMOVED`, `…_EXPIRED`.
    change_values: Vec<Value>,
}

fn is_timer_of(t: &Timer, w: &Weak<RefCell<TableVal>>) -> bool {
    matches!(&t.action, TimerAction::TableExpire(o) if o.ptr_eq(w))
}

impl Interp {
    /// Gives a new table value its expiration and change attributes (Zeek's
    /// `TableVal::SetAttrs`). An expiring table gets a timer that fires at
    /// once (network time may not be set yet); each expiration step then
    /// schedules the next.
    pub(crate) fn set_table_attrs(&mut self, t: &TableRef, attrs: &Rc<TableAttrs>) {
        t.borrow_mut().hooks = Some(Box::new(TableHooks::new(attrs.clone())));
        if attrs.expire.is_some() {
            let w = Rc::downgrade(t);
            self.timers.cancel(|x| is_timer_of(x, &w));
            self.timers.push(Timer {
                when: 1.0,
                action: TimerAction::TableExpire(w),
            });
        }
    }

    /// `t[key] = val` / `add t[key]`, with `&on_change` (Zeek's
    /// `TableVal::Assign`). True if a new key went in while a `for` loop
    /// iterates the table (Zeek then warns of iterator invalidation).
    pub(crate) fn table_assign(
        &mut self,
        t: &TableRef,
        key: Vec<Value>,
        val: Option<Value>,
    ) -> bool {
        let sync = t.borrow().store_sync;
        if let (Some(sid), Some(f)) = (sync, self.hooks.table_store) {
            // A table kept in a Broker store forwards the change
            // (`TableVal::SendToStore`).
            let (k, v) = (key.clone(), val.clone());
            let invalidated = self.table_assign_here(t, key, val);
            f(self, sid, &k, super::TableChange::Assigned(v.as_ref()));
            return invalidated;
        }
        self.table_assign_here(t, key, val)
    }

    fn table_assign_here(&mut self, t: &TableRef, key: Vec<Value>, val: Option<Value>) -> bool {
        let mut tb = t.borrow_mut();
        if tb
            .hooks
            .as_ref()
            .is_none_or(|h| h.attrs.on_change.is_none())
        {
            let old = tb.insert(key, val);
            return old.is_none() && tb.dict.has_plain_iterators();
        }
        let new_val = val.clone();
        let old = tb.insert(key.clone(), val);
        let invalidated = old.is_none() && tb.dict.has_plain_iterators();
        drop(tb);
        match old {
            Some(o) => self.call_change(t, key, o.val, Change::Changed),
            None => self.call_change(t, key, new_val, Change::New),
        }
        invalidated
    }

    /// `delete t[key]`, with `&on_change` (Zeek's `TableVal::Remove`):
    /// the function hears of the removal of a set element even if the set
    /// did not hold it. True if a key went while a `for` loop iterates the
    /// table.
    pub(crate) fn table_delete(&mut self, t: &TableRef, key: &[Value]) -> bool {
        let sync = t.borrow().store_sync;
        if let (Some(sid), Some(f)) = (sync, self.hooks.table_store) {
            let existed = t.borrow_mut().contains_key(key);
            let invalidated = self.table_delete_here(t, key);
            if existed {
                f(self, sid, key, super::TableChange::Removed);
            }
            return invalidated;
        }
        self.table_delete_here(t, key)
    }

    fn table_delete_here(&mut self, t: &TableRef, key: &[Value]) -> bool {
        let mut tb = t.borrow_mut();
        if tb
            .hooks
            .as_ref()
            .is_none_or(|h| h.attrs.on_change.is_none())
        {
            let old = tb.remove(key);
            return old.is_some() && tb.dict.has_plain_iterators();
        }
        let is_set = tb.is_set();
        let old = tb.remove(key);
        let invalidated = old.is_some() && tb.dict.has_plain_iterators();
        drop(tb);
        let old = match old {
            Some(_) if is_set => Some(Value::Table(t.clone())),
            Some(e) => e.val,
            None => None,
        };
        self.call_change(t, key.to_vec(), old, Change::Removed);
        invalidated
    }

    /// Zeek's warning for a membership change during a `for` loop over
    /// the table (`e` is the index expression).
    pub(crate) fn iterator_warning(&mut self, e: &crate::ir::Expr) {
        let d = self.describe_expr(e);
        self.report(
            "expression warning",
            Some(e.loc),
            &format!("possible loop/iterator invalidation ({d})"),
        );
    }

    /// Zeek's `CallChangeFunc`: not while the function already runs for
    /// this table, and for tables only with a value to pass.
    pub(crate) fn call_change(
        &mut self,
        t: &TableRef,
        key: Vec<Value>,
        old: Option<Value>,
        what: Change,
    ) {
        let (f, is_set) = {
            let tb = t.borrow();
            let Some(h) = tb.hooks.as_ref() else { return };
            let Some(f) = h.attrs.on_change.clone() else {
                return;
            };
            if h.in_change || (!tb.is_set() && old.is_none()) {
                return;
            }
            (f, tb.is_set())
        };
        let fv = match self.eval(&f) {
            Ok(v @ Value::Func(_)) => v,
            Ok(_) => {
                self.expr_error(f.loc, "not a function");
                return;
            }
            Err(_) => {
                self.no_value = false;
                return;
            }
        };
        let mut args = Vec::with_capacity(key.len() + 3);
        args.push(Value::Table(t.clone()));
        args.push(self.table_change_value(what));
        args.extend(key);
        if !is_set {
            args.extend(old);
        }
        Self::set_in_change(t, true);
        let _ = self.call_value(&fv, &mut args, f.loc);
        self.no_value = false;
        Self::set_in_change(t, false);
    }

    fn set_in_change(t: &TableRef, on: bool) {
        if let Some(h) = t.borrow_mut().hooks.as_mut() {
            h.in_change = on;
        }
    }

    fn table_change_value(&mut self, what: Change) -> Value {
        if self.tables.change_values.is_empty() {
            let names = [
                "TABLE_ELEMENT_NEW",
                "TABLE_ELEMENT_CHANGED",
                "TABLE_ELEMENT_REMOVED",
                "TABLE_ELEMENT_EXPIRED",
            ];
            let vals: Vec<Value> = names
                .iter()
                .map(|n| {
                    self.prog
                        .lookup(zest_syntax::Symbol::intern(n))
                        .map_or(Value::Void, |g| self.prog.globals[g as usize].value.clone())
                })
                .collect();
            self.tables.change_values = vals;
        }
        self.tables.change_values[what as usize].clone()
    }

    fn expire_consts(&mut self) -> (f64, f64, u64) {
        if let Some(c) = self.tables.consts {
            return c;
        }
        let get = |it: &Interp, n: &str| {
            it.prog
                .lookup(zest_syntax::Symbol::intern(n))
                .map(|g| it.prog.globals[g as usize].value.clone())
        };
        let interval = get(self, "table_expire_interval").map_or(10.0, |v| v.as_double());
        let delay = get(self, "table_expire_delay").map_or(0.01, |v| v.as_double());
        let step = match get(self, "table_incremental_step") {
            Some(Value::Count(c)) => c,
            _ => 5000,
        };
        let c = (interval, delay, step);
        self.tables.consts = Some(c);
        c
    }

    /// Zeek's `GetExpireTime`: the current expiration interval, or -1 once
    /// it failed to evaluate or was negative (expiration then stops).
    fn expire_timeout(&mut self, t: &TableRef) -> f64 {
        let Some(e) = t
            .borrow()
            .hooks
            .as_ref()
            .and_then(|h| h.expire_time.clone())
        else {
            return -1.0;
        };
        let interval = match self.eval(&e) {
            Ok(Value::Interval(d)) => d,
            Ok(_) => -1.0,
            Err(_) => {
                self.no_value = false;
                -1.0
            }
        };
        if interval >= 0.0 {
            return interval;
        }
        if let Some(h) = t.borrow_mut().hooks.as_mut() {
            h.expire_time = None;
        }
        let w = Rc::downgrade(t);
        self.timers.cancel(|x| is_timer_of(x, &w));
        -1.0
    }

    /// A table's expiration timer fired (Zeek's `TableVal::DoExpire`): up
    /// to `table_incremental_step` entries are examined, continuing where
    /// the previous step stopped; those not accessed within the interval
    /// are removed unless `&expire_func` asks for more time.
    pub(crate) fn table_expire(&mut self, w: &Weak<RefCell<TableVal>>) {
        let Some(t) = w.upgrade() else { return };
        let now = self.network_time;
        let timeout = self.expire_timeout(&t);
        if timeout < 0.0 {
            return;
        }
        let (interval, delay, step) = self.expire_consts();
        {
            let mut tb = t.borrow_mut();
            let tb = &mut *tb;
            let Some(h) = tb.hooks.as_mut() else { return };
            if !h.cursor.as_ref().is_some_and(|c| tb.dict.robust_is_live(c)) {
                h.cursor = Some(tb.dict.robust_cursor());
            }
        }
        let mut i = 0;
        while i < step {
            let cur = {
                let tb = t.borrow();
                tb.hooks
                    .as_ref()
                    .and_then(|h| h.cursor.as_ref())
                    .and_then(|c| tb.dict.robust_current(c))
                    .and_then(|id| tb.dict.value(id))
                    .map(|e| (e.access, e.key.clone()))
            };
            let Some((access, key)) = cur else { break };
            // An access time of 0 is an entry made before network time
            // was known: it waits.
            if access != 0
                && f64::from(access) + timeout < now
                && !self.expire_entry(&t, key, timeout)
            {
                break;
            }
            i += 1;
            let mut tb = t.borrow_mut();
            let tb = &mut *tb;
            if let Some(c) = tb.hooks.as_ref().and_then(|h| h.cursor.as_ref()) {
                tb.dict.robust_advance(c);
            }
        }
        let done = {
            let mut tb = t.borrow_mut();
            let tb = &mut *tb;
            match tb.hooks.as_mut() {
                Some(h) => {
                    let done = h
                        .cursor
                        .as_ref()
                        .is_none_or(|c| tb.dict.robust_current(c).is_none());
                    if done {
                        if let Some(c) = h.cursor.take() {
                            tb.dict.robust_release(c);
                        }
                    }
                    done
                }
                None => true,
            }
        };
        let next = if done { interval } else { delay };
        self.timers.push(Timer {
            when: self.network_time + next,
            action: TimerAction::TableExpire(w.clone()),
        });
    }

    /// Expires one entry whose time is up. False when the table was
    /// emptied meanwhile (the walk stops).
    fn expire_entry(&mut self, t: &TableRef, key: Vec<Value>, timeout: f64) -> bool {
        let ef = t
            .borrow()
            .hooks
            .as_ref()
            .and_then(|h| h.attrs.expire_func.clone());
        if let Some(ef) = ef {
            let secs = self.call_expire_func(t, &ef, &key);
            // The function may have changed or removed the entry.
            let mut tb = t.borrow_mut();
            if tb.access_of(&key).is_none() {
                let tb = &mut *tb;
                return tb
                    .hooks
                    .as_ref()
                    .and_then(|h| h.cursor.as_ref())
                    .is_some_and(|c| tb.dict.robust_is_live(c));
            }
            if secs > 0.0 {
                let a = access_time(self.network_time - timeout + secs);
                tb.set_access(&key, a);
                return true;
            }
        }
        let old = t.borrow_mut().remove(&key);
        let old = old.and_then(|e| e.val);
        self.call_change(t, key, old, Change::Expired);
        true
    }

    /// Zeek's `CallExpireFunc`: the function gets the table and the index
    /// (as one value when it takes `any`); its interval extends the entry.
    fn call_expire_func(&mut self, t: &TableRef, ef: &Rc<crate::ir::Expr>, key: &[Value]) -> f64 {
        let fv = match self.eval(ef) {
            Ok(v @ Value::Func(_)) => v,
            Ok(_) => {
                self.expr_error(ef.loc, "not a function");
                return 0.0;
            }
            Err(_) => {
                self.no_value = false;
                return 0.0;
            }
        };
        let any_idiom = match &fv {
            Value::Func(f) => {
                f.ty.func()
                    .is_some_and(|ft| ft.params.len() == 2 && ft.params[1].ty.tag() == Tag::Any)
            }
            _ => false,
        };
        let mut args = Vec::with_capacity(key.len() + 1);
        args.push(Value::Table(t.clone()));
        if any_idiom && key.len() != 1 {
            args.push(Value::List(Rc::new(key.to_vec())));
        } else {
            args.extend_from_slice(key);
        }
        let r = self.call_value(&fv, &mut args, ef.loc);
        self.no_value = false;
        match r {
            Ok(Value::Interval(d)) => d,
            _ => 0.0,
        }
    }
}

impl Interp {
    /// The expiration and change attributes among a table's compiled
    /// attributes; `None` if it has none (the table then takes no part in
    /// any of this).
    pub(crate) fn table_attrs_of(&mut self, attrs: &crate::types::Attrs) -> Option<Rc<TableAttrs>> {
        use crate::table::ExpireKind;
        use zest_syntax::ast::AttrKind;
        let mut expire = None;
        for (k, kind) in [
            (AttrKind::ReadExpire, ExpireKind::Read),
            (AttrKind::WriteExpire, ExpireKind::Write),
            (AttrKind::CreateExpire, ExpireKind::Create),
        ] {
            if let Some(e) = attrs.get(k) {
                // Any other type was reported by the attribute checks.
                if e.ty.tag() == Tag::Interval {
                    expire = Some((kind, e.clone()));
                }
            }
        }
        let expire_func = attrs.get(AttrKind::ExpireFunc).cloned();
        let on_change = attrs.get(AttrKind::OnChange).cloned();
        if expire.is_none() && expire_func.is_none() && on_change.is_none() {
            return None;
        }
        Some(Rc::new(TableAttrs {
            expire,
            expire_func,
            on_change,
        }))
    }
}

/// Whether record type `target` occurs in `t` (Zeek's
/// `find_nested_record_types`).
fn has_nested_record(
    t: &crate::types::TypeRef,
    target: &crate::types::TypeRef,
    seen: &mut Vec<*const crate::types::Type>,
) -> bool {
    use crate::types::TypeKind;
    if Rc::ptr_eq(t, target) {
        return true;
    }
    match &t.kind {
        TypeKind::Record(rt) => {
            let p = Rc::as_ptr(t);
            if seen.contains(&p) {
                return false;
            }
            seen.push(p);
            let found = rt
                .fields
                .borrow()
                .iter()
                .any(|f| has_nested_record(&f.ty, target, seen));
            seen.pop();
            found
        }
        TypeKind::Table { index, yield_ } => {
            index.iter().any(|x| has_nested_record(x, target, seen))
                || yield_
                    .as_ref()
                    .is_some_and(|y| has_nested_record(y, target, seen))
        }
        TypeKind::Vector(y) => has_nested_record(y, target, seen),
        TypeKind::List(ts) => ts.iter().any(|x| has_nested_record(x, target, seen)),
        TypeKind::Func(f) => {
            f.params
                .iter()
                .any(|p| has_nested_record(&p.ty, target, seen))
                || f.ret
                    .as_ref()
                    .is_some_and(|r| has_nested_record(r, target, seen))
        }
        TypeKind::Type(x) => has_nested_record(x, target, seen),
        _ => false,
    }
}

impl Interp {
    /// `redef record R += { … }` while parsing: tables made so far whose
    /// index involves `R` are hashed again, their entries reinserted in
    /// their current order into a fresh dictionary (Zeek's
    /// `SaveParseTimeTableState` / `RebuildParseTimeTables`), so the keys
    /// include the new fields.
    pub(crate) fn rebuild_tables_indexed_by(&mut self, rec: &crate::types::TypeRef) {
        let tables: Vec<TableRef> = self
            .prog
            .globals
            .iter()
            .filter_map(|g| match &g.value {
                Value::Table(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        for t in tables {
            let mut tb = t.borrow_mut();
            let ty = tb.ty.clone();
            let mut seen = Vec::new();
            let affected = ty
                .table_index()
                .is_some_and(|ix| ix.iter().any(|x| has_nested_record(x, rec, &mut seen)));
            if !affected {
                continue;
            }
            let entries = tb.entries_vec();
            tb.clear();
            for (k, v) in entries {
                tb.insert(k, v);
            }
        }
    }
}
