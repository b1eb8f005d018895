//! Loading scripts: `ZEEKPATH` search, `@load` depth-first at the point of
//! the directive (as Zeek's scanner does), each file once, and `@if`
//! decided against what has been declared so far.

use crate::interp::Interp;
use crate::program::SourceFile;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use zest_syntax::ast::{DeclKind, Expr};
use zest_syntax::{CondEval, LineIndex, Parser, Symbol};

/// Search state for scripts.
#[derive(Default)]
pub struct Loader {
    /// Directories of `ZEEKPATH`, in order.
    pub path: Vec<String>,
    /// Canonical paths already loaded.
    pub loaded: rustc_hash::FxHashSet<PathBuf>,
    /// Paths named by `@unload` (never loaded afterwards).
    pub unloaded: rustc_hash::FxHashSet<PathBuf>,
    /// `@prefixes` in effect.
    pub prefixes: Vec<String>,
    /// Every loaded script as Zeek names it, with its load depth, in load
    /// order (for `zeek_script_loaded`).
    pub loaded_scripts: Vec<(String, u64)>,
    /// Current `@load` nesting depth.
    pub depth: u64,
    /// Where each script being loaded was loaded from (file, `@load`
    /// span), innermost last; `None` for the command line.
    pub load_sites: Vec<Option<(u32, zest_syntax::Span)>>,
    /// The command-line script that follows the one being loaded: Zeek's
    /// scanner reads on into it when a script ends inside a declaration.
    pub next_script: Option<String>,
    /// How many of `loaded_scripts` have been looked up with `@prefixes`.
    pub prefixes_checked: usize,
}

/// The outcome of loading.
#[derive(Debug, PartialEq, Eq)]
pub enum LoadStatus {
    Ok,
    /// A syntax error or fatal error: stop, exit 1.
    Fatal,
}

struct Eval<'a> {
    it: &'a mut Interp,
}

impl CondEval for Eval<'_> {
    fn eval_if(&mut self, cond: &Expr, locals: &[Symbol]) -> Option<bool> {
        if mentions_local(cond, locals) {
            // Zeek resolves the names (so the expression is described with
            // them), reports each local one and evaluates nothing.
            let mut found = Vec::new();
            let d = self.describe_with_locals(cond, locals, &mut found);
            for (name, span) in found {
                let loc = self.it.loc(span);
                self.it.error(
                    Some(loc),
                    &format!("referencing a local name in @if ({name})"),
                );
            }
            let loc = self.it.loc(cond.span);
            self.it
                .error(Some(loc), &format!("invalid expression in @if ({d})"));
            return None;
        }
        let e = self.it.compile_expr(cond);
        self.it.in_init = true;
        let v = self.it.eval(&e);
        self.it.in_init = false;
        match v {
            Ok(v) => Some(v.as_bool()),
            Err(_) => {
                let loc = self.it.loc(cond.span);
                let d = self.it.describe_expr(&e);
                self.it
                    .error(Some(loc), &format!("invalid expression in @if ({d})"));
                None
            }
        }
    }

    fn is_defined(&mut self, name: Symbol) -> bool {
        self.it.lookup_global(name).is_some() || self.it.prog.modules.contains(&name)
    }
}

/// Whether an `@if` expression names one of `locals` (through the forms
/// [`Eval::describe_with_locals`] describes).
fn mentions_local(e: &Expr, locals: &[Symbol]) -> bool {
    use zest_syntax::ast::ExprKind as K;
    match &e.kind {
        K::Name(n) => locals.contains(&n.sym),
        K::Paren(x) | K::Unary(_, x) | K::Field(x, _) | K::HasField(x, _) => {
            mentions_local(x, locals)
        }
        K::Binary(_, a, b) => mentions_local(a, locals) || mentions_local(b, locals),
        K::Cond(c, a, b) => [c, a, b].iter().any(|x| mentions_local(x, locals)),
        K::Call(f, args) | K::Index(f, args) => {
            mentions_local(f, locals) || args.iter().any(|a| mentions_local(a, locals))
        }
        _ => false,
    }
}

impl Eval<'_> {
    /// Zeek's description of an `@if` expression that names locals; the
    /// parts without them are compiled and described as usual. The local
    /// names are collected in `found`, in order.
    fn describe_with_locals(
        &mut self,
        e: &Expr,
        locals: &[Symbol],
        found: &mut Vec<(Symbol, zest_syntax::Span)>,
    ) -> String {
        use zest_syntax::ast::{BinOp, ExprKind as K, UnOp};
        if !mentions_local(e, locals) {
            let x = self.it.compile_expr(e);
            return self.it.describe_expr(&x);
        }
        let list = |me: &mut Self, xs: &[Expr], found: &mut Vec<_>| {
            xs.iter()
                .map(|x| me.describe_with_locals(x, locals, found))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &e.kind {
            K::Name(n) => {
                found.push((n.sym, n.span));
                n.sym.to_string()
            }
            K::Paren(x) => self.describe_with_locals(x, locals, found),
            K::Unary(op, x) => {
                let x = self.describe_with_locals(x, locals, found);
                let op = match op {
                    UnOp::Not => "!",
                    UnOp::BitNot => "~",
                    UnOp::Neg => "-",
                    UnOp::Pos => "+",
                    UnOp::PreIncr => "++",
                    UnOp::PreDecr => "--",
                };
                format!("{op}{x}")
            }
            K::Binary(op, a, b) => {
                let a = self.describe_with_locals(a, locals, found);
                let b = self.describe_with_locals(b, locals, found);
                // Zeek's canonical forms: `a > b` is `b < a`, `a !in b`
                // is `!(a in b)`.
                match op {
                    BinOp::Gt => format!("{b} < {a}"),
                    BinOp::Ge => format!("{b} <= {a}"),
                    BinOp::NotIn => format!("!{a} in {b}"),
                    _ => format!("{a} {} {b}", op.text()),
                }
            }
            K::Cond(c, a, b) => {
                let c = self.describe_with_locals(c, locals, found);
                let a = self.describe_with_locals(a, locals, found);
                let b = self.describe_with_locals(b, locals, found);
                format!("{c} ? {a} : {b}")
            }
            K::Call(f, args) => {
                let f = self.describe_with_locals(f, locals, found);
                format!("{f}({})", list(self, args, found))
            }
            K::Index(x, args) => {
                let x = self.describe_with_locals(x, locals, found);
                format!("{x}[{}]", list(self, args, found))
            }
            K::Field(x, n) => {
                let x = self.describe_with_locals(x, locals, found);
                format!("{x}${}", n.sym)
            }
            K::HasField(x, n) => {
                let x = self.describe_with_locals(x, locals, found);
                format!("{x}?${}", n.sym)
            }
            _ => String::new(),
        }
    }
}

impl Loader {
    pub fn from_env() -> Loader {
        let path = std::env::var("ZEEKPATH").unwrap_or_else(|_| default_zeekpath());
        Loader {
            path: path
                .split(':')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            ..Default::default()
        }
    }

    /// Finds a script named by `@load` (or on the command line).
    pub fn find(&self, name: &str, current_dir: Option<&Path>) -> Option<PathBuf> {
        // `name.zeek` first, then `name` itself: a file, or a package
        // directory with `__load__.zeek`.
        let candidates = |base: &Path| -> Option<PathBuf> {
            let with_ext = base.join(format!("{name}.zeek"));
            if with_ext.is_file() {
                return Some(with_ext);
            }
            let p = base.join(name);
            if p.is_dir() {
                let l = p.join("__load__.zeek");
                if l.is_file() {
                    return Some(l);
                }
            }
            if p.is_file() {
                return Some(p);
            }
            None
        };
        if Path::new(name).is_absolute() {
            return candidates(Path::new("/")).or_else(|| {
                let p = PathBuf::from(name);
                p.is_file().then_some(p)
            });
        }
        if name.starts_with("./") || name.starts_with("../") {
            let dir = current_dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            return candidates(&dir);
        }
        for dir in &self.path {
            if let Some(p) = candidates(Path::new(dir)) {
                return Some(p);
            }
        }
        current_dir.and_then(candidates)
    }
}

impl Loader {
    /// A script's path relative to the first `ZEEKPATH` directory it
    /// lies in (util.cc's `without_zeekpath_component`).
    fn without_zeekpath_component(&self, path: &str) -> String {
        let p = String::from_utf8_lossy(&normalize_path(path.as_bytes())).into_owned();
        for dir in &self.path {
            let common = String::from_utf8_lossy(&normalize_path(dir.as_bytes())).into_owned();
            if let Some(rest) = p.strip_prefix(common.as_str()) {
                return rest.trim_start_matches('/').to_owned();
            }
        }
        p
    }

    /// A signature file (`@load-sigs`, `-s`): `name.sig` or `name`, beside
    /// the current script for a name starting with `.`, else in
    /// `ZEEKPATH` (scan.l's `find_relative_file`).
    pub fn find_sig_file(&self, name: &str, current_dir: Option<&Path>) -> Option<PathBuf> {
        let try_dir = |d: &Path| -> Option<PathBuf> {
            let p = d.join(format!("{name}.sig"));
            if p.is_file() {
                return Some(p);
            }
            let p = d.join(name);
            p.is_file().then_some(p)
        };
        if Path::new(name).is_absolute() {
            return try_dir(Path::new("/"));
        }
        if name.starts_with('.') {
            let dir = current_dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            return try_dir(&dir);
        }
        self.path.iter().find_map(|d| try_dir(Path::new(d)))
    }
}

/// `util::detail::normalize_path` (POSIX branch).
pub fn normalize_path(path: &[u8]) -> Vec<u8> {
    let has = |pat: &[u8]| path.windows(pat.len()).any(|w| w == pat);
    if !has(b"/.") && !has(b"//") {
        let mut p = path.to_vec();
        if p.len() > 1 && p.last() == Some(&b'/') {
            p.pop();
        }
        return p;
    }
    let mut new_path = Vec::with_capacity(path.len());
    if path.first() == Some(&b'/') {
        new_path.push(b'/');
    }
    let components: Vec<&[u8]> = path.split(|&b| b == b'/').collect();
    let mut fin: Vec<&[u8]> = Vec::with_capacity(components.len());
    for (idx, c) in components.iter().enumerate() {
        if c.is_empty() {
            continue;
        }
        if *c == b"." && idx != 0 {
            continue;
        }
        fin.push(c);
        if *c == b".." {
            let cur = fin.len() - 1;
            if cur != 0 {
                let last = fin[cur - 1];
                if last == b"/" || last == b"~" || last == b".." {
                    continue;
                }
                if last == b"." {
                    fin[cur - 1] = b"..";
                    fin.pop();
                } else {
                    fin.pop();
                    fin.pop();
                }
            }
        }
    }
    for c in fin {
        new_path.extend_from_slice(c);
        new_path.push(b'/');
    }
    if new_path.len() > 1 && new_path.last() == Some(&b'/') {
        new_path.pop();
    }
    new_path
}

/// `prefix.` and the script's path with `/` turned into `.`; a package's
/// `__load__.zeek` stands for its directory.
fn flatten_script_name(name: &str, prefix: &str) -> String {
    let mut r = String::from(prefix);
    if !r.is_empty() {
        r.push('.');
    }
    let is_loader = Path::new(name)
        .file_name()
        .is_some_and(|f| f == "__load__.zeek");
    if is_loader {
        r.push_str(
            Path::new(name)
                .parent()
                .and_then(Path::to_str)
                .unwrap_or("."),
        );
    } else {
        r.push_str(name);
    }
    r.replace('/', ".")
}

/// The search path when `ZEEKPATH` is unset: the current directory, Zest's
/// own `scripts/` (beside the build), and the Zeek library named by
/// `ZEEK_DIST` (default: `../shared/zeek-5.2` beside the checkout).
fn default_zeekpath() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::canonicalize(p).ok());
    // target/<profile>/zeek -> the checkout root
    let root = exe
        .as_deref()
        .and_then(|p| p.ancestors().nth(3))
        .map(Path::to_path_buf);
    let mut parts = vec![".".to_owned()];
    if let Some(r) = &root {
        parts.push(r.join("scripts").display().to_string());
    }
    let dist = std::env::var_os("ZEEK_DIST")
        .map(PathBuf::from)
        .or_else(|| root.as_ref().map(|r| r.join("../shared/zeek-5.2")));
    if let Some(d) = dist {
        let lib = d.join("scripts");
        for sub in ["", "policy", "site"] {
            parts.push(if sub.is_empty() {
                lib.display().to_string()
            } else {
                lib.join(sub).display().to_string()
            });
        }
    }
    parts.join(":")
}

/// How a found path is shown in messages: `./x.zeek` for the current
/// directory, the joined path otherwise.
fn display_name(p: &Path) -> String {
    let s = p.display().to_string();
    if p.is_absolute() || s.starts_with("./") || s.starts_with("../") {
        s
    } else {
        format!("./{s}")
    }
}

impl Interp {
    /// Loads a script file by name (a command-line argument or `@load`).
    pub fn load_script(
        &mut self,
        loader: &mut Loader,
        name: &str,
        current_dir: Option<&Path>,
        from: Option<(u32, zest_syntax::Span)>,
    ) -> LoadStatus {
        if name == "-" && from.is_none() {
            // The script text comes from standard input.
            let mut text = String::new();
            if std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).is_err() {
                self.report("fatal error", None, "can't read script from standard input");
                return LoadStatus::Fatal;
            }
            // Zeek's canonical name of the standard input.
            loader
                .loaded_scripts
                .push(("<stdin>".to_owned(), loader.depth));
            return self.load_source(loader, "<stdin>".to_owned(), text);
        }
        let Some(found) = loader.find(name, current_dir) else {
            let msg = format!("can't find {name}");
            match from {
                Some((file, span)) => {
                    let saved = self.sema.file;
                    self.sema.file = file;
                    let loc = self.loc1(span);
                    self.sema.file = saved;
                    self.report("fatal error", Some(loc), &msg);
                }
                None => self.report("fatal error", None, &msg),
            }
            return LoadStatus::Fatal;
        };
        let canon = std::fs::canonicalize(&found).unwrap_or_else(|_| found.clone());
        if loader.loaded.contains(&canon) || loader.unloaded.contains(&canon) {
            return LoadStatus::Ok;
        }
        loader.loaded.insert(canon);
        let text = match std::fs::read(&found) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                self.report(
                    "fatal error",
                    None,
                    &format!("can't open {}: {e}", found.display()),
                );
                return LoadStatus::Fatal;
            }
        };
        let shown = display_name(&found);
        loader.loaded_scripts.push((shown.clone(), loader.depth));
        loader.depth += 1;
        loader.load_sites.push(from);
        let st = self.load_source(loader, shown, text);
        loader.load_sites.pop();
        loader.depth -= 1;
        st
    }

    /// Loads the prefixed, flattened versions of every script loaded so
    /// far (`@prefixes`): for `base/utils/site.zeek` and prefix `lcl`,
    /// `lcl.base.utils.site.zeek` from `ZEEKPATH`, the latest prefix
    /// first; a package's `__load__.zeek` counts as its directory. Scripts
    /// loaded that way are looked up in turn (scan.l's `yywrap`).
    pub fn load_prefixed_scripts(&mut self, loader: &mut Loader) -> LoadStatus {
        loop {
            let mut found = Vec::new();
            while loader.prefixes_checked < loader.loaded_scripts.len() {
                let name = loader.loaded_scripts[loader.prefixes_checked].0.clone();
                loader.prefixes_checked += 1;
                if name == "-" {
                    continue;
                }
                let canon = loader.without_zeekpath_component(&name);
                for prefix in loader.prefixes.iter().rev() {
                    let flat = flatten_script_name(&canon, prefix);
                    if let Some(p) = loader.find(&flat, None) {
                        found.push(p);
                    }
                }
            }
            if found.is_empty() {
                return LoadStatus::Ok;
            }
            for p in found {
                let name = p.display().to_string();
                if self.load_script(loader, &name, None, None) != LoadStatus::Ok {
                    return LoadStatus::Fatal;
                }
            }
        }
    }

    /// Parses and compiles one source text, declaration by declaration.
    pub fn load_source(&mut self, loader: &mut Loader, name: String, text: String) -> LoadStatus {
        let text: Rc<str> = Rc::from(text);
        let file_id = self.prog.files.len() as u32;
        self.prog.files.push(SourceFile {
            name: name.clone(),
            lines: LineIndex::new(&text),
            text: text.clone(),
        });
        let saved_file = self.sema.file;
        let saved_module = self.sema.module;
        let saved_export = self.sema.export_depth;
        self.sema.file = file_id;
        let dir = Path::new(&name).parent().map(Path::to_path_buf);
        let mut parser = Parser::new(&text);
        let mut status = LoadStatus::Ok;
        loop {
            let decl = {
                let mut ev = Eval { it: self };
                parser.next_decl(&mut ev)
            };
            // Scanner errors are reported as they are found.
            if let Some(err) = parser.first_fatal().cloned() {
                self.report_scanner_errors(&parser, file_id, Some(err.span.start));
                // Zeek resolves names as it parses: an unknown one before
                // the syntax error stops it there.
                let unknown =
                    parser
                        .free_names_before(err.span.start)
                        .into_iter()
                        .find(|(n, _)| {
                            self.lookup_global(*n).is_none()
                                && !self.prog.builtin_index.contains_key(n)
                        });
                if let Some((name, span)) = unknown {
                    self.unknown_identifier(name, span);
                    status = LoadStatus::Fatal;
                    break;
                }
                let into_next = err.kind == zest_syntax::SyntaxErrorKind::UnexpectedEof
                    && loader.depth == 1
                    && self.eof_into_next_script(loader, &name);
                if !into_next {
                    self.report_syntax_error(&err, file_id);
                }
                status = LoadStatus::Fatal;
                break;
            }
            let Some(decl) = decl else { break };
            self.sema.lhs_trailing_commas = parser.take_lhs_trailing_commas();
            match &decl.kind {
                DeclKind::Load(what) => {
                    let st =
                        self.load_script(loader, what, dir.as_deref(), Some((file_id, decl.span)));
                    self.sema.file = file_id;
                    if st == LoadStatus::Fatal {
                        status = st;
                        break;
                    }
                }
                DeclKind::LoadSigs(what) => {
                    // Read (and a missing file reported) after the scripts.
                    let path = loader.find_sig_file(what, dir.as_deref());
                    let loc = Some(self.loc(decl.span));
                    self.prog.sig_loads.push(crate::program::SigLoad {
                        name: what.to_string(),
                        path,
                        loc,
                    });
                }
                DeclKind::Unload(what) => {
                    if let Some(p) = loader.find(what, dir.as_deref()) {
                        loader
                            .unloaded
                            .insert(std::fs::canonicalize(&p).unwrap_or(p));
                    }
                }
                DeclKind::Deprecated(comment) => {
                    self.deprecated_script(loader, decl.span, comment.as_deref());
                }
                DeclKind::Prefixes { add, prefix } => {
                    if !add {
                        loader.prefixes.clear();
                    }
                    loader.prefixes.extend(
                        prefix
                            .split(':')
                            .filter(|p| !p.is_empty())
                            .map(str::to_owned),
                    );
                }
                _ => self.compile_decl(&decl),
            }
            if self.sema.fatal {
                status = LoadStatus::Fatal;
                break;
            }
        }
        if status == LoadStatus::Ok {
            self.report_scanner_errors(&parser, file_id, None);
            if !parser.scanner_errors().is_empty() {
                status = LoadStatus::Fatal;
            }
        }
        self.sema.file = saved_file;
        self.sema.module = saved_module;
        self.sema.export_depth = saved_export;
        status
    }

    /// `@deprecated`: Zeek's warning naming where the script was loaded
    /// from.
    fn deprecated_script(
        &mut self,
        loader: &Loader,
        span: zest_syntax::Span,
        comment: Option<&str>,
    ) {
        let comment = comment.unwrap_or("");
        let msg = match loader.load_sites.last() {
            Some(Some((file, at))) => {
                let f = &self.prog.files[*file as usize];
                let line = f.lines.line(at.start);
                format!("deprecated script loaded from {}:{line} {comment}", f.name)
            }
            Some(None) => format!("deprecated script loaded from command line arguments {comment}"),
            None => format!("deprecated script loaded {comment}"),
        };
        let loc = self.loc1(span);
        self.warn(Some(loc), &msg);
    }

    /// A command-line script ended inside a declaration and another one
    /// follows: Zeek's parser meets that script's first token. Reports the
    /// error there; false when there is no such token.
    fn eof_into_next_script(&mut self, loader: &Loader, this: &str) -> bool {
        let Some(next) = loader.next_script.as_deref() else {
            return false;
        };
        let Some(found) = loader.find(next, None) else {
            return false;
        };
        let Ok(bytes) = std::fs::read(&found) else {
            return false;
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut lx = zest_syntax::lexer::Lexer::new(&text);
        let tok = lx.next_token();
        if tok.tok == zest_syntax::token::Tok::Eof {
            return false;
        }
        let near = &text[tok.span.start as usize..tok.span.end as usize];
        let line = LineIndex::new(&text).line(tok.span.start);
        let msg = format!(
            "error in {}, line {line}: syntax error, at or near \"{near}\" or end of file {this}\n",
            display_name(&found)
        );
        self.error_count += 1;
        let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
        true
    }

    fn report_scanner_errors(&mut self, parser: &Parser<'_>, file: u32, before: Option<u32>) {
        let errs: Vec<_> = parser
            .scanner_errors()
            .iter()
            .filter(|e| before.is_none_or(|b| e.span.start <= b))
            .cloned()
            .collect();
        for e in errs {
            self.report_syntax_error(&e, file);
        }
    }

    fn report_syntax_error(&mut self, err: &zest_syntax::SyntaxError, file: u32) {
        let name = self.prog.files[file as usize].name.clone();
        let mut d =
            zest_diagnostics::from_syntax(err, &name, &self.prog.files[file as usize].lines);
        // Zeek's reporter gives the end-of-file error a location only when
        // an earlier error set one.
        if d.loc.is_none() && self.error_count > 0 {
            let line = self.prog.files[file as usize].lines.line(err.span.start);
            d.loc = Some(zest_diagnostics::Location {
                file: name.clone(),
                first_line: line,
                last_line: line,
                span: Some(err.span),
            });
        }
        self.error_count += 1;
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("{}\n", d.zeek_text()).as_bytes(),
        );
    }
}

#[cfg(test)]
mod normalize_tests {
    use super::normalize_path;

    /// bifs/compress_path.zeek.
    #[test]
    fn compress_paths() {
        assert_eq!(normalize_path(b"./../foo"), b"../foo");
        assert_eq!(normalize_path(b"././../foo"), b"../foo");
    }
}
