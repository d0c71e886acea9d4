//! An application that keeps its own data with rusqlite 0.39 adopts gdpr-obligations' SQLite
//! store on the same file: the crate's ledger and audit log, the application's table beside
//! them, one SQLite (bundled, linked once) for both. Exits non-zero when anything disagrees.

use gdpr_obligations::model::PartyId;
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{
    AuditAction, AuditEntry, AuditLog, AuditLogExt, DocumentKey, DocumentKind, LedgerStore, Scope, Version,
};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let dir = std::env::temp_dir().join(format!("adopter-rusqlite-0-39-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir(&dir)?;
    let result = run(&dir.join("app.sqlite")).await;
    std::fs::remove_dir_all(&dir)?;
    result
}

async fn run(path: &std::path::Path) -> Result<(), Error> {
    // The application's database comes first, with a table of its own, written through rusqlite;
    // the crate then opens the same file, keeping its tables beside the application's.
    let app = rusqlite::Connection::open(path)?;
    app.busy_timeout(std::time::Duration::from_secs(5))?;
    app.execute_batch("CREATE TABLE IF NOT EXISTS app_visitors (id INTEGER PRIMARY KEY, nick TEXT NOT NULL)")?;
    app.execute("INSERT INTO app_visitors (nick) VALUES (?1)", ["visitor-1"])?;
    let store = SqliteStore::open(path).await?;

    // The crate's ledger and audit log on the same file.
    let scope = Scope::of(PartyId::generate());
    let key = DocumentKey { kind: DocumentKind::Party, id: uuid::Uuid::now_v7() };
    let body = serde_json::json!({ "name": "ACME s.r.o." });
    let version = store.put_document(scope, key, &body, Version::NONE).await?;
    let entry = AuditEntry::new(chrono::Utc::now(), AuditAction::DocumentWritten { kind: key.kind, id: key.id });
    store.append(scope, entry).await?;
    assert_eq!(store.verify_all(scope).await?, 1, "the audit chain has the one entry");

    // Each side sees the other's writes: one file, one SQLite.
    let audited: i64 = app.query_row("SELECT COUNT(*) FROM gdpr_audit", [], |row| row.get(0))?;
    assert_eq!(audited, 1, "rusqlite reads the crate's audit log");
    app.execute("INSERT INTO app_visitors (nick) VALUES (?1)", ["visitor-2"])?;
    drop(app);
    store.close().await;

    // Reopened, the file holds both: the store accepts it and still has the document.
    let store = SqliteStore::open(path).await?;
    let stored = store.get_document(scope, key).await?.ok_or("the document is gone after reopening")?;
    assert_eq!((stored.version, stored.body), (version, body));
    store.close().await;
    let app = rusqlite::Connection::open(path)?;
    let visitors: i64 = app.query_row("SELECT COUNT(*) FROM app_visitors", [], |row| row.get(0))?;
    assert_eq!(visitors, 2, "the application's rows are intact");
    println!("rusqlite {} beside gdpr-obligations (sqlite) on one file, SQLite {}: ok", "0.39", rusqlite::version());
    Ok(())
}
