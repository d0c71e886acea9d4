//! The integration tests, as one binary: one link instead of one per file keeps a clean CI run's
//! disk and time down (about 30 binaries once filled a runner's disk). Four tests keep their own
//! binary because they need their own process: `agreement_alloc` installs a counting global
//! allocator, `crash_erasure` and `crash_desk` re-run their own executable as the child they
//! kill, and `fault_drills` mounts file systems and must not share a process with other tests'
//! files.

#[path = "../common/mod.rs"]
mod common;

mod agenda;
mod agreement;
mod audit;
mod breach;
mod calendars;
mod chat_history;
mod chat_paging;
mod chat_postgres;
mod chat_sql;
mod chat_sqlite;
mod chat_weak;
mod conformance_memory;
mod consent;
mod decoders;
mod desk;
mod desk_identity;
mod desk_machine;
mod erased_bytes;
mod erasure;
mod establishment;
mod feed;
mod fulfil;
mod fulfil_stream;
mod identifiers;
mod layering;
mod ledger_machine;
mod lifecycle;
mod model;
mod partitioning;
mod postgres_store;
mod postgres_tls;
mod public_api;
mod rendering;
mod report;
mod request;
mod retention;
mod schemas;
mod sqlite_store;
mod store_concurrency;
mod store_machine;
mod testkit_generate;
mod time;
mod unknown_fields;
mod verify;
mod vocab;
