//! Report drafts through the FFI layer: the options become the core's drafter, the results are
//! the core's (same XML and JSON), and every refusal is `VigilError::Draft` with the core's message.

use std::collections::HashMap;
use std::sync::Arc;

use vigil::draft::{Decision, Drafter, Medium, Review};
use vigil_ffi::*;

const SEXTORTION: &str = include_str!("../../tests/drafts/sextortion.jsonl");

/// The conversation-scope escalation documents the shipped packs raise over `input`, in order.
fn escalations(input: &str) -> Vec<String> {
    let tracker = Tracker::new(Arc::new(Engine::shipped().unwrap()));
    input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| tracker.observe_json_escalation(l.into()).unwrap())
        .collect()
}

fn level(doc: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(doc).unwrap();
    v["level"].as_str().unwrap().to_owned()
}

fn options() -> DraftOptions {
    DraftOptions {
        reviewed_by: "mod-7".into(),
        decision: "confirmed".into(),
        reviewed_at_ms: Some(1_790_000_000_000),
        note: Some("checked the whole conversation".into()),
        platform: Some("ExampleChat".into()),
        medium: Some("online_gaming".into()),
        incident_type: None,
        declared_ages: HashMap::from([("u-3141".to_owned(), 13)]),
    }
}

/// The last escalation of `sx-1`: urgent, annotated sextortion.
fn urgent() -> String {
    let all = escalations(SEXTORTION);
    let last = all.last().unwrap().clone();
    assert_eq!(level(&last), "urgent");
    last
}

#[test]
fn a_confirmed_urgent_escalation_makes_the_cores_draft() {
    let doc = urgent();
    let d = draft_cybertipline(doc.clone(), options()).unwrap();
    assert!(d.xml.contains("<sextortion/>"), "{}", d.xml);
    assert!(d.xml.contains("<onlineGamingIncident>"), "{}", d.xml);
    assert!(
        d.xml.contains("Online Enticement of Children for Sexual Acts"),
        "{}",
        d.xml
    );
    assert!(d.xml.contains("TO_BE_COMPLETED"));
    assert!(d.xml.contains("<age>13</age>"), "{}", d.xml);
    let json: serde_json::Value = serde_json::from_str(&d.json).unwrap();
    assert_eq!(json["schema"], "vigil.draft.cybertipline/1");
    // Exactly what the core makes of the same escalation and review.
    let mut review = Review::new("mod-7", Decision::Confirmed);
    review.reviewed_at = Some(vigil::Timestamp::from_millis(1_790_000_000_000));
    review.note = Some("checked the whole conversation".into());
    let core = Drafter::new(review)
        .platform("ExampleChat")
        .medium(Medium::OnlineGaming)
        .declared_age("u-3141", 13)
        .cybertipline(&serde_json::from_str(&doc).unwrap())
        .unwrap();
    assert_eq!(d.xml, core.to_xml());
    assert_eq!(d.json, core.to_json());
    // The JSON form reads back into the same draft.
    assert_eq!(
        vigil::draft::CyberTiplineDraft::from_json(&d.json)
            .unwrap()
            .to_xml(),
        d.xml
    );
}

#[test]
fn a_case_export_is_neutral() {
    let x = draft_case_export(urgent(), options()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&x).unwrap();
    assert_eq!(v["schema"], "vigil.case-export/1");
    assert!(!x.contains("Online Enticement"), "{x}");
}

#[test]
fn only_options_given_are_applied() {
    let minimal = DraftOptions {
        reviewed_by: "mod-7".into(),
        decision: "Confirmed".into(),
        reviewed_at_ms: None,
        note: None,
        platform: None,
        medium: None,
        incident_type: None,
        declared_ages: HashMap::new(),
    };
    let doc = urgent();
    let d = draft_cybertipline(doc.clone(), minimal).unwrap();
    let core = Drafter::new(Review::new("mod-7", Decision::Confirmed))
        .cybertipline(&serde_json::from_str(&doc).unwrap())
        .unwrap();
    assert_eq!(d.xml, core.to_xml());
    assert!(d.xml.contains("<chatImIncident>"), "chat is the default medium");
}

/// `r` failed with `VigilError::Draft` whose message contains `needle`.
fn refused<T: std::fmt::Debug>(r: Result<T, VigilError>, needle: &str) {
    let e = r.unwrap_err();
    assert!(matches!(e, VigilError::Draft { .. }), "{e:?}");
    assert!(e.to_string().contains(needle), "{e}");
}

#[test]
fn refusals_are_draft_errors_with_the_cores_message() {
    let doc = urgent();
    let nobody = DraftOptions {
        reviewed_by: " ".into(),
        ..options()
    };
    let core = vigil::draft::DraftError::MissingReviewer.to_string();
    let e = draft_cybertipline(doc.clone(), nobody.clone()).unwrap_err();
    assert_eq!(e.to_string(), core);
    refused(draft_case_export(doc.clone(), nobody), "reviewer");

    let all = escalations(SEXTORTION);
    let watch = all
        .iter()
        .find(|d| level(d) == "watch")
        .expect("a watch-level escalation");
    refused(draft_cybertipline(watch.clone(), options()), "`review` or above");
    refused(
        draft_case_export(watch.clone(), options()),
        "this one is at `watch`",
    );

    let dismissed = DraftOptions {
        decision: "dismissed".into(),
        ..options()
    };
    refused(draft_cybertipline(doc.clone(), dismissed), "`confirmed` decision");
    let unknown = DraftOptions {
        decision: "maybe".into(),
        ..options()
    };
    refused(
        draft_cybertipline(doc.clone(), unknown),
        "unknown decision \"maybe\"",
    );
    let medium = DraftOptions {
        medium: Some("forum".into()),
        ..options()
    };
    refused(draft_case_export(doc.clone(), medium), "unknown medium \"forum\"");
    let odd = DraftOptions {
        incident_type: Some("Something else".into()),
        ..options()
    };
    refused(
        draft_cybertipline(doc.clone(), odd),
        "not a CyberTipline incident type",
    );
    refused(
        draft_cybertipline("{".into(), options()),
        "invalid escalation document",
    );
    refused(
        draft_case_export(r#"{"schema":"vigil.escalation/1"}"#.into(), options()),
        "invalid escalation document",
    );
}

#[test]
fn a_recipients_view_is_refused() {
    let tracker = Tracker::new(Arc::new(Engine::shipped().unwrap()));
    let view = SEXTORTION
        .lines()
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| tracker.observe_json_escalations(l.into()).unwrap())
        .filter(|d| d.contains(r#""scope":"recipient""#))
        .last()
        .expect("a recipient's view of sx-1");
    refused(draft_cybertipline(view, options()), "recipient");
}
