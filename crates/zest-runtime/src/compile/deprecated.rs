//! `&deprecated` identifiers, record fields and scripts: the warnings Zeek
//! gives where they are used.

use crate::interp::Interp;
use crate::ir::{ExprKind, Loc};
use crate::program::AltProto;
use crate::types::{Attrs, Flavor, FuncType, TypeKind, TypeRef};
use crate::value::Value;
use zest_syntax::ast::{self, AttrKind};
use zest_syntax::Span;

/// The message of a `&deprecated="…"` value (empty without one).
pub(crate) fn ast_message(value: Option<&ast::Expr>) -> String {
    match value.map(|e| &e.kind) {
        Some(ast::ExprKind::Const(ast::Literal::String(s))) => {
            String::from_utf8_lossy(s).into_owned()
        }
        _ => String::new(),
    }
}

/// `&deprecated` among written attributes: `None` without it, else its
/// message (possibly empty).
pub(crate) fn ast_deprecation(attrs: &[ast::Attr]) -> Option<String> {
    attrs
        .iter()
        .find(|a| a.kind == AttrKind::Deprecated)
        .map(|a| ast_message(a.value.as_ref()))
}

/// `&deprecated` among compiled attributes.
pub(crate) fn deprecation(attrs: &Attrs) -> Option<String> {
    if !attrs.has(AttrKind::Deprecated) {
        return None;
    }
    Some(match attrs.get(AttrKind::Deprecated).map(|e| &e.kind) {
        Some(ExprKind::Const(Value::String(s))) => String::from_utf8_lossy(s).into_owned(),
        _ => String::new(),
    })
}

/// Zeek's `deprecated (NAME)` or `deprecated (NAME): MESSAGE`.
pub(crate) fn warning_text(name: &str, msg: &str) -> String {
    if msg.is_empty() {
        format!("deprecated ({name})")
    } else {
        format!("deprecated ({name}): {msg}")
    }
}

impl Interp {
    /// A use of global `gid` where it is deprecated (the parser's warning:
    /// located at the line of the use, no expression).
    pub(crate) fn warn_deprecated_global(&mut self, gid: u32, span: Span) {
        let g = &self.prog.globals[gid as usize];
        let Some(msg) = &g.deprecated else {
            return;
        };
        let text = warning_text(g.name.as_str(), msg);
        let loc = self.loc1(span);
        self.warn(Some(loc), &text);
    }

    /// The warning for a use of a deprecated field `idx` of record type
    /// `rt` (`has_check` for `?$`), if it is deprecated.
    pub(crate) fn field_deprecation(rt: &TypeRef, idx: usize, has_check: bool) -> Option<String> {
        let r = rt.record()?;
        let fields = r.fields.borrow();
        let f = fields.get(idx)?;
        let msg = deprecation(&f.attrs)?;
        let tname = rt.type_name().map(|n| n.to_string()).unwrap_or_default();
        let q = if has_check { "?" } else { "" };
        Some(warning_text(&format!("{tname}{q}${}", f.name), &msg))
    }
}

/// Function type `own` with the `&default`s of the declaration `decl`
/// where `own` has none (Zeek's `transfer_arg_defaults`).
pub(crate) fn with_defaults_of(own: &TypeRef, decl: &TypeRef) -> TypeRef {
    let (Some(of), Some(df)) = (own.func(), decl.func()) else {
        return own.clone();
    };
    if of.params.len() != df.params.len()
        || of
            .params
            .iter()
            .zip(&df.params)
            .all(|(o, d)| o.default.is_some() || d.default.is_none())
    {
        return own.clone();
    }
    let params = of
        .params
        .iter()
        .zip(&df.params)
        .map(|(o, d)| {
            let mut p = o.clone();
            if p.default.is_none() {
                p.default = d.default.clone();
            }
            p
        })
        .collect();
    crate::types::Type::new(TypeKind::Func(FuncType {
        flavor: of.flavor,
        params,
        ret: of.ret.clone(),
    }))
}

impl Interp {
    /// A warning located at two places (`A and B`), as Zeek's
    /// `Obj::Warn` with a second object.
    pub(crate) fn warn_pair(&mut self, a: Loc, b: Loc, msg: &str) {
        let mut line = String::from("warning in ");
        self.describe_loc(a, &mut line);
        if b != a {
            line.push_str(" and ");
            self.describe_loc(b, &mut line);
        }
        line.push_str(": ");
        line.push_str(msg);
        line.push('\n');
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }

    /// Warnings for a handler of a declared event or hook (Zeek's
    /// `get_prototype`): deprecated parameters of the canonical prototype,
    /// `&default`s that have no effect, a deprecated alternate prototype.
    pub(crate) fn prototype_warnings(
        &mut self,
        gid: u32,
        own_ty: &TypeRef,
        params: &[ast::Param],
        canonical: bool,
        name_span: Span,
    ) {
        let g = &self.prog.globals[gid as usize];
        let Some(decl) = g.ty.clone() else {
            return;
        };
        let (Some(df), Some(of)) = (decl.func(), own_ty.func()) else {
            return;
        };
        let own_names: Vec<_> = of.params.iter().map(|p| p.name).collect();
        let alt = if canonical {
            None
        } else {
            g.alt_protos.iter().find(|p| p.names == own_names).cloned()
        };
        if !canonical && alt.is_none() {
            return;
        }
        let (gname, decl_loc) = (g.name, g.loc);
        let impl_loc = self.loc1(name_span);
        let desc = own_ty.describe();
        if canonical {
            for p in &df.params {
                if let Some(msg) = &p.deprecated {
                    let mut text = format!("use of deprecated parameter '{}'", p.name);
                    if !msg.is_empty() {
                        text.push_str(": ");
                        text.push_str(msg);
                    }
                    self.warn_pair(impl_loc, decl_loc, &format!("{text} ({desc})"));
                }
            }
        }
        if let (Some(first), Some(last)) = (params.first(), params.last()) {
            let end = last.attrs.last().map_or(last.name.span.end, |a| a.span.end);
            let loc = self.loc(Span::new(first.name.span.start, end));
            let flavor = if of.flavor == Flavor::Hook {
                "hook"
            } else {
                "event"
            };
            for p in params {
                if p.attrs.iter().any(|a| a.kind == AttrKind::Default) {
                    self.warn(
                        Some(loc),
                        &format!(
                            "&default on parameter '{}' has no effect (not a {flavor} declaration)",
                            p.name.sym
                        ),
                    );
                }
            }
        }
        if let Some(AltProto {
            deprecated: Some(msg),
            loc,
            ..
        }) = alt
        {
            let mut text = format!("use of deprecated '{gname}' prototype");
            if !msg.is_empty() {
                text.push_str(": ");
                text.push_str(&msg);
            }
            self.warn_pair(impl_loc, loc, &format!("{text} ({desc})"));
        }
    }
}

impl Interp {
    /// A use of a local after the `{ }` block declaring it ended: Zeek
    /// warns once per local and function.
    pub(crate) fn warn_out_of_scope_local(&mut self, name: zest_syntax::Symbol, span: Span) {
        let ctx = self.fctx();
        if !ctx.out_of_scope.contains(&name) || !ctx.warned_out_of_scope.insert(name) {
            return;
        }
        let full = self.local_full_name(name);
        let loc = self.loc1(span);
        self.warn(
            Some(loc),
            &format!(
                "use of out-of-scope local {full} deprecated; move declaration to outer scope"
            ),
        );
    }
}
