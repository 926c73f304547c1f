//! Lists every file under `web/` as a table of embedded bytes, so a file added there is served
//! without a Rust edit.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let root =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("web");
    // A directory here makes cargo look at every file below it, added ones included.
    println!("cargo::rerun-if-changed=web");
    let mut files = Vec::new();
    collect(&root, &mut files)?;
    files.sort();
    let mut table = String::from("&[\n");
    for file in &files {
        let Ok(relative) = file.strip_prefix(&root) else {
            continue;
        };
        let name: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        // A dot file (an editor's swap file, say) is no asset.
        if name.iter().any(|part| part.starts_with('.')) {
            continue;
        }
        let _ = writeln!(
            table,
            "    ({:?}, include_bytes!({:?})),",
            name.join("/"),
            file.display().to_string()
        );
    }
    table.push(']');
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("web_assets.rs");
    std::fs::write(out, table)
}
