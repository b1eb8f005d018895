//! Types, formal parameters, enum bodies and attributes.

use super::{PResult, P};
use crate::ast::{Attr, AttrKind, EnumItem, FieldDecl, FuncSig, Param, TypeExpr};
use crate::literal;
use crate::token::Tok;

fn attr_kind(tok: Tok) -> Option<(AttrKind, bool)> {
    // (kind, takes `= expr`)
    Some(match tok {
        Tok::AttrDefault => (AttrKind::Default, true),
        Tok::AttrOptional => (AttrKind::Optional, false),
        Tok::AttrRedef => (AttrKind::Redef, false),
        Tok::AttrIsAssigned => (AttrKind::IsAssigned, false),
        Tok::AttrIsUsed => (AttrKind::IsUsed, false),
        Tok::AttrAddFunc => (AttrKind::AddFunc, true),
        Tok::AttrDelFunc => (AttrKind::DelFunc, true),
        Tok::AttrOnChange => (AttrKind::OnChange, true),
        Tok::AttrBrokerStore => (AttrKind::BrokerStore, true),
        Tok::AttrBrokerAllowComplex => (AttrKind::BrokerAllowComplex, false),
        Tok::AttrBackend => (AttrKind::Backend, true),
        Tok::AttrExpireFunc => (AttrKind::ExpireFunc, true),
        Tok::AttrCreateExpire => (AttrKind::CreateExpire, true),
        Tok::AttrReadExpire => (AttrKind::ReadExpire, true),
        Tok::AttrWriteExpire => (AttrKind::WriteExpire, true),
        Tok::AttrRawOutput => (AttrKind::RawOutput, false),
        Tok::AttrPriority => (AttrKind::Priority, true),
        Tok::AttrGroup => (AttrKind::Group, true),
        Tok::AttrTypeColumn => (AttrKind::TypeColumn, true),
        Tok::AttrLog => (AttrKind::Log, false),
        Tok::AttrErrorHandler => (AttrKind::ErrorHandler, false),
        Tok::AttrDeprecated => (AttrKind::Deprecated, false),
        Tok::AttrOrdered => (AttrKind::Ordered, false),
        _ => return None,
    })
}

impl P<'_, '_> {
    pub(crate) fn parse_type(&mut self) -> PResult<TypeExpr> {
        let t = self.peek();
        let simple = match t.tok {
            Tok::KwBool => Some(TypeExpr::Bool),
            Tok::KwInt => Some(TypeExpr::Int),
            Tok::KwCount => Some(TypeExpr::Count),
            Tok::KwDouble => Some(TypeExpr::Double),
            Tok::KwTime => Some(TypeExpr::Time),
            Tok::KwInterval => Some(TypeExpr::Interval),
            Tok::KwString => Some(TypeExpr::String),
            Tok::KwPattern => Some(TypeExpr::Pattern),
            Tok::KwPort => Some(TypeExpr::Port),
            Tok::KwAddr => Some(TypeExpr::Addr),
            Tok::KwSubnet => Some(TypeExpr::Subnet),
            Tok::KwAny => Some(TypeExpr::Any),
            _ => None,
        };
        if let Some(ty) = simple {
            self.bump();
            return Ok(ty);
        }
        match t.tok {
            Tok::KwTable => {
                self.bump();
                self.expect(Tok::LBracket, "'['")?;
                let index = self.parse_type_list()?;
                self.expect(Tok::RBracket, "']'")?;
                self.expect(Tok::KwOf, "'of'")?;
                let y = self.parse_type()?;
                Ok(TypeExpr::Table {
                    index,
                    yield_: Box::new(y),
                })
            }
            Tok::KwSet => {
                self.bump();
                self.expect(Tok::LBracket, "'['")?;
                let index = self.parse_type_list()?;
                self.expect(Tok::RBracket, "']'")?;
                Ok(TypeExpr::Set { index })
            }
            Tok::KwRecord => {
                self.bump();
                self.expect(Tok::LBrace, "'{'")?;
                let fields = self.parse_field_decls()?;
                self.expect(Tok::RBrace, "'}'")?;
                Ok(TypeExpr::Record(fields))
            }
            Tok::KwEnum => {
                self.bump();
                self.expect(Tok::LBrace, "'{'")?;
                let items = self.parse_enum_body()?;
                self.expect(Tok::RBrace, "'}'")?;
                Ok(TypeExpr::Enum(items))
            }
            Tok::KwList => {
                self.bump();
                if self.eat(Tok::KwOf) {
                    Ok(TypeExpr::List(Some(Box::new(self.parse_type()?))))
                } else {
                    Ok(TypeExpr::List(None))
                }
            }
            Tok::KwVector => {
                self.bump();
                self.expect(Tok::KwOf, "'of'")?;
                Ok(TypeExpr::Vector(Box::new(self.parse_type()?)))
            }
            Tok::KwFunction => {
                self.bump();
                Ok(TypeExpr::Function(self.parse_func_params()?))
            }
            Tok::KwEvent | Tok::KwHook => {
                self.bump();
                self.expect(Tok::LParen, "'('")?;
                let params = self.parse_formal_args()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(if t.tok == Tok::KwEvent {
                    TypeExpr::Event(params)
                } else {
                    TypeExpr::Hook(params)
                })
            }
            Tok::KwFile => {
                self.bump();
                if self.eat(Tok::KwOf) {
                    Ok(TypeExpr::File(Some(Box::new(self.parse_type()?))))
                } else {
                    Ok(TypeExpr::File(None))
                }
            }
            Tok::KwOpaque => {
                self.bump();
                self.expect(Tok::KwOf, "'of'")?;
                Ok(TypeExpr::Opaque(self.parse_name()?))
            }
            Tok::Id => Ok(TypeExpr::Named(self.parse_name()?)),
            _ => Err(self.unexpected("type")),
        }
    }

    fn parse_type_list(&mut self) -> PResult<Vec<TypeExpr>> {
        let mut v = vec![self.parse_type()?];
        while self.eat(Tok::Comma) {
            v.push(self.parse_type()?);
        }
        Ok(v)
    }

    /// `type_decl_list`: `name: type &attrs;` until `}`.
    pub(crate) fn parse_field_decls(&mut self) -> PResult<Vec<FieldDecl>> {
        let mut fields: Vec<FieldDecl> = Vec::new();
        loop {
            let t = self.peek();
            // `##<` comments seen while scanning belong to the previous field.
            let post = std::mem::take(&mut self.lx.post_docs);
            if let Some(last) = fields.last_mut() {
                last.docs.extend(post);
            }
            if t.tok != Tok::Id {
                break;
            }
            let docs = std::mem::take(&mut self.lx.pre_docs);
            let name = self.parse_name()?;
            self.expect(Tok::Colon, "':'")?;
            let ty = self.parse_type()?;
            let attrs = self.parse_opt_attrs()?;
            self.expect(Tok::Semi, "';'")?;
            fields.push(FieldDecl {
                name,
                ty,
                attrs,
                docs,
                span: self.span_from(name.span.start),
            });
        }
        Ok(fields)
    }

    /// `enum_body`: `A, B = 3, C &deprecated, ` (one trailing comma allowed).
    pub(crate) fn parse_enum_body(&mut self) -> PResult<Vec<EnumItem>> {
        let mut items: Vec<EnumItem> = Vec::new();
        loop {
            let docs = std::mem::take(&mut self.lx.pre_docs);
            let name = self.parse_name()?;
            let value = if self.eat(Tok::Assign) {
                let neg = self.eat(Tok::Minus);
                let t = self.peek();
                let v = match t.tok {
                    Tok::Count => literal::parse_unsigned(self.text(t.span), 10),
                    Tok::Hex => literal::parse_unsigned(&self.text(t.span)[2..], 16),
                    _ => return Err(self.unexpected("enum value")),
                };
                self.bump();
                Some(if neg {
                    (v as i64).wrapping_neg()
                } else {
                    v as i64
                })
            } else {
                None
            };
            let deprecated = if self.eat(Tok::AttrDeprecated) {
                if self.eat(Tok::Assign) {
                    Some(Some(self.parse_prefix_const()?))
                } else {
                    Some(None)
                }
            } else {
                None
            };
            items.push(EnumItem {
                name,
                value,
                deprecated,
                docs,
            });
            let more = self.eat(Tok::Comma);
            self.peek();
            let post = std::mem::take(&mut self.lx.post_docs);
            if let Some(last) = items.last_mut() {
                last.docs.extend(post);
            }
            if !more || !self.at(Tok::Id) {
                break;
            }
        }
        Ok(items)
    }

    /// A single constant token (used by `&deprecated="..."`).
    pub(crate) fn parse_prefix_const(&mut self) -> PResult<crate::ast::Expr> {
        match self.peek().tok {
            Tok::String | Tok::Count | Tok::Double | Tok::True | Tok::False => {
                self.parse_expr_bp(17)
            }
            _ => Err(self.unexpected("constant")),
        }
    }

    /// `formal_args`: params separated by `,` or `;`, optional trailing `;`.
    pub(crate) fn parse_formal_args(&mut self) -> PResult<Vec<Param>> {
        let mut params = Vec::new();
        if !self.at(Tok::Id) {
            return Ok(params);
        }
        loop {
            let name = self.parse_name()?;
            self.expect(Tok::Colon, "':'")?;
            let ty = self.parse_type()?;
            let attrs = self.parse_opt_attrs()?;
            params.push(Param { name, ty, attrs });
            if self.eat(Tok::Comma) {
                continue;
            }
            if self.eat(Tok::Semi) {
                if self.at(Tok::Id) {
                    continue;
                }
                break;
            }
            break;
        }
        Ok(params)
    }

    /// `( formal_args ) [: type]`.
    pub(crate) fn parse_func_params(&mut self) -> PResult<FuncSig> {
        let start = self.expect(Tok::LParen, "'('")?.span.start;
        let params = self.parse_formal_args()?;
        self.expect(Tok::RParen, "')'")?;
        let ret = if self.eat(Tok::Colon) {
            Some(Box::new(self.parse_type()?))
        } else {
            None
        };
        Ok(FuncSig {
            params,
            ret,
            span: self.span_from(start),
        })
    }

    /// `opt_attr`: any number of `&attr [= expr]`.
    pub(crate) fn parse_opt_attrs(&mut self) -> PResult<Vec<Attr>> {
        let mut attrs = Vec::new();
        while let Some((kind, takes_value)) = attr_kind(self.peek().tok) {
            let start = self.bump().span.start;
            let value = if takes_value {
                self.expect(Tok::Assign, "'='")?;
                Some(self.parse_expr()?)
            } else if kind == AttrKind::Deprecated && self.eat(Tok::Assign) {
                Some(self.parse_prefix_const()?)
            } else {
                None
            };
            attrs.push(Attr {
                kind,
                value,
                span: self.span_from(start),
            });
        }
        Ok(attrs)
    }
}
