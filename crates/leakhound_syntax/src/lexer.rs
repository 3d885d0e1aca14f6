//! A byte-level Go scanner following `go/scanner`: automatic semicolon insertion, every
//! literal form with the same error messages, comments collected on the side.

use crate::ast::{offset, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tok {
    Eof,
    Illegal,
    Ident,
    Int,
    Float,
    Imag,
    Char,
    String,
    // operators
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
    AddAssign,
    SubAssign,
    MulAssign,
    QuoAssign,
    RemAssign,
    AndAssign,
    OrAssign,
    XorAssign,
    ShlAssign,
    ShrAssign,
    AndNotAssign,
    LAnd,
    LOr,
    Arrow,
    Inc,
    Dec,
    Eql,
    Lss,
    Gtr,
    Assign,
    Not,
    Neq,
    Leq,
    Geq,
    Define,
    Ellipsis,
    LParen,
    LBrack,
    LBrace,
    Comma,
    Period,
    RParen,
    RBrack,
    RBrace,
    Semicolon,
    Colon,
    Tilde,
    // keywords
    Break,
    Case,
    Chan,
    Const,
    Continue,
    Default,
    Defer,
    Else,
    Fallthrough,
    For,
    Func,
    Go,
    Goto,
    If,
    Import,
    Interface,
    Map,
    Package,
    Range,
    Return,
    Select,
    Struct,
    Switch,
    Type,
    Var,
}

impl Tok {
    /// The spelling `go/token` gives the token in error messages.
    pub fn as_str(self) -> &'static str {
        use Tok::*;
        match self {
            Eof => "EOF",
            Illegal => "ILLEGAL",
            Ident => "IDENT",
            Int => "INT",
            Float => "FLOAT",
            Imag => "IMAG",
            Char => "CHAR",
            String => "STRING",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Quo => "/",
            Rem => "%",
            And => "&",
            Or => "|",
            Xor => "^",
            Shl => "<<",
            Shr => ">>",
            AndNot => "&^",
            AddAssign => "+=",
            SubAssign => "-=",
            MulAssign => "*=",
            QuoAssign => "/=",
            RemAssign => "%=",
            AndAssign => "&=",
            OrAssign => "|=",
            XorAssign => "^=",
            ShlAssign => "<<=",
            ShrAssign => ">>=",
            AndNotAssign => "&^=",
            LAnd => "&&",
            LOr => "||",
            Arrow => "<-",
            Inc => "++",
            Dec => "--",
            Eql => "==",
            Lss => "<",
            Gtr => ">",
            Assign => "=",
            Not => "!",
            Neq => "!=",
            Leq => "<=",
            Geq => ">=",
            Define => ":=",
            Ellipsis => "...",
            LParen => "(",
            LBrack => "[",
            LBrace => "{",
            Comma => ",",
            Period => ".",
            RParen => ")",
            RBrack => "]",
            RBrace => "}",
            Semicolon => ";",
            Colon => ":",
            Tilde => "~",
            Break => "break",
            Case => "case",
            Chan => "chan",
            Const => "const",
            Continue => "continue",
            Default => "default",
            Defer => "defer",
            Else => "else",
            Fallthrough => "fallthrough",
            For => "for",
            Func => "func",
            Go => "go",
            Goto => "goto",
            If => "if",
            Import => "import",
            Interface => "interface",
            Map => "map",
            Package => "package",
            Range => "range",
            Return => "return",
            Select => "select",
            Struct => "struct",
            Switch => "switch",
            Type => "type",
            Var => "var",
        }
    }

    pub fn is_literal(self) -> bool {
        matches!(
            self,
            Tok::Ident | Tok::Int | Tok::Float | Tok::Imag | Tok::Char | Tok::String
        )
    }

    /// Binary operator precedence (0 when not a binary operator).
    pub fn precedence(self) -> u8 {
        use Tok::*;
        match self {
            LOr => 1,
            LAnd => 2,
            Eql | Neq | Lss | Leq | Gtr | Geq => 3,
            Add | Sub | Or | Xor => 4,
            Mul | Quo | Rem | Shl | Shr | And | AndNot => 5,
            _ => 0,
        }
    }
}

fn keyword(s: &[u8]) -> Option<Tok> {
    use Tok::*;
    Some(match s {
        b"break" => Break,
        b"case" => Case,
        b"chan" => Chan,
        b"const" => Const,
        b"continue" => Continue,
        b"default" => Default,
        b"defer" => Defer,
        b"else" => Else,
        b"fallthrough" => Fallthrough,
        b"for" => For,
        b"func" => Func,
        b"go" => Go,
        b"goto" => Goto,
        b"if" => If,
        b"import" => Import,
        b"interface" => Interface,
        b"map" => Map,
        b"package" => Package,
        b"range" => Range,
        b"return" => Return,
        b"select" => Select,
        b"struct" => Struct,
        b"switch" => Switch,
        b"type" => Type,
        b"var" => Var,
        _ => return None,
    })
}

/// A comment, `//` or `/* */`, with its text as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment<'a> {
    pub text: &'a str,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub pos: u32,
    pub end: u32,
    /// For `Semicolon`: inserted at a newline or EOF rather than written.
    pub auto: bool,
}

pub struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    insert_semi: bool,
    /// A semicolon owed after a `/* */` comment containing a newline, at that newline.
    nl_pos: Option<u32>,
    /// Start of the current line, for `//line` directives.
    line_start: usize,
    pub comments: Vec<Comment<'a>>,
    pub errors: Vec<(u32, String)>,
    /// NUL bytes and misplaced BOMs, found up front (sorted by position).
    pub stray: Vec<(u32, String)>,
}

/// ASCII bytes that continue an identifier; a table lookup is one load per byte where the
/// three range tests were a chain of branches in the hottest loop of the scanner.
static IDENT_ASCII: [bool; 256] = {
    let mut t = [false; 256];
    let mut c: u8 = 0;
    while c < 128 {
        t[c as usize] = c.is_ascii_alphanumeric() || c == b'_';
        c += 1;
    }
    t
};

fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (!c.is_ascii() && c.is_alphabetic() && !is_mark_like(c))
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric() && !is_letter_number(c))
}

/// Rust's `is_alphabetic` includes combining marks that Go's `unicode.IsLetter` rejects.
fn is_mark_like(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x0900..=0x0903 | 0x093A..=0x094F | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
        || is_letter_number(c)
}

/// Letter numbers (Nl) and other numbers (No) are neither letters nor digits in Go.
fn is_letter_number(c: char) -> bool {
    matches!(c as u32, 0x16EE..=0x16F0 | 0x2160..=0x2188 | 0x3007 | 0x3021..=0x3029 | 0x3038..=0x303A | 0xA6E6..=0xA6EF | 0x10140..=0x10174 | 0x00B2 | 0x00B3 | 0x00B9 | 0x00BC..=0x00BE | 0x2070..=0x2079 | 0x2080..=0x2089 | 0x2150..=0x215F | 0x2460..=0x249B | 0x24EA..=0x24FF | 0x2776..=0x2793)
}

fn lower(b: u8) -> u8 {
    b | 0x20
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn litname(prefix: u8) -> &'static str {
    match prefix {
        b'x' => "hexadecimal literal",
        b'o' | b'0' => "octal literal",
        b'b' => "binary literal",
        _ => "decimal literal",
    }
}

/// `%#U` of Go's fmt.
pub(crate) fn fmt_u(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{}'", c as u32, c)
    }
}

impl<'a> Lexer<'a> {
    /// Moves to `pos`, the start of a line, as if the text before it were not there.
    pub(crate) fn seek(&mut self, pos: u32) {
        self.pos = (pos as usize).min(self.b.len());
        self.insert_semi = false;
        self.nl_pos = None;
        self.line_start = self.pos;
        self.comments.clear();
    }

    pub fn new(src: &'a str) -> Lexer<'a> {
        let mut lx = Lexer {
            src,
            b: src.as_bytes(),
            pos: 0,
            insert_semi: false,
            nl_pos: None,
            line_start: 0,
            comments: Vec::new(),
            errors: Vec::new(),
            stray: Vec::new(),
        };
        if src.starts_with('\u{FEFF}') {
            lx.pos = 3;
        }
        // go/scanner rejects NUL and a BOM anywhere after the start, even in comments and
        // strings. One SIMD search rules both out for almost every file.
        if memchr::memchr2(0, 0xEF, lx.b).is_some() {
            for (i, &c) in lx.b.iter().enumerate() {
                if c == 0 {
                    lx.stray
                        .push((offset(i), "illegal character NUL".to_string()));
                } else if c == 0xEF
                    && i > 0
                    && lx.b.get(i + 1) == Some(&0xBB)
                    && lx.b.get(i + 2) == Some(&0xBF)
                {
                    lx.stray
                        .push((offset(i), "illegal byte order mark".to_string()));
                }
            }
        }
        lx
    }

    fn error(&mut self, at: usize, msg: String) {
        self.errors.push((offset(at), msg));
    }

    fn peek(&self, off: usize) -> u8 {
        self.b.get(self.pos + off).copied().unwrap_or(0)
    }

    fn cur_char(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    pub fn next_token(&mut self) -> Token {
        loop {
            if let Some(nl) = self.nl_pos.take() {
                return Token {
                    tok: Tok::Semicolon,
                    pos: nl,
                    end: nl,
                    auto: true,
                };
            }
            // skip whitespace
            while let Some(&c) = self.b.get(self.pos) {
                match c {
                    b' ' | b'\t' | b'\r' => self.pos += 1,
                    b'\n' if !self.insert_semi => {
                        self.pos += 1;
                        self.line_start = self.pos;
                    }
                    _ => break,
                }
            }
            let start = self.pos;
            let Some(&c) = self.b.get(start) else {
                if self.insert_semi {
                    self.insert_semi = false;
                    return Token {
                        tok: Tok::Semicolon,
                        pos: offset(start),
                        end: offset(start),
                        auto: true,
                    };
                }
                return Token {
                    tok: Tok::Eof,
                    pos: offset(start),
                    end: offset(start),
                    auto: false,
                };
            };
            let insert;
            let tok = match c {
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                    self.scan_ident();
                    let tok = if self.pos - start > 1 {
                        keyword(&self.b[start..self.pos]).unwrap_or(Tok::Ident)
                    } else {
                        Tok::Ident
                    };
                    insert = matches!(
                        tok,
                        Tok::Ident | Tok::Break | Tok::Continue | Tok::Fallthrough | Tok::Return
                    );
                    tok
                }
                b'0'..=b'9' => {
                    insert = true;
                    self.scan_number()
                }
                b'.' if self.peek(1).is_ascii_digit() => {
                    insert = true;
                    self.scan_number()
                }
                b'\n' => {
                    self.pos += 1;
                    self.line_start = self.pos;
                    self.insert_semi = false;
                    return Token {
                        tok: Tok::Semicolon,
                        pos: offset(start),
                        end: offset(start),
                        auto: true,
                    };
                }
                b'"' => {
                    insert = true;
                    self.pos += 1;
                    self.scan_string(start);
                    Tok::String
                }
                b'\'' => {
                    insert = true;
                    self.pos += 1;
                    self.scan_rune(start);
                    Tok::Char
                }
                b'`' => {
                    insert = true;
                    self.pos += 1;
                    self.scan_raw_string(start);
                    Tok::String
                }
                b'/' if matches!(self.peek(1), b'/' | b'*') => {
                    let nl = self.scan_comment(start);
                    if self.insert_semi && nl.is_some() {
                        self.nl_pos = nl;
                        self.insert_semi = false;
                    }
                    continue;
                }
                _ if c >= 0x80 => {
                    let ch = self.cur_char().unwrap_or('\u{FFFD}');
                    if is_letter(ch) {
                        self.scan_ident();
                        insert = true;
                        Tok::Ident
                    } else {
                        self.pos += ch.len_utf8();
                        if ch != '\u{FEFF}' {
                            let msg = if ch == '\u{201C}' || ch == '\u{201D}' {
                                format!("curly quotation mark '{ch}' (use neutral '\"')")
                            } else {
                                format!("illegal character {}", fmt_u(ch))
                            };
                            self.error(start, msg);
                        }
                        insert = self.insert_semi;
                        Tok::Illegal
                    }
                }
                _ => {
                    self.pos += 1;
                    let (tok, ins) = self.operator(c);
                    insert = ins;
                    tok
                }
            };
            self.insert_semi = insert;
            return Token {
                tok,
                pos: offset(start),
                end: offset(self.pos),
                auto: false,
            };
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn operator(&mut self, c: u8) -> (Tok, bool) {
        use Tok::*;
        let tok = match c {
            b':' => {
                if self.eat(b'=') {
                    Define
                } else {
                    Colon
                }
            }
            b'.' => {
                if self.peek(0) == b'.' && self.peek(1) == b'.' {
                    self.pos += 2;
                    Ellipsis
                } else {
                    Period
                }
            }
            b',' => Comma,
            b';' => Semicolon,
            b'(' => LParen,
            b')' => return (RParen, true),
            b'[' => LBrack,
            b']' => return (RBrack, true),
            b'{' => LBrace,
            b'}' => return (RBrace, true),
            b'+' => {
                if self.eat(b'=') {
                    AddAssign
                } else if self.eat(b'+') {
                    return (Inc, true);
                } else {
                    Add
                }
            }
            b'-' => {
                if self.eat(b'=') {
                    SubAssign
                } else if self.eat(b'-') {
                    return (Dec, true);
                } else {
                    Sub
                }
            }
            b'*' => {
                if self.eat(b'=') {
                    MulAssign
                } else {
                    Mul
                }
            }
            b'/' => {
                if self.eat(b'=') {
                    QuoAssign
                } else {
                    Quo
                }
            }
            b'%' => {
                if self.eat(b'=') {
                    RemAssign
                } else {
                    Rem
                }
            }
            b'^' => {
                if self.eat(b'=') {
                    XorAssign
                } else {
                    Xor
                }
            }
            b'<' => {
                if self.eat(b'-') {
                    Arrow
                } else if self.eat(b'=') {
                    Leq
                } else if self.eat(b'<') {
                    if self.eat(b'=') {
                        ShlAssign
                    } else {
                        Shl
                    }
                } else {
                    Lss
                }
            }
            b'>' => {
                if self.eat(b'=') {
                    Geq
                } else if self.eat(b'>') {
                    if self.eat(b'=') {
                        ShrAssign
                    } else {
                        Shr
                    }
                } else {
                    Gtr
                }
            }
            b'=' => {
                if self.eat(b'=') {
                    Eql
                } else {
                    Assign
                }
            }
            b'!' => {
                if self.eat(b'=') {
                    Neq
                } else {
                    Not
                }
            }
            b'&' => {
                if self.eat(b'^') {
                    if self.eat(b'=') {
                        AndNotAssign
                    } else {
                        AndNot
                    }
                } else if self.eat(b'=') {
                    AndAssign
                } else if self.eat(b'&') {
                    LAnd
                } else {
                    And
                }
            }
            b'|' => {
                if self.eat(b'=') {
                    OrAssign
                } else if self.eat(b'|') {
                    LOr
                } else {
                    Or
                }
            }
            b'~' => Tilde,
            _ => {
                if c != 0 {
                    self.error(
                        self.pos - 1,
                        format!("illegal character {}", fmt_u(c as char)),
                    );
                }
                return (Illegal, self.insert_semi);
            }
        };
        (tok, false)
    }

    fn scan_ident(&mut self) {
        let b = self.b;
        let mut i = self.pos;
        loop {
            while i < b.len() && IDENT_ASCII[b[i] as usize] {
                i += 1;
            }
            if i < b.len() && b[i] >= 0x80 {
                self.pos = i;
                if let Some(ch) = self.cur_char().filter(|&ch| is_letter(ch) || is_digit(ch)) {
                    i += ch.len_utf8();
                    continue;
                }
            }
            break;
        }
        self.pos = i;
    }

    /// Scans `{ digit | '_' }`; returns bit 0 for digits seen, bit 1 for separators, and
    /// records the first digit not valid in `base` (bases up to 10).
    fn digits(&mut self, base: u8, invalid: &mut Option<usize>) -> u8 {
        let mut ds = 0;
        if base <= 10 {
            let max = b'0' + base;
            while let Some(&c) = self.b.get(self.pos) {
                if c == b'_' {
                    ds |= 2;
                } else if c.is_ascii_digit() {
                    if c >= max && invalid.is_none() {
                        *invalid = Some(self.pos);
                    }
                    ds |= 1;
                } else {
                    break;
                }
                self.pos += 1;
            }
        } else {
            while let Some(&c) = self.b.get(self.pos) {
                if c == b'_' {
                    ds |= 2;
                } else if is_hex(c) {
                    ds |= 1;
                } else {
                    break;
                }
                self.pos += 1;
            }
        }
        ds
    }

    // The scanners of literals and comments stay out of `next_token`, which then saves and
    // restores fewer registers on every token.
    #[inline(never)]
    fn scan_number(&mut self) -> Tok {
        let start = self.pos;
        let mut tok = Tok::Illegal;
        let mut base = 10;
        let mut prefix = 0u8;
        let mut digsep = 0u8;
        let mut invalid = None;
        if self.peek(0) != b'.' {
            tok = Tok::Int;
            if self.peek(0) == b'0' {
                self.pos += 1;
                match lower(self.peek(0)) {
                    b'x' => {
                        self.pos += 1;
                        base = 16;
                        prefix = b'x';
                    }
                    b'o' => {
                        self.pos += 1;
                        base = 8;
                        prefix = b'o';
                    }
                    b'b' => {
                        self.pos += 1;
                        base = 2;
                        prefix = b'b';
                    }
                    _ => {
                        base = 8;
                        prefix = b'0';
                        digsep = 1;
                    }
                }
            }
            digsep |= self.digits(base, &mut invalid);
        }
        if self.peek(0) == b'.' {
            tok = Tok::Float;
            if prefix == b'o' || prefix == b'b' {
                self.error(
                    self.pos,
                    format!("invalid radix point in {}", litname(prefix)),
                );
            }
            self.pos += 1;
            digsep |= self.digits(base, &mut invalid);
        }
        if digsep & 1 == 0 {
            self.error(self.pos, format!("{} has no digits", litname(prefix)));
        }
        let e = lower(self.peek(0));
        if e == b'e' || e == b'p' {
            let ch = self.peek(0) as char;
            if e == b'e' && prefix != 0 && prefix != b'0' {
                self.error(
                    self.pos,
                    format!("'{ch}' exponent requires decimal mantissa"),
                );
            } else if e == b'p' && prefix != b'x' {
                self.error(
                    self.pos,
                    format!("'{ch}' exponent requires hexadecimal mantissa"),
                );
            }
            self.pos += 1;
            tok = Tok::Float;
            if matches!(self.peek(0), b'+' | b'-') {
                self.pos += 1;
            }
            let ds = self.digits(10, &mut None);
            digsep |= ds;
            if ds & 1 == 0 {
                self.error(self.pos, "exponent has no digits".to_string());
            }
        } else if prefix == b'x' && tok == Tok::Float {
            self.error(
                self.pos,
                "hexadecimal mantissa requires a 'p' exponent".to_string(),
            );
        }
        if self.peek(0) == b'i' {
            tok = Tok::Imag;
            self.pos += 1;
        }
        let lit = &self.b[start..self.pos];
        if tok == Tok::Int {
            if let Some(i) = invalid {
                let d = self.b.get(i).copied().unwrap_or(b'?') as char;
                self.error(i, format!("invalid digit '{d}' in {}", litname(prefix)));
            }
        }
        if digsep & 2 != 0 {
            if let Some(i) = invalid_sep(lit) {
                self.error(start + i, "'_' must separate successive digits".to_string());
            }
        }
        tok
    }

    fn scan_escape(&mut self, quote: u8) -> bool {
        let start = self.pos;
        let (mut n, base, max): (u32, u32, u32) = match self.peek(0) {
            b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v' | b'\\' => {
                self.pos += 1;
                return true;
            }
            c if c == quote => {
                self.pos += 1;
                return true;
            }
            b'0'..=b'7' => (3, 8, 255),
            b'x' => {
                self.pos += 1;
                (2, 16, 255)
            }
            b'u' => {
                self.pos += 1;
                (4, 16, 0x10FFFF)
            }
            b'U' => {
                self.pos += 1;
                (8, 16, 0x10FFFF)
            }
            _ => {
                let msg = if self.pos >= self.b.len() {
                    "escape sequence not terminated"
                } else {
                    "unknown escape sequence"
                };
                self.error(start, msg.to_string());
                return false;
            }
        };
        let mut x: u32 = 0;
        while n > 0 {
            let c = self.peek(0);
            let d = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'a'..=b'f' | b'A'..=b'F' => u32::from(lower(c) - b'a' + 10),
                _ => 16,
            };
            if d >= base {
                let msg = match self.cur_char() {
                    None => "escape sequence not terminated".to_string(),
                    Some(ch) => format!("illegal character {} in escape sequence", fmt_u(ch)),
                };
                self.error(self.pos, msg);
                return false;
            }
            x = x.wrapping_mul(base).wrapping_add(d);
            self.pos += 1;
            n -= 1;
        }
        if x > max || (0xD800..0xE000).contains(&x) {
            self.error(
                start,
                "escape sequence is invalid Unicode code point".to_string(),
            );
            return false;
        }
        true
    }

    #[inline(never)]
    fn scan_rune(&mut self, start: usize) {
        let mut valid = true;
        let mut n = 0;
        loop {
            let Some(ch) = self.cur_char() else {
                if valid {
                    self.error(start, "rune literal not terminated".to_string());
                    valid = false;
                }
                break;
            };
            if ch == '\n' {
                if valid {
                    self.error(start, "rune literal not terminated".to_string());
                    valid = false;
                }
                break;
            }
            self.pos += ch.len_utf8();
            if ch == '\'' {
                break;
            }
            n += 1;
            if ch == '\\' && !self.scan_escape(b'\'') {
                valid = false;
            }
        }
        if valid && n != 1 {
            self.error(start, "illegal rune literal".to_string());
        }
    }

    #[inline(never)]
    fn scan_string(&mut self, start: usize) {
        loop {
            match self.b.get(self.pos) {
                None | Some(b'\n') => {
                    self.error(start, "string literal not terminated".to_string());
                    break;
                }
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.scan_escape(b'"');
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    #[inline(never)]
    fn scan_raw_string(&mut self, start: usize) {
        match self
            .b
            .get(self.pos..)
            .and_then(|r| r.iter().position(|&c| c == b'`'))
        {
            Some(i) => self.pos += i + 1,
            None => {
                self.pos = self.b.len();
                self.error(start, "raw string literal not terminated".to_string());
            }
        }
    }

    /// Scans a comment; returns the position of its first newline for `/* */` comments.
    #[inline(never)]
    fn scan_comment(&mut self, start: usize) -> Option<u32> {
        let mut nl = None;
        let valid;
        if self.peek(1) == b'/' {
            let rest = &self.b[start..];
            let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            self.pos = start + len;
            valid = true;
        } else {
            let rest = &self.b[start + 2..];
            match memchr::memmem::find(rest, b"*/") {
                Some(i) => {
                    self.pos = start + 2 + i + 2;
                    valid = true;
                }
                None => {
                    self.pos = self.b.len();
                    self.error(start, "comment not terminated".to_string());
                    valid = false;
                }
            }
            if let Some(i) = memchr::memchr(b'\n', &self.b[start..self.pos]) {
                nl = Some(offset(start + i));
            }
        }
        let text = &self.src[start..self.pos];
        if valid
            && (text.as_bytes()[1] == b'*' || start == self.line_start)
            && text.get(2..).is_some_and(|t| t.starts_with("line "))
        {
            self.line_directive(start, text);
        }
        // A `//` comment ending a line with `\r\n` does not include the `\r`.
        let text = if text.as_bytes()[1] == b'/' {
            text.strip_suffix('\r').unwrap_or(text)
        } else {
            text
        };
        self.comments.push(Comment {
            text,
            span: Span::new(offset(start), offset(start + text.len())),
        });
        nl
    }

    /// Validates a `//line` directive the way go/scanner does (only its errors matter here).
    fn line_directive(&mut self, start: usize, text: &str) {
        let mut text = text.strip_suffix('\r').unwrap_or(text);
        if text.as_bytes()[1] == b'*' {
            text = &text[..text.len() - 2];
        }
        let Some(text) = text.get(7..) else { return };
        let offs = start + 7;
        let Some((i, n, ok)) = trailing_digits(text) else {
            return;
        };
        if !ok {
            self.error(offs + i, format!("invalid line number: {}", &text[i..]));
            return;
        }
        const MAX: u64 = 1 << 30;
        let (mut line, mut i) = (n, i);
        if let Some((i2, n2, true)) = trailing_digits(&text[..i - 1]) {
            let col = n;
            if col == 0 || col > MAX {
                self.error(offs + i, format!("invalid column number: {}", &text[i..]));
                return;
            }
            line = n2;
            i = i2;
        }
        if line == 0 || line > MAX {
            self.error(offs + i, format!("invalid line number: {}", &text[i..]));
        }
    }
}

/// Go's `trailingDigits`: (index after the last ':', value, whether it parsed).
fn trailing_digits(text: &str) -> Option<(usize, u64, bool)> {
    let i = text.rfind(':')?;
    let digits = &text[i + 1..];
    let parsed = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<u64>().ok()
    } else {
        None
    };
    Some((i + 1, parsed.unwrap_or(0), parsed.is_some()))
}

/// Index of the first `_` that does not separate digits, as go/scanner's `invalidSep`.
fn invalid_sep(x: &[u8]) -> Option<usize> {
    let mut x1 = b' ';
    let mut d = b'.';
    let mut i = 0;
    if x.len() >= 2 && x[0] == b'0' {
        x1 = lower(x[1]);
        if x1 == b'x' || x1 == b'o' || x1 == b'b' {
            d = b'0';
            i = 2;
        }
    }
    while i < x.len() {
        let p = d;
        d = x[i];
        if d == b'_' {
            if p != b'0' {
                return Some(i);
            }
        } else if d.is_ascii_digit() || (x1 == b'x' && is_hex(d)) {
            d = b'0';
        } else {
            if p == b'_' {
                return Some(i - 1);
            }
            d = b'.';
        }
        i += 1;
    }
    if d == b'_' {
        return Some(x.len() - 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<(Tok, &str)> {
        let mut lx = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token();
            if t.tok == Tok::Eof {
                return out;
            }
            let text = if t.auto {
                "\n"
            } else {
                &src[t.pos as usize..t.end as usize]
            };
            out.push((t.tok, text));
        }
    }

    fn errors(src: &str) -> Vec<String> {
        let mut lx = Lexer::new(src);
        while lx.next_token().tok != Tok::Eof {}
        lx.errors.into_iter().chain(lx.stray).map(|e| e.1).collect()
    }

    #[test]
    fn numeric_literals() {
        let cases = [
            ("42", Tok::Int),
            ("4_2", Tok::Int),
            ("0600", Tok::Int),
            ("0o600", Tok::Int),
            ("0O6_00", Tok::Int),
            ("0xBad_Face", Tok::Int),
            ("0b1010", Tok::Int),
            ("0.", Tok::Float),
            ("072.40", Tok::Float),
            ("1.e+0", Tok::Float),
            ("6.67428e-11", Tok::Float),
            (".25", Tok::Float),
            ("1_5.", Tok::Float),
            ("0.15e+0_2", Tok::Float),
            ("0x1p-2", Tok::Float),
            ("0x2.p10", Tok::Float),
            ("0X.8p-0", Tok::Float),
            ("0X_1FFFP-16", Tok::Float),
            ("0i", Tok::Imag),
            ("0123i", Tok::Imag),
            ("0o123i", Tok::Imag),
            ("0xabci", Tok::Imag),
            ("1E6i", Tok::Imag),
            ("0x1p-2i", Tok::Imag),
        ];
        for (src, tok) in cases {
            assert_eq!(toks(src), [(tok, src), (Tok::Semicolon, "\n")], "{src}");
            assert!(errors(src).is_empty(), "{src}: {:?}", errors(src));
        }
    }

    #[test]
    fn numeric_literal_errors() {
        let cases = [
            ("0x", "hexadecimal literal has no digits"),
            ("09", "invalid digit '9' in octal literal"),
            ("0b102", "invalid digit '2' in binary literal"),
            ("1__2", "'_' must separate successive digits"),
            ("1_", "'_' must separate successive digits"),
            ("0x1.5", "hexadecimal mantissa requires a 'p' exponent"),
            ("1e", "exponent has no digits"),
            ("0b1.0", "invalid radix point in binary literal"),
            ("0x1e3p", "exponent has no digits"),
            ("1p3", "'p' exponent requires hexadecimal mantissa"),
        ];
        for (src, msg) in cases {
            assert_eq!(errors(src).first().map(String::as_str), Some(msg), "{src}");
        }
    }

    #[test]
    fn strings_and_runes() {
        for src in [
            r#""abc""#,
            r#""\n\t\"\\""#,
            r#""\u65e5\U00008a9e\xff\377""#,
            "`raw\n\\n`",
            "``",
            "'a'",
            "'本'",
            r"'\''",
            r"'\x07'",
            r"'\u12e4'",
        ] {
            let t = toks(src);
            assert_eq!(t.first().map(|t| t.1), Some(src), "{src}");
            assert!(errors(src).is_empty(), "{src}: {:?}", errors(src));
        }
        let cases = [
            (r#""\q""#, "unknown escape sequence"),
            ("\"abc", "string literal not terminated"),
            ("`abc", "raw string literal not terminated"),
            ("'ab'", "illegal rune literal"),
            ("''", "illegal rune literal"),
            ("'a", "rune literal not terminated"),
            (r"'\400'", "escape sequence is invalid Unicode code point"),
            (
                r#""\uD800""#,
                "escape sequence is invalid Unicode code point",
            ),
            (
                r#""\xZZ""#,
                "illegal character U+005A 'Z' in escape sequence",
            ),
            ("/* x", "comment not terminated"),
            ("a\0", "illegal character NUL"),
            ("a \u{FEFF}", "illegal byte order mark"),
            ("@", "illegal character U+0040 '@'"),
        ];
        for (src, msg) in cases {
            assert_eq!(errors(src).first().map(String::as_str), Some(msg), "{src}");
        }
        assert!(
            errors("\u{FEFF}package p").is_empty(),
            "a leading BOM is skipped"
        );
    }

    #[test]
    fn semicolon_insertion() {
        let kinds = |src| toks(src).into_iter().map(|t| t.0).collect::<Vec<_>>();
        use Tok::*;
        assert_eq!(kinds("x\ny"), [Ident, Semicolon, Ident, Semicolon]);
        assert_eq!(kinds("return\n"), [Return, Semicolon]);
        assert_eq!(
            kinds("x++\n)\n]\n}\n"),
            [Ident, Inc, Semicolon, RParen, Semicolon, RBrack, Semicolon, RBrace, Semicolon]
        );
        assert_eq!(
            kinds("break\ncontinue\nfallthrough\n"),
            [
                Break,
                Semicolon,
                Continue,
                Semicolon,
                Fallthrough,
                Semicolon
            ]
        );
        assert_eq!(
            kinds("x +\ny"),
            [Ident, Add, Ident, Semicolon],
            "no semicolon after an operator"
        );
        assert_eq!(kinds("f(\n)"), [Ident, LParen, RParen, Semicolon]);
        assert_eq!(kinds("x // c\ny"), [Ident, Semicolon, Ident, Semicolon]);
        assert_eq!(
            kinds("x /* a\nb */ y"),
            [Ident, Semicolon, Ident, Semicolon],
            "a block comment with a newline ends the line"
        );
        assert_eq!(kinds("x /* c */ y"), [Ident, Ident, Semicolon]);
        assert_eq!(
            kinds("'a'\n\"s\"\n`r`\n1.5\n"),
            [Char, Semicolon, String, Semicolon, String, Semicolon, Float, Semicolon,]
        );
        assert_eq!(kinds("x"), [Ident, Semicolon], "at EOF");
        let mut lx = Lexer::new("x /* a\nb */ y");
        lx.next_token();
        let semi = lx.next_token();
        assert_eq!(
            (semi.tok, semi.pos),
            (Semicolon, 6),
            "at the comment's first newline"
        );
    }

    #[test]
    fn operators_and_comments() {
        let src = "+ += ++ - -= -- * *= / /= % %= & &= && &^ &^= | |= || ^ ^= << <<= >> >>= < <= > >= = == ! != := : ... . , ; ( ) [ ] { } ~ <-";
        let got: Vec<&str> = toks(src)
            .into_iter()
            .map(|t| t.1)
            .filter(|t| *t != "\n")
            .collect();
        let want: Vec<&str> = src.split(' ').collect();
        assert_eq!(got, want);
        let mut lx = Lexer::new("// a\r\n/* b */ x");
        while lx.next_token().tok != Tok::Eof {}
        assert_eq!(
            lx.comments.iter().map(|c| c.text).collect::<Vec<_>>(),
            ["// a", "/* b */"]
        );
    }

    #[test]
    fn unicode_identifiers() {
        assert_eq!(
            toks("日本語 αβ x٣"),
            [
                (Tok::Ident, "日本語"),
                (Tok::Ident, "αβ"),
                (Tok::Ident, "x٣"),
                (Tok::Semicolon, "\n")
            ]
        );
        assert_eq!(
            errors("x·").first().map(String::as_str),
            Some("illegal character U+00B7 '·'")
        );
    }
}
