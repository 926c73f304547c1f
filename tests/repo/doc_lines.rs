//! Every `.rs` file of the repository opens with a `//!` line saying its one job: the tree is
//! walked from the workspace root (build output under `target/` and hidden folders skipped)
//! and the files that do not are named.

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The `.rs` files under `dir`, skipping build output and hidden folders (`.git`).
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if kind.is_file() && name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// Whether the file's first line is a `//!` comment with something said after it.
fn opens_with_its_job(text: &str) -> bool {
    text.lines()
        .next()
        .and_then(|line| line.strip_prefix("//!"))
        .is_some_and(|rest| !rest.trim().is_empty())
}

#[test]
fn every_rust_file_opens_with_a_line_saying_its_job() {
    let root = workspace_root();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    // The walk must have found the workspace, not an empty folder.
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("crates/reformlog-store/src/lib.rs")),
        "no store crate under {}",
        root.display()
    );
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !opens_with_its_job(&std::fs::read_to_string(f).unwrap()))
        .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "these files do not start with a `//!` line saying their one job:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_file_without_the_line_is_told_apart() {
    assert!(opens_with_its_job("//! The store header.\nuse std::fs;\n"));
    assert!(!opens_with_its_job("use std::fs;\n//! Too late.\n"));
    assert!(!opens_with_its_job("// A plain comment.\n"));
    assert!(!opens_with_its_job("//!\n"));
    assert!(!opens_with_its_job(""));
}
