//! Fuzz target: arbitrary bytes into `decode_payload` for a nested serde struct; Ok or Err, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reformlog_store::{decode_payload, encode_payload};
use serde::{Deserialize, Serialize};

/// A payload shaped like a domain event: strings, options, vectors, maps and a nested enum.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct SomeStruct {
    id: u64,
    name: String,
    flag: bool,
    initial: char,
    note: Option<String>,
    tags: Vec<String>,
    scores: Vec<i32>,
    pairs: Vec<(String, u16)>,
    attrs: std::collections::BTreeMap<String, Option<u32>>,
    role: Role,
    history: Vec<Role>,
    parent: Option<Inner>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Inner {
    code: String,
    depth: u8,
    roles: Vec<Role>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Role {
    Vacant,
    Member(String),
    Chair {
        name: String,
        since: i64,
        deputy: Option<Box<Role>>,
    },
    Acting(Inner, Option<String>),
}

fuzz_target!(|data: &[u8]| {
    // Any input may be rejected, but only with an error.
    let Ok(value) = decode_payload::<SomeStruct>(data) else {
        return;
    };
    // What decodes must encode again and decode to the same value.
    let bytes = match encode_payload(&value) {
        Ok(bytes) => bytes,
        Err(e) => panic!("decoded payload does not re-encode: {e}"),
    };
    match decode_payload::<SomeStruct>(&bytes) {
        Ok(again) => assert_eq!(again, value, "payload changed across encode/decode"),
        Err(e) => panic!("re-encoded payload does not decode: {e}"),
    }
});
