//! Every JSON decoder of a public wire type (`wire::wire_schemas`, through
//! `testkit::wire_decoders`) reads the same input: each must return a value or a
//! `serde_json::Error`, never panic, and a value it accepts must read back from its own
//! serialisation to the same serialisation (a validating constructor accepts what it writes).
//!
//! All decoders see every input, rather than one chosen by a selector byte: the types share
//! most of their parts (parties, identifiers, dates, articles, vocabulary terms), so an input
//! that reaches deep into one decoder is usually a good start for others, and no byte of the
//! input is spent on choosing. A parse error costs microseconds, so the 39 calls stay cheap.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for decoder in gdpr_obligations::testkit::wire_decoders() {
        let Ok(value) = decoder.decode(data) else { continue };
        let text = serde_json::to_vec(&value).expect("a serde_json::Value serialises");
        match decoder.decode(&text) {
            Ok(again) => assert_eq!(again, value, "{} changes on a second round trip", decoder.type_name()),
            Err(e) => panic!("{} does not read back its own JSON {value}: {e}", decoder.type_name()),
        }
    }
});
