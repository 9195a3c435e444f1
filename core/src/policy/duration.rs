//! Durations as written in policies: a number and a unit, repeated (`90s`, `30m`, `72h`, `14d`,
//! `1h30m`, `1.5h`).

/// Parses a policy duration into milliseconds. `None` when it cannot be read or overflows.
///
/// ```
/// use vigil::policy::parse_duration;
/// assert_eq!(parse_duration("72h"), Some(72 * 3_600_000));
/// assert_eq!(parse_duration("1h30m"), Some(90 * 60_000));
/// assert_eq!(parse_duration("1.5d"), Some(36 * 3_600_000));
/// assert_eq!(parse_duration("soon"), None);
/// ```
pub fn parse_duration(text: &str) -> Option<i64> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit_ms = match rest[..unit_len].trim() {
            "ms" => 1.0,
            "s" => 1_000.0,
            "m" | "min" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            "w" => 7.0 * 86_400_000.0,
            _ => return None,
        };
        total += n * unit_ms;
        rest = &rest[unit_len..];
    }
    if (0.0..9.0e15).contains(&total) {
        Some(total.round() as i64)
    } else {
        None
    }
}

/// Milliseconds as the largest whole unit that divides them (`7d`, `36h`, `90s`, `1500ms`), the
/// way a policy would write them.
pub(crate) fn format_duration(ms: i64) -> String {
    for (unit, n) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] {
        if ms != 0 && ms % n == 0 {
            return format!("{}{unit}", ms / n);
        }
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn rejects_garbage() {
        for bad in ["", "h", "12", "3x", "1e9d", "-5h", "1..2h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
