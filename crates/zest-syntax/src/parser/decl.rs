//! Top-level declarations (`decl` in `parse.y`) and directives.

use super::{PResult, P};
use crate::ast::{Decl, DeclKind, FuncDecl, FuncKind, VarKind};
use crate::token::Tok;

/// The argument of a directive token such as `@load foo/bar`.
fn directive_arg(text: &str, directive: &str) -> String {
    text[directive.len()..].trim().to_owned()
}

impl P<'_, '_> {
    /// One top-level item: a declaration, a directive, or (after the
    /// declarations) a statement.
    pub(crate) fn parse_top(&mut self) -> PResult<Decl> {
        let t = self.peek();
        let start = t.span.start;
        let docs = std::mem::take(&mut self.lx.pre_docs);
        let kind = self.parse_top_kind()?;
        Ok(Decl {
            kind,
            docs,
            span: self.span_from(start),
        })
    }

    fn parse_top_kind(&mut self) -> PResult<DeclKind> {
        let t = self.peek();
        let text = self.text(t.span).to_owned();
        // Directives are handled by Zeek's scanner wherever they occur.
        let directive = match t.tok {
            Tok::AtLoad => Some(DeclKind::Load(directive_arg(&text, "@load"))),
            Tok::AtLoadSigs => Some(DeclKind::LoadSigs(directive_arg(&text, "@load-sigs"))),
            Tok::AtLoadPlugin => Some(DeclKind::LoadPlugin(directive_arg(&text, "@load-plugin"))),
            Tok::AtUnload => Some(DeclKind::Unload(directive_arg(&text, "@unload"))),
            Tok::AtPrefixes => {
                let rest = directive_arg(&text, "@prefixes");
                let add = rest.starts_with('+');
                let prefix = rest
                    .trim_start_matches('+')
                    .trim_start_matches('=')
                    .trim()
                    .to_owned();
                Some(DeclKind::Prefixes { add, prefix })
            }
            Tok::AtDeprecated => {
                // The rest of the line as written (Zeek shows it verbatim,
                // quotes included).
                let rest = text["@deprecated".len()..].trim_start();
                Some(DeclKind::Deprecated(if rest.is_empty() {
                    None
                } else {
                    Some(rest.to_owned())
                }))
            }
            Tok::AtDebug => Some(DeclKind::Stmt(crate::ast::Stmt {
                kind: crate::ast::StmtKind::Empty,
                span: t.span,
            })),
            _ => None,
        };
        if let Some(d) = directive {
            self.bump();
            return Ok(d);
        }
        if self.in_stmts {
            return Ok(DeclKind::Stmt(self.parse_stmt()?));
        }
        match t.tok {
            Tok::KwModule => {
                self.bump();
                let name = self.parse_name()?;
                self.expect(Tok::Semi, "';'")?;
                Ok(DeclKind::Module(name))
            }
            Tok::KwExport => {
                self.bump();
                self.expect(Tok::LBrace, "'{'")?;
                self.export_depth += 1;
                Ok(DeclKind::ExportBegin)
            }
            Tok::RBrace if self.export_depth > 0 => {
                self.bump();
                self.export_depth -= 1;
                Ok(DeclKind::ExportEnd)
            }
            Tok::KwGlobal | Tok::KwOption | Tok::KwConst => {
                self.bump();
                let kind = match t.tok {
                    Tok::KwGlobal => VarKind::Global,
                    Tok::KwOption => VarKind::Option,
                    _ => VarKind::Const,
                };
                Ok(DeclKind::Var(kind, self.parse_var_rest()?))
            }
            Tok::KwRedef => {
                self.bump();
                match self.peek().tok {
                    Tok::KwEnum => {
                        self.bump();
                        let name = self.parse_name()?;
                        self.expect(Tok::AddTo, "'+='")?;
                        self.expect(Tok::LBrace, "'{'")?;
                        let items = self.parse_enum_body()?;
                        self.expect(Tok::RBrace, "'}'")?;
                        self.expect(Tok::Semi, "';'")?;
                        Ok(DeclKind::RedefEnum { name, items })
                    }
                    Tok::KwRecord => {
                        self.bump();
                        let name = self.parse_name()?;
                        if self.eat(Tok::Dollar) {
                            let field = self.parse_name()?;
                            let add = if self.eat(Tok::AddTo) {
                                true
                            } else {
                                self.expect(Tok::RemoveFrom, "'+=' or '-='")?;
                                false
                            };
                            self.expect(Tok::LBrace, "'{'")?;
                            let attrs = self.parse_opt_attrs()?;
                            if attrs.is_empty() {
                                return Err(self.unexpected("attribute"));
                            }
                            self.expect(Tok::RBrace, "'}'")?;
                            self.expect(Tok::Semi, "';'")?;
                            return Ok(DeclKind::RedefFieldAttrs {
                                record: name,
                                field,
                                add,
                                attrs,
                            });
                        }
                        self.expect(Tok::AddTo, "'+='")?;
                        self.expect(Tok::LBrace, "'{'")?;
                        let fields = self.parse_field_decls()?;
                        self.expect(Tok::RBrace, "'}'")?;
                        let attrs = self.parse_opt_attrs()?;
                        self.expect(Tok::Semi, "';'")?;
                        Ok(DeclKind::RedefRecord {
                            name,
                            fields,
                            attrs,
                        })
                    }
                    Tok::KwEvent => {
                        self.bump();
                        self.parse_func(FuncKind::RedefEvent)
                    }
                    _ => Ok(DeclKind::Var(VarKind::Redef, self.parse_var_rest()?)),
                }
            }
            Tok::KwType => {
                self.bump();
                let name = self.parse_name()?;
                self.expect(Tok::Colon, "':'")?;
                let ty = self.parse_type()?;
                let attrs = self.parse_opt_attrs()?;
                self.expect(Tok::Semi, "';'")?;
                Ok(DeclKind::Type { name, ty, attrs })
            }
            Tok::KwFunction => {
                self.bump();
                self.parse_func(FuncKind::Function)
            }
            Tok::KwEvent => {
                self.bump();
                self.parse_func(FuncKind::Event)
            }
            Tok::KwHook => {
                self.bump();
                self.parse_func(FuncKind::Hook)
            }
            Tok::RBrace => Err(self.unexpected("declaration")),
            _ => {
                // The declarations are over; statements follow.
                self.in_stmts = true;
                Ok(DeclKind::Stmt(self.parse_stmt()?))
            }
        }
    }

    /// `name (params) [: ret] &attrs { body }` after `function`/`event`/...
    fn parse_func(&mut self, kind: FuncKind) -> PResult<DeclKind> {
        let name = self.parse_name()?;
        self.decl_names.push(name.sym);
        let sig = self.parse_func_params()?;
        let attrs = self.parse_opt_attrs()?;
        let mark = self.enter_func_scope(&sig.params);
        let body = self.parse_block();
        self.leave_func_scope(mark);
        let body = body?;
        Ok(DeclKind::Func(Box::new(FuncDecl {
            kind,
            name,
            sig,
            attrs,
            body,
        })))
    }
}
