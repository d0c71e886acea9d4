//! The GDPR's controller and processor obligations as types, state machines and storage
//! traits, for the backends of live-chat products and everything like them.
//!
//! A website that installs a chat widget is the **controller** of its visitors' chats, the chat
//! vendor is its **processor**, and the vendor's hosting and e-mail providers are
//! **sub-processors**. This crate turns the duties each of them owes into values: closed
//! vocabularies instead of strings, deadlines computed the way Regulation 1182/71 computes them,
//! and validation that names the article behind every problem, so that a privacy officer can
//! check the result against the Regulation.
//!
//! ```
//! use chrono::{DateTime, NaiveDate, Utc};
//! use gdpr_obligations::time::DeadlinePolicy;
//!
//! // A visitor asks for their data at 23:30 UTC on 31 January 2026: in Prague it is 1 February.
//! let received: DateTime<Utc> = "2026-01-31T23:30:00Z".parse()?;
//! let deadlines = DeadlinePolicy::czech().request_deadlines(received)?;
//! assert_eq!(deadlines.received_date(), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
//! // 1 March 2026 is a Sunday: the month ends on Monday 2 March (Art. 3(4) Reg. 1182/71).
//! assert_eq!(deadlines.due().date(), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Getting started
//!
//! A chat backend adopts the crate in three steps, the path the `chat_backend` example (in the
//! repository's `examples/` folder, `cargo run --example chat_backend`) walks end to end:
//!
//! 1. **A store**: the ledger of requests, agreements and consents and the audit log, in one
//!    place: [`store::memory`] for tests, SQLite (feature `sqlite`, the default) or PostgreSQL
//!    (feature `postgres`) in production; and the sources that hold personal data, your own
//!    tables behind [`store::PersonalDataSource`] or the reference [`store::chat::ChatHistory`].
//! 2. **The request desk**: a [`desk::Desk`] per controller over the store and the sources
//!    receives a data-subject request, settles the requester's identity and applies every step
//!    of its lifecycle, each refusal naming its article.
//! 3. **Fulfilment**: [`desk::Desk::fulfil`] carries the request out across every source
//!    (through [`fulfil::Fulfilment`]) and completes it only when every source completed; the
//!    [`desk`] module's example goes from receipt to completion.
//!
//! The other examples each play one scene: `deadline` (Art. 12(3) deadlines as JSON),
//! `dsar_lifecycle`, `dpa_check` (an Art. 28(3) check of an agreement in JSON), `breach_drill`,
//! `agenda` (with an iCalendar feed), `privacy_desk` (the desk behind an HTTP service) and
//! `export_schemas`; each answers `--help`.
//!
//! # Runtime
//!
//! The SQLite and PostgreSQL stores run on tokio: call them from within a tokio runtime with
//! its timers and IO enabled (`#[tokio::main]`, or a runtime built with `enable_all()`); the
//! database driver panics in a runtime without timers. The domain core needs no runtime, and the
//! in-memory stores and the desk over them run on any executor.
//!
//! # What this crate is not
//!
//! It is not legal advice, a consent banner, a web framework or a database. Its domain core
//! (`vocab`, `time`, `model`, `erasure`, `lifecycle`, `agreement`, `request`, `consent`,
//! `retention`, `breach`) does no IO and reads no clock: time comes in as an argument, and decisions come out
//! as values.
//!
//! # Overview
//!
//! - [`vocab`]: the Regulation's terms ([`vocab::LegalBasis`], [`vocab::DataCategory`],
//!   [`vocab::Right`], ...), each with its storage name, JSON form, JSON Schema and W3C DPV
//!   concept; [`vocab::Article`] references; countries with dated adequacy decisions; and
//!   [`vocab::rights`], the table of rights by legal basis.
//! - [`time`]: periods under Regulation 1182/71, holiday calendars, time zones, and the
//!   policies for the readings the law leaves open.
//! - [`model`]: parties, processing activities, data subjects, their identifiers, and
//!   descriptors of where personal data lives; every constructor validates.
//! - [`erasure`]: what a personal-data source is asked and answers under Arts. 16-18: record
//!   keys, erasure policies with their Art. 17(3) retention grounds, corrections, and the
//!   outcome for each record.
//! - [`lifecycle`]: the one shape of the crate's event-sourced state machines (request, breach,
//!   consent): `decide` a command into events, `evolve` the state, replay the events.
//! - [`agreement`]: Art. 28 processing agreements and their validation, sub-processor change
//!   notices, and the processing chain that decides who may process what on whose behalf.
//! - [`request`]: the data-subject request as an event-sourced state machine with Art. 12
//!   deadlines.
//! - [`consent`]: consent records that prove it (Art. 7(1)), withdrawal as an event (Art. 7(3)),
//!   the Art. 8(1) ages, and whether processing on consent is lawful now.
//! - [`retention`]: storage limitation (Art. 5(1)(e)): retention policies, expiry, and legal
//!   holds on their Art. 17(3) grounds.
//! - [`breach`]: the breach register (Arts. 33, 34) as an event-sourced state machine with its
//!   clocks, and the fan-out of a processor's breach to every controller.
//! - [`report`]: what people read: Art. 30 records (JSON, CSV, Markdown), the Arts. 13/14 privacy
//!   notice and the Art. 12(3), 12(4), 15(1) letters in Czech and English (Markdown, HTML, text),
//!   the Art. 33(3) breach notification draft, Mermaid diagrams of the chain and of the request
//!   lifecycle.
//! - [`store`]: the async storage traits, every method scoped to one controller: the ledger,
//!   the audit log and the personal-data sources, in memory, on SQLite (the embedded default)
//!   and on PostgreSQL, and [`store::chat::ChatHistory`], a reference chat source on each.
//! - [`fulfil`]: carrying a request or a retention sweep out across every source, resumably.
//! - [`agenda`]: every open obligation of a scope at an instant: who owes it to whom, under
//!   which article, by when; as JSON, Markdown and an iCalendar feed.
//! - [`wire`]: the JSON contract, the JSON Schema of every wire type.
//! - [`escape`]: one escaper per output format (Markdown, HTML, plain text, CSV, Mermaid), used
//!   by every renderer, so that a name or free text a user gave stays text in its field.
//!
//! # At the root
//!
//! Seven types appear in nearly every file that uses the crate, and are re-exported here: the
//! [`Scope`] every storage method takes, the [`StoreError`] it returns and the [`Version`] it
//! compares and swaps; the [`PartyId`] of every controller, processor and recipient; the
//! [`Text`] of every free-text field; the [`Article`] every rule names; and the [`RequestId`]
//! that keys a data-subject request, its fulfilment and its notices. There is no prelude: every
//! other type is used by its module path (`request::Command`, `breach::Command`), so that the
//! module says which of two like-named types is meant.
//!
//! # Serialisation
//!
//! Every public data type implements `Serialize`, `Deserialize` and `schemars::JsonSchema`,
//! with snake_case names, so that backends in other languages exchange the same JSON.
//! Deserialisation runs the same validation as the constructors.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `sqlite` | yes | [`SqliteStore`]: the ledger and audit log in one SQLite file (and the reference chat source on it) |
//! | `postgres` | no | [`PostgresStore`]: the same on PostgreSQL |
//! | `ical` | no | [`Agenda::to_ical`]: the agenda as an iCalendar feed |
//! | `testkit` | no | [`testkit`]: proptest strategies for every public type and the conformance kit for stores and sources (exempt from semver) |
//!
// Each feature's item is linked where the build has it; without the feature the link goes to
// the nearest item that exists, so that the docs of every feature set have no broken link.
#![cfg_attr(feature = "sqlite", doc = "[`SqliteStore`]: store::sqlite::SqliteStore")]
#![cfg_attr(not(feature = "sqlite"), doc = "[`SqliteStore`]: store")]
#![cfg_attr(feature = "postgres", doc = "[`PostgresStore`]: store::postgres::PostgresStore")]
#![cfg_attr(not(feature = "postgres"), doc = "[`PostgresStore`]: store")]
#![cfg_attr(feature = "testkit", doc = "[`testkit`]: crate::testkit")]
#![cfg_attr(not(feature = "testkit"), doc = "[`testkit`]: crate")]
#![cfg_attr(feature = "ical", doc = "[`Agenda::to_ical`]: agenda::Agenda::to_ical")]
#![cfg_attr(not(feature = "ical"), doc = "[`Agenda::to_ical`]: agenda::Agenda")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// On docs.rs (nightly rustdoc, `--cfg docsrs`): every item behind a feature says which one.
#![cfg_attr(docsrs, feature(doc_cfg))]

/// Implements `Serialize` through `Display` and `Deserialize` through `FromStr`, so that a
/// validated type can never be deserialised into an invalid value.
macro_rules! string_serde {
    ($ty:ty) => {
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string holding a ", stringify!($ty)))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

pub mod agenda;
pub mod agreement;
pub mod breach;
pub mod consent;
pub mod desk;
pub mod erasure;
pub mod escape;
pub mod fulfil;
pub mod lifecycle;
pub mod model;
pub mod report;
pub mod request;
pub mod retention;
pub mod store;
pub mod time;
pub mod verify;
pub mod vocab;
pub mod wire;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use model::{PartyId, Text};
pub use request::RequestId;
pub use store::{Scope, StoreError, Version};
pub use vocab::Article;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
