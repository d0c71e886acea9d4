-- gdpr-obligations, schema version 4: one canonical form per identifier kind.
--
-- The rows of `gdpr_chat_lookup` of kinds `id` (a normalised identifier) and `word` (an index
-- key) are derived from the visitor bodies. Version 4 changed how they are derived: names in
-- NFC with white space folded, e-mail local parts with ASCII case folding only, telephone
-- numbers parsed (index key `tel:` and the national significant number), IP addresses in
-- canonical form (index key `ip:` and the address), words of texts in NFC. The crate rebuilds
-- these rows from the stored bodies in Rust, in the same transaction as this migration; the
-- schema itself does not change.
SELECT 1;
