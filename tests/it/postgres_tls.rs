//! The PostgreSQL store over TLS (feature `postgres-tls`): `sslmode` and `sslrootcert` from the
//! connection URL, as the server sees them (`pg_stat_ssl` of the store's own sessions, found by
//! their `application_name`). `verify-full` encrypts and the whole store works over it; an
//! unrelated certificate authority, or a host name the certificate does not name, is refused
//! with a `Backend` error that never repeats the URL; `verify-ca` checks the authority but not
//! the name; `require` encrypts without checking; `disable` talks plain; and a URL without
//! `sslmode` (`prefer`) talks TLS exactly when the build has it, so that the rest of the suite
//! runs over TLS under `--all-features`.
//!
//! `scripts/with-postgres` starts the server with a throwaway certificate authority and sets
//! `GDPR_TEST_POSTGRES_URL`, `GDPR_TEST_POSTGRES_TLS_URL` (`verify-full` for `localhost`),
//! `GDPR_TEST_POSTGRES_CA` and `GDPR_TEST_POSTGRES_OTHER_CA` (an authority that signed
//! nothing): `scripts/with-postgres cargo test --all-features --test it tls`. Without them the
//! tests are skipped with one line saying so, except under `CI=true`, where they fail.
#![cfg(feature = "postgres")]

use crate::common;

use std::str::FromStr as _;

use gdpr_obligations::store::postgres::PostgresStore;
use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use uuid::Uuid;

/// A URL for the test database as `user@host:port`, with the query `params`.
fn url_at(base: &str, host: &str, port: u16, params: &str) -> String {
    let options = PgConnectOptions::from_str(base).expect("the test URL parses");
    let user = options.get_username();
    let database = options.get_database().expect("the test URL names its database");
    format!("postgres://{user}@{host}:{port}/{database}?{params}")
}

/// The plain test URL's port.
fn port(base: &str) -> u16 {
    PgConnectOptions::from_str(base).expect("the test URL parses").get_port()
}

/// `url` with `application_name` set to a name of its own, and that name.
fn named(url: &str) -> (String, String) {
    let name = format!("gdpr-tls-{}", Uuid::now_v7().simple());
    (format!("{url}{}application_name={name}", if url.contains('?') { '&' } else { '?' }), name)
}

/// Whether each session of the application `name` is encrypted, and with which protocol, as
/// the server sees it.
async fn sessions(admin_url: &str, name: &str) -> Vec<(bool, String)> {
    let mut admin = PgConnection::connect(admin_url).await.expect("the admin connection");
    let rows: Vec<(bool, Option<String>)> = sqlx::query_as(
        "SELECT s.ssl, s.version FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid \
         WHERE a.application_name = $1",
    )
    .bind(name)
    .fetch_all(&mut admin)
    .await
    .expect("pg_stat_ssl reads");
    admin.close().await.expect("closes");
    rows.into_iter().map(|(ssl, version)| (ssl, version.unwrap_or_default())).collect()
}

/// Connects a store to `url` under a name of its own, runs one write (so the pool holds a
/// session), and says whether the server sees its sessions encrypted (all, or none: mixed is a
/// failure).
async fn connect_and_probe(base: &str, url: &str) -> bool {
    use gdpr_obligations::model::PartyId;
    use gdpr_obligations::store::{DocumentKey, DocumentKind, LedgerStore as _, Scope, Version};
    let (url, name) = named(url);
    let store = PostgresStore::connect(&url).await.unwrap_or_else(|e| panic!("connect with {url}: {e:?}"));
    let key = DocumentKey { kind: DocumentKind::Party, id: Uuid::now_v7() };
    store.put_document(Scope::of(PartyId::generate()), key, &serde_json::json!({}), Version::NONE).await.unwrap();
    let seen = sessions(base, &name).await;
    store.close().await;
    assert!(!seen.is_empty(), "the server shows no session of {name}");
    let encrypted = seen.iter().all(|(ssl, _)| *ssl);
    assert!(encrypted || seen.iter().all(|(ssl, _)| !*ssl), "mixed sessions: {seen:?}");
    encrypted
}

/// With the rest of the suite's URL (no `sslmode`: `prefer`) the store talks TLS exactly when
/// the build has it: under `--all-features` every PostgreSQL test runs encrypted.
#[tokio::test]
async fn tls_the_default_url_is_encrypted_exactly_when_built_with_tls() {
    let Some(base) = common::postgres_url("postgres_tls") else { return };
    assert_eq!(connect_and_probe(&base, &base).await, cfg!(feature = "postgres-tls"), "sslmode prefer, {base}");
}

/// `sslmode=disable` talks plain, with or without TLS in the build.
#[tokio::test]
async fn tls_sslmode_disable_talks_plain() {
    let Some(base) = common::postgres_url("postgres_tls") else { return };
    let url = url_at(&base, "127.0.0.1", port(&base), "sslmode=disable");
    assert!(!connect_and_probe(&base, &url).await, "{url}");
}

/// A build without TLS refuses a URL that demands it, with a `Backend` error (the driver's
/// answer, never the URL), rather than talking plain.
#[cfg(not(feature = "postgres-tls"))]
#[tokio::test]
async fn tls_required_by_a_build_without_tls_is_refused() {
    use gdpr_obligations::store::StoreError;
    let Some(base) = common::postgres_url("postgres_tls") else { return };
    for mode in ["require", "verify-ca", "verify-full"] {
        let url = url_at(&base, "127.0.0.1", port(&base), &format!("sslmode={mode}"));
        match PostgresStore::connect(&url).await {
            Err(e @ StoreError::Backend { .. }) => assert!(!chain(&e).contains(&url), "{e:?}"),
            other => panic!("{mode}: expected Backend, got {other:?}"),
        }
    }
}

/// The error and all its sources, one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(feature = "postgres-tls")]
mod with_tls {
    use super::*;

    use gdpr_obligations::model::PartyId;
    use gdpr_obligations::store::{
        AuditAction, AuditEntry, AuditLog as _, AuditLogExt as _, DocumentKey, DocumentKind, LedgerStore as _, Scope,
        StoreError, StreamKey, StreamKind, Version,
    };
    use tokio::net::{TcpListener, TcpStream};

    const TEST: &str = "postgres_tls";

    /// The variable `name` set by `scripts/with-postgres`; `None` (after saying so) outside CI
    /// when it is missing, a failure in CI, where a skip would pass unseen.
    fn var(test: &str, name: &str) -> Option<String> {
        match std::env::var(name) {
            Ok(value) if !value.is_empty() => Some(value),
            _ if common::in_ci() => {
                panic!("{name} is not set and CI is: run the TLS tests through scripts/with-postgres")
            }
            _ => {
                // Straight to stderr: the test harness captures `eprintln!`.
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "{test}: skipped, {name} is not set (run `scripts/with-postgres cargo test --all-features --test it tls`)"
                );
                None
            }
        }
    }

    /// The store connects with `verify-full` against the throwaway authority, its sessions are
    /// encrypted (TLS 1.2 or later), and documents, events and the audit chain work over them.
    #[tokio::test]
    async fn tls_verify_full_is_encrypted_and_the_store_works() {
        let (Some(base), Some(tls)) = (common::postgres_url(TEST), var(TEST, "GDPR_TEST_POSTGRES_TLS_URL")) else {
            return;
        };
        assert!(tls.contains("sslmode=verify-full"), "GDPR_TEST_POSTGRES_TLS_URL is not verify-full: {tls}");
        let (url, name) = named(&tls);
        let store = PostgresStore::connect(&url).await.unwrap_or_else(|e| panic!("verify-full: {e:?}"));
        let c = Scope::of(PartyId::generate());

        let key = DocumentKey { kind: DocumentKind::Party, id: Uuid::now_v7() };
        let body = serde_json::json!({"name": "Žofie Dvořáková"});
        let v = store.put_document(c, key, &body, Version::NONE).await.unwrap();
        let stored = store.get_document(c, key).await.unwrap().expect("the document reads back");
        assert_eq!((stored.body, stored.version), (body, v));

        let stream = StreamKey { kind: StreamKind::Request, id: Uuid::now_v7() };
        let events = [serde_json::json!({"received": 1}), serde_json::json!({"verified": 2})];
        store.append_events(c, stream, Version::NONE, &events).await.unwrap();
        assert_eq!(store.read_events(c, stream).await.unwrap(), events);

        let at = "2026-03-01T10:11:12Z".parse().unwrap();
        for _ in 0..3 {
            let entry = AuditEntry::new(at, AuditAction::DocumentWritten { kind: DocumentKind::Party, id: key.id });
            store.append(c, entry).await.unwrap();
        }
        assert_eq!(store.verify_all(c).await.unwrap(), 3);

        let seen = sessions(&base, &name).await;
        store.close().await;
        assert!(!seen.is_empty(), "the server shows no session of the store");
        for (ssl, version) in &seen {
            assert!(*ssl && matches!(version.as_str(), "TLSv1.2" | "TLSv1.3"), "{seen:?}");
        }
    }

    /// `verify-full` and `verify-ca` refuse a server whose certificate an unrelated authority
    /// did not sign (and, without `sslrootcert`, the built-in roots do not vouch for a private
    /// authority either): `Backend`, whose message and sources never repeat the URL or its
    /// password.
    #[tokio::test]
    async fn tls_an_unrelated_authority_is_refused_without_echoing_the_url() {
        let (Some(base), Some(other)) = (common::postgres_url(TEST), var(TEST, "GDPR_TEST_POSTGRES_OTHER_CA")) else {
            return;
        };
        let port = port(&base);
        for params in [
            format!("sslmode=verify-full&sslrootcert={other}"),
            format!("sslmode=verify-ca&sslrootcert={other}"),
            "sslmode=verify-full".to_owned(),
        ] {
            let url = url_at(&base, "localhost", port, &params).replacen("@localhost", ":s3cret@localhost", 1);
            match PostgresStore::connect(&url).await {
                Err(e @ StoreError::Backend { .. }) => {
                    let said = chain(&e);
                    assert!(!said.contains(&url) && !said.contains("s3cret"), "{params}: {said}");
                    assert!(said.contains("certificate"), "{params}: the error does not say why: {said}");
                }
                other => panic!("{params}: expected Backend, got {other:?}"),
            }
        }
    }

    /// A proxy on 127.0.0.2, a name the server's certificate (for `localhost` and 127.0.0.1)
    /// does not hold: `verify-full` refuses it, `verify-ca` (the authority only) accepts it.
    #[tokio::test]
    async fn tls_verify_full_checks_the_host_name_and_verify_ca_does_not() {
        let (Some(base), Some(ca)) = (common::postgres_url(TEST), var(TEST, "GDPR_TEST_POSTGRES_CA")) else {
            return;
        };
        let proxy = forward_from("127.0.0.2", port(&base)).await;
        let url = url_at(&base, "127.0.0.2", proxy, &format!("sslmode=verify-full&sslrootcert={ca}"));
        match PostgresStore::connect(&url).await {
            Err(e @ StoreError::Backend { .. }) => {
                let said = chain(&e);
                assert!(!said.contains(&url) && said.contains("certificate"), "{said}");
            }
            other => panic!("verify-full through 127.0.0.2: expected Backend, got {other:?}"),
        }
        let url = url_at(&base, "127.0.0.2", proxy, &format!("sslmode=verify-ca&sslrootcert={ca}"));
        assert!(connect_and_probe(&base, &url).await, "verify-ca");
    }

    /// `require` encrypts without checking the certificate (the server's authority is unknown
    /// to the client here), as libpq's `require` does without a root certificate file.
    #[tokio::test]
    async fn tls_sslmode_require_encrypts_without_checking() {
        let Some(base) = common::postgres_url(TEST) else { return };
        let url = url_at(&base, "localhost", port(&base), "sslmode=require");
        assert!(connect_and_probe(&base, &url).await, "{url}");
    }

    /// Forwards connections from `host`, on a port of its own (returned), to the test server on
    /// 127.0.0.1:`port`, byte for byte.
    async fn forward_from(host: &str, port: u16) -> u16 {
        let listener = TcpListener::bind((host, 0))
            .await
            .unwrap_or_else(|e| panic!("cannot listen on {host} (a loopback address on Linux): {e}"));
        let local = listener.local_addr().expect("bound").port();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(("127.0.0.1", port)).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        local
    }
}
