//! Recursive-descent parser, a close port of `go/parser` (Go 1.27 grammar) so that it accepts
//! and rejects the same files and gives every node the same span. Error handling follows
//! go/parser: errors are recorded and parsing goes on, skipping to the next statement or
//! declaration keyword; after more than ten errors, or on too deep nesting, the parser bails
//! out by seeing the rest of the file as EOF.

use bumpalo::Bump;

use crate::ast::*;
use crate::lexer::{Comment, Lexer, Tok, Token};
use crate::SyntaxError;

/// Recursion depth of the parser (nested expressions, types, statements) after which a file
/// is rejected as too deeply nested. A level costs up to about 2 KiB of stack in release
/// builds, so this fits a 1 MiB thread stack.
pub const MAX_DEPTH: u32 = 500;

/// Depth of the tree after which a file is rejected: recursion plus the links of operator
/// and selector/call chains (`a + b + ...`, `x.f().g...`), which the parser builds in a loop
/// but which make the tree and its walks deep. As go/parser, which counts both the same way
/// (with a limit of 100000). The deepest file in GOROOT and the corpora of
/// `docs/parser-conformance.md` reaches 965; generated code with a 5,000-term `+` chain is Go
/// and must be checked. The walks over the tree recurse, so `check` and `server` run them on
/// 64 MiB stacks (about 20 MiB of it at this depth in a debug build).
pub const MAX_TREE_DEPTH: u32 = 20_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Basic,
    LabelOk,
    RangeOk,
}

/// A simple statement, or the header of a range clause (`k, v := range x`).
enum Simple<'a> {
    Stmt(Stmt<'a>),
    Range {
        lhs: BVec<'a, Expr<'a>>,
        tok: Option<AssignOp>,
        x: Expr<'a>,
    },
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    /// The file's arena: every node of the tree lives here.
    bump: &'a Bump,
    lx: Lexer<'a>,
    tok: Tok,
    pos: u32,
    end: u32,
    auto_semi: bool,
    expr_lev: i32,
    in_rhs: bool,
    depth: u32,
    /// Chain links being parsed, counted toward `MAX_TREE_DEPTH`.
    chain: u32,
    bailed: bool,
    errors: Vec<SyntaxError>,
    /// Offset of the line start of the last recorded error, for go/parser's one-error-per-line rule.
    last_error_line: Option<usize>,
    sync_pos: u32,
    sync_cnt: u32,
    /// Scanner errors already seen; go/parser's one-error-per-line rule counts them too.
    lx_errors_seen: usize,
    stray_seen: usize,
    imports: Vec<ImportSpec<'a>>,
}

pub(crate) struct Output<'a> {
    pub file: File<'a>,
    pub comments: Vec<Comment<'a>>,
    pub errors: Vec<SyntaxError>,
}

fn assign_op(t: Tok) -> Option<AssignOp> {
    Some(match t {
        Tok::Assign => AssignOp::Assign,
        Tok::Define => AssignOp::Define,
        Tok::AddAssign => AssignOp::Add,
        Tok::SubAssign => AssignOp::Sub,
        Tok::MulAssign => AssignOp::Mul,
        Tok::QuoAssign => AssignOp::Quo,
        Tok::RemAssign => AssignOp::Rem,
        Tok::AndAssign => AssignOp::And,
        Tok::OrAssign => AssignOp::Or,
        Tok::XorAssign => AssignOp::Xor,
        Tok::ShlAssign => AssignOp::Shl,
        Tok::ShrAssign => AssignOp::Shr,
        Tok::AndNotAssign => AssignOp::AndNot,
        _ => return None,
    })
}

fn binary_op(t: Tok) -> BinaryOp {
    match t {
        Tok::LOr => BinaryOp::LOr,
        Tok::LAnd => BinaryOp::LAnd,
        Tok::Eql => BinaryOp::Eq,
        Tok::Neq => BinaryOp::Ne,
        Tok::Lss => BinaryOp::Lt,
        Tok::Leq => BinaryOp::Le,
        Tok::Gtr => BinaryOp::Gt,
        Tok::Geq => BinaryOp::Ge,
        Tok::Add => BinaryOp::Add,
        Tok::Sub => BinaryOp::Sub,
        Tok::Or => BinaryOp::Or,
        Tok::Xor => BinaryOp::Xor,
        Tok::Mul => BinaryOp::Mul,
        Tok::Quo => BinaryOp::Quo,
        Tok::Rem => BinaryOp::Rem,
        Tok::Shl => BinaryOp::Shl,
        Tok::Shr => BinaryOp::Shr,
        Tok::And => BinaryOp::And,
        _ => BinaryOp::AndNot,
    }
}

fn stmt_start(t: Tok) -> bool {
    matches!(
        t,
        Tok::Break
            | Tok::Const
            | Tok::Continue
            | Tok::Defer
            | Tok::Fallthrough
            | Tok::For
            | Tok::Go
            | Tok::Goto
            | Tok::If
            | Tok::Return
            | Tok::Select
            | Tok::Switch
            | Tok::Type
            | Tok::Var
    )
}

fn decl_start(t: Tok) -> bool {
    matches!(t, Tok::Import | Tok::Const | Tok::Type | Tok::Var)
}

fn expr_end(t: Tok) -> bool {
    matches!(
        t,
        Tok::Comma | Tok::Colon | Tok::Semicolon | Tok::RParen | Tok::RBrack | Tok::RBrace
    )
}

/// Moves a node into the arena.
fn alloc<T>(bump: &Bump, x: T) -> &T {
    bump.alloc(x)
}

type BVec<'a, T> = bumpalo::collections::Vec<'a, T>;

/// A list built in the arena, as the tree holds it.
fn in_arena<'a, T>(v: BVec<'a, T>) -> List<'a, T> {
    List(v.into_bump_slice())
}

fn field_span(names: &[Ident<'_>], typ: &Expr<'_>, tag: Option<&BasicLit<'_>>) -> Span {
    let start = names.first().map_or(typ.span().start, |n| n.span.start);
    let end = tag.map_or(typ.span().end, |t| t.span.end);
    Span::new(start, end)
}

fn pack_index<'a>(
    bump: &'a Bump,
    x: Expr<'a>,
    indices: BVec<'a, Expr<'a>>,
    rbrack: u32,
) -> Expr<'a> {
    let span = Span::new(x.span().start, rbrack + 1);
    Expr::Index(IndexExpr {
        x: alloc(bump, x),
        indices: in_arena(indices),
        span,
    })
}

fn is_type_elem(x: &Expr<'_>) -> bool {
    match x {
        Expr::ArrayType(_)
        | Expr::StructType(_)
        | Expr::FuncType(_)
        | Expr::InterfaceType(_)
        | Expr::MapType(_)
        | Expr::ChanType(_) => true,
        Expr::Binary(b) => is_type_elem(b.x) || is_type_elem(b.y),
        Expr::Unary(u) => u.op == UnaryOp::Tilde,
        Expr::Paren(p) => is_type_elem(p.x),
        _ => false,
    }
}

/// go/parser's `extractName`: splits `P *C`, `P C|D` or `P(C)` parsed as an expression into a
/// type parameter name and its constraint. Gives the expression back when it is not one.
fn extract_name<'a>(
    bump: &'a Bump,
    x: Expr<'a>,
    force: bool,
) -> Result<(Ident<'a>, Option<Expr<'a>>), Expr<'a>> {
    match x {
        Expr::Ident(id) => Ok((id, None)),
        Expr::Binary(b)
            if b.op == BinaryOp::Mul
                && matches!(*b.x, Expr::Ident(_))
                && (force || is_type_elem(b.y)) =>
        {
            let BinaryExpr { x, y, op_pos, .. } = b;
            let Expr::Ident(name) = *x else {
                return Err(Expr::Bad(Span::default()));
            };
            Ok((
                name,
                Some(Expr::Star(StarExpr {
                    span: Span::new(op_pos, y.span().end),
                    x: y,
                })),
            ))
        }
        Expr::Binary(b) if b.op == BinaryOp::Or => {
            let force2 = force || is_type_elem(b.y);
            let BinaryExpr {
                op,
                op_pos,
                x,
                y,
                span,
            } = b;
            match extract_name(bump, x.clone(), force2) {
                Ok((name, Some(lhs))) => {
                    let span = Span::new(lhs.span().start, span.end);
                    Ok((
                        name,
                        Some(Expr::Binary(BinaryExpr {
                            op,
                            op_pos,
                            x: alloc(bump, lhs),
                            y,
                            span,
                        })),
                    ))
                }
                Ok((name, None)) => Err(Expr::Binary(BinaryExpr {
                    op,
                    op_pos,
                    x: alloc(bump, Expr::Ident(name)),
                    y,
                    span,
                })),
                Err(x) => Err(Expr::Binary(BinaryExpr {
                    op,
                    op_pos,
                    x: alloc(bump, x),
                    y,
                    span,
                })),
            }
        }
        Expr::Call(c)
            if matches!(*c.fun, Expr::Ident(_))
                && c.args.len() == 1
                && c.ellipsis.is_none()
                && (force || c.args.first().is_some_and(is_type_elem)) =>
        {
            let CallExpr {
                fun, args, span, ..
            } = c;
            let Expr::Ident(name) = *fun else {
                return Err(Expr::Bad(span));
            };
            let arg = args.last().cloned().unwrap_or(Expr::Bad(span));
            // The `(` is found again by `Parser::fix_paren`.
            Ok((
                name,
                Some(Expr::Paren(ParenExpr {
                    x: alloc(bump, arg),
                    span: Span::new(name.span.end, span.end),
                })),
            ))
        }
        other => Err(other),
    }
}

impl<'a> Parser<'a> {
    pub fn new(src: &'a str, bump: &'a Bump) -> Parser<'a> {
        let mut p = Parser {
            src,
            bump,
            lx: Lexer::new(src),
            tok: Tok::Eof,
            pos: 0,
            end: 0,
            auto_semi: false,
            expr_lev: 0,
            in_rhs: false,
            depth: 0,
            chain: 0,
            bailed: false,
            errors: Vec::new(),
            last_error_line: None,
            sync_pos: 0,
            sync_cnt: 0,
            lx_errors_seen: 0,
            stray_seen: 0,
            imports: Vec::new(),
        };
        p.next();
        p
    }

    fn next(&mut self) {
        if self.bailed {
            self.tok = Tok::Eof;
            return;
        }
        let Token {
            tok,
            pos,
            end,
            auto,
        } = self.lx.next_token();
        self.tok = tok;
        self.pos = pos;
        self.end = end;
        self.auto_semi = auto;
        while let Some(&(at, _)) = self.lx.stray.get(self.stray_seen) {
            if at >= self.end.max(self.pos + 1) {
                break;
            }
            self.stray_seen += 1;
            self.last_error_line = Some(self.line_start(at));
        }
        if self.lx.errors.len() > self.lx_errors_seen {
            self.lx_errors_seen = self.lx.errors.len();
            if let Some(&(at, _)) = self.lx.errors.last() {
                self.last_error_line = Some(self.line_start(at));
            }
        }
    }

    fn lit(&self) -> &'a str {
        self.src
            .get(self.pos as usize..self.end as usize)
            .unwrap_or("")
    }

    fn line_start(&self, pos: u32) -> usize {
        let pos = (pos as usize).min(self.src.len());
        self.src.as_bytes()[..pos]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1)
    }

    fn error(&mut self, pos: u32, msg: impl Into<String>) {
        if self.bailed {
            return;
        }
        let line = self.line_start(pos);
        if self.last_error_line == Some(line) {
            return;
        }
        if self.errors.len() + self.lx.errors.len() > 10 {
            self.bail();
            return;
        }
        self.last_error_line = Some(line);
        self.errors.push(SyntaxError {
            span: Span::new(pos, pos),
            message: msg.into(),
        });
    }

    fn bail(&mut self) {
        self.bailed = true;
        self.tok = Tok::Eof;
    }

    fn error_expected(&mut self, pos: u32, what: &str) {
        let mut msg = format!("expected {what}");
        if pos == self.pos {
            if self.tok == Tok::Semicolon && self.auto_semi {
                msg.push_str(", found newline");
            } else if self.tok.is_literal() {
                msg.push_str(", found ");
                msg.push_str(self.lit());
            } else {
                msg.push_str(&format!(", found '{}'", self.tok.as_str()));
            }
        }
        self.error(pos, msg);
    }

    fn expect(&mut self, tok: Tok) -> u32 {
        let pos = self.pos;
        if self.tok != tok {
            self.error_expected(pos, &format!("'{}'", tok.as_str()));
        }
        self.next();
        pos
    }

    fn expect_closing(&mut self, tok: Tok, context: &str) -> u32 {
        if self.tok != tok && self.tok == Tok::Semicolon && self.auto_semi {
            self.error(self.pos, format!("missing ',' before newline in {context}"));
            self.next();
        }
        self.expect(tok)
    }

    fn expect_semi(&mut self) {
        match self.tok {
            Tok::RParen | Tok::RBrace => {}
            Tok::Comma => {
                self.error_expected(self.pos, "';'");
                self.next();
            }
            Tok::Semicolon => self.next(),
            _ => {
                self.error_expected(self.pos, "';'");
                self.advance(stmt_start);
            }
        }
    }

    fn at_comma(&mut self, context: &str, follow: Tok) -> bool {
        if self.tok == Tok::Comma {
            return true;
        }
        if self.tok != follow {
            let mut msg = "missing ','".to_string();
            if self.tok == Tok::Semicolon && self.auto_semi {
                msg.push_str(" before newline");
            }
            self.error(self.pos, format!("{msg} in {context}"));
            return true;
        }
        false
    }

    fn advance(&mut self, to: fn(Tok) -> bool) {
        while self.tok != Tok::Eof {
            if to(self.tok) {
                if self.pos == self.sync_pos && self.sync_cnt < 10 {
                    self.sync_cnt += 1;
                    return;
                }
                if self.pos > self.sync_pos {
                    self.sync_pos = self.pos;
                    self.sync_cnt = 0;
                    return;
                }
            }
            self.next();
        }
    }

    /// Enters one level of real recursion; false (and bails out) when too deep.
    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH || self.depth + self.chain > MAX_TREE_DEPTH {
            self.too_deep();
            return false;
        }
        true
    }

    /// Counts one more link of a chain; false (and bails out) when the tree gets too deep.
    fn link(&mut self) -> bool {
        self.chain += 1;
        if self.depth + self.chain > MAX_TREE_DEPTH {
            self.too_deep();
            return false;
        }
        true
    }

    fn too_deep(&mut self) {
        if !self.bailed {
            let pos = self.pos;
            self.errors.push(SyntaxError {
                span: Span::new(pos, pos),
                message: "too deeply nested".to_string(),
            });
        }
        self.bail();
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn bad_here(&self) -> Expr<'a> {
        Expr::Bad(Span::new(self.pos, self.pos))
    }

    // ---- identifiers and lists ----

    fn parse_ident(&mut self) -> Ident<'a> {
        let pos = self.pos;
        if self.tok == Tok::Ident {
            let name = self.lit();
            self.next();
            Ident {
                name,
                span: Span::sized(pos, name.len()),
            }
        } else {
            self.expect(Tok::Ident);
            Ident {
                name: "_",
                span: Span::new(pos, pos + 1),
            }
        }
    }

    fn parse_ident_list(&mut self) -> BVec<'a, Ident<'a>> {
        let mut list = bumpalo::vec![in self.bump; self.parse_ident()];
        while self.tok == Tok::Comma {
            self.next();
            list.push(self.parse_ident());
        }
        list
    }

    fn parse_expr_list(&mut self) -> BVec<'a, Expr<'a>> {
        let mut list = bumpalo::vec![in self.bump; self.parse_expr()];
        while self.tok == Tok::Comma {
            self.next();
            list.push(self.parse_expr());
        }
        list
    }

    fn parse_list(&mut self, in_rhs: bool) -> BVec<'a, Expr<'a>> {
        let old = self.in_rhs;
        self.in_rhs = in_rhs;
        let list = self.parse_expr_list();
        self.in_rhs = old;
        list
    }

    // ---- types ----

    fn parse_type(&mut self) -> Expr<'a> {
        match self.try_ident_or_type() {
            Some(t) => t,
            None => {
                let pos = self.pos;
                self.error_expected(pos, "type");
                self.advance(expr_end);
                Expr::Bad(Span::new(pos, self.pos))
            }
        }
    }

    fn parse_qualified_ident(&mut self, ident: Option<Ident<'a>>) -> Expr<'a> {
        let typ = self.parse_type_name(ident);
        if self.tok == Tok::LBrack {
            return self.parse_type_instance(typ);
        }
        typ
    }

    fn parse_type_name(&mut self, ident: Option<Ident<'a>>) -> Expr<'a> {
        let ident = match ident {
            Some(i) => i,
            None => self.parse_ident(),
        };
        if self.tok == Tok::Period {
            self.next();
            let sel = self.parse_ident();
            return Expr::Selector(SelectorExpr {
                x: alloc(self.bump, Expr::Ident(ident)),
                span: ident.span.to(sel.span),
                sel,
            });
        }
        Expr::Ident(ident)
    }

    fn parse_array_type(&mut self, lbrack: u32, len: Option<Expr<'a>>) -> Expr<'a> {
        let len = match len {
            Some(l) => Some(l),
            None => {
                self.expr_lev += 1;
                let l = if self.tok == Tok::Ellipsis {
                    let pos = self.pos;
                    self.next();
                    Some(Expr::Ellipsis(Ellipsis {
                        elt: None,
                        span: Span::new(pos, pos + 3),
                    }))
                } else if self.tok != Tok::RBrack {
                    Some(self.parse_rhs())
                } else {
                    None
                };
                self.expr_lev -= 1;
                l
            }
        };
        if self.tok == Tok::Comma {
            self.error(self.pos, "unexpected comma; expecting ]");
            self.next();
        }
        self.expect(Tok::RBrack);
        let elt = self.parse_type();
        let span = Span::new(lbrack, elt.span().end);
        Expr::ArrayType(alloc(self.bump, ArrayType { len, elt, span }))
    }

    fn parse_array_field_or_type_instance(
        &mut self,
        x: Ident<'a>,
    ) -> (Option<Ident<'a>>, Expr<'a>) {
        let lbrack = self.expect(Tok::LBrack);
        let mut trailing_comma = None;
        let mut args = BVec::new_in(self.bump);
        if self.tok != Tok::RBrack {
            self.expr_lev += 1;
            args.push(self.parse_rhs());
            while self.tok == Tok::Comma {
                let comma = self.pos;
                self.next();
                if self.tok == Tok::RBrack {
                    trailing_comma = Some(comma);
                    break;
                }
                args.push(self.parse_rhs());
            }
            self.expr_lev -= 1;
        }
        let rbrack = self.expect(Tok::RBrack);
        if args.is_empty() {
            let elt = self.parse_type();
            let span = Span::new(lbrack, elt.span().end);
            return (
                Some(x),
                Expr::ArrayType(alloc(
                    self.bump,
                    ArrayType {
                        len: None,
                        elt,
                        span,
                    },
                )),
            );
        }
        if args.len() == 1 {
            if let Some(elt) = self.try_ident_or_type() {
                if let Some(c) = trailing_comma {
                    self.error(c, "unexpected comma; expecting ]");
                }
                let span = Span::new(lbrack, elt.span().end);
                let len = args.pop();
                return (
                    Some(x),
                    Expr::ArrayType(alloc(self.bump, ArrayType { len, elt, span })),
                );
            }
        }
        (None, pack_index(self.bump, Expr::Ident(x), args, rbrack))
    }

    fn parse_field_decl(&mut self) -> Field<'a> {
        let mut names = BVec::new_in(self.bump);
        let typ;
        match self.tok {
            Tok::Ident => {
                let name = self.parse_ident();
                if matches!(
                    self.tok,
                    Tok::Period | Tok::String | Tok::Semicolon | Tok::RBrace
                ) {
                    typ = if self.tok == Tok::Period {
                        self.parse_qualified_ident(Some(name))
                    } else {
                        Expr::Ident(name)
                    };
                } else {
                    names.push(name);
                    while self.tok == Tok::Comma {
                        self.next();
                        names.push(self.parse_ident());
                    }
                    if names.len() == 1 && self.tok == Tok::LBrack {
                        let (n, t) = self.parse_array_field_or_type_instance(name);
                        if n.is_none() {
                            names.clear();
                        }
                        typ = t;
                    } else {
                        typ = self.parse_type();
                    }
                }
            }
            Tok::Mul => {
                let star = self.pos;
                self.next();
                let x = if self.tok == Tok::LParen {
                    self.error(self.pos, "cannot parenthesize embedded type");
                    self.next();
                    let t = self.parse_qualified_ident(None);
                    if self.tok == Tok::RParen {
                        self.next();
                    }
                    t
                } else {
                    self.parse_qualified_ident(None)
                };
                typ = Expr::Star(StarExpr {
                    span: Span::new(star, x.span().end),
                    x: alloc(self.bump, x),
                });
            }
            Tok::LParen => {
                self.error(self.pos, "cannot parenthesize embedded type");
                self.next();
                if self.tok == Tok::Mul {
                    let star = self.pos;
                    self.next();
                    let x = self.parse_qualified_ident(None);
                    typ = Expr::Star(StarExpr {
                        span: Span::new(star, x.span().end),
                        x: alloc(self.bump, x),
                    });
                } else {
                    typ = self.parse_qualified_ident(None);
                }
                if self.tok == Tok::RParen {
                    self.next();
                }
            }
            _ => {
                let pos = self.pos;
                self.error_expected(pos, "field name or embedded type");
                self.advance(expr_end);
                typ = Expr::Bad(Span::new(pos, self.pos));
            }
        }
        let tag = if self.tok == Tok::String {
            let t = BasicLit {
                kind: LitKind::String,
                value: self.lit(),
                span: Span::new(self.pos, self.end),
            };
            self.next();
            Some(t)
        } else {
            None
        };
        self.expect_semi();
        let span = field_span(&names, &typ, tag.as_ref());
        Field {
            names: in_arena(names),
            typ,
            tag,
            span,
        }
    }

    fn parse_struct_type(&mut self) -> Expr<'a> {
        let pos = self.expect(Tok::Struct);
        let lbrace = self.expect(Tok::LBrace);
        let mut list = BVec::new_in(self.bump);
        while matches!(self.tok, Tok::Ident | Tok::Mul | Tok::LParen) {
            list.push(self.parse_field_decl());
        }
        let rbrace = self.expect(Tok::RBrace);
        let fields = FieldList {
            parens: Some((lbrace, rbrace)),
            span: Span::new(lbrace, rbrace + 1),
            list: in_arena(list),
        };
        Expr::StructType(alloc(
            self.bump,
            StructType {
                fields,
                span: Span::new(pos, rbrace + 1),
            },
        ))
    }

    fn parse_pointer_type(&mut self) -> Expr<'a> {
        let star = self.expect(Tok::Mul);
        let x = self.parse_type();
        Expr::Star(StarExpr {
            span: Span::new(star, x.span().end),
            x: alloc(self.bump, x),
        })
    }

    fn parse_dots_type(&mut self) -> Expr<'a> {
        let pos = self.expect(Tok::Ellipsis);
        let elt = self.parse_type();
        Expr::Ellipsis(Ellipsis {
            span: Span::new(pos, elt.span().end),
            elt: Some(alloc(self.bump, elt)),
        })
    }

    fn parse_param_decl(
        &mut self,
        name: Option<Ident<'a>>,
        type_sets_ok: bool,
    ) -> (Option<Ident<'a>>, Option<Expr<'a>>) {
        let forced = if name.is_some() {
            Tok::Ident
        } else if type_sets_ok && self.tok == Tok::Tilde {
            return (None, Some(self.embedded_elem(None)));
        } else {
            self.tok
        };
        let mut fname = None;
        let mut typ = None;
        match forced {
            Tok::Ident => {
                let n = match name {
                    Some(n) => n,
                    None => self.parse_ident(),
                };
                fname = Some(n);
                match self.tok {
                    Tok::Ident
                    | Tok::Mul
                    | Tok::Arrow
                    | Tok::Func
                    | Tok::Chan
                    | Tok::Map
                    | Tok::Struct
                    | Tok::Interface
                    | Tok::LParen => {
                        typ = Some(self.parse_type());
                    }
                    Tok::LBrack => {
                        let (n2, t) = self.parse_array_field_or_type_instance(n);
                        fname = n2;
                        typ = Some(t);
                    }
                    Tok::Ellipsis => {
                        return (fname, Some(self.parse_dots_type()));
                    }
                    Tok::Period => {
                        typ = Some(self.parse_qualified_ident(Some(n)));
                        fname = None;
                    }
                    Tok::Tilde if type_sets_ok => {
                        return (fname, Some(self.embedded_elem(None)));
                    }
                    Tok::Or if type_sets_ok => {
                        return (None, Some(self.embedded_elem(Some(Expr::Ident(n)))));
                    }
                    _ => {}
                }
            }
            Tok::Mul
            | Tok::Arrow
            | Tok::Func
            | Tok::LBrack
            | Tok::Chan
            | Tok::Map
            | Tok::Struct
            | Tok::Interface
            | Tok::LParen => {
                typ = Some(self.parse_type());
            }
            Tok::Ellipsis => return (None, Some(self.parse_dots_type())),
            _ => {
                self.error_expected(self.pos, "')'");
                self.advance(expr_end);
            }
        }
        if type_sets_ok && self.tok == Tok::Or {
            if let Some(t) = typ.take() {
                typ = Some(self.embedded_elem(Some(t)));
            }
        }
        (fname, typ)
    }

    fn parse_parameter_list(
        &mut self,
        mut name0: Option<Ident<'a>>,
        mut typ0: Option<Expr<'a>>,
        closing: Tok,
        dddok: bool,
    ) -> BVec<'a, Field<'a>> {
        let tparams = closing == Tok::RBrack;
        let pos0 = match (&name0, &typ0) {
            (Some(n), _) => n.span.start,
            (None, Some(t)) => t.span().start,
            _ => self.pos,
        };
        let mut list: BVec<'a, (Option<Ident<'a>>, Option<Expr<'a>>)> = BVec::new_in(self.bump);
        let mut named = 0;
        let mut typed = 0;
        while name0.is_some() || (self.tok != closing && self.tok != Tok::Eof) {
            let par = if let Some(t) = typ0.take() {
                let t = if tparams {
                    self.embedded_elem(Some(t))
                } else {
                    t
                };
                (name0.take(), Some(t))
            } else {
                self.parse_param_decl(name0.take(), tparams)
            };
            if par.0.is_some() || par.1.is_some() {
                if par.0.is_some() && par.1.is_some() {
                    named += 1;
                }
                if par.1.is_some() {
                    typed += 1;
                }
                list.push(par);
            }
            if !self.at_comma("parameter list", closing) {
                break;
            }
            self.next();
        }
        if list.is_empty() {
            return BVec::new_in(self.bump);
        }
        // owner[i]: the element whose type parameter i shares.
        let mut owner: Vec<usize> = (0..list.len()).collect();
        if named == 0 {
            for par in &mut list {
                if let Some(n) = par.0.take() {
                    par.1 = Some(Expr::Ident(n));
                }
            }
            if tparams {
                let (pos, msg) = if named == typed {
                    (self.pos, "missing type constraint".to_string())
                } else {
                    (
                        pos0,
                        if list.len() == 1 {
                            "missing type parameter name or invalid array length"
                        } else {
                            "missing type parameter name"
                        }
                        .to_string(),
                    )
                };
                self.error(pos, msg);
            }
        } else if named != list.len() {
            let mut err_pos = None;
            let mut cur: Option<usize> = None;
            let at_close = self.pos;
            for i in (0..list.len()).rev() {
                if let Some(t) = &list[i].1 {
                    cur = Some(i);
                    if list[i].0.is_none() {
                        let p = t.span().start;
                        err_pos = Some(p);
                        list[i].0 = Some(Ident {
                            name: "_",
                            span: Span::new(p, p + 1),
                        });
                    }
                } else if let Some(c) = cur {
                    owner[i] = c;
                } else {
                    let p = list[i].0.map_or(at_close, |n| n.span.start);
                    err_pos = Some(p);
                    list[i].1 = Some(Expr::Bad(Span::new(p, at_close)));
                }
            }
            if let Some(p) = err_pos {
                let (pos, msg) = if named == typed {
                    (
                        self.pos,
                        if tparams {
                            "missing type constraint"
                        } else {
                            "missing parameter type"
                        },
                    )
                } else if tparams {
                    (
                        p,
                        if list.len() == 1 {
                            "missing type parameter name or invalid array length"
                        } else {
                            "missing type parameter name"
                        },
                    )
                } else {
                    (p, "missing parameter name")
                };
                self.error(pos, msg);
            }
        }
        let n = list.len();
        let mut first = true;
        for i in 0..n {
            let o = owner[i];
            if let Some(Expr::Ellipsis(e)) = &list[o].1 {
                if !dddok || i + 1 < n {
                    if first {
                        first = false;
                        let msg = if dddok {
                            "can only use ... with final parameter"
                        } else {
                            "invalid use of ..."
                        };
                        self.error(e.span.start, msg);
                    }
                    if o == i {
                        let sp = e.span;
                        list[i].1 = Some(Expr::Bad(sp));
                    }
                }
            }
        }
        let mut params = BVec::new_in(self.bump);
        if named == 0 {
            for (_, t) in list {
                if let Some(typ) = t {
                    let span = typ.span();
                    params.push(Field {
                        names: List::EMPTY,
                        typ,
                        tag: None,
                        span,
                    });
                }
            }
            return params;
        }
        let mut names: BVec<'a, Ident<'a>> = BVec::new_in(self.bump);
        let mut group = usize::MAX;
        let mut typs: Vec<Option<Expr<'a>>> = list.iter_mut().map(|p| p.1.take()).collect();
        for (i, (name, _)) in list.into_iter().enumerate() {
            if owner[i] != group && !names.is_empty() {
                let typ = typs
                    .get_mut(group)
                    .and_then(Option::take)
                    .unwrap_or(Expr::Bad(Span::default()));
                let span = field_span(&names, &typ, None);
                params.push(Field {
                    names: in_arena(std::mem::replace(&mut names, BVec::new_in(self.bump))),
                    typ,
                    tag: None,
                    span,
                });
            }
            group = owner[i];
            if let Some(n) = name {
                names.push(n);
            }
        }
        if !names.is_empty() {
            let typ = typs
                .get_mut(group)
                .and_then(Option::take)
                .unwrap_or(Expr::Bad(Span::default()));
            let span = field_span(&names, &typ, None);
            params.push(Field {
                names: in_arena(names),
                typ,
                tag: None,
                span,
            });
        }
        params
    }

    fn parse_type_parameters(&mut self) -> Option<FieldList<'a>> {
        let lbrack = self.expect(Tok::LBrack);
        let list = if self.tok != Tok::RBrack {
            self.parse_parameter_list(None, None, Tok::RBrack, false)
        } else {
            BVec::new_in(self.bump)
        };
        let rbrack = self.expect(Tok::RBrack);
        if list.is_empty() {
            self.error(rbrack, "empty type parameter list");
            return None;
        }
        Some(FieldList {
            parens: Some((lbrack, rbrack)),
            list: in_arena(list),
            span: Span::new(lbrack, rbrack + 1),
        })
    }

    fn parse_parameters(&mut self, result: bool) -> Option<FieldList<'a>> {
        if !result || self.tok == Tok::LParen {
            let lparen = self.expect(Tok::LParen);
            let list = if self.tok != Tok::RParen {
                self.parse_parameter_list(None, None, Tok::RParen, !result)
            } else {
                BVec::new_in(self.bump)
            };
            let rparen = self.expect(Tok::RParen);
            return Some(FieldList {
                parens: Some((lparen, rparen)),
                list: in_arena(list),
                span: Span::new(lparen, rparen + 1),
            });
        }
        let typ = self.try_ident_or_type()?;
        let span = typ.span();
        Some(FieldList {
            parens: None,
            list: in_arena(bumpalo::vec![in self.bump; Field {
                names: List::EMPTY,
                typ,
                tag: None,
                span,
            }]),
            span,
        })
    }

    fn func_type(
        start: Option<u32>,
        params: FieldList<'a>,
        results: Option<FieldList<'a>>,
    ) -> FuncType<'a> {
        let start = start.unwrap_or(params.span.start);
        let end = results.as_ref().map_or(params.span.end, |r| r.span.end);
        FuncType {
            params,
            results,
            span: Span::new(start, end),
        }
    }

    fn parse_func_type(&mut self) -> FuncType<'a> {
        let pos = self.expect(Tok::Func);
        if self.tok == Tok::LBrack {
            if let Some(tp) = self.parse_type_parameters() {
                self.error(tp.span.start, "function type must have no type parameters");
            }
        }
        let params = self.parse_parameters(false).unwrap_or_default();
        let results = self.parse_parameters(true);
        Self::func_type(Some(pos), params, results)
    }

    fn parse_method_spec(&mut self) -> Field<'a> {
        let mut idents = BVec::new_in(self.bump);
        let typ;
        let x = self.parse_type_name(None);
        if let Expr::Ident(ident) = x {
            match self.tok {
                Tok::LBrack => {
                    let lbrack = self.pos;
                    self.next();
                    self.expr_lev += 1;
                    let x = self.parse_expr();
                    self.expr_lev -= 1;
                    match x {
                        Expr::Ident(name0) if self.tok != Tok::Comma && self.tok != Tok::RBrack => {
                            self.parse_parameter_list(Some(name0), None, Tok::RBrack, false);
                            self.expect(Tok::RBrack);
                            self.error(lbrack, "interface method must have no type parameters");
                            let params = self.parse_parameters(false).unwrap_or_default();
                            let results = self.parse_parameters(true);
                            idents.push(ident);
                            typ = Expr::FuncType(alloc(
                                self.bump,
                                Self::func_type(None, params, results),
                            ));
                        }
                        x => {
                            let mut list = bumpalo::vec![in self.bump; x];
                            if self.at_comma("type argument list", Tok::RBrack) {
                                self.expr_lev += 1;
                                self.next();
                                while self.tok != Tok::RBrack && self.tok != Tok::Eof {
                                    list.push(self.parse_type());
                                    if !self.at_comma("type argument list", Tok::RBrack) {
                                        break;
                                    }
                                    self.next();
                                }
                                self.expr_lev -= 1;
                            }
                            let rbrack = self.expect_closing(Tok::RBrack, "type argument list");
                            typ = pack_index(self.bump, Expr::Ident(ident), list, rbrack);
                        }
                    }
                }
                Tok::LParen => {
                    let params = self.parse_parameters(false).unwrap_or_default();
                    let results = self.parse_parameters(true);
                    idents.push(ident);
                    typ = Expr::FuncType(alloc(self.bump, Self::func_type(None, params, results)));
                }
                _ => typ = Expr::Ident(ident),
            }
        } else {
            typ = if self.tok == Tok::LBrack {
                self.parse_type_instance(x)
            } else {
                x
            };
        }
        let span = field_span(&idents, &typ, None);
        Field {
            names: in_arena(idents),
            typ,
            tag: None,
            span,
        }
    }

    fn embedded_elem(&mut self, x: Option<Expr<'a>>) -> Expr<'a> {
        let mut x = match x {
            Some(x) => x,
            None => self.embedded_term(),
        };
        while self.tok == Tok::Or {
            let op_pos = self.pos;
            self.next();
            let y = self.embedded_term();
            let span = x.span().to(y.span());
            x = Expr::Binary(BinaryExpr {
                op: BinaryOp::Or,
                op_pos,
                x: alloc(self.bump, x),
                y: alloc(self.bump, y),
                span,
            });
        }
        x
    }

    fn embedded_term(&mut self) -> Expr<'a> {
        if self.tok == Tok::Tilde {
            let pos = self.pos;
            self.next();
            let x = self.parse_type();
            return Expr::Unary(UnaryExpr {
                op: UnaryOp::Tilde,
                span: Span::new(pos, x.span().end),
                x: alloc(self.bump, x),
            });
        }
        match self.try_ident_or_type() {
            Some(t) => t,
            None => {
                let pos = self.pos;
                self.error_expected(pos, "~ term or type");
                self.advance(expr_end);
                Expr::Bad(Span::new(pos, self.pos))
            }
        }
    }

    fn parse_interface_type(&mut self) -> Expr<'a> {
        let pos = self.expect(Tok::Interface);
        let lbrace = self.expect(Tok::LBrace);
        let mut list = BVec::new_in(self.bump);
        loop {
            match self.tok {
                Tok::Ident => {
                    let mut f = self.parse_method_spec();
                    if f.names.is_empty() {
                        let t = std::mem::replace(&mut f.typ, Expr::Bad(Span::default()));
                        f.typ = self.embedded_elem(Some(t));
                        f.span = f.typ.span();
                    }
                    self.expect_semi();
                    list.push(f);
                }
                Tok::Tilde => {
                    let typ = self.embedded_elem(None);
                    self.expect_semi();
                    let span = typ.span();
                    list.push(Field {
                        names: List::EMPTY,
                        typ,
                        tag: None,
                        span,
                    });
                }
                _ => match self.try_ident_or_type() {
                    Some(t) => {
                        let typ = self.embedded_elem(Some(t));
                        self.expect_semi();
                        let span = typ.span();
                        list.push(Field {
                            names: List::EMPTY,
                            typ,
                            tag: None,
                            span,
                        });
                    }
                    None => break,
                },
            }
        }
        let rbrace = self.expect(Tok::RBrace);
        let methods = FieldList {
            parens: Some((lbrace, rbrace)),
            list: in_arena(list),
            span: Span::new(lbrace, rbrace + 1),
        };
        Expr::InterfaceType(alloc(
            self.bump,
            InterfaceType {
                methods,
                span: Span::new(pos, rbrace + 1),
            },
        ))
    }

    fn parse_map_type(&mut self) -> Expr<'a> {
        let pos = self.expect(Tok::Map);
        self.expect(Tok::LBrack);
        let key = self.parse_type();
        self.expect(Tok::RBrack);
        let value = self.parse_type();
        let span = Span::new(pos, value.span().end);
        Expr::MapType(alloc(self.bump, MapType { key, value, span }))
    }

    fn parse_chan_type(&mut self) -> Expr<'a> {
        let pos = self.pos;
        let dir;
        let mut arrow = None;
        if self.tok == Tok::Chan {
            self.next();
            if self.tok == Tok::Arrow {
                arrow = Some(self.pos);
                self.next();
                dir = ChanDir::Send;
            } else {
                dir = ChanDir::Both;
            }
        } else {
            arrow = Some(self.expect(Tok::Arrow));
            self.expect(Tok::Chan);
            dir = ChanDir::Recv;
        }
        let value = self.parse_type();
        let span = Span::new(pos, value.span().end);
        Expr::ChanType(alloc(
            self.bump,
            ChanType {
                dir,
                arrow,
                value,
                span,
            },
        ))
    }

    fn parse_type_instance(&mut self, typ: Expr<'a>) -> Expr<'a> {
        let opening = self.expect(Tok::LBrack);
        self.expr_lev += 1;
        let mut list = BVec::new_in(self.bump);
        while self.tok != Tok::RBrack && self.tok != Tok::Eof {
            list.push(self.parse_type());
            if !self.at_comma("type argument list", Tok::RBrack) {
                break;
            }
            self.next();
        }
        self.expr_lev -= 1;
        let closing = self.expect_closing(Tok::RBrack, "type argument list");
        if list.is_empty() {
            self.error_expected(closing, "type argument list");
            list.push(Expr::Bad(Span::new(opening + 1, closing)));
        }
        pack_index(self.bump, typ, list, closing)
    }

    fn try_ident_or_type(&mut self) -> Option<Expr<'a>> {
        if !self.enter() {
            self.leave();
            return None;
        }
        let r = match self.tok {
            Tok::Ident => {
                let t = self.parse_type_name(None);
                Some(if self.tok == Tok::LBrack {
                    self.parse_type_instance(t)
                } else {
                    t
                })
            }
            Tok::LBrack => {
                let lbrack = self.expect(Tok::LBrack);
                Some(self.parse_array_type(lbrack, None))
            }
            Tok::Struct => Some(self.parse_struct_type()),
            Tok::Mul => Some(self.parse_pointer_type()),
            Tok::Func => Some(Expr::FuncType(alloc(self.bump, self.parse_func_type()))),
            Tok::Interface => Some(self.parse_interface_type()),
            Tok::Map => Some(self.parse_map_type()),
            Tok::Chan | Tok::Arrow => Some(self.parse_chan_type()),
            Tok::LParen => {
                let lparen = self.pos;
                self.next();
                let t = self.parse_type();
                let rparen = self.expect(Tok::RParen);
                Some(Expr::Paren(ParenExpr {
                    x: alloc(self.bump, t),
                    span: Span::new(lparen, rparen + 1),
                }))
            }
            _ => None,
        };
        self.leave();
        r
    }

    // ---- blocks ----

    fn parse_stmt_list(&mut self) -> BVec<'a, Stmt<'a>> {
        let mut list = BVec::new_in(self.bump);
        while !matches!(self.tok, Tok::Case | Tok::Default | Tok::RBrace | Tok::Eof) {
            list.push(self.parse_stmt());
        }
        list
    }

    fn parse_block_stmt(&mut self) -> Block<'a> {
        let lbrace = self.expect(Tok::LBrace);
        let stmts = self.parse_stmt_list();
        let rbrace_ok = self.tok == Tok::RBrace;
        let rbrace = self.pos;
        if !rbrace_ok {
            self.error_expected(self.pos, "'}'");
        }
        self.next();
        let end = if rbrace_ok {
            rbrace + 1
        } else {
            stmts.last().map_or(lbrace + 1, |s| s.span().end)
        };
        Block {
            stmts: in_arena(stmts),
            span: Span::new(lbrace, end),
        }
    }

    // ---- expressions ----

    fn parse_func_type_or_lit(&mut self) -> Expr<'a> {
        let typ = self.parse_func_type();
        if self.tok != Tok::LBrace {
            return Expr::FuncType(alloc(self.bump, typ));
        }
        self.expr_lev += 1;
        let body = self.parse_block_stmt();
        self.expr_lev -= 1;
        let span = typ.span.to(body.span);
        Expr::FuncLit(alloc(self.bump, FuncLit { typ, body, span }))
    }

    fn parse_operand(&mut self) -> Expr<'a> {
        match self.tok {
            Tok::Ident => return Expr::Ident(self.parse_ident()),
            Tok::Int | Tok::Float | Tok::Imag | Tok::Char | Tok::String => {
                let kind = match self.tok {
                    Tok::Int => LitKind::Int,
                    Tok::Float => LitKind::Float,
                    Tok::Imag => LitKind::Imag,
                    Tok::Char => LitKind::Char,
                    _ => LitKind::String,
                };
                let x = BasicLit {
                    kind,
                    value: self.lit(),
                    span: Span::new(self.pos, self.end),
                };
                self.next();
                return Expr::BasicLit(x);
            }
            Tok::LParen => {
                let lparen = self.pos;
                self.next();
                self.expr_lev += 1;
                let x = self.parse_rhs();
                self.expr_lev -= 1;
                let rparen = self.expect(Tok::RParen);
                return Expr::Paren(ParenExpr {
                    x: alloc(self.bump, x),
                    span: Span::new(lparen, rparen + 1),
                });
            }
            Tok::Func => return self.parse_func_type_or_lit(),
            _ => {}
        }
        if let Some(t) = self.try_ident_or_type() {
            return t;
        }
        let pos = self.pos;
        self.error_expected(pos, "operand");
        self.advance(stmt_start);
        Expr::Bad(Span::new(pos, self.pos))
    }

    fn parse_type_assertion(&mut self, x: Expr<'a>) -> Expr<'a> {
        self.expect(Tok::LParen);
        let typ = if self.tok == Tok::Type {
            self.next();
            None
        } else {
            Some(alloc(self.bump, self.parse_type()))
        };
        let rparen = self.expect(Tok::RParen);
        let span = Span::new(x.span().start, rparen + 1);
        Expr::TypeAssert(TypeAssertExpr {
            x: alloc(self.bump, x),
            typ,
            span,
        })
    }

    fn parse_index_or_slice_or_instance(&mut self, x: Expr<'a>) -> Expr<'a> {
        self.expect(Tok::LBrack);
        if self.tok == Tok::RBrack {
            self.error_expected(self.pos, "operand");
            let rbrack = self.pos;
            self.next();
            return pack_index(
                self.bump,
                x,
                bumpalo::vec![in self.bump; Expr::Bad(Span::new(rbrack, rbrack))],
                rbrack,
            );
        }
        self.expr_lev += 1;
        let mut args = BVec::new_in(self.bump);
        let mut index: [Option<Expr<'a>>; 3] = [None, None, None];
        let mut colons = [0u32; 2];
        if self.tok != Tok::Colon {
            index[0] = Some(self.parse_rhs());
        }
        let mut ncolons = 0;
        match self.tok {
            Tok::Colon => {
                while self.tok == Tok::Colon && ncolons < 2 {
                    colons[ncolons] = self.pos;
                    ncolons += 1;
                    self.next();
                    if !matches!(self.tok, Tok::Colon | Tok::RBrack | Tok::Eof) {
                        index[ncolons] = Some(self.parse_rhs());
                    }
                }
            }
            Tok::Comma => {
                if let Some(i0) = index[0].take() {
                    args.push(i0);
                }
                while self.tok == Tok::Comma {
                    self.next();
                    if self.tok != Tok::RBrack && self.tok != Tok::Eof {
                        args.push(self.parse_type());
                    }
                }
            }
            _ => {}
        }
        self.expr_lev -= 1;
        let rbrack = self.expect(Tok::RBrack);
        let span = Span::new(x.span().start, rbrack + 1);
        if ncolons > 0 {
            let [low, mut high, mut max] = index;
            let slice3 = ncolons == 2;
            if slice3 {
                if high.is_none() {
                    self.error(colons[0], "middle index required in 3-index slice");
                    high = Some(Expr::Bad(Span::new(colons[0] + 1, colons[1])));
                }
                if max.is_none() {
                    self.error(colons[1], "final index required in 3-index slice");
                    max = Some(Expr::Bad(Span::new(colons[1] + 1, rbrack)));
                }
            }
            return Expr::Slice(alloc(
                self.bump,
                SliceExpr {
                    x,
                    low,
                    high,
                    max,
                    slice3,
                    span,
                },
            ));
        }
        if args.is_empty() {
            let i0 = index[0]
                .take()
                .unwrap_or(Expr::Bad(Span::new(rbrack, rbrack)));
            args.push(i0);
        }
        pack_index(self.bump, x, args, rbrack)
    }

    fn parse_call_or_conversion(&mut self, fun: Expr<'a>) -> Expr<'a> {
        self.expect(Tok::LParen);
        self.expr_lev += 1;
        let mut args = BVec::new_in(self.bump);
        let mut ellipsis = None;
        while self.tok != Tok::RParen && self.tok != Tok::Eof && ellipsis.is_none() {
            args.push(self.parse_rhs());
            if self.tok == Tok::Ellipsis {
                ellipsis = Some(self.pos);
                self.next();
            }
            if !self.at_comma("argument list", Tok::RParen) {
                break;
            }
            self.next();
        }
        self.expr_lev -= 1;
        let rparen = self.expect_closing(Tok::RParen, "argument list");
        let span = Span::new(fun.span().start, rparen + 1);
        Expr::Call(CallExpr {
            fun: alloc(self.bump, fun),
            args: in_arena(args),
            ellipsis,
            span,
        })
    }

    fn parse_value(&mut self) -> Expr<'a> {
        if self.tok == Tok::LBrace {
            return self.parse_literal_value(None);
        }
        self.parse_expr()
    }

    fn parse_element(&mut self) -> Expr<'a> {
        let x = self.parse_value();
        if self.tok == Tok::Colon {
            self.next();
            let v = self.parse_value();
            let span = x.span().to(v.span());
            return Expr::KeyValue(KeyValueExpr {
                key: alloc(self.bump, x),
                value: alloc(self.bump, v),
                span,
            });
        }
        x
    }

    fn parse_literal_value(&mut self, typ: Option<Expr<'a>>) -> Expr<'a> {
        if !self.enter() {
            self.leave();
            return self.bad_here();
        }
        let lbrace = self.expect(Tok::LBrace);
        let mut elts = BVec::new_in(self.bump);
        self.expr_lev += 1;
        if self.tok != Tok::RBrace {
            while self.tok != Tok::RBrace && self.tok != Tok::Eof {
                elts.push(self.parse_element());
                if !self.at_comma("composite literal", Tok::RBrace) {
                    break;
                }
                self.next();
            }
        }
        self.expr_lev -= 1;
        let rbrace = self.expect_closing(Tok::RBrace, "composite literal");
        self.leave();
        let start = typ.as_ref().map_or(lbrace, |t| t.span().start);
        Expr::CompositeLit(alloc(
            self.bump,
            CompositeLit {
                typ,
                elts: in_arena(elts),
                braces: Span::new(lbrace, rbrace + 1),
                span: Span::new(start, rbrace + 1),
            },
        ))
    }

    fn parse_primary_expr(&mut self, x: Option<Expr<'a>>) -> Expr<'a> {
        let chain = self.chain;
        let x = self.parse_primary_links(x);
        self.chain = chain;
        x
    }

    fn parse_primary_links(&mut self, x: Option<Expr<'a>>) -> Expr<'a> {
        let mut x = match x {
            Some(x) => x,
            None => self.parse_operand(),
        };
        loop {
            if matches!(
                self.tok,
                Tok::Period | Tok::LBrack | Tok::LParen | Tok::LBrace
            ) && !self.link()
            {
                return x;
            }
            match self.tok {
                Tok::Period => {
                    self.next();
                    match self.tok {
                        Tok::Ident => {
                            let sel = self.parse_ident();
                            let span = Span::new(x.span().start, sel.span.end);
                            x = Expr::Selector(SelectorExpr {
                                x: alloc(self.bump, x),
                                sel,
                                span,
                            });
                        }
                        Tok::LParen => x = self.parse_type_assertion(x),
                        _ => {
                            let pos = self.pos;
                            self.error_expected(pos, "selector or type assertion");
                            if self.tok != Tok::RBrace {
                                self.next();
                            }
                            let sel = Ident {
                                name: "_",
                                span: Span::new(pos, pos + 1),
                            };
                            let span = Span::new(x.span().start, sel.span.end);
                            x = Expr::Selector(SelectorExpr {
                                x: alloc(self.bump, x),
                                sel,
                                span,
                            });
                        }
                    }
                }
                Tok::LBrack => x = self.parse_index_or_slice_or_instance(x),
                Tok::LParen => x = self.parse_call_or_conversion(x),
                Tok::LBrace => {
                    let t = unparen(&x);
                    match t {
                        Expr::Bad(_) | Expr::Ident(_) | Expr::Selector(_) | Expr::Index(_) => {
                            if self.expr_lev < 0 {
                                return x;
                            }
                        }
                        Expr::ArrayType(_) | Expr::StructType(_) | Expr::MapType(_) => {}
                        _ => return x,
                    }
                    if !std::ptr::eq(t, &x) {
                        let p = t.span().start;
                        self.error(p, "cannot parenthesize type in composite literal");
                    }
                    x = self.parse_literal_value(Some(x));
                }
                _ => return x,
            }
        }
    }

    fn parse_unary_expr(&mut self) -> Expr<'a> {
        if !self.enter() {
            self.leave();
            return self.bad_here();
        }
        let r = self.parse_unary_inner();
        self.leave();
        r
    }

    fn parse_unary_inner(&mut self) -> Expr<'a> {
        let op = match self.tok {
            Tok::Add => Some(UnaryOp::Plus),
            Tok::Sub => Some(UnaryOp::Neg),
            Tok::Not => Some(UnaryOp::Not),
            Tok::Xor => Some(UnaryOp::Xor),
            Tok::And => Some(UnaryOp::And),
            Tok::Tilde => Some(UnaryOp::Tilde),
            _ => None,
        };
        if let Some(op) = op {
            let pos = self.pos;
            self.next();
            let x = self.parse_unary_expr();
            return Expr::Unary(UnaryExpr {
                op,
                span: Span::new(pos, x.span().end),
                x: alloc(self.bump, x),
            });
        }
        match self.tok {
            Tok::Arrow => {
                let arrow = self.pos;
                self.next();
                let x = self.parse_unary_expr();
                if let Expr::ChanType(_) = x {
                    // `<-chan T`: the arrow belongs to the channel type; in `<-chan chan T`
                    // and the like it rotates inward (go/parser does the same). The nodes
                    // are in the arena, so the rotated ones are rebuilt from the inside out.
                    let mut dir = ChanDir::Send;
                    let mut arrow = arrow;
                    let mut rotated = BVec::new_in(self.bump);
                    let mut cur = &x;
                    while let Expr::ChanType(ct) = cur {
                        if dir != ChanDir::Send {
                            break;
                        }
                        if ct.dir == ChanDir::Recv {
                            let p = ct.arrow.unwrap_or(0);
                            self.error_expected(p, "'chan'");
                        }
                        rotated.push((*ct, arrow));
                        arrow = ct.arrow.unwrap_or(0);
                        dir = ct.dir;
                        cur = &ct.value;
                    }
                    if dir == ChanDir::Send {
                        self.error_expected(arrow, "channel type");
                    }
                    let mut value = cur.clone();
                    for (ct, arrow) in rotated.into_iter().rev() {
                        value = Expr::ChanType(alloc(
                            self.bump,
                            ChanType {
                                dir: ChanDir::Recv,
                                arrow: Some(arrow),
                                value,
                                span: Span::new(arrow, ct.span.end),
                            },
                        ));
                    }
                    return value;
                }
                Expr::Unary(UnaryExpr {
                    op: UnaryOp::Recv,
                    span: Span::new(arrow, x.span().end),
                    x: alloc(self.bump, x),
                })
            }
            Tok::Mul => {
                let pos = self.pos;
                self.next();
                let x = self.parse_unary_expr();
                Expr::Star(StarExpr {
                    span: Span::new(pos, x.span().end),
                    x: alloc(self.bump, x),
                })
            }
            _ => self.parse_primary_expr(None),
        }
    }

    fn parse_binary_expr(&mut self, x: Option<Expr<'a>>, prec1: u8) -> Expr<'a> {
        let chain = self.chain;
        let x = self.parse_binary_links(x, prec1);
        self.chain = chain;
        x
    }

    fn parse_binary_links(&mut self, x: Option<Expr<'a>>, prec1: u8) -> Expr<'a> {
        let mut x = match x {
            Some(x) => x,
            None => self.parse_unary_expr(),
        };
        loop {
            let tok = if self.in_rhs && self.tok == Tok::Assign {
                Tok::Eql
            } else {
                self.tok
            };
            let oprec = tok.precedence();
            if oprec < prec1 {
                return x;
            }
            if !self.link() {
                return x;
            }
            let op_pos = self.pos;
            self.next();
            let y = self.parse_binary_expr(None, oprec + 1);
            let span = x.span().to(y.span());
            x = Expr::Binary(BinaryExpr {
                op: binary_op(tok),
                op_pos,
                x: alloc(self.bump, x),
                y: alloc(self.bump, y),
                span,
            });
        }
    }

    fn parse_expr(&mut self) -> Expr<'a> {
        self.parse_binary_expr(None, 1)
    }

    fn parse_rhs(&mut self) -> Expr<'a> {
        let old = self.in_rhs;
        self.in_rhs = true;
        let x = self.parse_expr();
        self.in_rhs = old;
        x
    }

    // ---- statements ----

    fn parse_simple_stmt(&mut self, mode: Mode) -> Simple<'a> {
        let x = self.parse_list(false);
        if let Some(op) = assign_op(self.tok) {
            let tok_pos = self.pos;
            self.next();
            if mode == Mode::RangeOk
                && self.tok == Tok::Range
                && matches!(op, AssignOp::Define | AssignOp::Assign)
            {
                self.next();
                let rx = self.parse_rhs();
                return Simple::Range {
                    lhs: x,
                    tok: Some(op),
                    x: rx,
                };
            }
            let y = self.parse_list(true);
            let start = x.first().map_or(tok_pos, |e| e.span().start);
            let end = y.last().map_or(tok_pos, |e| e.span().end);
            return Simple::Stmt(Stmt::Assign(AssignStmt {
                lhs: in_arena(x),
                tok: op,
                tok_pos,
                rhs: in_arena(y),
                span: Span::new(start, end),
            }));
        }
        if x.len() > 1 {
            let p = x[0].span().start;
            self.error_expected(p, "1 expression");
        }
        let mut x = x;
        x.truncate(1);
        let Some(x0) = x.pop() else {
            return Simple::Stmt(Stmt::Bad(Span::new(self.pos, self.pos)));
        };
        match self.tok {
            Tok::Colon => {
                let colon = self.pos;
                self.next();
                if let (Mode::LabelOk, Expr::Ident(label)) = (mode, &x0) {
                    let label = *label;
                    let stmt = self.parse_stmt();
                    let span = Span::new(label.span.start, stmt.span().end);
                    return Simple::Stmt(Stmt::Labeled(alloc(
                        self.bump,
                        LabeledStmt {
                            label,
                            stmt: alloc(self.bump, stmt),
                            span,
                        },
                    )));
                }
                self.error(colon, "illegal label declaration");
                Simple::Stmt(Stmt::Bad(Span::new(x0.span().start, colon + 1)))
            }
            Tok::Arrow => {
                self.next();
                let y = self.parse_rhs();
                let span = x0.span().to(y.span());
                Simple::Stmt(Stmt::Send(SendStmt {
                    chan: x0,
                    value: y,
                    span,
                }))
            }
            Tok::Inc | Tok::Dec => {
                let inc = self.tok == Tok::Inc;
                let span = Span::new(x0.span().start, self.pos + 2);
                self.next();
                Simple::Stmt(Stmt::IncDec(IncDecStmt { x: x0, inc, span }))
            }
            _ => Simple::Stmt(Stmt::Expr(ExprStmt { x: x0 })),
        }
    }

    fn simple(&mut self, mode: Mode) -> Stmt<'a> {
        match self.parse_simple_stmt(mode) {
            Simple::Stmt(s) => s,
            Simple::Range { lhs, x, .. } => {
                let start = lhs.first().map_or(x.span().start, |e| e.span().start);
                Stmt::Bad(Span::new(start, x.span().end))
            }
        }
    }

    fn parse_call_expr(&mut self, call_type: &str) -> Option<Expr<'a>> {
        let x = self.parse_rhs();
        let x = if matches!(x, Expr::Paren(_)) {
            self.error(
                x.span().start,
                format!("expression in {call_type} must not be parenthesized"),
            );
            let mut x = x;
            while let Expr::Paren(p) = x {
                x = p.x.clone();
            }
            x
        } else {
            x
        };
        match x {
            Expr::Call(_) => Some(x),
            Expr::Bad(_) => None,
            other => {
                self.error(
                    other.span().end,
                    format!("expression in {call_type} must be function call"),
                );
                None
            }
        }
    }

    fn parse_go_or_defer(&mut self, is_go: bool) -> Stmt<'a> {
        let pos = self.pos;
        self.next();
        let call = self.parse_call_expr(if is_go { "go" } else { "defer" });
        self.expect_semi();
        let kwlen = if is_go { 2 } else { 5 };
        match call {
            None => Stmt::Bad(Span::new(pos, pos + kwlen)),
            Some(call) => {
                let span = Span::new(pos, call.span().end);
                if is_go {
                    Stmt::Go(GoStmt { call, span })
                } else {
                    Stmt::Defer(DeferStmt { call, span })
                }
            }
        }
    }

    fn parse_return_stmt(&mut self) -> Stmt<'a> {
        let pos = self.pos;
        self.expect(Tok::Return);
        let results = if self.tok != Tok::Semicolon && self.tok != Tok::RBrace {
            self.parse_list(true)
        } else {
            BVec::new_in(self.bump)
        };
        self.expect_semi();
        let end = results.last().map_or(pos + 6, |e| e.span().end);
        Stmt::Return(ReturnStmt {
            results: in_arena(results),
            span: Span::new(pos, end),
        })
    }

    fn parse_branch_stmt(&mut self, tok: Tok) -> Stmt<'a> {
        let pos = self.expect(tok);
        let kind = match tok {
            Tok::Break => BranchKind::Break,
            Tok::Continue => BranchKind::Continue,
            Tok::Goto => BranchKind::Goto,
            _ => BranchKind::Fallthrough,
        };
        let label = if tok == Tok::Goto
            || (matches!(tok, Tok::Continue | Tok::Break) && self.tok == Tok::Ident)
        {
            Some(self.parse_ident())
        } else {
            None
        };
        self.expect_semi();
        let end = label.map_or(Span::sized(pos, kind.as_str().len()).end, |l| l.span.end);
        Stmt::Branch(BranchStmt {
            kind,
            label,
            span: Span::new(pos, end),
        })
    }

    fn make_expr(&mut self, s: Option<Stmt<'a>>, want: &str) -> Option<Expr<'a>> {
        match s? {
            Stmt::Expr(e) => Some(e.x),
            other => {
                let found = if matches!(other, Stmt::Assign(_)) {
                    "assignment"
                } else {
                    "simple statement"
                };
                let span = other.span();
                self.error(span.start, format!("expected {want}, found {found} (missing parentheses around composite literal?)"));
                Some(Expr::Bad(span))
            }
        }
    }

    fn parse_if_header(&mut self) -> (Option<Stmt<'a>>, Expr<'a>) {
        if self.tok == Tok::LBrace {
            self.error(self.pos, "missing condition in if statement");
            return (None, self.bad_here());
        }
        let prev = self.expr_lev;
        self.expr_lev = -1;
        let mut init = None;
        if self.tok != Tok::Semicolon {
            if self.tok == Tok::Var {
                self.next();
                self.error(self.pos, "var declaration not allowed in if initializer");
            }
            init = Some(self.simple(Mode::Basic));
        }
        let mut cond_stmt = None;
        let mut semi: Option<(u32, bool)> = None;
        if self.tok != Tok::LBrace {
            if self.tok == Tok::Semicolon {
                semi = Some((self.pos, self.auto_semi));
                self.next();
            } else {
                self.expect(Tok::Semicolon);
            }
            if self.tok != Tok::LBrace {
                cond_stmt = Some(self.simple(Mode::Basic));
            }
        } else {
            cond_stmt = init.take();
        }
        let mut cond = None;
        if cond_stmt.is_some() {
            cond = self.make_expr(cond_stmt, "boolean expression");
        } else if let Some((pos, auto)) = semi {
            if auto {
                self.error(pos, "unexpected newline, expecting { after if clause");
            } else {
                self.error(pos, "missing condition in if statement");
            }
        }
        let cond = cond.unwrap_or_else(|| self.bad_here());
        self.expr_lev = prev;
        (init, cond)
    }

    /// An `if` and its `else if` branches. The branches are parsed in a loop and counted as
    /// chain links, not recursion levels: Go accepts a long `else if` chain as it accepts a long
    /// `+` chain, and only the tree's depth limits it.
    fn parse_if_stmt(&mut self) -> Stmt<'a> {
        if !self.enter() {
            self.leave();
            return Stmt::Bad(Span::new(self.pos, self.pos));
        }
        let chain = self.chain;
        let mut branches = Vec::new();
        let tail: Option<&'a Stmt<'a>> = loop {
            let pos = self.expect(Tok::If);
            let (init, cond) = self.parse_if_header();
            let body = self.parse_block_stmt();
            branches.push((pos, init, cond, body));
            if self.tok != Tok::Else {
                self.expect_semi();
                break None;
            }
            self.next();
            let tok = self.tok;
            match tok {
                Tok::If if self.link() => {}
                Tok::If => break Some(alloc(self.bump, Stmt::Bad(Span::new(self.pos, self.pos)))),
                Tok::LBrace => {
                    let block = Stmt::Block(self.parse_block_stmt());
                    self.expect_semi();
                    break Some(alloc(self.bump, block));
                }
                _ => {
                    self.error_expected(self.pos, "if statement or block");
                    break Some(alloc(self.bump, Stmt::Bad(Span::new(self.pos, self.pos))));
                }
            }
        };
        self.chain = chain;
        self.leave();
        // Built from the last branch outwards: each is the `else` of the one before.
        let mut els = tail;
        let mut branches = branches.into_iter().rev().peekable();
        loop {
            let (pos, init, cond, body) = branches.next().expect("one if at least");
            let end = els.map_or(body.span.end, |e| e.span().end);
            let stmt = Stmt::If(alloc(
                self.bump,
                IfStmt {
                    init: init.map(|s| alloc(self.bump, s)),
                    cond,
                    body,
                    els,
                    span: Span::new(pos, end),
                },
            ));
            if branches.peek().is_none() {
                return stmt;
            }
            els = Some(alloc(self.bump, stmt));
        }
    }

    fn parse_case_clause(&mut self) -> CaseClause<'a> {
        let pos = self.pos;
        let mut list = BVec::new_in(self.bump);
        let is_default = self.tok != Tok::Case;
        if self.tok == Tok::Case {
            self.next();
            list = self.parse_list(true);
        } else {
            self.expect(Tok::Default);
        }
        let colon = self.expect(Tok::Colon);
        let body = self.parse_stmt_list();
        let end = body.last().map_or(colon + 1, |s| s.span().end);
        CaseClause {
            list: in_arena(list),
            is_default,
            body: in_arena(body),
            span: Span::new(pos, end),
        }
    }

    fn is_type_switch_guard(&mut self, s: &Option<Stmt<'a>>) -> bool {
        let is_ta = |x: &Expr<'_>| matches!(x, Expr::TypeAssert(t) if t.typ.is_none());
        match s {
            Some(Stmt::Expr(e)) => is_ta(&e.x),
            Some(Stmt::Assign(a))
                if a.lhs.len() == 1 && a.rhs.len() == 1 && a.rhs.first().is_some_and(is_ta) =>
            {
                match a.tok {
                    AssignOp::Assign => {
                        self.error(a.tok_pos, "expected ':=', found '='");
                        true
                    }
                    AssignOp::Define => true,
                    _ => false,
                }
            }
            _ => false,
        }
    }

    fn parse_switch_stmt(&mut self) -> Stmt<'a> {
        let pos = self.expect(Tok::Switch);
        let mut s1 = None;
        let mut s2 = None;
        if self.tok != Tok::LBrace {
            let prev = self.expr_lev;
            self.expr_lev = -1;
            if self.tok != Tok::Semicolon {
                s2 = Some(self.simple(Mode::Basic));
            }
            if self.tok == Tok::Semicolon {
                self.next();
                s1 = s2.take();
                if self.tok != Tok::LBrace {
                    s2 = Some(self.simple(Mode::Basic));
                }
            }
            self.expr_lev = prev;
        }
        let type_switch = self.is_type_switch_guard(&s2);
        let lbrace = self.expect(Tok::LBrace);
        let mut body = BVec::new_in(self.bump);
        while matches!(self.tok, Tok::Case | Tok::Default) {
            body.push(self.parse_case_clause());
        }
        let rbrace = self.expect(Tok::RBrace);
        self.expect_semi();
        let body_span = Span::new(lbrace, rbrace + 1);
        let span = Span::new(pos, rbrace + 1);
        let init = s1.map(|s| alloc(self.bump, s));
        if type_switch {
            let assign = alloc(self.bump, s2.unwrap_or(Stmt::Bad(span)));
            return Stmt::TypeSwitch(alloc(
                self.bump,
                TypeSwitchStmt {
                    init,
                    assign,
                    body: in_arena(body),
                    body_span,
                    span,
                },
            ));
        }
        let tag = self.make_expr(s2, "switch expression");
        Stmt::Switch(alloc(
            self.bump,
            SwitchStmt {
                init,
                tag,
                body: in_arena(body),
                body_span,
                span,
            },
        ))
    }

    fn parse_comm_clause(&mut self) -> CommClause<'a> {
        let pos = self.pos;
        let mut comm = None;
        if self.tok == Tok::Case {
            self.next();
            let mut lhs = self.parse_list(false);
            if self.tok == Tok::Arrow {
                if lhs.len() > 1 {
                    let p = lhs[0].span().start;
                    self.error_expected(p, "1 expression");
                }
                self.next();
                let rhs = self.parse_rhs();
                lhs.truncate(1);
                if let Some(chan) = lhs.pop() {
                    let span = chan.span().to(rhs.span());
                    comm = Some(alloc(
                        self.bump,
                        Stmt::Send(SendStmt {
                            chan,
                            value: rhs,
                            span,
                        }),
                    ));
                }
            } else if let Some(op @ (AssignOp::Assign | AssignOp::Define)) = assign_op(self.tok) {
                if lhs.len() > 2 {
                    let p = lhs[0].span().start;
                    self.error_expected(p, "1 or 2 expressions");
                    lhs.truncate(2);
                }
                let tok_pos = self.pos;
                self.next();
                let rhs = self.parse_rhs();
                let start = lhs.first().map_or(tok_pos, |e| e.span().start);
                let span = Span::new(start, rhs.span().end);
                comm = Some(alloc(
                    self.bump,
                    Stmt::Assign(AssignStmt {
                        lhs: in_arena(lhs),
                        tok: op,
                        tok_pos,
                        rhs: in_arena(bumpalo::vec![in self.bump; rhs]),
                        span,
                    }),
                ));
            } else {
                if lhs.len() > 1 {
                    let p = lhs[0].span().start;
                    self.error_expected(p, "1 expression");
                }
                lhs.truncate(1);
                if let Some(x) = lhs.pop() {
                    comm = Some(alloc(self.bump, Stmt::Expr(ExprStmt { x })));
                }
            }
        } else {
            self.expect(Tok::Default);
        }
        let colon = self.expect(Tok::Colon);
        let body = self.parse_stmt_list();
        let end = body.last().map_or(colon + 1, |s| s.span().end);
        CommClause {
            comm,
            body: in_arena(body),
            span: Span::new(pos, end),
        }
    }

    fn parse_select_stmt(&mut self) -> Stmt<'a> {
        let pos = self.expect(Tok::Select);
        let lbrace = self.expect(Tok::LBrace);
        let mut body = BVec::new_in(self.bump);
        while matches!(self.tok, Tok::Case | Tok::Default) {
            body.push(self.parse_comm_clause());
        }
        let rbrace = self.expect(Tok::RBrace);
        self.expect_semi();
        Stmt::Select(alloc(
            self.bump,
            SelectStmt {
                body: in_arena(body),
                body_span: Span::new(lbrace, rbrace + 1),
                span: Span::new(pos, rbrace + 1),
            },
        ))
    }

    fn parse_for_stmt(&mut self) -> Stmt<'a> {
        let pos = self.expect(Tok::For);
        let mut s1 = None;
        let mut s2: Option<Simple<'a>> = None;
        let mut s3 = None;
        if self.tok != Tok::LBrace {
            let prev = self.expr_lev;
            self.expr_lev = -1;
            if self.tok != Tok::Semicolon {
                if self.tok == Tok::Range {
                    self.next();
                    let x = self.parse_rhs();
                    s2 = Some(Simple::Range {
                        lhs: BVec::new_in(self.bump),
                        tok: None,
                        x,
                    });
                } else {
                    s2 = Some(self.parse_simple_stmt(Mode::RangeOk));
                }
            }
            let is_range = matches!(s2, Some(Simple::Range { .. }));
            if !is_range && self.tok == Tok::Semicolon {
                self.next();
                s1 = match s2.take() {
                    Some(Simple::Stmt(s)) => Some(s),
                    _ => None,
                };
                if self.tok != Tok::Semicolon {
                    s2 = Some(Simple::Stmt(self.simple(Mode::Basic)));
                }
                self.expect_semi();
                if self.tok != Tok::LBrace {
                    s3 = Some(self.simple(Mode::Basic));
                }
            }
            self.expr_lev = prev;
        }
        let body = self.parse_block_stmt();
        self.expect_semi();
        let span = Span::new(pos, body.span.end);
        match s2 {
            Some(Simple::Range { mut lhs, tok, x }) => {
                if lhs.len() > 2 {
                    let p = lhs.last().map_or(pos, |e| e.span().start);
                    self.error_expected(p, "at most 2 expressions");
                    return Stmt::Bad(span);
                }
                let value = if lhs.len() == 2 { lhs.pop() } else { None };
                let key = lhs.pop();
                Stmt::Range(alloc(
                    self.bump,
                    RangeStmt {
                        key,
                        value,
                        tok,
                        x,
                        body,
                        span,
                    },
                ))
            }
            Some(Simple::Stmt(s)) => {
                let cond = self.make_expr(Some(s), "boolean or range expression");
                Stmt::For(alloc(
                    self.bump,
                    ForStmt {
                        init: s1.map(|s| alloc(self.bump, s)),
                        cond,
                        post: s3.map(|s| alloc(self.bump, s)),
                        body,
                        span,
                    },
                ))
            }
            None => Stmt::For(alloc(
                self.bump,
                ForStmt {
                    init: s1.map(|s| alloc(self.bump, s)),
                    cond: None,
                    post: s3.map(|s| alloc(self.bump, s)),
                    body,
                    span,
                },
            )),
        }
    }

    fn parse_stmt(&mut self) -> Stmt<'a> {
        if !self.enter() {
            self.leave();
            return Stmt::Bad(Span::new(self.pos, self.pos));
        }
        let s = self.parse_stmt_inner();
        self.leave();
        s
    }

    fn parse_stmt_inner(&mut self) -> Stmt<'a> {
        match self.tok {
            Tok::Const | Tok::Type | Tok::Var => match self.parse_decl(stmt_start) {
                Some(Decl::Gen(g)) => Stmt::Decl(g),
                _ => Stmt::Bad(Span::new(self.pos, self.pos)),
            },
            Tok::Ident
            | Tok::Int
            | Tok::Float
            | Tok::Imag
            | Tok::Char
            | Tok::String
            | Tok::Func
            | Tok::LParen
            | Tok::LBrack
            | Tok::Struct
            | Tok::Map
            | Tok::Chan
            | Tok::Interface
            | Tok::Add
            | Tok::Sub
            | Tok::Mul
            | Tok::And
            | Tok::Xor
            | Tok::Arrow
            | Tok::Not => {
                let s = self.simple(Mode::LabelOk);
                if !matches!(s, Stmt::Labeled(_)) {
                    self.expect_semi();
                }
                s
            }
            Tok::Go => self.parse_go_or_defer(true),
            Tok::Defer => self.parse_go_or_defer(false),
            Tok::Return => self.parse_return_stmt(),
            Tok::Break | Tok::Continue | Tok::Goto | Tok::Fallthrough => {
                self.parse_branch_stmt(self.tok)
            }
            Tok::LBrace => {
                let b = self.parse_block_stmt();
                self.expect_semi();
                Stmt::Block(b)
            }
            Tok::If => self.parse_if_stmt(),
            Tok::Switch => self.parse_switch_stmt(),
            Tok::Select => self.parse_select_stmt(),
            Tok::For => self.parse_for_stmt(),
            Tok::Semicolon => {
                let implicit = self.auto_semi;
                let pos = self.pos;
                self.next();
                Stmt::Empty(EmptyStmt {
                    implicit,
                    span: Span::new(pos, if implicit { pos } else { pos + 1 }),
                })
            }
            Tok::RBrace => Stmt::Empty(EmptyStmt {
                implicit: true,
                span: Span::new(self.pos, self.pos),
            }),
            _ => {
                let pos = self.pos;
                self.error_expected(pos, "statement");
                self.advance(stmt_start);
                Stmt::Bad(Span::new(pos, self.pos))
            }
        }
    }

    // ---- declarations ----

    fn parse_import_spec(&mut self) -> Spec<'a> {
        let name = match self.tok {
            Tok::Ident => Some(self.parse_ident()),
            Tok::Period => {
                let id = Ident {
                    name: ".",
                    span: Span::new(self.pos, self.pos + 1),
                };
                self.next();
                Some(id)
            }
            _ => None,
        };
        let pos = self.pos;
        let mut end = self.pos;
        let mut value = "";
        if self.tok == Tok::String {
            value = self.lit();
            end = self.end;
            self.next();
        } else if self.tok.is_literal() {
            self.error(pos, "import path must be a string");
            self.next();
        } else {
            self.error(pos, "missing import path");
            self.advance(expr_end);
        }
        self.expect_semi();
        let path = BasicLit {
            kind: LitKind::String,
            value,
            span: Span::new(pos, end),
        };
        let start = name.map_or(pos, |n| n.span.start);
        let spec = ImportSpec {
            name,
            path,
            span: Span::new(start, end),
        };
        self.imports.push(spec.clone());
        Spec::Import(spec)
    }

    fn parse_value_spec(&mut self, keyword: Tok) -> Spec<'a> {
        let names = self.parse_ident_list();
        let mut typ = None;
        let mut values = BVec::new_in(self.bump);
        if keyword == Tok::Const {
            if !matches!(self.tok, Tok::Eof | Tok::Semicolon | Tok::RParen) {
                typ = self.try_ident_or_type();
                if self.tok == Tok::Assign {
                    self.next();
                    values = self.parse_list(true);
                }
            }
        } else {
            if self.tok != Tok::Assign {
                typ = Some(self.parse_type());
            }
            if self.tok == Tok::Assign {
                self.next();
                values = self.parse_list(true);
            }
        }
        self.expect_semi();
        let start = names.first().map_or(self.pos, |n| n.span.start);
        let end = values
            .last()
            .map(|v| v.span().end)
            .or_else(|| typ.as_ref().map(|t| t.span().end))
            .or_else(|| names.last().map(|n| n.span.end))
            .unwrap_or(start);
        Spec::Value(ValueSpec {
            names: in_arena(names),
            typ,
            values: in_arena(values),
            span: Span::new(start, end),
        })
    }

    fn parse_generic_type(
        &mut self,
        open: u32,
        name0: Ident<'a>,
        typ0: Option<Expr<'a>>,
    ) -> (FieldList<'a>, bool, Expr<'a>) {
        let list = self.parse_parameter_list(Some(name0), typ0, Tok::RBrack, false);
        let close = self.expect(Tok::RBrack);
        let tparams = FieldList {
            parens: Some((open, close)),
            list: in_arena(list),
            span: Span::new(open, close + 1),
        };
        let mut alias = false;
        if self.tok == Tok::Assign {
            alias = true;
            self.next();
        }
        (tparams, alias, self.parse_type())
    }

    fn parse_type_spec(&mut self) -> Spec<'a> {
        let name = self.parse_ident();
        let mut type_params = None;
        let mut alias = false;
        let typ;
        if self.tok == Tok::LBrack {
            let lbrack = self.pos;
            self.next();
            if self.tok == Tok::Ident {
                let mut x = Expr::Ident(self.parse_ident());
                if self.tok != Tok::LBrack {
                    self.expr_lev += 1;
                    let lhs = self.parse_primary_expr(Some(x));
                    x = self.parse_binary_expr(Some(lhs), 1);
                    self.expr_lev -= 1;
                }
                let force = self.tok == Tok::Comma;
                match extract_name(self.bump, x, force) {
                    Ok((pname, ptype)) if ptype.is_some() || self.tok != Tok::RBrack => {
                        let ptype = ptype.map(|t| self.fix_paren(t));
                        let (tp, a, t) = self.parse_generic_type(lbrack, pname, ptype);
                        type_params = Some(tp);
                        alias = a;
                        typ = t;
                    }
                    Ok((pname, ptype)) => {
                        let x = ptype.unwrap_or(Expr::Ident(pname));
                        typ = self.parse_array_type(lbrack, Some(x));
                    }
                    Err(x) => typ = self.parse_array_type(lbrack, Some(x)),
                }
            } else {
                typ = self.parse_array_type(lbrack, None);
            }
        } else {
            if self.tok == Tok::Assign {
                alias = true;
                self.next();
            }
            typ = self.parse_type();
        }
        self.expect_semi();
        let span = Span::new(name.span.start, typ.span().end);
        Spec::Type(TypeSpec {
            name,
            type_params,
            alias,
            typ,
            span,
        })
    }

    /// `extract_name` turns `P(C)` into a parenthesized `C` starting at the end of `P`; the
    /// real `(` may come after blanks or comments, so find it.
    fn fix_paren(&self, t: Expr<'a>) -> Expr<'a> {
        match t {
            Expr::Paren(mut p) => {
                let from = p.span.start as usize;
                if let Some(i) = self.src.get(from..).and_then(|s| s.find('(')) {
                    p.span.start = offset(from + i);
                }
                Expr::Paren(p)
            }
            other => other,
        }
    }

    fn parse_gen_decl(&mut self, keyword: Tok) -> GenDecl<'a> {
        let pos = self.expect(keyword);
        let kind = match keyword {
            Tok::Import => GenKind::Import,
            Tok::Const => GenKind::Const,
            Tok::Type => GenKind::Type,
            _ => GenKind::Var,
        };
        let mut specs = BVec::new_in(self.bump);
        let mut parens = None;
        if self.tok == Tok::LParen {
            let lparen = self.pos;
            self.next();
            while self.tok != Tok::RParen && self.tok != Tok::Eof {
                specs.push(self.parse_spec(keyword));
            }
            let rparen = self.expect(Tok::RParen);
            self.expect_semi();
            parens = Some((lparen, rparen));
        } else {
            specs.push(self.parse_spec(keyword));
        }
        let end = match parens {
            Some((_, r)) => r + 1,
            None => specs.first().map_or(pos, |s| s.span().end),
        };
        GenDecl {
            kind,
            parens,
            specs: in_arena(specs),
            span: Span::new(pos, end),
        }
    }

    fn parse_spec(&mut self, keyword: Tok) -> Spec<'a> {
        match keyword {
            Tok::Import => self.parse_import_spec(),
            Tok::Type => self.parse_type_spec(),
            _ => self.parse_value_spec(keyword),
        }
    }

    fn parse_func_decl(&mut self) -> FuncDecl<'a> {
        let pos = self.expect(Tok::Func);
        let recv = if self.tok == Tok::LParen {
            self.parse_parameters(false)
        } else {
            None
        };
        let name = self.parse_ident();
        let type_params = if self.tok == Tok::LBrack {
            self.parse_type_parameters()
        } else {
            None
        };
        let params = self.parse_parameters(false).unwrap_or_default();
        let results = self.parse_parameters(true);
        let mut body = None;
        match self.tok {
            Tok::LBrace => {
                body = Some(self.parse_block_stmt());
                self.expect_semi();
            }
            Tok::Semicolon => {
                self.next();
                if self.tok == Tok::LBrace {
                    self.error(self.pos, "unexpected semicolon or newline before {");
                    body = Some(self.parse_block_stmt());
                    self.expect_semi();
                }
            }
            _ => self.expect_semi(),
        }
        let typ = Self::func_type(Some(pos), params, results);
        let end = body.as_ref().map_or(typ.span.end, |b| b.span.end);
        FuncDecl {
            recv,
            name,
            type_params,
            typ,
            body,
            span: Span::new(pos, end),
        }
    }

    fn parse_decl(&mut self, sync: fn(Tok) -> bool) -> Option<Decl<'a>> {
        match self.tok {
            Tok::Import | Tok::Const | Tok::Var | Tok::Type => {
                Some(Decl::Gen(self.parse_gen_decl(self.tok)))
            }
            Tok::Func => Some(Decl::Func(alloc(self.bump, self.parse_func_decl()))),
            _ => {
                let pos = self.pos;
                self.error_expected(pos, "declaration");
                self.advance(sync);
                None
            }
        }
    }

    /// A parser positioned at `offset`, the start of a line, for resuming after a declaration
    /// that did not parse (see `recover.rs`).
    pub(crate) fn resume_at(src: &'a str, bump: &'a Bump, offset: u32) -> Parser<'a> {
        let mut p = Parser::new(src, bump);
        p.lx.seek(offset);
        p.next();
        p
    }

    /// Top-level declarations until the end of the file, without a package clause.
    pub(crate) fn parse_decls(mut self) -> Output<'a> {
        let mut decls = BVec::new_in(self.bump);
        while self.tok != Tok::Eof {
            if let Some(d) = self.parse_decl(decl_start) {
                decls.push(d);
            }
        }
        let mut errors = self.errors;
        errors.sort_by(|a, b| (a.span.start, &a.message).cmp(&(b.span.start, &b.message)));
        let file = File {
            package: Ident {
                name: "_",
                span: Span::default(),
            },
            package_pos: 0,
            imports: List(self.bump.alloc_slice_fill_iter(self.imports)),
            decls: in_arena(decls),
            span: Span::default(),
        };
        Output {
            file,
            comments: self.lx.comments,
            errors,
        }
    }

    pub fn parse_file(mut self) -> Output<'a> {
        let package_pos = self.pos;
        let mut decls = BVec::new_in(self.bump);
        let mut package = Ident {
            name: "_",
            span: Span::new(package_pos, package_pos),
        };
        self.expect(Tok::Package);
        // Like go/parser, a file whose package clause does not parse has no declarations.
        if self.errors.is_empty() {
            package = self.parse_ident();
            self.expect_semi();
        }
        if self.errors.is_empty() {
            while self.tok == Tok::Import {
                decls.push(Decl::Gen(self.parse_gen_decl(Tok::Import)));
            }
            let mut prev = Tok::Import;
            while self.tok != Tok::Eof {
                if self.tok == Tok::Import && prev != Tok::Import {
                    self.error(self.pos, "imports must appear before other declarations");
                }
                prev = self.tok;
                if let Some(d) = self.parse_decl(decl_start) {
                    decls.push(d);
                }
            }
        }
        let end = decls.last().map_or(package.span.end, |d| d.span().end);
        let mut errors = self.errors;
        errors.extend(
            self.lx
                .errors
                .into_iter()
                .chain(self.lx.stray)
                .map(|(pos, message)| SyntaxError {
                    span: Span::new(pos, pos),
                    message,
                }),
        );
        // go/scanner's ErrorList order: by position, then message.
        errors.sort_by(|a, b| (a.span.start, &a.message).cmp(&(b.span.start, &b.message)));
        let file = File {
            package,
            package_pos,
            imports: List(self.bump.alloc_slice_fill_iter(self.imports)),
            decls: in_arena(decls),
            span: Span::new(package_pos, end),
        };
        Output {
            file,
            comments: self.lx.comments,
            errors,
        }
    }
}
