//! Endpoint IDs: 16 raw bytes, shown as a lowercase UUID.

use std::fmt;

/// A 16-byte endpoint ID; all zeros is the nil ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EndpointId(pub [u8; 16]);

impl EndpointId {
    pub const NIL: EndpointId = EndpointId([0; 16]);

    /// A random ID laid out like Broker's: an RFC 4122 UUID with version
    /// nibble 5 and the variant bits `10`.
    pub fn random() -> std::io::Result<EndpointId> {
        let mut b = [0u8; 16];
        getrandom::fill(&mut b).map_err(std::io::Error::other)?;
        b[6] = (b[6] & 0x0f) | 0x50;
        b[8] = (b[8] & 0x3f) | 0x80;
        Ok(EndpointId(b))
    }

    pub fn is_nil(&self) -> bool {
        self.0 == [0; 16]
    }
}

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_and_layout() {
        assert_eq!(
            EndpointId::NIL.to_string(),
            "00000000-0000-0000-0000-000000000000"
        );
        let id = EndpointId([
            0x1f, 0x90, 0x24, 0x34, 0x40, 0x3d, 0x56, 0x3c, 0xaf, 0x9e, 0x22, 0xc9, 0x61, 0xa0,
            0xe4, 0xe3,
        ]);
        assert_eq!(id.to_string(), "1f902434-403d-563c-af9e-22c961a0e4e3");
        let r = EndpointId::random().unwrap();
        assert_eq!(r.0[6] >> 4, 5);
        assert_eq!(r.0[8] >> 6, 2);
    }
}
