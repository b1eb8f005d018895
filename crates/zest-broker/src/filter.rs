//! Subscription filters: lists of topic prefixes, matched bytewise.

/// Topics starting with this are local to an endpoint and never advertised.
pub const LOCAL_PREFIX: &[u8] = b"<$>/local/";

/// Whether `prefix` matches `topic` (plain byte-prefix test, not
/// component-aware: `/a` matches `/abc`).
pub fn prefix_matches(prefix: &[u8], topic: &[u8]) -> bool {
    topic.starts_with(prefix)
}

/// A filter as Broker keeps its own: sorted, without redundant entries,
/// without local topics. Entries are never removed (Broker 2.5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter(pub Vec<Vec<u8>>);

impl Filter {
    /// Adds a prefix; returns whether the filter changed.
    pub fn add(&mut self, x: &[u8]) -> bool {
        if x.starts_with(LOCAL_PREFIX) {
            return false;
        }
        if self.0.iter().any(|e| x.starts_with(e)) {
            return false;
        }
        self.0.retain(|e| !e.starts_with(x));
        self.0.push(x.to_vec());
        self.0.sort();
        true
    }

    /// Whether any entry is a prefix of `topic`.
    pub fn matches(&self, topic: &[u8]) -> bool {
        self.0.iter().any(|p| prefix_matches(p, topic))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form() {
        let mut f = Filter::default();
        assert!(f.add(b"zeek/supervisor"));
        assert!(f.add(b"bro/supervisor"));
        assert!(f.add(b"zeek/event/test"));
        assert!(f.add(b"bro/event/test"));
        // The handshake-events capture's filter.
        let want: Vec<&[u8]> = vec![
            b"bro/event/test",
            b"bro/supervisor",
            b"zeek/event/test",
            b"zeek/supervisor",
        ];
        assert_eq!(f.0, want);
        assert!(!f.add(b"zeek/event/test/sub"));
        assert!(f.add(b"zeek/"));
        let want: Vec<&[u8]> = vec![b"bro/event/test", b"bro/supervisor", b"zeek/"];
        assert_eq!(f.0, want);
        assert!(!f.add(b"<$>/local/data/statuses"));
        assert!(f.matches(b"zeek/abc"));
        assert!(!f.matches(b"zee"));
    }
}
