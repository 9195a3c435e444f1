//! `vigil report`: the HTML case file, checked as text and rendered by headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::{snap, stdout, vigil, CHAT, FIXTURE, INDICATORS_CHAT, WITH_INDICATORS};

fn report(args: &[&str]) -> String {
    let out = vigil().args(["report", "-o", "-"]).args(args).assert().success();
    stdout(&out)
}

/// The HTML with the (long, stable) style sheet and script left out.
fn body_only(html: &str) -> String {
    let mut s = html.to_string();
    for (open, close) in [("<style>", "</style>"), ("<script>", "</script>")] {
        if let (Some(a), Some(b)) = (s.find(open), s.find(close)) {
            s.replace_range(a + open.len()..b, "…");
        }
    }
    s.replace("><", ">\n<")
}

#[test]
fn report_is_a_self_contained_case_file() {
    let html = report(&[CHAT, FIXTURE[0], FIXTURE[1], FIXTURE[2]]);
    assert!(html.starts_with("<!doctype html>"));
    // Nothing is fetched from elsewhere.
    for needle in ["<link", " src=", "url(", "@import"] {
        assert!(!html.contains(needle), "{needle}");
    }
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
    // Conversations that reached watch, each with a chart, evidence and reasons.
    assert_eq!(html.matches("<section class=\"case\"").count(), 3);
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 3);
    assert!(html.contains("<mark class=\"ev cat-secrecy\" title=\"secrecy.dont-tell (secrecy, +12)\">d0n&#39;7 t e l l your parents</mark>"));
    assert!(html.contains("<body class=\"blurred\">"));
    snap!("report_body", body_only(&html));
    // Escaping: a message cannot inject markup.
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("evil.jsonl");
    std::fs::write(
        &evil,
        "{\"conversation_id\":\"<x>\",\"message_id\":\"m\\\"1\",\"timestamp\":0,\"sender\":{\"id\":\"a\",\"age_band\":\"adult\"},\"recipient\":{\"id\":\"b\",\"age_band\":\"minor\"},\"text\":\"<script>alert(1)</script> our secret\"}\n",
    )
    .unwrap();
    let html = report(&[
        evil.to_str().unwrap(),
        FIXTURE[0],
        FIXTURE[1],
        FIXTURE[2],
        "--no-blur",
    ]);
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("<body class=\"\">"));
}

#[test]
fn report_lists_indicators_in_a_copyable_table() {
    let mut args = vec![INDICATORS_CHAT];
    args.extend(WITH_INDICATORS);
    let html = report(&args);
    assert_eq!(html.matches("<table class=\"grid indicators\">").count(), 1);
    // Each indicator once, in the order first seen, copyable: value in <code> and a copy button.
    let rows: Vec<&str> = html.split("<tr data-kind=\"").skip(1).collect();
    let kinds: Vec<&str> = rows.iter().filter_map(|r| r.split('"').next()).collect();
    assert_eq!(kinds, ["handle", "wallet", "payment_handle", "phone"]);
    for value in [
        "coolkid_22",
        "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
        "$coolguy99",
        "+447700900123",
    ] {
        assert!(
            html.contains(&format!(
                "<code class=\"iv\">{value}</code> <button type=\"button\" class=\"copy\" data-copy=\"{value}\""
            )),
            "{value}"
        );
    }
    // Kind, value, detail, checksum, first message, count, report field.
    assert!(rows[0].contains("<td>handle</td>") && rows[0].contains("<td>snapchat</td>"));
    assert!(rows[0].contains(">m1</a></td><td>2</td><td><code>associatedAccount/screenName</code></td>"));
    assert!(rows[1].contains("<span class=\"ck ok\"") && rows[1].contains("<td>bitcoin</td>"));
    assert!(rows[2].contains("<span class=\"ck\" title=\"the format has no checksum\">—</span>"));
    assert!(rows[3].contains(">m4</a></td><td>1</td><td><code>reportedPerson/phone</code></td>"));
    // The whole table as tab-separated text.
    assert!(html.contains("data-copy=\"kind&#9;value&#9;detail&#9;checksum&#9;first_message_id&#9;count&#9;report_field&#10;handle&#9;coolkid_22&#9;snapchat&#9;&#9;m1&#9;2&#9;associatedAccount/screenName&#10;"));
    // Highlighted in the messages: the first sighting and the later one.
    let mark = "<mark class=\"ind\" title=\"handle indicator (snapchat): coolkid_22\">coolkid_22</mark>";
    assert_eq!(html.matches(mark).count(), 2, "{html}");
    assert!(
        html.contains("<mark class=\"ind\" title=\"phone indicator: +447700900123\">+44 7700 900123</mark>")
    );
    // Without indicators, no table.
    let mut args = vec![INDICATORS_CHAT];
    args.extend(FIXTURE);
    let html = report(&args);
    assert!(!html.contains("indicators\">") && !html.contains("<mark class=\"ind\""));
}

#[test]
fn report_selects_conversations() {
    let html = report(&[CHAT, "-c", "c-kids", FIXTURE[0], FIXTURE[1], FIXTURE[2]]);
    assert_eq!(html.matches("<section class=\"case\"").count(), 1);
    assert!(html.contains("Conversation c-kids <span class=\"badge none\">none</span>"));
    let html = report(&[CHAT, "--min-level", "urgent", FIXTURE[0], FIXTURE[1], FIXTURE[2]]);
    assert_eq!(html.matches("<section class=\"case\"").count(), 1);
    vigil()
        .args(["report", CHAT, "-o", "-", "-c", "nope"])
        .assert()
        .code(2);
}

#[test]
fn report_of_the_shipped_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.html");
    vigil()
        .args(["report", "examples/sample-conversation.jsonl", "-o"])
        .arg(&path)
        .assert()
        .success()
        .stderr(predicates::str::contains("(1 conversation)"));
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("badge urgent"));
    // The zero-width space of the sample is shown, not hidden.
    assert!(html.contains("title=\"invisible character U+200B\""));
}

/// The golden vector of sender cases (ten children and a coach), with the shipped packs.
const SENDERS: &str = "tests/vectors/senders.input.jsonl";

/// The last sender escalation of each sender in the vector's expected observations.
fn last_sender_escalations() -> Vec<serde_json::Value> {
    let doc = std::fs::read_to_string(crate::root().join("tests/vectors/senders.expected.jsonl")).unwrap();
    let mut last: Vec<serde_json::Value> = Vec::new();
    for o in doc
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
    {
        let e = &o["sender_escalation"];
        if e.is_null() {
            continue;
        }
        last.retain(|x| x["case"] != e["case"]);
        last.push(e.clone());
    }
    last
}

/// The sender sections of a case file (or of its rendered DOM), by case reference.
fn sender_sections(html: &str) -> Vec<(String, String)> {
    html.split("<section class=\"sender\"")
        .skip(1)
        .map(|s| {
            let section = s.split("</section>").next().unwrap_or_default().to_string();
            let case = section
                .split("data-case=\"")
                .nth(1)
                .and_then(|x| x.split('"').next())
                .unwrap_or_default()
                .to_string();
            (case, section)
        })
        .collect()
}

/// Checks a case file's sender sections against the vector: one per case, each conversation
/// of the case's last sender escalation listed with a chart, the arithmetic, the action, and
/// the conversations' sections linking back.
fn check_sender_sections(html: &str) {
    let last = last_sender_escalations();
    let sections = sender_sections(html);
    assert_eq!(sections.len(), last.len(), "{html}");
    for e in &last {
        let case = e["case"].as_str().unwrap();
        let (_, section) = sections
            .iter()
            .find(|(c, _)| c == case)
            .unwrap_or_else(|| panic!("no section for {case}"));
        let convs = e["conversations"].as_array().unwrap();
        assert_eq!(
            section.matches("<svg class=\"chart\"").count(),
            convs.len(),
            "{section}"
        );
        for c in convs {
            let id = c["conversation_id"].as_str().unwrap();
            assert!(
                section.contains(&format!("<div class=\"sender-conv\" data-conversation=\"{id}\">")),
                "{id}"
            );
            assert!(
                section.contains(&format!("<tr data-conversation=\"{id}\">")),
                "{id}"
            );
        }
        // Text as the case file escapes it, or as a browser serializes it.
        let has = |text: &str| {
            section.contains(text) || section.contains(&text.replace('\'', "&#39;").replace('"', "&quot;"))
        };
        for r in e["reasons"].as_array().unwrap() {
            let r = format!("<li>{}</li>", r.as_str().unwrap());
            assert!(has(&r), "{r}\n{section}");
        }
        assert!(has(e["recommended_action"].as_str().unwrap()), "{section}");
        // Each of the case's conversations names it and links to the sender's section.
        let link = format!("<a class=\"case-ref\" href=\"#s-{case}\"><code>{case}</code></a>");
        assert!(html.matches(&link).count() >= convs.len(), "{link}");
    }
}

#[test]
fn report_shows_a_senders_case() {
    let html = report(&[SENDERS]);
    check_sender_sections(&html);
    assert!(html.contains("and 2 sender cases from"), "{html}");
    // With --conversation, the case of that conversation, and charts of all its conversations.
    let html = report(&[SENDERS, "-c", "ten-3"]);
    assert_eq!(html.matches("<section class=\"case\"").count(), 1);
    let sections = sender_sections(&html);
    assert_eq!(sections.len(), 1);
    assert_eq!(sections[0].1.matches("<svg class=\"chart\"").count(), 10);
    // Without sender cases in the policy, no section.
    let html = report(&[SENDERS, FIXTURE[0], FIXTURE[1], FIXTURE[2]]);
    assert!(sender_sections(&html).is_empty());
}

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs a command, killing it if it has not finished after a generous limit (a hung browser must
/// not hang the suite). Its output is read while it runs: a page bigger than the pipe's buffer
/// would otherwise block the browser on writing it.
fn run(cmd: &mut Command) -> Output {
    use std::io::Read;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish: {}",
                String::from_utf8_lossy(&stderr.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn chromium(browser: &Path, profile: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args);
    c
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    (w, h)
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(browser) = find_chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is needed for this test in CI: run cli/setup.sh");
        }
        eprintln!("skipped: no chromium on PATH (cli/setup.sh installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("case.html");
    vigil()
        .args(["report", CHAT, INDICATORS_CHAT, "-o"])
        .arg(&html)
        .args(WITH_INDICATORS)
        .assert()
        .success();
    let url = format!("file://{}", html.display());

    // The script runs, and the text starts blurred; `#reveal` (like the switch) shows it.
    let dom = run(&mut chromium(
        &browser,
        &dir.path().join("p1"),
        &["--dump-dom", &url],
    ));
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script did not run: {dom}"
    );
    assert!(dom.contains("<body class=\"blurred\""), "{dom}");
    // The indicators table is rendered, its copy buttons wired by the script (one per value and
    // one for the table), and the values highlighted in the messages.
    let table = dom
        .split("<table class=\"grid indicators\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_else(|| panic!("no indicators table in the rendered page: {dom}"));
    assert_eq!(table.matches("<tr data-kind=").count(), 4, "{table}");
    assert!(table.contains("<code class=\"iv\">1BoatSLRHtKNngkdXEeobR76b53LETtpyT</code>"));
    assert!(dom.contains("data-copy-buttons=\"5\""), "{dom}");
    assert!(dom.contains("<mark class=\"ind\""), "{dom}");
    let revealed = run(&mut chromium(
        &browser,
        &dir.path().join("p2"),
        &["--dump-dom", &format!("{url}#reveal")],
    ));
    let revealed = String::from_utf8_lossy(&revealed.stdout);
    assert!(
        revealed.contains("data-ready=\"1\"") && !revealed.contains("class=\"blurred\""),
        "{revealed}"
    );

    // A sender case: its section renders with every conversation's chart, in the browser too.
    let senders_html = dir.path().join("senders.html");
    vigil()
        .args(["report", SENDERS, "-o"])
        .arg(&senders_html)
        .assert()
        .success();
    let senders_dom = run(&mut chromium(
        &browser,
        &dir.path().join("p4"),
        &["--dump-dom", &format!("file://{}#reveal", senders_html.display())],
    ));
    let senders_dom = String::from_utf8_lossy(&senders_dom.stdout);
    assert!(senders_dom.contains("data-ready=\"1\""), "{senders_dom}");
    check_sender_sections(&senders_dom);

    // A screenshot: the right size, and not blank (a blank page compresses to a few KB).
    let shot_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let shot = shot_dir.join("vigil-report.png");
    let _ = std::fs::remove_file(&shot);
    let out = run(&mut chromium(
        &browser,
        &dir.path().join("p3"),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600",
            &format!("{url}#reveal"),
        ],
    ));
    let bytes = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}): {out:?}"));
    assert_eq!(png_size(&bytes), (1200, 1600));
    assert!(
        bytes.len() > 40_000,
        "the screenshot looks blank ({} bytes)",
        bytes.len()
    );
    eprintln!("screenshot: {}", shot.display());
}
