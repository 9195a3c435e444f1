//! Precision on real conversations (issue 13): the three causes of false alarms on real chat, each
//! pinned with lines of real chat.
//!
//! The quoted lines are from the Chit-Chat Challenge dataset (PyPI `chitchat-dataset` 0.9.0,
//! conversations whose id starts with 0–7; MIT licence, see `tests/realchat/`): ordinary talk
//! between adult students, none of it grooming. The metadata is ours.
//!
//! 1. The terms view folds `l` into `i` and collapses doubled letters, so plain words met other
//!    words' skeletons. A skeleton-only match now counts only where the text shows an evasion.
//! 2. Every language pack applied to every message. Packs are now scoped by the language of the
//!    message and the conversation.
//! 3. Context-free words decided too much between adults. Level ceilings now hold a conversation
//!    with no minor in sight at `watch`.

use std::sync::{Arc, OnceLock};

use vigil::{AgeBand, Engine, Level, Message, Participant, Relationship, Timestamp, Tracker};

fn shipped() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| Arc::new(Engine::default())).clone()
}

/// Message `i` of conversation `c`, from `from` to `to`, one minute apart.
fn msg(c: &str, i: usize, from: (&str, AgeBand), to: (&str, AgeBand), text: &str) -> Message {
    Message::new(
        c,
        format!("m-{i}"),
        Timestamp::from_millis(1_793_556_245_000 + i as i64 * 60_000),
        Participant::new(from.0, from.1),
        text,
    )
    .with_recipient(Participant::new(to.0, to.1))
    .with_relationship(Relationship::Stranger)
}

/// The rules that counted for `text` on its own.
fn rules(text: &str) -> Vec<String> {
    let m = msg("c", 0, ("a", AgeBand::Adult), ("b", AgeBand::Minor), text);
    shipped()
        .assess(&m)
        .hits
        .iter()
        .map(|h| h.rule.to_string())
        .collect()
}

// -- 1. The skeleton counts only where the text is evaded ----------------------------------------

#[test]
fn plain_words_no_longer_match_other_words_skeletons() {
    // "pool" and the French "poil" (in "a poil", naked) share the skeleton "poi"; "lift" and the
    // Dutch age abbreviation "lft" share "ift".
    for (text, not) in [
        (
            "I haven't gotten in a pool for 3 years though",
            "fr.sexualisation.nudity",
        ),
        (
            "Yeah it's pretty sweet. Indoors with a pool ",
            "fr.sexualisation.nudity",
        ),
        ("the girl can even lift the guy.", "nl.age-probing.how-old"),
    ] {
        let got = rules(text);
        assert!(!got.iter().any(|r| r == not), "{text:?} fired {not}: {got:?}");
    }
}

#[test]
fn evasions_still_match_and_say_how() {
    let engine = shipped();
    for (text, rule, evasion) in [
        (
            "d0n'7 t e l l ur parents about us",
            "en.secrecy.dont-tell",
            "leetspeak",
        ),
        ("s e n d me a pic", "en.image-request.send-pic", "spaced"),
        ("add me on ѕnар", "en.platform-switch.add-me-on", "lookalike"),
    ] {
        let m = msg("c", 0, ("a", AgeBand::Adult), ("b", AgeBand::Minor), text);
        let a = engine.assess(&m);
        let hit = a
            .hits
            .iter()
            .find(|h| &*h.rule == rule)
            .unwrap_or_else(|| panic!("{text:?} does not fire {rule}: {:?}", a.hits));
        let shown = serde_json::to_value(hit.evasion).unwrap();
        assert_eq!(shown, evasion, "{text:?}");
    }
}

// -- 2. Packs scoped by language -----------------------------------------------------------------

/// Real lines of one English conversation, then the line with "in real life", a Dutch meeting
/// term too.
const ENGLISH: [&str; 6] = [
    "I would binge watch just about about every tv show",
    "Banzai is such a good time no joke",
    "I changed my mind I would definitely just raid like cafe rio and stuff",
    "You could turn on TV but nothing would be up because no one is operating it, along with radio stations",
    "Yeah haha I don't know how long I'd want to last because people are pretty cool I like having them around",
    "Er, I haven't met her in real life.",
];

#[test]
fn an_english_conversation_gets_no_dutch_rule() {
    let a = ("a", AgeBand::Adult);
    let b = ("b", AgeBand::Minor);
    let mut t = Tracker::new(shipped());
    let mut last = None;
    for (i, text) in ENGLISH.iter().enumerate() {
        let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
        last = Some(t.observe(&msg("en-1", i, from, to, text)));
    }
    let obs = last.unwrap();
    assert!(
        obs.assessment.hits.iter().all(|h| !h.rule.starts_with("nl.")),
        "{:?}",
        obs.assessment.hits
    );
    let lang = obs.language.expect("the shipped packs scope by language");
    assert_eq!(lang.conversation[0].language.code(), "en", "{lang:?}");
    assert!(
        lang.out_of_scope.iter().any(|r| &**r == "nl.meeting.irl"),
        "the Dutch rule matched the text and was left out: {lang:?}"
    );
    // The same line on its own (no conversation to tell its language) applies every pack.
    assert!(rules(ENGLISH[5]).iter().any(|r| r == "nl.meeting.irl"));
}

#[test]
fn a_dutch_conversation_keeps_its_dutch_rules() {
    // Synthetic: a stranger asks a child to meet "in real life" in Dutch.
    let g = ("g", AgeBand::Adult);
    let k = ("k", AgeBand::Minor);
    let lines = [
        (
            g,
            k,
            "hoi, hoe gaat het met je vandaag? ben je al thuis van school?",
        ),
        (
            k,
            g,
            "ja ik ben net thuis, ik moet nog huiswerk maken voor morgen",
        ),
        (
            g,
            k,
            "zullen we een keer afspreken in real life? dan kunnen we samen iets leuks doen",
        ),
    ];
    let mut t = Tracker::new(shipped());
    let mut fired = Vec::new();
    for (i, (from, to, text)) in lines.into_iter().enumerate() {
        let obs = t.observe(&msg("nl-1", i, from, to, text));
        fired.extend(obs.assessment.hits.iter().map(|h| h.rule.to_string()));
    }
    assert!(fired.iter().any(|r| r.starts_with("nl.meeting.")), "{fired:?}");
}

// -- 3. Adults are not the target ----------------------------------------------------------------

/// Real lines from flirting adult strangers (several conversations), which fire age, flattery,
/// meeting, image and sexual-vocabulary rules.
const FLIRT: [&str; 6] = [
    "How old are you? Am I allowed to ask?",
    "omg youre so cute",
    "send me a hot pic",
    "Ooh dang. You must be a sexy man then",
    "I would still love to meet you in real life.",
    "Can I come over for dinner?",
];

fn replay(recipient: AgeBand) -> (Option<Level>, Vec<String>) {
    let a = ("a", AgeBand::Adult);
    let b = ("b", recipient);
    let mut t = Tracker::new(shipped());
    let mut top = None;
    let mut capped = Vec::new();
    for (i, text) in FLIRT.iter().enumerate() {
        let obs = t.observe(&msg("flirt", i, a, b, text));
        top = top.max(obs.level);
        capped.extend(obs.capped_by.map(|c| c.to_string()));
    }
    (top, capped)
}

#[test]
fn flirting_adults_stay_below_review() {
    let (top, capped) = replay(AgeBand::Adult);
    assert_eq!(top, Some(Level::Watch));
    assert!(capped.iter().any(|c| c == "adults-only"), "{capped:?}");
}

#[test]
fn the_same_words_to_a_minor_reach_a_moderator() {
    let (top, capped) = replay(AgeBand::Minor);
    assert!(top >= Some(Level::Review), "{top:?}");
    assert!(capped.is_empty(), "{capped:?}");
}

#[test]
fn a_disclosed_child_age_lifts_the_adult_ceiling() {
    // Declared adults, but the recipient says they are 13: no longer a conversation between adults.
    let a = ("a", AgeBand::Adult);
    let b = ("b", AgeBand::Adult);
    let mut t = Tracker::new(shipped());
    t.observe(&msg("lift", 0, b, a, "im 13 lol"));
    let mut top = None;
    for (i, text) in FLIRT.iter().enumerate() {
        top = top.max(t.observe(&msg("lift", i + 1, a, b, text)).level);
    }
    assert!(top >= Some(Level::Review), "{top:?}");
}

#[test]
fn with_ages_unknown_one_message_alone_stays_at_watch() {
    let u = ("u", AgeBand::Unknown);
    let v = ("v", AgeBand::Unknown);
    // One academic sentence with a sexual word, and a lone "send me a hot pic".
    for text in [
        "He was accused of sexual misconduct, but nothing could be proven.",
        "send me a hot pic",
    ] {
        let mut t = Tracker::new(shipped());
        let obs = t.observe(&msg("one", 0, u, v, text));
        assert!(obs.level <= Some(Level::Watch), "{text:?}: {:?}", obs.level);
    }
}

#[test]
fn with_no_minor_in_sight_nothing_but_sextortion_is_urgent() {
    let u = ("u", AgeBand::Unknown);
    let v = ("v", AgeBand::Unknown);
    let mut t = Tracker::new(shipped());
    let mut top = None;
    for (i, text) in FLIRT.iter().chain(FLIRT.iter()).enumerate() {
        top = top.max(t.observe(&msg("long", i, u, v, text)).level);
    }
    assert!(top <= Some(Level::Review), "{top:?}");
    let threat = t.observe(&msg(
        "long",
        99,
        u,
        v,
        "send more pics or i will share your nudes with everyone",
    ));
    assert_eq!(threat.level, Some(Level::Urgent));
}
