//! The processing-agreement validator on arbitrary JSON, as `dpa_check` and any service that
//! validates uploaded agreements run it: decoding either refuses the input (a JSON array, a
//! free-text element with a control or bidirectional override character, an unknown term...) or
//! gives an agreement, and `validate` on it never panics, returns each deficiency with the
//! article of its element, and gives the same answer on the agreement read back from its own
//! JSON. Validation is linear in the input, so libFuzzer's timeout catches a quadratic return.
#![no_main]

use gdpr_obligations::agreement::ProcessingAgreement;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(agreement) = serde_json::from_slice::<ProcessingAgreement>(data) else { return };
    let found = agreement.validate();
    for deficiency in &found {
        assert_eq!(deficiency.article, deficiency.element.article(), "{deficiency}");
    }
    let text = serde_json::to_vec(&agreement).expect("an agreement serialises");
    let again: ProcessingAgreement = match serde_json::from_slice(&text) {
        Ok(again) => again,
        Err(e) => panic!("an agreement does not read back its own JSON: {e}"),
    };
    assert_eq!(again, agreement, "an agreement changes on a round trip");
    assert_eq!(again.validate(), found, "validation differs on the agreement read back");
});
