//! Escalation levels.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How urgently a conversation needs a human, in increasing order.
///
/// ```
/// use vigil::Level;
/// assert!(Level::Urgent > Level::Review && Level::Review > Level::Watch);
/// assert_eq!("review".parse::<Level>().unwrap(), Level::Review);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Worth watching: early signals.
    Watch,
    /// A moderator should review the conversation.
    Review,
    /// Act now: strong or combined signals, or a rule that forces it (e.g. a sextortion threat).
    Urgent,
}

impl Level {
    /// All levels, lowest first.
    pub const ALL: [Level; 3] = [Level::Watch, Level::Review, Level::Urgent];

    /// The level's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Watch => "watch",
            Level::Review => "review",
            Level::Urgent => "urgent",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Level, String> {
        match s {
            "watch" => Ok(Level::Watch),
            "review" => Ok(Level::Review),
            "urgent" => Ok(Level::Urgent),
            _ => Err(format!("unknown level {s:?} (expected watch, review or urgent)")),
        }
    }
}
