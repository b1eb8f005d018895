//! Statement execution.

use super::{ExecResult, Flow, Interp, RtErr};
use crate::ir::{ForKind, Stmt, StmtKind};
use crate::value::Value;
use std::io::Write;

impl Interp {
    pub fn exec(&mut self, s: &Stmt) -> ExecResult {
        match &s.kind {
            StmtKind::Expr(e) => {
                self.eval(e)?;
                Ok(Flow::Normal)
            }
            StmtKind::Print(args) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a)?);
                }
                let mut buf = std::mem::take(&mut self.scratch);
                buf.clear();
                // A file as the first argument is the destination.
                let (file, vals) = match vals.split_first() {
                    Some((Value::File(f), rest)) => (Some(f.clone()), rest),
                    _ => (None, &vals[..]),
                };
                if let (Some(f), Some(is_open)) = (&file, self.hooks.file_is_open) {
                    if !is_open(self, f) {
                        self.scratch = buf;
                        return Ok(Flow::Normal);
                    }
                }
                if let Some(h) = self.hooks.print {
                    let all: Vec<Value> = match &file {
                        Some(f) => std::iter::once(Value::File(f.clone()))
                            .chain(vals.iter().cloned())
                            .collect(),
                        None => vals.to_vec(),
                    };
                    if h(self, &all, s.loc) {
                        self.scratch = buf;
                        return Ok(Flow::Normal);
                    }
                }
                let raw = file.as_ref().is_some_and(|f| f.borrow().raw);
                for (i, v) in vals.iter().enumerate() {
                    if i > 0 && !raw {
                        buf.extend_from_slice(b", ");
                    }
                    let style = if raw {
                        crate::describe::Style::Raw
                    } else {
                        crate::describe::Style::Print
                    };
                    self.describe_value(v, &mut buf, style);
                }
                if !raw {
                    buf.push(b'\n');
                }
                match file {
                    Some(f) => match self.hooks.file_write {
                        Some(w) => {
                            if !buf.is_empty() {
                                w(self, &f, &buf);
                            }
                        }
                        None => {
                            if let Some(h) = f.borrow_mut().handle.as_mut() {
                                let _ = h.write_all(&buf);
                            }
                        }
                    },
                    None => {
                        let _ = self.out.write_all(&buf);
                    }
                }
                self.scratch = buf;
                Ok(Flow::Normal)
            }
            StmtKind::Event(h, args) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a)?);
                }
                self.queue_event(*h, vals);
                Ok(Flow::Normal)
            }
            StmtKind::If(c, t, e) => {
                if self.eval(c)?.as_bool() {
                    self.exec(t)
                } else if let Some(e) = e {
                    self.exec(e)
                } else {
                    Ok(Flow::Normal)
                }
            }
            StmtKind::Switch(e, cases) => {
                let v = self.eval(e)?;
                let mut matched = None;
                let mut default = None;
                'outer: for (i, c) in cases.iter().enumerate() {
                    if c.default {
                        default = Some(i);
                    }
                    for cv in &c.values {
                        if crate::describe::values_equal(cv, &v) {
                            matched = Some(i);
                            break 'outer;
                        }
                    }
                    for (t, slot) in &c.types {
                        let hit = if self.value_is(&v, t) {
                            Some(v.clone())
                        } else {
                            self.cast_broker_data(&v, t)
                        };
                        if let Some(hv) = hit {
                            if let Some(slot) = slot {
                                self.stack[self.fp + *slot as usize] = hv;
                            }
                            matched = Some(i);
                            break 'outer;
                        }
                    }
                }
                let Some(start) = matched.or(default) else {
                    return Ok(Flow::Normal);
                };
                for c in &cases[start..] {
                    match self.exec_list(&c.body)? {
                        Flow::Fallthrough => continue,
                        Flow::Break | Flow::Normal => return Ok(Flow::Normal),
                        other => return Ok(other),
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::For(kind, e, body) => self.exec_for(kind, e, body),
            StmtKind::While(c, body) => {
                while self.eval(c)?.as_bool() {
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Next | Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::Next => Ok(Flow::Next),
            StmtKind::Break => Ok(Flow::Break),
            StmtKind::Fallthrough => Ok(Flow::Fallthrough),
            StmtKind::Return(e) => match e {
                Some(e) => Ok(Flow::Return(self.eval(e)?)),
                None => Ok(Flow::Return(Value::Void)),
            },
            StmtKind::Add(e) => {
                if let crate::ir::ExprKind::Index(c, idx) = &e.kind {
                    let cv = self.eval(c)?;
                    let mut keys = Vec::with_capacity(idx.len());
                    for i in idx {
                        keys.push(self.eval(i)?);
                    }
                    if let Value::Table(t) = cv {
                        let key = if keys.len() == 1 {
                            crate::table::TableVal::key_from_index(&keys[0])
                        } else {
                            keys
                        };
                        if self.table_assign(&t, key, None) {
                            self.iterator_warning(e);
                        }
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::Delete(e) => {
                match &e.kind {
                    crate::ir::ExprKind::Index(c, idx) => {
                        let cv = self.eval(c)?;
                        let mut keys = Vec::with_capacity(idx.len());
                        for i in idx {
                            keys.push(self.eval(i)?);
                        }
                        match cv {
                            Value::Table(t) => {
                                let key = if keys.len() == 1 {
                                    crate::table::TableVal::key_from_index(&keys[0])
                                } else {
                                    keys
                                };
                                if self.table_delete(&t, &key) {
                                    self.iterator_warning(e);
                                }
                            }
                            Value::Vector(v) => {
                                let i = keys.first().map_or(0, Value::as_int);
                                let mut vb = v.borrow_mut();
                                if i >= 0 && (i as usize) < vb.items.len() {
                                    vb.items.remove(i as usize);
                                }
                            }
                            _ => {}
                        }
                    }
                    crate::ir::ExprKind::Field(r, idx) => {
                        if let Value::Record(rec) = self.eval(r)? {
                            if let Some(f) = rec.borrow_mut().fields.get_mut(*idx) {
                                *f = None;
                            }
                        }
                    }
                    _ => {
                        // `delete t` clears a table.
                        if let Value::Table(t) = self.eval(e)? {
                            t.borrow_mut().clear();
                        }
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::Init(slot, init, _) => {
                let v = match init {
                    Some(e) => self.eval(e)?,
                    None => Value::Void,
                };
                self.stack[self.fp + *slot as usize] = v;
                Ok(Flow::Normal)
            }
            StmtKind::When(w) => self.exec_when(w),
            StmtKind::Block(stmts) => self.exec_list(stmts),
            StmtKind::Empty => Ok(Flow::Normal),
        }
    }

    pub fn exec_list(&mut self, stmts: &[Stmt]) -> ExecResult {
        for s in stmts {
            match self.exec(s) {
                Ok(Flow::Normal) => {}
                Ok(other) => return Ok(other),
                Err(_) if self.no_value && !self.call_waiting => self.no_value = false,
                Err(e) => return Err(e),
            }
        }
        Ok(Flow::Normal)
    }

    fn exec_for(&mut self, kind: &ForKind, e: &crate::ir::Expr, body: &Stmt) -> ExecResult {
        let c = self.eval(e)?;
        match (kind, &c) {
            (ForKind::Table { keys, value }, Value::Table(t)) => {
                // Zeek's loop walks the live dictionary with an iterator
                // that stays registered (no remapping meanwhile) until the
                // loop ends; none is made for an empty table.
                if t.borrow().is_empty() {
                    return Ok(Flow::Normal);
                }
                let mut cur = t.borrow_mut().dict.cursor();
                let result = loop {
                    let next = {
                        let tb = t.borrow();
                        tb.dict
                            .cursor_next(&mut cur)
                            .and_then(|id| tb.dict.value(id))
                            .map(|e| (e.key.clone(), e.val.clone()))
                    };
                    let Some((k, v)) = next else {
                        break Ok(Flow::Normal);
                    };
                    for (slot, kv) in keys.iter().zip(k) {
                        self.stack[self.fp + *slot as usize] = kv;
                    }
                    if let (Some(vs), Some(v)) = (value, v) {
                        self.stack[self.fp + *vs as usize] = v;
                    }
                    match self.exec(body) {
                        Ok(Flow::Break) => break Ok(Flow::Normal),
                        Ok(Flow::Next | Flow::Normal) => {}
                        other => break other,
                    }
                };
                t.borrow_mut().dict.release(cur);
                return result;
            }
            (ForKind::Vector { index, value }, Value::Vector(v)) => {
                let n = v.borrow().items.len();
                for i in 0..n {
                    let item = v.borrow().items.get(i).cloned().flatten();
                    let Some(item) = item else { continue };
                    self.stack[self.fp + *index as usize] = Value::Count(i as u64);
                    if let Some(vs) = value {
                        self.stack[self.fp + *vs as usize] = item;
                    }
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Next | Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
            }
            (ForKind::String { var }, Value::String(s)) => {
                let s = s.clone();
                for i in 0..s.len() {
                    self.stack[self.fp + *var as usize] = Value::str(&s[i..=i]);
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Next | Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
            }
            _ => return Err(RtErr),
        }
        Ok(Flow::Normal)
    }
}
