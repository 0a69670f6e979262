//! docs/server.md's curl examples, run as written: every `sh` block, in order, against a real
//! `allot serve` on an empty database, with `curl` failing on any HTTP error status.

use std::process::Command;

use super::{Server, temp_dir};
use crate::{root, text};

/// The `sh` blocks of a Markdown text, in order.
fn sh_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), line) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_curl_examples_of_docs_server_md_run_as_written() {
    if Command::new("curl").arg("--version").output().is_err() {
        panic!("curl is needed to run docs/server.md's examples");
    }
    let dir = temp_dir("serve-docs");
    let server = Server::start(dir.join("allot.db"), &[]);
    let doc = std::fs::read_to_string(root().join("docs/server.md")).expect("docs/server.md");
    let blocks = sh_blocks(&doc);
    assert!(
        blocks.len() >= 3,
        "docs/server.md has {} sh blocks",
        blocks.len()
    );
    let tmp = format!("{}/", dir.display());
    for block in blocks {
        let script = format!(
            "set -eu\ncurl() {{ command curl --fail-with-body --max-time 120 \"$@\"; }}\n{}",
            block
                .replace("localhost:8080", &server.addr)
                .replace("/tmp/", &tmp)
        );
        let out = Command::new("timeout")
            .args(["600", "bash", "-c", &script])
            .current_dir(root())
            .output()
            .expect("run bash");
        assert!(
            out.status.success(),
            "this block of docs/server.md failed ({}):\n{block}\nstdout:\n{}\nstderr:\n{}",
            out.status,
            text(&out.stdout),
            text(&out.stderr)
        );
    }
}

#[test]
fn a_bad_form_upload_gets_a_problem_naming_the_field() {
    let dir = temp_dir("serve-form");
    let server = Server::start(dir.join("allot.db"), &[]);
    let url = format!("http://{}/scenarios", server.addr);
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["-F", "nmae=x", "-F", "toml=@examples/startup.toml"],
            "nmae",
            "unknown field",
        ),
        (
            &[
                "-F",
                "name=a",
                "-F",
                "toml=@examples/startup.toml",
                "-F",
                "toml=x",
            ],
            "toml",
            "given twice",
        ),
        (
            &["-F", "name=b", "-F", "toml=@examples/frontier-lab.toml"],
            "toml",
            "the field files.frontier-lab/catalog.toml",
        ),
        (
            &[
                "-F",
                "name=c",
                "-F",
                "toml=@crates/highs-sys/build.rs;type=text/plain",
            ],
            "toml",
            "error",
        ),
    ];
    for (args, field, words) in cases {
        let out = Command::new("curl")
            .args(["-sS", "-o", "-", "-w", "\n%{http_code}", &url])
            .args(args)
            .current_dir(root())
            .output()
            .expect("curl");
        let body = text(&out.stdout);
        let (json, status) = body.rsplit_once('\n').expect("status line");
        assert_eq!(status, "422", "{args:?}: {json}");
        let problem: serde_json::Value = serde_json::from_str(json).expect("problem JSON");
        assert_eq!(problem["field"], field, "{args:?}: {json}");
        assert!(json.contains(words), "{args:?}: {json}");
    }
}
