use std::sync::Arc;

use super::*;
use crate::{Engine, Message, Tracker};

/// Every escalation `input` (JSON Lines of messages) raises with the shipped packs.
fn escalations(input: &str) -> Vec<Escalation> {
    let mut tracker = Tracker::new(Arc::new(Engine::default()));
    let mut out = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let m: Message = serde_json::from_str(line).unwrap();
        out.extend(tracker.observe(&m).escalations().cloned());
    }
    out
}

/// The last escalation of `scope` for `reference` (a conversation id, or a case id).
fn last(all: &[Escalation], scope: EscalationScope, reference: &str) -> Escalation {
    all.iter()
        .rev()
        .find(|e| {
            e.scope == scope
                && match scope {
                    EscalationScope::Sender => e.case.as_deref() == Some(reference),
                    _ => e.conversation_id == reference,
                }
        })
        .cloned()
        .unwrap()
}

const SAMPLE: &str = include_str!("../../../tests/vectors/sample.input.jsonl");
const SENDERS: &str = include_str!("../../../tests/vectors/senders.input.jsonl");
const SEXTORTION: &str = include_str!("../../../tests/drafts/sextortion.jsonl");

fn confirmed() -> Drafter {
    let mut review = Review::new("mod-7", Decision::Confirmed);
    review.reviewed_at = Some(Timestamp::from_millis(1_790_000_000_000));
    Drafter::new(review).platform("ExampleChat")
}

#[test]
fn a_conversation_case_makes_a_draft_with_every_section() {
    let all = escalations(SAMPLE);
    let e = last(&all, EscalationScope::Conversation, "sample-1");
    assert!(e.level >= Level::Review);
    let d = confirmed().declared_age("u-2048", 13).cybertipline(&e).unwrap();
    let r = &d.report;
    assert_eq!(
        r.incident_summary.incident_type,
        "Online Enticement of Children for Sexual Acts"
    );
    // The incident time is the first evidence message's.
    let first = e.evidence.iter().map(|x| x.timestamp).min().unwrap();
    assert_eq!(r.incident_summary.incident_date_time, first.to_rfc3339());
    assert_eq!(
        r.incident_summary.escalate_to_high_priority.is_some(),
        e.level == Level::Urgent
    );
    assert_eq!(r.internet_details.len(), 1);
    let chat = r.internet_details[0].chat_im_incident.as_ref().unwrap();
    assert_eq!(chat.chat_client.as_deref(), Some("ExampleChat"));
    assert_eq!(chat.chat_room_name.as_deref(), Some("sample-1"));
    // Every evidence item is in the content, and listed as included.
    let content = chat.content.as_deref().unwrap();
    for x in &e.evidence {
        assert!(
            content.contains(&format!("message {} (rule {}", x.message_id, x.rule)),
            "{content}"
        );
    }
    assert_eq!(d.evidence_included.len(), e.evidence.len());
    assert_eq!(r.person_or_user_reported.esp_identifier, "u-7731");
    assert_eq!(r.victim.len(), 1);
    assert_eq!(r.victim[0].esp_identifier, "u-2048");
    assert_eq!(r.victim[0].victim_person.age, Some(13));
    assert!(r.additional_info.contains("Reviewed by mod-7: confirmed"));
    assert!(r.additional_info.contains(&e.policy.hash));
    // The platform's fields are marked, and listed.
    assert_eq!(
        r.reporter.reporting_person.email,
        vec![TO_BE_COMPLETED.to_owned()]
    );
    assert!(d.to_be_completed.contains(&"report/reporter/legalURL".to_owned()));
    let xml = d.to_xml();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<report>\n"));
    assert!(xml.contains("<chatRoomName>sample-1</chatRoomName>"));
    assert!(
        xml.contains("<victimPerson>\n      <age>13</age>\n    </victimPerson>"),
        "{xml}"
    );
}

#[test]
fn the_json_form_round_trips_to_the_same_xml() {
    for (input, conv) in [(SAMPLE, "sample-1"), (SEXTORTION, "sx-1")] {
        let e = last(&escalations(input), EscalationScope::Conversation, conv);
        let d = confirmed().cybertipline(&e).unwrap();
        let back = CyberTiplineDraft::from_json(&d.to_json()).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.to_xml(), d.to_xml());
    }
    let wrong =
        CyberTiplineDraft::from_json(r#"{"schema":"vigil.draft.cybertipline/1","report":{}}"#).unwrap_err();
    assert!(matches!(wrong, DraftError::Json(_)), "{wrong}");
    let other = d_schema("vigil.escalation/1");
    assert!(matches!(CyberTiplineDraft::from_json(&other), Err(DraftError::Json(m)) if m.contains("schema")));
}

/// A valid draft's JSON with another schema id.
fn d_schema(schema: &str) -> String {
    let e = last(&escalations(SAMPLE), EscalationScope::Conversation, "sample-1");
    let json = confirmed().cybertipline(&e).unwrap().to_json();
    json.replace(CyberTiplineDraft::SCHEMA_ID, schema)
}

#[test]
fn a_sextortion_case_is_annotated_high_priority_with_indicators_routed() {
    let all = escalations(SEXTORTION);
    let e = last(&all, EscalationScope::Conversation, "sx-1");
    assert_eq!(e.level, Level::Urgent);
    let d = confirmed()
        .medium(Medium::OnlineGaming)
        .declared_age("u-3141", 13)
        .cybertipline(&e)
        .unwrap();
    let s = &d.report.incident_summary;
    assert_eq!(s.report_annotations, vec!["sextortion".to_owned()]);
    let why = s.escalate_to_high_priority.as_deref().unwrap();
    assert!(why.contains("Threatens or coerces"), "{why}");
    let game = d.report.internet_details[0]
        .online_gaming_incident
        .as_ref()
        .unwrap();
    assert_eq!(game.game_name.as_deref(), Some("ExampleChat"));
    assert!(game
        .additional_info
        .as_deref()
        .unwrap()
        .contains("the platform's word: game"));
    let p = &d.report.person_or_user_reported;
    assert_eq!(
        p.person_or_user_reported_person.as_ref().unwrap().phone,
        vec!["+447700900123".to_owned()]
    );
    assert_eq!(p.associated_account.len(), 1);
    assert_eq!(p.associated_account[0].platform.as_deref(), Some("snapchat"));
    assert_eq!(p.associated_account[0].screen_name.as_deref(), Some("jay_k_2009"));
    let xml = d.to_xml();
    assert!(
        xml.contains("<reportAnnotations>\n      <sextortion/>\n    </reportAnnotations>"),
        "{xml}"
    );
    assert!(xml.contains("<onlineGamingIncident>"));
    // The neutral export says the same without US codes.
    let x = confirmed().case_export(&e).unwrap();
    let json = x.to_json();
    assert!(!json.contains("Online Enticement") && !json.contains("reportAnnotations"));
    assert!(x.incident.categories.iter().any(|c| c.id == "sextortion"));
    assert_eq!(x.suspect.indicators.len(), 2);
    assert_eq!(x.evidence_included.len(), e.evidence.len());
}

#[test]
fn a_sender_case_lists_every_child_and_conversation() {
    let all = escalations(SENDERS);
    let urgent = all
        .iter()
        .rev()
        .find(|e| e.scope == EscalationScope::Sender && e.level == Level::Urgent)
        .unwrap();
    let case = urgent.case.clone().unwrap();
    let e = last(&all, EscalationScope::Sender, &case);
    assert_eq!(e.conversations.len(), 10);
    // The ten-children vector's lines are mild (age questions, compliments): their categories
    // name no incident type, so the reviewer chooses one.
    assert_eq!(
        confirmed().cybertipline(&e).unwrap_err(),
        DraftError::NoIncidentType
    );
    let d = confirmed()
        .incident_type(INCIDENT_TYPES[6])
        .cybertipline(&e)
        .unwrap();
    assert_eq!(d.source.reference, case);
    assert_eq!(d.report.internet_details.len(), 10);
    assert_eq!(d.report.victim.len(), 10);
    let mut victims: Vec<&str> = d
        .report
        .victim
        .iter()
        .map(|v| v.esp_identifier.as_str())
        .collect();
    victims.sort_unstable();
    victims.dedup();
    assert_eq!(victims.len(), 10, "ten distinct children");
    for (c, i) in e.conversations.iter().zip(&d.report.internet_details) {
        let chat = i.chat_im_incident.as_ref().unwrap();
        assert_eq!(chat.chat_room_name.as_deref(), Some(c.conversation_id.as_str()));
    }
    assert_eq!(d.evidence_included.len(), e.evidence.len());
    let first = e.conversations.iter().map(|c| c.first_seen).min().unwrap();
    assert_eq!(d.report.incident_summary.incident_date_time, first.to_rfc3339());
    assert!(d.report.additional_info.contains("sender case sender-"));
    let x = confirmed().case_export(&e).unwrap();
    assert_eq!(
        (x.case.scope.as_str(), x.children.len(), x.conversations.len()),
        ("sender", 10, 10)
    );
}

#[test]
fn drafts_are_refused_without_review_or_below_review() {
    let all = escalations(SENDERS);
    let watch = all
        .iter()
        .find(|e| e.level == Level::Watch && e.scope == EscalationScope::Conversation)
        .unwrap();
    assert_eq!(
        confirmed().cybertipline(watch).unwrap_err(),
        DraftError::BelowReview { level: Level::Watch }
    );
    let sx = escalations(SEXTORTION);
    let e = last(&sx, EscalationScope::Conversation, "sx-1");
    let nobody = Drafter::new(Review::new("  ", Decision::Confirmed));
    assert_eq!(nobody.cybertipline(&e).unwrap_err(), DraftError::MissingReviewer);
    assert_eq!(nobody.case_export(&e).unwrap_err(), DraftError::MissingReviewer);
    let dismissed = Drafter::new(Review::new("mod-7", Decision::Dismissed));
    assert_eq!(
        dismissed.cybertipline(&e).unwrap_err(),
        DraftError::NotConfirmed {
            decision: Decision::Dismissed
        }
    );
    let view = last(&sx, EscalationScope::Recipient, "sx-1");
    assert_eq!(
        confirmed().cybertipline(&view).unwrap_err(),
        DraftError::RecipientView
    );
    let odd = confirmed().incident_type("Something else");
    assert_eq!(
        odd.cybertipline(&e).unwrap_err(),
        DraftError::UnknownIncidentType("Something else".into())
    );
    // A case whose categories suggest no incident type needs the reviewer's choice.
    let mut plain = e.clone();
    plain.report_hints.incident_types.clear();
    assert_eq!(
        confirmed().cybertipline(&plain).unwrap_err(),
        DraftError::NoIncidentType
    );
    let chosen = confirmed()
        .incident_type(INCIDENT_TYPES[6])
        .cybertipline(&plain)
        .unwrap();
    assert_eq!(chosen.report.incident_summary.incident_type, INCIDENT_TYPES[6]);
}

#[test]
fn unquoted_evidence_and_hostile_text_still_make_a_well_formed_draft() {
    let mut e = last(&escalations(SEXTORTION), EscalationScope::Conversation, "sx-1");
    e.evidence[0].excerpt = None;
    e.evidence[1].excerpt = Some("<script>&\u{1}</script>".into());
    e.participants.sender.id = "x".repeat(400);
    let d = confirmed().declared_age("u-3141", 200).cybertipline(&e).unwrap();
    assert_eq!(d.report.victim[0].victim_person.age, None, "200 is not an age");
    assert!(d
        .to_be_completed
        .iter()
        .any(|p| p.starts_with("report/internetDetails/*/content")));
    assert!(!d.evidence_included[0].quoted && d.evidence_included[1].quoted);
    let xml = d.to_xml();
    assert!(xml.contains("&lt;script&gt;&amp;\u{FFFD}&lt;/script&gt;"));
    assert!(!xml.contains('\u{1}'));
    assert_eq!(
        d.report.person_or_user_reported.esp_identifier.chars().count(),
        255
    );
}
