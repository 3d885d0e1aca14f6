//! The syntax tree. Plain enums and structs that borrow identifiers and literals from the
//! source; children live in the file's arena (`&'a T` and [`List`]), so a tree is freed in one
//! go with its arena and has nothing to drop. Every node knows its byte span, with the same
//! start and end as the corresponding `go/ast` node's `Pos()` and `End()`.

/// A half-open byte range `start..end` in the source. In a file with syntax errors, a span
/// that ends at a missing closing token can end one byte past the source (as in go/ast):
/// slice with `get`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// The span of `len` bytes from `start`.
    pub fn sized(start: u32, len: usize) -> Span {
        Span::new(start, start.saturating_add(offset(len)))
    }

    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start,
            end: other.end,
        }
    }

    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// Whether `other` lies within this span (its ends included).
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The span as a byte range, to slice the source with (`u32` offsets widen losslessly).
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A byte offset (or length) in a source as a span offset. [`crate::parse_file`] refuses
/// sources longer than [`crate::MAX_SOURCE_LEN`], so every offset of a parsed file fits; past
/// that it saturates instead of wrapping around.
pub fn offset(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The expression inside any parentheses around it.
pub fn unparen<'a, 'b>(mut e: &'b Expr<'a>) -> &'b Expr<'a> {
    while let Expr::Paren(p) = e {
        e = p.x;
    }
    e
}

/// A list of nodes in the file's arena: a slice that iterates like a `Vec` and has nothing to
/// drop.
pub struct List<'a, T>(pub &'a [T]);

impl<'a, T> List<'a, T> {
    pub const EMPTY: List<'a, T> = List(&[]);

    /// The slice with the arena's lifetime (`Deref` gives one tied to `&self`).
    pub fn as_slice(&self) -> &'a [T] {
        self.0
    }
}

impl<T> Clone for List<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for List<'_, T> {}

impl<T> Default for List<'_, T> {
    fn default() -> Self {
        List::EMPTY
    }
}

impl<T> std::ops::Deref for List<'_, T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.0
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for List<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<'a, T> IntoIterator for &List<'a, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, T> IntoIterator for List<'a, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ident<'a> {
    pub name: &'a str,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct File<'a> {
    pub package: Ident<'a>,
    /// The position of the `package` keyword.
    pub package_pos: u32,
    /// Every import spec of the file, in order (also present in `decls`).
    pub imports: List<'a, ImportSpec<'a>>,
    pub decls: List<'a, Decl<'a>>,
    /// From the `package` keyword to the end of the last declaration (as `go/ast`).
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Decl<'a> {
    Func(&'a FuncDecl<'a>),
    Gen(GenDecl<'a>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenKind {
    Import,
    Const,
    Type,
    Var,
}

#[derive(Clone, Debug)]
pub struct GenDecl<'a> {
    pub kind: GenKind,
    /// `Some` for the grouped form `var ( ... )`: the positions of the parentheses.
    pub parens: Option<(u32, u32)>,
    pub specs: List<'a, Spec<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Spec<'a> {
    Import(ImportSpec<'a>),
    Value(ValueSpec<'a>),
    Type(TypeSpec<'a>),
}

#[derive(Clone, Debug)]
pub struct ImportSpec<'a> {
    /// The alias, `.` or `_`.
    pub name: Option<Ident<'a>>,
    pub path: BasicLit<'a>,
    pub span: Span,
}

impl<'a> ImportSpec<'a> {
    /// The import path without its quotes (import paths have no escapes worth decoding).
    pub fn path_value(&self) -> &'a str {
        let v = self.path.value;
        v.get(1..v.len().saturating_sub(1)).unwrap_or("")
    }
}

/// A `const` or `var` spec.
#[derive(Clone, Debug)]
pub struct ValueSpec<'a> {
    pub names: List<'a, Ident<'a>>,
    pub typ: Option<Expr<'a>>,
    pub values: List<'a, Expr<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct TypeSpec<'a> {
    pub name: Ident<'a>,
    pub type_params: Option<FieldList<'a>>,
    /// `type A = B`.
    pub alias: bool,
    pub typ: Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FuncDecl<'a> {
    pub recv: Option<FieldList<'a>>,
    pub name: Ident<'a>,
    /// Type parameters; methods may have their own since Go 1.27.
    pub type_params: Option<FieldList<'a>>,
    /// Spans from the `func` keyword to the end of the signature.
    pub typ: FuncType<'a>,
    pub body: Option<Block<'a>>,
    pub span: Span,
}

/// A parenthesized (or bracketed, for type parameters) list of fields. Results written
/// without parentheses (`func() int`) have `parens == None`.
#[derive(Clone, Debug, Default)]
pub struct FieldList<'a> {
    pub parens: Option<(u32, u32)>,
    pub list: List<'a, Field<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Field<'a> {
    pub names: List<'a, Ident<'a>>,
    pub typ: Expr<'a>,
    pub tag: Option<BasicLit<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Block<'a> {
    pub stmts: List<'a, Stmt<'a>>,
    /// From `{` to after `}`.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Stmt<'a> {
    Decl(GenDecl<'a>),
    Labeled(&'a LabeledStmt<'a>),
    Expr(ExprStmt<'a>),
    Send(SendStmt<'a>),
    IncDec(IncDecStmt<'a>),
    Assign(AssignStmt<'a>),
    Go(GoStmt<'a>),
    Defer(DeferStmt<'a>),
    Return(ReturnStmt<'a>),
    Branch(BranchStmt<'a>),
    Block(Block<'a>),
    If(&'a IfStmt<'a>),
    Switch(&'a SwitchStmt<'a>),
    TypeSwitch(&'a TypeSwitchStmt<'a>),
    Select(&'a SelectStmt<'a>),
    For(&'a ForStmt<'a>),
    Range(&'a RangeStmt<'a>),
    Empty(EmptyStmt),
    Bad(Span),
}

#[derive(Clone, Debug)]
pub struct LabeledStmt<'a> {
    pub label: Ident<'a>,
    pub stmt: &'a Stmt<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ExprStmt<'a> {
    pub x: Expr<'a>,
}

#[derive(Clone, Debug)]
pub struct SendStmt<'a> {
    pub chan: Expr<'a>,
    pub value: Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct IncDecStmt<'a> {
    pub x: Expr<'a>,
    /// `++` when true, `--` otherwise.
    pub inc: bool,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssignOp {
    /// `=`
    Assign,
    /// `:=`
    Define,
    Add,
    Sub,
    Mul,
    Quo,
    Rem,
    And,
    Or,
    Xor,
    Shl,
    Shr,
    AndNot,
}

impl AssignOp {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignOp::Assign => "=",
            AssignOp::Define => ":=",
            AssignOp::Add => "+=",
            AssignOp::Sub => "-=",
            AssignOp::Mul => "*=",
            AssignOp::Quo => "/=",
            AssignOp::Rem => "%=",
            AssignOp::And => "&=",
            AssignOp::Or => "|=",
            AssignOp::Xor => "^=",
            AssignOp::Shl => "<<=",
            AssignOp::Shr => ">>=",
            AssignOp::AndNot => "&^=",
        }
    }
}

#[derive(Clone, Debug)]
pub struct AssignStmt<'a> {
    pub lhs: List<'a, Expr<'a>>,
    pub tok: AssignOp,
    /// Position of the operator.
    pub tok_pos: u32,
    pub rhs: List<'a, Expr<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct GoStmt<'a> {
    pub call: Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct DeferStmt<'a> {
    pub call: Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ReturnStmt<'a> {
    pub results: List<'a, Expr<'a>>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BranchKind {
    Break,
    Continue,
    Goto,
    Fallthrough,
}

impl BranchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BranchKind::Break => "break",
            BranchKind::Continue => "continue",
            BranchKind::Goto => "goto",
            BranchKind::Fallthrough => "fallthrough",
        }
    }
}

#[derive(Clone, Debug)]
pub struct BranchStmt<'a> {
    pub kind: BranchKind,
    pub label: Option<Ident<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct IfStmt<'a> {
    pub init: Option<&'a Stmt<'a>>,
    pub cond: Expr<'a>,
    pub body: Block<'a>,
    /// An `If` or a `Block`.
    pub els: Option<&'a Stmt<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct CaseClause<'a> {
    /// Empty for `default`.
    pub list: List<'a, Expr<'a>>,
    pub is_default: bool,
    pub body: List<'a, Stmt<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SwitchStmt<'a> {
    pub init: Option<&'a Stmt<'a>>,
    pub tag: Option<Expr<'a>>,
    pub body: List<'a, CaseClause<'a>>,
    /// The braces around the clauses.
    pub body_span: Span,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct TypeSwitchStmt<'a> {
    pub init: Option<&'a Stmt<'a>>,
    /// `x := y.(type)` (an `Assign`) or `y.(type)` (an `Expr`).
    pub assign: &'a Stmt<'a>,
    /// Clause lists hold types (`nil` is an `Ident`).
    pub body: List<'a, CaseClause<'a>>,
    pub body_span: Span,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct CommClause<'a> {
    /// A send or receive statement; `None` for `default`.
    pub comm: Option<&'a Stmt<'a>>,
    pub body: List<'a, Stmt<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SelectStmt<'a> {
    pub body: List<'a, CommClause<'a>>,
    pub body_span: Span,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ForStmt<'a> {
    pub init: Option<&'a Stmt<'a>>,
    pub cond: Option<Expr<'a>>,
    pub post: Option<&'a Stmt<'a>>,
    pub body: Block<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct RangeStmt<'a> {
    pub key: Option<Expr<'a>>,
    pub value: Option<Expr<'a>>,
    /// `Define` or `Assign`; `None` for `for range x`.
    pub tok: Option<AssignOp>,
    pub x: Expr<'a>,
    pub body: Block<'a>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug)]
pub struct EmptyStmt {
    /// Implicit empty statements (a label before `}`) have an empty span.
    pub implicit: bool,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LitKind {
    Int,
    Float,
    Imag,
    Char,
    String,
}

#[derive(Clone, Copy, Debug)]
pub struct BasicLit<'a> {
    pub kind: LitKind,
    /// The literal as written, quotes included.
    pub value: &'a str,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Expr<'a> {
    Ident(Ident<'a>),
    BasicLit(BasicLit<'a>),
    CompositeLit(&'a CompositeLit<'a>),
    FuncLit(&'a FuncLit<'a>),
    Paren(ParenExpr<'a>),
    Selector(SelectorExpr<'a>),
    /// `x[i]`, and generic instantiation `f[int, string]` (one or more indices).
    Index(IndexExpr<'a>),
    Slice(&'a SliceExpr<'a>),
    /// `x.(T)`; `typ` is `None` for `x.(type)`.
    TypeAssert(TypeAssertExpr<'a>),
    Call(CallExpr<'a>),
    /// `*x`: a dereference or a pointer type.
    Star(StarExpr<'a>),
    /// `op x`; `<-x` is a receive, `~T` a constraint term.
    Unary(UnaryExpr<'a>),
    Binary(BinaryExpr<'a>),
    KeyValue(KeyValueExpr<'a>),
    ArrayType(&'a ArrayType<'a>),
    StructType(&'a StructType<'a>),
    FuncType(&'a FuncType<'a>),
    InterfaceType(&'a InterfaceType<'a>),
    MapType(&'a MapType<'a>),
    ChanType(&'a ChanType<'a>),
    /// `...T` in a parameter list, or `...` as an array length.
    Ellipsis(Ellipsis<'a>),
    Bad(Span),
}

#[derive(Clone, Debug)]
pub struct CompositeLit<'a> {
    pub typ: Option<Expr<'a>>,
    pub elts: List<'a, Expr<'a>>,
    /// `{` to after `}`.
    pub braces: Span,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FuncLit<'a> {
    pub typ: FuncType<'a>,
    pub body: Block<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ParenExpr<'a> {
    pub x: &'a Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SelectorExpr<'a> {
    pub x: &'a Expr<'a>,
    pub sel: Ident<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct IndexExpr<'a> {
    pub x: &'a Expr<'a>,
    pub indices: List<'a, Expr<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SliceExpr<'a> {
    pub x: Expr<'a>,
    pub low: Option<Expr<'a>>,
    pub high: Option<Expr<'a>>,
    pub max: Option<Expr<'a>>,
    /// `x[a:b:c]`.
    pub slice3: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct TypeAssertExpr<'a> {
    pub x: &'a Expr<'a>,
    pub typ: Option<&'a Expr<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct CallExpr<'a> {
    pub fun: &'a Expr<'a>,
    pub args: List<'a, Expr<'a>>,
    /// Position of `...` in `f(xs...)`.
    pub ellipsis: Option<u32>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct StarExpr<'a> {
    pub x: &'a Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `+`
    Plus,
    /// `-`
    Neg,
    /// `!`
    Not,
    /// `^`
    Xor,
    /// `&`
    And,
    /// `<-`: a receive.
    Recv,
    /// `~`: an underlying-type constraint term.
    Tilde,
}

impl UnaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Plus => "+",
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
            UnaryOp::Xor => "^",
            UnaryOp::And => "&",
            UnaryOp::Recv => "<-",
            UnaryOp::Tilde => "~",
        }
    }
}

#[derive(Clone, Debug)]
pub struct UnaryExpr<'a> {
    pub op: UnaryOp,
    pub x: &'a Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    LOr,
    LAnd,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    /// `|`, also a union in constraints.
    Or,
    Xor,
    Mul,
    Quo,
    Rem,
    Shl,
    Shr,
    And,
    AndNot,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::LOr => "||",
            BinaryOp::LAnd => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Or => "|",
            BinaryOp::Xor => "^",
            BinaryOp::Mul => "*",
            BinaryOp::Quo => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Shl => "<<",
            BinaryOp::Shr => ">>",
            BinaryOp::And => "&",
            BinaryOp::AndNot => "&^",
        }
    }
}

#[derive(Clone, Debug)]
pub struct BinaryExpr<'a> {
    pub op: BinaryOp,
    pub op_pos: u32,
    pub x: &'a Expr<'a>,
    pub y: &'a Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct KeyValueExpr<'a> {
    pub key: &'a Expr<'a>,
    pub value: &'a Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ArrayType<'a> {
    /// `None` for a slice type; `Some(Expr::Ellipsis)` for `[...]T`.
    pub len: Option<Expr<'a>>,
    pub elt: Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct StructType<'a> {
    pub fields: FieldList<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FuncType<'a> {
    pub params: FieldList<'a>,
    pub results: Option<FieldList<'a>>,
    pub span: Span,
}

/// Methods are fields with one name and a `FuncType`; embedded elements (types, unions,
/// `~T` terms) are fields without names.
#[derive(Clone, Debug)]
pub struct InterfaceType<'a> {
    pub methods: FieldList<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct MapType<'a> {
    pub key: Expr<'a>,
    pub value: Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChanDir {
    Both,
    /// `chan<- T`
    Send,
    /// `<-chan T`
    Recv,
}

#[derive(Clone, Debug)]
pub struct ChanType<'a> {
    pub dir: ChanDir,
    /// Position of `<-` for directional channel types.
    pub arrow: Option<u32>,
    pub value: Expr<'a>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Ellipsis<'a> {
    pub elt: Option<&'a Expr<'a>>,
    pub span: Span,
}

impl<'a> Expr<'a> {
    pub fn span(&self) -> Span {
        match self {
            Expr::Ident(x) => x.span,
            Expr::BasicLit(x) => x.span,
            Expr::CompositeLit(x) => x.span,
            Expr::FuncLit(x) => x.span,
            Expr::Paren(x) => x.span,
            Expr::Selector(x) => x.span,
            Expr::Index(x) => x.span,
            Expr::Slice(x) => x.span,
            Expr::TypeAssert(x) => x.span,
            Expr::Call(x) => x.span,
            Expr::Star(x) => x.span,
            Expr::Unary(x) => x.span,
            Expr::Binary(x) => x.span,
            Expr::KeyValue(x) => x.span,
            Expr::ArrayType(x) => x.span,
            Expr::StructType(x) => x.span,
            Expr::FuncType(x) => x.span,
            Expr::InterfaceType(x) => x.span,
            Expr::MapType(x) => x.span,
            Expr::ChanType(x) => x.span,
            Expr::Ellipsis(x) => x.span,
            Expr::Bad(span) => *span,
        }
    }
}

impl<'a> Stmt<'a> {
    pub fn span(&self) -> Span {
        match self {
            Stmt::Decl(x) => x.span,
            Stmt::Labeled(x) => x.span,
            Stmt::Expr(x) => x.x.span(),
            Stmt::Send(x) => x.span,
            Stmt::IncDec(x) => x.span,
            Stmt::Assign(x) => x.span,
            Stmt::Go(x) => x.span,
            Stmt::Defer(x) => x.span,
            Stmt::Return(x) => x.span,
            Stmt::Branch(x) => x.span,
            Stmt::Block(x) => x.span,
            Stmt::If(x) => x.span,
            Stmt::Switch(x) => x.span,
            Stmt::TypeSwitch(x) => x.span,
            Stmt::Select(x) => x.span,
            Stmt::For(x) => x.span,
            Stmt::Range(x) => x.span,
            Stmt::Empty(x) => x.span,
            Stmt::Bad(span) => *span,
        }
    }
}

impl<'a> Decl<'a> {
    pub fn span(&self) -> Span {
        match self {
            Decl::Func(x) => x.span,
            Decl::Gen(x) => x.span,
        }
    }
}

impl<'a> Spec<'a> {
    pub fn span(&self) -> Span {
        match self {
            Spec::Import(x) => x.span,
            Spec::Value(x) => x.span,
            Spec::Type(x) => x.span,
        }
    }
}

impl ExprStmt<'_> {
    pub fn span(&self) -> Span {
        self.x.span()
    }
}
