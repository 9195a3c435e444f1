//! The CyberTipline-shaped draft: typed sections named as the Reporting API's report XML names
//! them, written as XML and as JSON of the same structure.

use serde::{Deserialize, Serialize};

use super::xml::Xml;
use super::{included, DraftError, DraftSource, Facts, IncludedEvidence, Medium, Review, TO_BE_COMPLETED};
use crate::escalation::EscalationScope;
use crate::level::Level;

/// The schema id of a CyberTipline draft's JSON form.
const SCHEMA_ID: &str = "vigil.draft.cybertipline/1";

/// The JSON Schema of a CyberTipline draft's JSON form.
const SCHEMA: &str = include_str!("../../schema/cybertipline-draft.schema.json");

/// The incident types of the CyberTipline Reporting API (`incidentSummary/incidentType`).
pub const INCIDENT_TYPES: [&str; 8] = [
    "Child Pornography (possession, manufacture, and distribution)",
    "Child Sex Trafficking",
    "Child Sex Tourism",
    "Child Sexual Molestation",
    "Misleading Domain Name",
    "Misleading Words or Digital Images on the Internet",
    "Online Enticement of Children for Sexual Acts",
    "Unsolicited Obscene Material Sent to a Child",
];

/// The report annotations of the CyberTipline Reporting API (`incidentSummary/reportAnnotations`):
/// each one an empty element.
pub const ANNOTATIONS: [&str; 6] = [
    "sextortion",
    "csamSolicitation",
    "minorToMinorInteraction",
    "spam",
    "sadisticOnlineExploitation",
    "informational",
];

/// Longest texts the API takes in the fields Vigil fills from platform data.
const MAX_SHORT: usize = 255;
/// Names (`platform`, `screenName`) may be one longer.
const MAX_NAME: usize = 256;
/// `espService` is shorter.
const MAX_SERVICE: usize = 100;
const MAX_DESCRIPTION: usize = 3000;

/// A report draft shaped as the CyberTipline Reporting API's report, with what a second moderator
/// needs to check it. [`to_xml`](Self::to_xml) writes the report XML;
/// [`to_json`](Self::to_json) the same structure as JSON (the report's element names, camelCase,
/// inside `report`), with the draft's own fields (snake_case) around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CyberTiplineDraft {
    /// Always `vigil.draft.cybertipline/1`.
    pub schema: String,
    /// The escalation it was made of.
    pub source: DraftSource,
    /// The review that allowed it.
    pub review: Review,
    /// Element paths holding [`TO_BE_COMPLETED`](super::TO_BE_COMPLETED), or missing, that the
    /// platform must fill before filing.
    pub to_be_completed: Vec<String>,
    /// Every evidence item the draft includes, in the order listed.
    pub evidence_included: Vec<IncludedEvidence>,
    /// The report.
    pub report: Report,
}

/// `report`: the root of the Reporting API's report document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Report {
    /// `incidentSummary`.
    pub incident_summary: IncidentSummary,
    /// `internetDetails`: one per conversation.
    pub internet_details: Vec<InternetDetails>,
    /// `reporter`: the platform's (to be completed).
    pub reporter: Reporter,
    /// `personOrUserReported`: the sender.
    pub person_or_user_reported: PersonOrUserReported,
    /// `victim`: each child of the case.
    #[serde(default)]
    pub victim: Vec<Victim>,
    /// `additionalInfo`: Vigil's reasons, timeline, review and policy.
    pub additional_info: String,
}

/// `incidentSummary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IncidentSummary {
    /// `incidentType`: one of [`INCIDENT_TYPES`].
    pub incident_type: String,
    /// `platform`: the platform's name, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `escalateToHighPriority`: the reason, for an `urgent` case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_to_high_priority: Option<String>,
    /// `reportAnnotations`: the names of the annotations (each an empty element in the XML).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub report_annotations: Vec<String>,
    /// `incidentDateTime`: the first risky message's time (RFC 3339, UTC).
    pub incident_date_time: String,
    /// `incidentDateTimeDescription`: the span of the messages.
    pub incident_date_time_description: String,
}

/// `internetDetails`: exactly one of its incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InternetDetails {
    /// `chatImIncident`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_im_incident: Option<ChatImIncident>,
    /// `onlineGamingIncident`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_gaming_incident: Option<OnlineGamingIncident>,
}

/// `chatImIncident`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatImIncident {
    /// `chatClient`: the platform's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_client: Option<String>,
    /// `chatRoomName`: the conversation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_room_name: Option<String>,
    /// `content`: the evidence, as the policy's evidence settings allow quoting it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `additionalInfo`: the conversation's level and channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
}

/// `onlineGamingIncident`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnlineGamingIncident {
    /// `gameName`: the platform's (game's) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub game_name: Option<String>,
    /// `content`: the evidence, as the policy's evidence settings allow quoting it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `additionalInfo`: the conversation id, level and channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
}

/// A person's details (`reportingPerson`, `personOrUserReportedPerson`, `victimPerson`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Person {
    /// `firstName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// `lastName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// `phone`, each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone: Vec<String>,
    /// `email`, each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email: Vec<String>,
    /// `age` in years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
}

/// `reporter`: only the platform knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Reporter {
    /// `reportingPerson`.
    pub reporting_person: Person,
    /// `contactPerson`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_person: Option<Person>,
    /// `termsOfService`: the terms the content broke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_service: Option<String>,
    /// `legalURL`: where law enforcement sends legal process.
    #[serde(default, rename = "legalURL", skip_serializing_if = "Option::is_none")]
    pub legal_url: Option<String>,
}

/// `personOrUserReported`: the sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PersonOrUserReported {
    /// `personOrUserReportedPerson`: phone numbers and e-mail addresses the sender wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_or_user_reported_person: Option<Person>,
    /// `espIdentifier`: the platform's id of the account.
    pub esp_identifier: String,
    /// `espService`: the platform's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub esp_service: Option<String>,
    /// `screenName`: the account's screen name on the platform (to be completed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_name: Option<String>,
    /// `associatedAccount`: accounts on other apps the sender pushed (handles, invite links).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub associated_account: Vec<AssociatedAccount>,
    /// `additionalInfo`: payment handles, wallets, gift cards and other indicators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
}

/// `associatedAccount`: an account on another app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AssociatedAccount {
    /// `platform`: the app, as the indicator names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `profileUrl`, each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile_url: Vec<String>,
    /// `screenName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_name: Option<String>,
}

/// `victim`: a child of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Victim {
    /// `victimPerson`: the age, when the platform declared one.
    pub victim_person: Person,
    /// `espIdentifier`: the platform's id of the account.
    pub esp_identifier: String,
    /// `espService`: the platform's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub esp_service: Option<String>,
    /// `screenName` (to be completed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_name: Option<String>,
    /// `additionalInfo`: the conversation, the age band, a disclosure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
}

impl CyberTiplineDraft {
    /// The schema id of the JSON form (`vigil.draft.cybertipline/1`).
    pub const SCHEMA_ID: &'static str = SCHEMA_ID;

    /// The JSON Schema of the JSON form (`core/schema/cybertipline-draft.schema.json`, JSON
    /// Schema draft 2020-12). The XML form has its own: `core/schema/cybertipline-report.xsd`.
    pub const SCHEMA: &'static str = SCHEMA;

    /// The JSON form: the draft's fields, with `report` holding the report's sections under the
    /// API's element names.
    pub fn to_json(&self) -> String {
        crate::json::pretty(self)
    }

    /// Reads a draft's JSON form (to re-write its XML after a moderator completed it).
    ///
    /// # Errors
    /// [`DraftError::Json`] with the path of the offending field.
    pub fn from_json(text: &str) -> Result<CyberTiplineDraft, DraftError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let draft: CyberTiplineDraft =
            serde_path_to_error::deserialize(de).map_err(|e| DraftError::Json(e.to_string()))?;
        if draft.schema != SCHEMA_ID {
            return Err(DraftError::Json(format!(
                "schema: expected {SCHEMA_ID:?}, found {:?}",
                draft.schema
            )));
        }
        Ok(draft)
    }

    /// The report XML, as the Reporting API takes it (elements in the schema's order; text
    /// escaped; characters XML does not allow replaced by U+FFFD).
    pub fn to_xml(&self) -> String {
        let r = &self.report;
        let mut x = Xml::new();
        x.open("report");
        let s = &r.incident_summary;
        x.open("incidentSummary");
        x.text("incidentType", &s.incident_type);
        x.opt("platform", s.platform.as_deref());
        x.opt("escalateToHighPriority", s.escalate_to_high_priority.as_deref());
        // In the schema's order; only the API's names are written as elements.
        let known: Vec<&str> = ANNOTATIONS
            .iter()
            .copied()
            .filter(|a| s.report_annotations.iter().any(|b| b == a))
            .collect();
        if !known.is_empty() {
            x.open("reportAnnotations");
            for a in known {
                x.empty(a);
            }
            x.close("reportAnnotations");
        }
        x.text("incidentDateTime", &s.incident_date_time);
        x.text("incidentDateTimeDescription", &s.incident_date_time_description);
        x.close("incidentSummary");
        for d in &r.internet_details {
            x.open("internetDetails");
            if let Some(c) = &d.chat_im_incident {
                x.open("chatImIncident");
                x.opt("chatClient", c.chat_client.as_deref());
                x.opt("chatRoomName", c.chat_room_name.as_deref());
                x.opt("content", c.content.as_deref());
                x.opt("additionalInfo", c.additional_info.as_deref());
                x.close("chatImIncident");
            }
            if let Some(g) = &d.online_gaming_incident {
                x.open("onlineGamingIncident");
                x.opt("gameName", g.game_name.as_deref());
                x.opt("content", g.content.as_deref());
                x.opt("additionalInfo", g.additional_info.as_deref());
                x.close("onlineGamingIncident");
            }
            x.close("internetDetails");
        }
        x.open("reporter");
        person(&mut x, "reportingPerson", &r.reporter.reporting_person);
        if let Some(c) = &r.reporter.contact_person {
            person(&mut x, "contactPerson", c);
        }
        x.opt("termsOfService", r.reporter.terms_of_service.as_deref());
        x.opt("legalURL", r.reporter.legal_url.as_deref());
        x.close("reporter");
        let p = &r.person_or_user_reported;
        x.open("personOrUserReported");
        if let Some(person_) = &p.person_or_user_reported_person {
            person(&mut x, "personOrUserReportedPerson", person_);
        }
        x.text("espIdentifier", &p.esp_identifier);
        x.opt("espService", p.esp_service.as_deref());
        x.opt("screenName", p.screen_name.as_deref());
        for a in &p.associated_account {
            x.open("associatedAccount");
            x.opt("platform", a.platform.as_deref());
            for u in &a.profile_url {
                x.text("profileUrl", u);
            }
            x.opt("screenName", a.screen_name.as_deref());
            x.close("associatedAccount");
        }
        x.opt("additionalInfo", p.additional_info.as_deref());
        x.close("personOrUserReported");
        for v in &r.victim {
            x.open("victim");
            person(&mut x, "victimPerson", &v.victim_person);
            x.text("espIdentifier", &v.esp_identifier);
            x.opt("espService", v.esp_service.as_deref());
            x.opt("screenName", v.screen_name.as_deref());
            x.opt("additionalInfo", v.additional_info.as_deref());
            x.close("victim");
        }
        x.text("additionalInfo", &r.additional_info);
        x.close("report");
        x.finish()
    }
}

fn person(x: &mut Xml, name: &str, p: &Person) {
    if *p == Person::default() {
        x.empty(name);
        return;
    }
    x.open(name);
    x.opt("firstName", p.first_name.as_deref());
    x.opt("lastName", p.last_name.as_deref());
    for v in &p.phone {
        x.text("phone", v);
    }
    for v in &p.email {
        x.text("email", v);
    }
    if let Some(a) = p.age {
        x.text("age", &a.to_string());
    }
    x.close(name);
}

/// `s` cut to at most `max` characters (ids and names from platforms can be long).
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

fn tbc() -> Option<String> {
    Some(TO_BE_COMPLETED.to_owned())
}

/// The placeholder person of the reporter's sections.
fn to_complete() -> Person {
    Person {
        first_name: tbc(),
        last_name: tbc(),
        email: vec![TO_BE_COMPLETED.to_owned()],
        ..Person::default()
    }
}

/// The draft of the facts.
pub(super) fn draft(f: &Facts<'_>) -> Result<CyberTiplineDraft, DraftError> {
    let e = f.escalation;
    let d = f.drafter;
    let hinted = e
        .report_hints
        .incident_types
        .iter()
        .find(|t| INCIDENT_TYPES.contains(&t.as_str()));
    let incident_type = match (&d.incident_type, hinted) {
        (Some(t), _) if INCIDENT_TYPES.contains(&t.as_str()) => t.clone(),
        (Some(t), _) => return Err(DraftError::UnknownIncidentType(t.clone())),
        (None, Some(t)) => t.clone(),
        (None, None) => return Err(DraftError::NoIncidentType),
    };
    let platform = d.platform.as_deref().map(|p| clip(p, MAX_SHORT));
    let mut to_be_completed = vec![
        "report/reporter/reportingPerson/firstName".to_owned(),
        "report/reporter/reportingPerson/lastName".to_owned(),
        "report/reporter/reportingPerson/email".to_owned(),
        "report/reporter/contactPerson/firstName".to_owned(),
        "report/reporter/contactPerson/lastName".to_owned(),
        "report/reporter/contactPerson/email".to_owned(),
        "report/reporter/termsOfService".to_owned(),
        "report/reporter/legalURL".to_owned(),
        "report/personOrUserReported/screenName".to_owned(),
    ];
    if platform.is_none() {
        to_be_completed.push("report/incidentSummary/platform".to_owned());
    }

    let annotations: Vec<String> = e
        .report_hints
        .annotations
        .iter()
        .filter(|a| ANNOTATIONS.contains(&a.as_str()))
        .cloned()
        .collect();
    let summary = IncidentSummary {
        incident_type: incident_type.clone(),
        platform: platform.clone(),
        escalate_to_high_priority: (e.level == Level::Urgent)
            .then(|| clip(&high_priority(f), MAX_DESCRIPTION)),
        report_annotations: annotations,
        incident_date_time: f.first_seen.to_rfc3339(),
        incident_date_time_description: clip(&time_description(f), MAX_DESCRIPTION),
    };

    let mut quoted_all = true;
    let internet_details = f
        .conversations
        .iter()
        .map(|c| {
            let content = super::export::content(c);
            quoted_all &= c.evidence.iter().all(|x| x.excerpt.is_some());
            let info = conversation_info(f, c);
            match d.medium {
                Medium::ChatIm => InternetDetails {
                    chat_im_incident: Some(ChatImIncident {
                        chat_client: platform.clone(),
                        chat_room_name: Some(clip(c.id, MAX_SHORT)),
                        content: Some(content),
                        additional_info: Some(info),
                    }),
                    online_gaming_incident: None,
                },
                Medium::OnlineGaming => InternetDetails {
                    chat_im_incident: None,
                    online_gaming_incident: Some(OnlineGamingIncident {
                        game_name: platform.clone(),
                        content: Some(content),
                        additional_info: Some(format!("Conversation {}. {info}", c.id)),
                    }),
                },
            }
        })
        .collect();
    if !quoted_all {
        to_be_completed.push(
            "report/internetDetails/*/content (messages the policy does not quote: attach them from the platform's records)"
                .to_owned(),
        );
    }

    let sender = &e.participants.sender;
    let reported = reported_person(f, &sender.id, platform.as_ref());
    let victim: Vec<Victim> = f
        .children
        .iter()
        .enumerate()
        .map(|(i, c)| {
            to_be_completed.push(format!("report/victim[{}]/screenName", i + 1));
            let mut info = format!(
                "Conversation {}. Age band on the platform: {}.",
                c.conversation_id,
                c.age_band.as_str()
            );
            if c.disclosed_minor {
                info.push_str(" Disclosed being a child in the conversation.");
            }
            Victim {
                victim_person: Person {
                    age: c.declared_age,
                    ..Person::default()
                },
                esp_identifier: clip(c.id, MAX_SHORT),
                esp_service: platform.as_deref().map(|p| clip(p, MAX_SERVICE)),
                screen_name: tbc(),
                additional_info: Some(info),
            }
        })
        .collect();
    if victim.is_empty() {
        to_be_completed.push(
            "report/victim (no child identified by Vigil: add the victim if the platform knows them)"
                .to_owned(),
        );
    }
    let other_types: Vec<&String> = e
        .report_hints
        .incident_types
        .iter()
        .filter(|t| **t != incident_type)
        .collect();
    let mut info = super::export::narrative(f);
    if !other_types.is_empty() {
        let names: Vec<&str> = other_types.iter().map(|s| s.as_str()).collect();
        info.push_str(&format!(
            "\nOther incident types the policy suggests: {}.",
            names.join("; ")
        ));
    }
    let unknown: Vec<&str> = e
        .report_hints
        .annotations
        .iter()
        .filter(|a| !ANNOTATIONS.contains(&a.as_str()))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        info.push_str(&format!(
            "\nOther annotations the policy suggests: {}.",
            unknown.join(", ")
        ));
    }
    Ok(CyberTiplineDraft {
        schema: SCHEMA_ID.to_owned(),
        source: DraftSource::of(f),
        review: d.review.clone(),
        to_be_completed,
        evidence_included: included(f),
        report: Report {
            incident_summary: summary,
            internet_details,
            reporter: Reporter {
                reporting_person: to_complete(),
                contact_person: Some(to_complete()),
                terms_of_service: tbc(),
                legal_url: tbc(),
            },
            person_or_user_reported: reported,
            victim,
            additional_info: info,
        },
    })
}

/// The reported person: the sender, with the indicators routed where the policy's report hints
/// say (phone and e-mail to the person, handles and links to associated accounts, the rest to
/// additional information).
fn reported_person(f: &Facts<'_>, sender: &str, platform: Option<&String>) -> PersonOrUserReported {
    let e = f.escalation;
    let mut person = Person::default();
    let mut accounts: Vec<AssociatedAccount> = Vec::new();
    let mut other: Vec<String> = Vec::new();
    for i in f.indicators() {
        let field = e
            .report_hints
            .indicators
            .iter()
            .find(|h| h.kind == i.kind && h.value == i.value)
            .map(|h| h.field.trim_start_matches('/').trim_start_matches("report/"));
        let detail = i.detail.clone();
        match field {
            Some("personOrUserReported/personOrUserReportedPerson/phone") => {
                person.phone.push(i.value.clone())
            }
            Some("personOrUserReported/personOrUserReportedPerson/email") => {
                person.email.push(i.value.clone())
            }
            Some("personOrUserReported/associatedAccount/screenName") => accounts.push(AssociatedAccount {
                platform: detail.map(|d| clip(&d, MAX_NAME)),
                profile_url: Vec::new(),
                screen_name: Some(clip(&i.value, MAX_SHORT)),
            }),
            Some("personOrUserReported/associatedAccount/profileUrl") => accounts.push(AssociatedAccount {
                platform: detail.map(|d| clip(&d, MAX_NAME)),
                profile_url: vec![i.value.clone()],
                screen_name: None,
            }),
            _ => other.push(super::export::indicator_line(i)),
        }
    }
    let mut info = format!(
        "Account {sender} on the platform (age band as scored: {}).",
        e.participants.sender.age_band.as_str()
    );
    if e.participants.sender.probable_minor {
        info.push_str(" The sender disclosed being a child.");
    }
    if !other.is_empty() {
        info.push_str("\nOther details the sender wrote:\n");
        info.push_str(&other.join("\n"));
    }
    PersonOrUserReported {
        person_or_user_reported_person: (person != Person::default()).then_some(person),
        esp_identifier: clip(sender, MAX_SHORT),
        esp_service: platform.map(|p| clip(p, MAX_SERVICE)),
        screen_name: tbc(),
        associated_account: accounts,
        additional_info: Some(info),
    }
}

/// Why an `urgent` case is high priority: the level and its reasons.
fn high_priority(f: &Facts<'_>) -> String {
    let e = f.escalation;
    let what = match e.scope {
        EscalationScope::Sender => "sender case",
        _ => "conversation",
    };
    let reasons: Vec<&str> = e.reasons.iter().map(|r| r.trim_end_matches('.')).collect();
    format!(
        "Vigil rated this {what} urgent and a moderator confirmed it: {}.",
        reasons.join("; ")
    )
}

fn time_description(f: &Facts<'_>) -> String {
    let n = f.conversations.len();
    let convs = if n == 1 {
        "in 1 conversation".to_owned()
    } else {
        format!("across {n} conversations")
    };
    format!(
        "The time of the first message Vigil took as evidence; the risky messages run from {} to {} (UTC, the platform's message timestamps) {convs}.",
        f.first_seen.to_rfc3339(),
        f.last_seen.to_rfc3339()
    )
}

fn conversation_info(f: &Facts<'_>, c: &super::ConversationFacts<'_>) -> String {
    let level = c.level.map_or("below watch", Level::as_str);
    let mut s = format!("Highest level in this conversation: {level}.");
    if c.id == f.escalation.conversation_id {
        s.push_str(&format!(" Channel: {}", f.escalation.channel.as_str()));
        if let Some(w) = f.escalation.platform.as_ref().and_then(|p| p.channel.as_ref()) {
            s.push_str(&format!(" (the platform's word: {})", w.word));
        }
        s.push('.');
    }
    s
}
