//! reformctl reads the daemon's answers into the API's typed bodies (`reformlog-api`), not
//! through JSON pointers: no `.pointer(` call is left anywhere in its sources.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Where `text` calls `.pointer(`, as line numbers from 1.
fn pointer_calls(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.contains(concat!(".pointer", "(")))
        .map(|(i, _)| i + 1)
        .collect()
}

#[test]
fn reformctl_reads_no_answer_through_a_json_pointer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("crates/reformctl/src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(
        files.iter().any(|f| f.ends_with("answer.rs")),
        "no reformctl sources under {}",
        src.display()
    );
    let found: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let shown = f.strip_prefix(&src).unwrap().display().to_string();
            pointer_calls(&text)
                .into_iter()
                .map(move |line| format!("{shown}:{line}"))
        })
        .collect();
    assert!(
        found.is_empty(),
        "read these answers into reformlog-api's types instead: {found:?}"
    );
}

#[test]
fn the_check_sees_a_pointer_call() {
    let text = format!(
        "let x = v{}\"/a\");\nlet y = 1;\n",
        concat!(".pointer", "(")
    );
    assert_eq!(pointer_calls(&text), [1]);
    assert!(pointer_calls("let y = v.get(0);").is_empty());
}
