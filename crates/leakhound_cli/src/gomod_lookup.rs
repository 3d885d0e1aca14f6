//! Finding the `go.mod` that governs a directory, once per directory: a monorepo has one
//! module per service, and each may be on a different Go version.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use leakhound_model::gomod::GoMod;

/// The module a directory belongs to: its `go.mod` path and contents, or a problem to report.
#[derive(Clone, Debug)]
pub enum ModuleInfo {
    None,
    Found(GoMod),
    Invalid { path: PathBuf, message: String },
}

#[derive(Default)]
pub struct GoModCache {
    by_dir: Mutex<HashMap<PathBuf, ModuleInfo>>,
}

impl GoModCache {
    pub fn lookup(&self, dir: &Path) -> ModuleInfo {
        let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        if let Some(hit) = self
            .by_dir
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&abs)
        {
            return hit.clone();
        }
        let info = match abs.parent() {
            _ if abs.join("go.mod").is_file() => read(&abs.join("go.mod")),
            Some(parent) => self.lookup(parent),
            None => ModuleInfo::None,
        };
        self.by_dir
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(abs, info.clone());
        info
    }
}

fn read(path: &Path) -> ModuleInfo {
    let shown = path.to_path_buf();
    match std::fs::read_to_string(path) {
        Ok(text) => match GoMod::parse(&text) {
            Ok(gomod) => ModuleInfo::Found(gomod),
            Err(err) => ModuleInfo::Invalid {
                path: shown,
                message: err.to_string(),
            },
        },
        Err(err) => ModuleInfo::Invalid {
            path: shown,
            message: crate::discover::describe_io(&err),
        },
    }
}
