//! An application on the current rusqlite (0.43) adopts gdpr-obligations without its default
//! `sqlite` feature, so that only rusqlite links SQLite: the crate's in-memory ledger and audit
//! log (for a durable one, the `postgres` feature). Exits non-zero when anything disagrees.

use gdpr_obligations::model::PartyId;
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{
    AuditAction, AuditEntry, AuditLog, AuditLogExt, DocumentKey, DocumentKind, LedgerStore, Scope, Version,
};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // The application's data, in its own SQLite through rusqlite.
    let app = rusqlite::Connection::open_in_memory()?;
    app.execute_batch("CREATE TABLE app_visitors (id INTEGER PRIMARY KEY, nick TEXT NOT NULL)")?;
    app.execute("INSERT INTO app_visitors (nick) VALUES (?1)", ["visitor-1"])?;

    // The crate's obligations, kept by its in-memory stores.
    let (ledger, log) = (MemoryLedger::new(), MemoryAuditLog::new());
    let scope = Scope::of(PartyId::generate());
    let key = DocumentKey { kind: DocumentKind::Party, id: uuid::Uuid::now_v7() };
    let body = serde_json::json!({ "name": "ACME s.r.o." });
    let version = ledger.put_document(scope, key, &body, Version::NONE).await?;
    let stored = ledger.get_document(scope, key).await?.ok_or("the document is missing")?;
    assert_eq!((stored.version, stored.body), (version, body));
    let entry = AuditEntry::new(chrono::Utc::now(), AuditAction::DocumentWritten { kind: key.kind, id: key.id });
    log.append(scope, entry).await?;
    assert_eq!(log.verify_all(scope).await?, 1, "the audit chain has the one entry");

    let visitors: i64 = app.query_row("SELECT COUNT(*) FROM app_visitors", [], |row| row.get(0))?;
    assert_eq!(visitors, 1);
    println!("rusqlite 0.43 (SQLite {}) beside gdpr-obligations without default features: ok", rusqlite::version());
    Ok(())
}
