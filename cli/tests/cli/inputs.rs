//! Inputs as platforms export them: several files, directories and gzip, read as one stream by
//! `scan`, `report`, `explain`, `eval` and `diff`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;
use predicates::prelude::*;

use crate::{root, stderr, stdout, vigil, CHAT, FIXTURE, LABELS};

/// The non-blank lines of a file of the repository, each with its line end.
fn lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(root().join(path))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut z = GzEncoder::new(Vec::new(), Compression::default());
    z.write_all(bytes).unwrap();
    z.finish().unwrap()
}

/// Writes `text` to `dir/name` (creating directories), compressed when the name ends in `.gz`.
fn put(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let bytes = if name.ends_with(".gz") {
        gzip(text.as_bytes())
    } else {
        text.as_bytes().to_vec()
    };
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `vigil scan --all -q` of the given inputs: every observation, as JSON Lines.
fn scan_all(inputs: &[&Path], policy: &[&str]) -> String {
    let out = vigil()
        .args(["scan", "--all", "-q"])
        .args(inputs)
        .args(policy)
        .assert()
        .success()
        .stderr("");
    stdout(&out)
}

/// Each golden vector on the shipped packs, and the fixture chat on the fixture policy.
fn corpora() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("tests/vectors/sample.input.jsonl", vec![]),
        ("tests/vectors/evasions.input.jsonl", vec![]),
        (CHAT, FIXTURE.to_vec()),
    ]
}

#[test]
fn a_file_split_into_files_a_directory_or_gzip_scans_like_the_whole_file() {
    for (path, policy) in corpora() {
        let all = lines(path);
        let whole = scan_all(&[&root().join(path)], &policy);
        assert_eq!(
            whole.lines().count(),
            all.len(),
            "{path}: one observation a message"
        );
        let (a, b) = all.split_at(all.len() / 2);
        let (a, b) = (a.concat(), b.concat());
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // Two files named on the command line.
        let (fa, fb) = (put(d, "two/a.jsonl", &a), put(d, "two/b.jsonl", &b));
        assert_eq!(scan_all(&[&fa, &fb], &policy), whole, "{path}: two files");
        // Their directory.
        assert_eq!(scan_all(&[&d.join("two")], &policy), whole, "{path}: a directory");
        // Gzip: one part compressed, then both, then both parts as members of one gzip file.
        let ga = put(d, "gz/a.jsonl.gz", &a);
        assert_eq!(scan_all(&[&ga, &fb], &policy), whole, "{path}: gzip and plain");
        put(d, "gz/b.jsonl.gz", &b);
        assert_eq!(
            scan_all(&[&d.join("gz")], &policy),
            whole,
            "{path}: a gzip directory"
        );
        let mut members = gzip(a.as_bytes());
        members.extend(gzip(b.as_bytes()));
        let multi = d.join("members.gz");
        std::fs::write(&multi, &members).unwrap();
        assert_eq!(scan_all(&[&multi], &policy), whole, "{path}: two gzip members");
        // Gzip is told by its bytes, not its name: standard input, and a file named .jsonl.
        let piped = vigil()
            .args(["scan", "--all", "-q", "-"])
            .args(&policy)
            .write_stdin(members.clone())
            .assert()
            .success();
        assert_eq!(stdout(&piped), whole, "{path}: gzip on standard input");
        let disguised = d.join("disguised.jsonl");
        std::fs::write(&disguised, &members).unwrap();
        assert_eq!(
            scan_all(&[&disguised], &policy),
            whole,
            "{path}: gzip named .jsonl"
        );
    }
}

#[test]
fn a_directory_is_read_recursively_in_byte_wise_path_order() {
    let all = lines(CHAT);
    assert_eq!(all.len(), 12);
    let part = |i: usize| all[2 * i..2 * i + 2].concat();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Byte-wise: digits, then capitals, then `a.jsonl` before `a/…` ('.' < '/'), `a/x` before
    // `a/y/…`, then `b`. A walk that sorted each directory's names would read `a/` first.
    put(d, "export/0.jsonl", &part(0));
    put(d, "export/Z.ndjson", &part(1));
    put(d, "export/a.jsonl", &part(2));
    put(d, "export/a/x.json", &part(3));
    put(d, "export/a/y/z.jsonl.gz", &part(4));
    put(d, "export/b.ndjson.gz", &part(5));
    // Not read: hidden entries and other names (each would be a malformed line).
    put(d, "export/.partial.jsonl", "not json\n");
    put(d, "export/.cache/c.jsonl", "not json\n");
    put(d, "export/README.txt", "not json\n");
    put(d, "export/a/y/notes.jsonl.bak", "not json\n");
    let whole = scan_all(&[&root().join(CHAT)], &FIXTURE);
    assert!(!whole.is_empty());
    assert_eq!(scan_all(&[&d.join("export")], &FIXTURE), whole);
    // A file named on the command line is read whatever its name.
    let log = put(d, "chat.log", &all.concat());
    assert_eq!(scan_all(&[&log], &FIXTURE), whole);
}

#[test]
fn a_conversation_split_across_two_files_escalates_as_in_one() {
    let all = lines(CHAT);
    // c-groom: the age question and the secrecy in a.jsonl, the meeting in b.jsonl.
    let dir = tempfile::tempdir().unwrap();
    let a = put(dir.path(), "a.jsonl", &all[..3].concat());
    let b = put(dir.path(), "b.jsonl", &all[3..].concat());
    let out = vigil()
        .arg("scan")
        .arg(&a)
        .arg(&b)
        .args(FIXTURE)
        .assert()
        .success();
    let want = vigil()
        .args(["scan", CHAT, "-q"])
        .args(FIXTURE)
        .assert()
        .success();
    assert_eq!(stdout(&out), stdout(&want));
    // The urgent escalation in b.jsonl builds on what a.jsonl said: its evidence starts there,
    // and b.jsonl on its own scores it lower.
    let m6 = |out: &assert_cmd::assert::Assert| -> serde_json::Value {
        stdout(out)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|e| e["conversation_id"] == "c-groom" && e["message_id"] == "m6")
            .expect("an escalation at c-groom's m6")
    };
    let split = m6(&out);
    assert_eq!(split["level"], "urgent");
    let evidence: Vec<&str> = split["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message_id"].as_str().unwrap())
        .collect();
    assert!(
        evidence.contains(&"m1") && evidence.contains(&"m3"),
        "{evidence:?}"
    );
    let alone = vigil()
        .arg("scan")
        .arg(&b)
        .arg("-q")
        .args(FIXTURE)
        .assert()
        .success();
    let alone = m6(&alone);
    assert!(
        alone["risk"].as_f64().unwrap() < split["risk"].as_f64().unwrap(),
        "{alone} vs {split}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("12 messages, 4 conversations, 6 escalations"),
        "{err}"
    );
}

#[test]
fn malformed_lines_and_corrupt_gzip_name_their_file() {
    let all = lines(CHAT);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = put(d, "a.jsonl", &all[..6].concat());
    let b = put(
        d,
        "b.jsonl",
        &format!("{}not json\n{}", all[6], all[7..].concat()),
    );
    vigil()
        .arg("scan")
        .arg(&a)
        .arg(&b)
        .arg("-q")
        .args(FIXTURE)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "vigil: {}: line 2: ",
            b.display()
        )));
    vigil()
        .arg("scan")
        .arg(&a)
        .arg(&b)
        .args(["-q", "--strict"])
        .args(FIXTURE)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "vigil: {}: line 2: ",
            b.display()
        )));
    // A gzip header followed by garbage, and a gzip stream cut short: fatal, like an unreadable
    // file (exit 2), naming the file.
    let garbage = d.join("garbage.jsonl.gz");
    std::fs::write(&garbage, b"\x1f\x8b\x08\x00 this is not deflate data at all").unwrap();
    let full = gzip(all.concat().as_bytes());
    let cut = d.join("cut.jsonl.gz");
    std::fs::write(&cut, &full[..full.len() / 2]).unwrap();
    for bad in [&garbage, &cut] {
        for cmd in [&["scan", "-q"][..], &["report", "-o", "-"], &["explain"]] {
            vigil()
                .args(cmd)
                .arg(&a)
                .arg(bad)
                .args(FIXTURE)
                .assert()
                .code(2)
                .stderr(
                    predicate::str::contains(format!(
                        "vigil: {}: corrupt or truncated gzip data",
                        bad.display()
                    ))
                    .and(predicate::str::contains("line")),
                );
        }
    }
    // A directory with nothing to read, and a missing input: errors naming them, before reading.
    std::fs::create_dir_all(d.join("empty/.hidden")).unwrap();
    put(d, "empty/.hidden/x.jsonl", &all[0]);
    put(d, "empty/notes.txt", "hello\n");
    let empty = d.join("empty");
    vigil()
        .arg("scan")
        .arg(&a)
        .arg(&empty)
        .args(FIXTURE)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "vigil: {}: no .jsonl",
            empty.display()
        )));
    vigil()
        .arg("scan")
        .arg(&a)
        .arg(d.join("missing.jsonl"))
        .args(FIXTURE)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("cannot open").and(predicate::str::contains("missing.jsonl")));
}

#[test]
fn report_and_explain_read_several_inputs_as_one() {
    let all = lines(CHAT);
    let dir = tempfile::tempdir().unwrap();
    let a = put(dir.path(), "a.jsonl", &all[..3].concat());
    let b = put(dir.path(), "b.jsonl.gz", &all[3..].concat());
    // Explain: the conversation across both files is the one in the whole file.
    let json = |inputs: &[&Path]| {
        let out = vigil()
            .arg("explain")
            .args(inputs)
            .args(["-c", "c-groom", "--json"])
            .args(FIXTURE)
            .assert()
            .success();
        stdout(&out)
    };
    let whole = json(&[&root().join(CHAT)]);
    assert!(whole.contains("\"m6\""));
    assert_eq!(json(&[&a, &b]), whole);
    vigil()
        .arg("explain")
        .arg(&a)
        .arg(&b)
        .args(FIXTURE)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}, {} hold 4 conversations",
            a.display(),
            b.display()
        )));
    vigil()
        .arg("explain")
        .arg(&a)
        .arg(&b)
        .args(["-c", "nope"])
        .args(FIXTURE)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}, {}: no conversation `nope`",
            a.display(),
            b.display()
        )));
    // Report: the same cases, from both files.
    let report = |inputs: &[&Path]| {
        let out = vigil()
            .args(["report", "-o", "-"])
            .args(inputs)
            .args(FIXTURE)
            .assert()
            .success();
        stdout(&out)
    };
    let whole = report(&[&root().join(CHAT)]);
    let split = report(&[&a, &b]);
    assert!(
        whole.contains("3 conversations from <b>chat.jsonl</b>"),
        "{whole}"
    );
    assert!(
        split.contains("3 conversations from <b>a.jsonl, b.jsonl.gz</b>"),
        "{split}"
    );
    assert_eq!(
        split.replace("a.jsonl, b.jsonl.gz", "chat.jsonl"),
        whole,
        "only the source differs"
    );
    for i in 0..4 {
        put(
            dir.path(),
            &format!("many/{i}.jsonl"),
            &all[3 * i..3 * i + 3].concat(),
        );
    }
    let many = report(&[&dir.path().join("many")]);
    assert!(many.contains("3 conversations from <b>4 files</b>"), "{many}");
}

#[test]
fn eval_and_diff_read_directories_and_gzip_as_scan_does() {
    let all = lines(CHAT);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "export/1.jsonl.gz", &all[..5].concat());
    put(d, "export/2/part.ndjson", &all[5..].concat());
    let labels = put(d, "labels/labels.jsonl.gz", &lines(LABELS).concat());
    let eval = |messages: &Path, labels: &Path| {
        let out = vigil()
            .args(["eval", "--json", "-m"])
            .arg(messages)
            .arg("-l")
            .arg(labels)
            .args(FIXTURE)
            .assert();
        (out.get_output().status.code(), stdout(&out))
    };
    let want = eval(&root().join(CHAT), &root().join(LABELS));
    assert!(want.1.contains("\"recall\""), "{}", want.1);
    assert_eq!(eval(&d.join("export"), &d.join("labels")), want);
    assert_eq!(eval(&d.join("export"), &labels), want);
    let diff = |input: &Path| {
        let out = vigil()
            .args(["diff", "--json"])
            .arg(input)
            .args(FIXTURE)
            .args(["--policy-b", "cli/tests/fixtures/policy.toml"])
            .args(["--policy-b", "cli/tests/fixtures/policy-v2.toml"])
            .assert()
            .success();
        stdout(&out)
    };
    let want = diff(&root().join(CHAT));
    assert!(want.contains("\"changed\""), "{want}");
    assert_eq!(diff(&d.join("export")), want);
}
