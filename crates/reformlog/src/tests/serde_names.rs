//! What the golden and seed tests read back the same way: an enum's variant names as serde
//! spells them, and a fixture's hex as bytes.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Every variant name of the externally tagged enum `T`, in its order, read off serde's error
/// for an unknown one, so a variant added later is listed without anyone editing a test.
pub(crate) fn variant_names<T: DeserializeOwned>() -> Vec<String> {
    let err = match serde_json::from_str::<T>(r#"{"no_such_variant": {}}"#) {
        Ok(_) => panic!("no variant is called no_such_variant"),
        Err(e) => e.to_string(),
    };
    err.split("expected one of")
        .nth(1)
        .unwrap()
        .split(',')
        .map(|v| {
            v.trim()
                .trim_matches(|c: char| c == '`' || c.is_whitespace())
        })
        .map(|v| v.split('`').next().unwrap_or(v).to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// The name of the variant `value` is, as serde spells it.
pub(crate) fn variant_name<T: Serialize>(value: &T) -> String {
    let v = serde_json::to_value(value).unwrap();
    v.as_object().unwrap().keys().next().unwrap().clone()
}

/// The bytes a fixture writes as lowercase hex.
pub(crate) fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}
