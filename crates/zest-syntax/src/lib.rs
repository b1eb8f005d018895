//! Zeek 5.2 syntax: the scanner (`logos`), the AST and the parser.
//!
//! This crate depends on nothing of the runtime. The parser is streaming
//! ([`Parser::next_decl`]) so that the loader can decide `@if` conditions
//! and process `@load` at the point where Zeek does; [`parse_file`] parses a
//! whole file with a fixed answer for every condition.

pub mod ast;
pub mod error;
pub mod lexer;
pub mod literal;
pub mod parser;
pub mod span;
pub mod symbol;
pub mod token;

pub use error::{SyntaxError, SyntaxErrorKind};
pub use parser::{CondEval, ConstCond, Parser};
pub use span::{LineIndex, Span};
pub use symbol::Symbol;

/// A whole file parsed without semantics.
#[derive(Debug, serde::Serialize)]
pub struct ParsedFile {
    pub decls: Vec<ast::Decl>,
    pub file_docs: Vec<String>,
    /// Every error found, in source order.
    pub errors: Vec<SyntaxError>,
}

/// Parses all of `src`, deciding every `@if` as `take_if_branches` says.
pub fn parse_file(src: &str, take_if_branches: bool) -> ParsedFile {
    let mut p = Parser::new(src);
    let mut ev = ConstCond(take_if_branches);
    let mut decls = Vec::new();
    while let Some(d) = p.next_decl(&mut ev) {
        decls.push(d);
    }
    ParsedFile {
        decls,
        file_docs: p.file_docs().to_vec(),
        errors: p.errors(),
    }
}
