//! The trending score of a topic: its engagement (replies, likes, views) with each event's
//! weight halving every day, kept incrementally. Instead of decaying every topic's score as
//! time passes, each new event's weight is scaled *up* by 2^(age of the clock / half-life), and
//! scores are kept as base-2 logarithms so that scaling never overflows. Comparing two such
//! scores at any moment compares their decayed values, and an event costs one update.

/// Time for an event's weight to halve.
pub const HALF_LIFE_MS: f64 = 24.0 * 3600.0 * 1000.0;
/// The clock's origin (2026-01-01T00:00:00Z): times are measured from here.
const ORIGIN_MS: i64 = 1_767_225_600_000;

/// What an event adds before decay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engagement {
    /// The topic was started (so a new topic can show before anyone acts on it).
    Started,
    /// A first view by one person.
    Viewed,
    /// A like of the topic or of one of its replies.
    Liked,
    /// A reply.
    Replied,
}

impl Engagement {
    fn weight(self) -> f64 {
        match self {
            Self::Started | Self::Viewed => 1.0,
            Self::Liked => 2.0,
            Self::Replied => 3.0,
        }
    }
}

/// The log-score of one `event` at `at_ms`.
fn event_score(event: Engagement, at_ms: i64) -> f64 {
    event.weight().log2() + (at_ms - ORIGIN_MS) as f64 / HALF_LIFE_MS
}

/// `score` (none for a topic without events yet) after `event` at `at_ms`:
/// log2(2^score + 2^event), computed without overflow.
pub fn add(score: Option<f64>, event: Engagement, at_ms: i64) -> f64 {
    let e = event_score(event, at_ms);
    match score {
        None => e,
        Some(s) => {
            let (hi, lo) = if s >= e { (s, e) } else { (e, s) };
            hi + (1.0 + (lo - hi).exp2()).log2()
        }
    }
}

/// A score as 8 bytes that sort as the numbers do (for an ordered index).
pub fn sort_key(score: f64) -> [u8; 8] {
    let bits = score.to_bits();
    let ordered = if bits >> 63 == 1 { !bits } else { bits | (1 << 63) };
    ordered.to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 3600 * 1000;

    #[test]
    fn fresh_activity_outranks_an_older_bigger_topic() {
        let now = ORIGIN_MS + 300 * DAY;
        // Thirty replies and sixty likes three days ago against five replies today.
        let mut old = None;
        for _ in 0..30 {
            old = Some(add(old, Engagement::Replied, now - 3 * DAY));
        }
        for _ in 0..60 {
            old = Some(add(old, Engagement::Liked, now - 3 * DAY));
        }
        let mut fresh = None;
        for _ in 0..30 {
            fresh = Some(add(fresh, Engagement::Replied, now));
        }
        assert!(fresh > old, "{fresh:?} vs {old:?}");
        // The same events at the same time rank by weight.
        let liked = add(None, Engagement::Liked, now);
        let viewed = add(None, Engagement::Viewed, now);
        assert!(liked > viewed);
        // Adding is exact in log space: two equal events are one more halving of age.
        let twice = add(Some(viewed), Engagement::Viewed, now);
        assert!((twice - viewed - 1.0).abs() < 1e-9);
    }

    #[test]
    fn sort_keys_order_as_the_scores() {
        let scores = [-5.5, -0.1, 0.0, 0.25, 3.0, 1e6];
        let keys: Vec<_> = scores.iter().map(|s| sort_key(*s)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }
}
