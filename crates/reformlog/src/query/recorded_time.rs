//! A recorded time in an answer's JSON: RFC 3339 in UTC with six fractional digits, the one
//! form every answer gives times in; the integer microseconds answers gave before are still
//! read back.

use reformlog_store::Timestamp;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

pub(crate) fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_micros())
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    struct Either;
    impl Visitor<'_> for Either {
        type Value = Timestamp;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an RFC 3339 time or microseconds since the Unix epoch")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
            Timestamp::parse_rfc3339(v)
                .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
            Ok(Timestamp::from_micros(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
            i64::try_from(v)
                .map(Timestamp::from_micros)
                .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
    }
    d.deserialize_any(Either)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct At {
        #[serde(with = "super")]
        at: Timestamp,
    }

    #[test]
    fn times_go_out_as_rfc3339_with_microseconds_and_come_back_in_either_form() {
        let at = At {
            at: Timestamp::from_micros(1_642_118_400_000_001),
        };
        let text = serde_json::to_string(&at).unwrap();
        assert_eq!(text, r#"{"at":"2022-01-14T00:00:00.000001Z"}"#);
        assert_eq!(serde_json::from_str::<At>(&text).unwrap(), at);
        assert_eq!(
            serde_json::from_str::<At>(r#"{"at":1642118400000001}"#).unwrap(),
            at
        );
        assert_eq!(
            serde_json::from_str::<At>(r#"{"at":"2022-01-14T07:00:00.000001+07:00"}"#).unwrap(),
            at
        );
        assert!(serde_json::from_str::<At>(r#"{"at":"14/01/2022"}"#).is_err());
    }
}
