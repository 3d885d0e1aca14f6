use rustc_hash::FxHashMap;

/// An interned string: function names, file paths, states and labels are stored once per run,
/// however many goroutines print them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(pub u32);

/// String table shared by every profile of one run, so records of different samples compare by
/// symbol.
#[derive(Default)]
pub struct Interner {
    map: FxHashMap<Box<[u8]>, Sym>,
    strings: Vec<Box<str>>,
}

impl Interner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns raw bytes from a profile; invalid UTF-8 is replaced, never rejected.
    pub fn intern(&mut self, bytes: &[u8]) -> Sym {
        if let Some(&sym) = self.map.get(bytes) {
            return sym;
        }
        // Each string costs tens of bytes here: memory runs out long before 2^32 of them.
        let sym = Sym(u32::try_from(self.strings.len()).expect("fewer than 2^32 strings"));
        self.strings.push(String::from_utf8_lossy(bytes).into());
        self.map.insert(bytes.into(), sym);
        sym
    }

    pub fn get(&self, sym: Sym) -> &str {
        &self.strings[sym.0 as usize]
    }
}
