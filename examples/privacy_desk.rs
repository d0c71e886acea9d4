//! The request desk over HTTP: a small axum service that serves the controllers' desks of the
//! demo scene (the same as `chat_backend`'s) over the crate's embedded SQLite default.
//!
//! ```text
//! cargo run --example privacy_desk -- --listen 127.0.0.1:8080 [--db FILE]
//! ```
//!
//! Without `--db` the database is a new file in the temporary folder. A new database is seeded
//! with the scene: the parties, ACME's chat activity, and ACME's chat history, in which the
//! visitor `eva@example.cz` wrote a few messages. Once the listener accepts connections the
//! service prints `listening on http://ADDR` on stdout (`--listen 127.0.0.1:0` picks a free
//! port). Verification codes are delivered by a notifier that prints them on stdout.
//!
//! The controller is chosen by the path, `/controllers/{c}/...`: a desk serves one controller's
//! scope, and a request of another controller is not found there. `GET /controllers` lists the
//! seeded controllers (ACME and Kola Brno, with fixed ids).
//!
//! ```text
//! GET  /health                                      200 {"status": "ok"}
//! GET  /controllers                                 the controllers served
//! POST /controllers/{c}/requests                    receive a request: 201, id, status, deadlines
//! GET  /controllers/{c}/requests/{id}               status, identity, deadlines, outcome
//! POST /controllers/{c}/requests/{id}/identity      send a verification code (Art. 12(6)): 202
//! POST /controllers/{c}/requests/{id}/identity/confirm   {"code": "…"}
//! POST /controllers/{c}/requests/{id}/identity/waive     {"reason": "…"}
//! POST /controllers/{c}/requests/{id}/fulfil        start if open, carry out: request + report
//! GET  /controllers/{c}/requests/{id}/access-copy   Art. 15(3) copy, streamed JSON Lines
//! GET  /controllers/{c}/requests/{id}/export        Art. 20 export, streamed JSON Lines
//! GET  /controllers/{c}/agenda | agenda.ics         open obligations, JSON or iCalendar
//! GET  /controllers/{c}/feed?after=N&limit=M        the change feed from a cursor
//! ```
//!
//! Every body is JSON of at most 64 KiB. Every error is `{"error": "...", "article": "Art. …" |
//! null}`, with a 4xx status for what the caller got wrong (400 malformed JSON, 413 too large,
//! 422 unknown kind or bad field, 404 unknown id or another controller's, 409 a step the
//! request's lifecycle refuses now, 403 a wrong code, 429 a locked one) and 503 when the
//! ledger fails. An error never repeats what the caller sent (it may be personal data). The
//! service has no authentication: put it behind yours.

use std::error::Error;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use gdpr_obligations::agenda::{Agenda, AgendaOptions, Snapshot};
use gdpr_obligations::desk::{Desk, DeskError, FulfilmentReport};
use gdpr_obligations::fulfil::ByteStream;
use gdpr_obligations::model::{EmailAddress, Party, PartyId, PhoneNumber, SubjectIdentifier, Text, Token};
use gdpr_obligations::request::{
    Channel, ComplaintInformation, Processing, Receipt, Request, RequestId, RequestKind, StatusName,
};
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{
    FEED_PAGE_MAX, FeedPosition, LedgerStore, LedgerStoreExt, PersonalDataSource, PseudonymKey, Scope, Version,
};
use gdpr_obligations::time::DeadlinePolicy;
use gdpr_obligations::verify::{StdoutNotifier, VerifyError};
use gdpr_obligations::vocab::{LegalBasis, Purpose};
use serde_json::{Value, json};
use uuid::Uuid;

#[path = "common/scene.rs"]
mod scene;

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

#[path = "common/term.rs"]
mod term;

const USAGE: &str = "privacy_desk --listen ADDR:PORT [--db FILE]";

/// The largest request body the service reads; a larger one is refused with 413.
const BODY_LIMIT: usize = 64 * 1024;

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("Usage: {USAGE}\n");
            println!(
                "{}",
                term::wrap(
                    "",
                    0,
                    "Serves the demo controllers' request desks over HTTP (the endpoints are listed in the \
                     README, \"The privacy desk over HTTP\") and prints `listening on http://ADDR` once it \
                     accepts connections; --listen 127.0.0.1:0 picks a free port. --db keeps the data in \
                     FILE (default: a new file in the temporary folder), seeded with the demo scene when new."
                )
            );
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("privacy_desk: {e}; usage: {USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("privacy_desk: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("privacy_desk: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The command line.
struct Args {
    listen: SocketAddr,
    db: Option<PathBuf>,
}

impl Args {
    /// The arguments, or `None` when help was asked for.
    fn parse(args: impl IntoIterator<Item = String>) -> std::result::Result<Option<Args>, String> {
        let (mut listen, mut db) = (None, None);
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "-h" | "--help" => return Ok(None),
                "--listen" => {
                    let value = args.next().ok_or("--listen needs an address")?;
                    let addr =
                        value.parse::<SocketAddr>().map_err(|_| "--listen takes IP:PORT, e.g. 127.0.0.1:8080")?;
                    listen = Some(addr);
                }
                "--db" => db = Some(PathBuf::from(args.next().ok_or("--db needs a file")?)),
                _ => return Err("unknown argument".to_owned()),
            }
        }
        Ok(Some(Args { listen: listen.ok_or("--listen is required")?, db }))
    }
}

/// Opens the store, seeds it when new, binds, announces, serves until killed.
async fn serve(args: Args) -> Result<()> {
    let path = args.db.unwrap_or_else(|| std::env::temp_dir().join(format!("gdpr-privacy-desk-{}.db", Uuid::now_v7())));
    let db = SqliteStore::open(&path).await.map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let app = App::open(db).await?;
    eprintln!("privacy_desk: database {}", path.display());
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{addr}")?;
    stdout.flush()?;
    drop(stdout);
    axum::serve(listener, router(Arc::new(app))).await?;
    Ok(())
}

/// The service's state: one desk per controller of the scene, over one SQLite file.
struct App {
    db: SqliteStore,
    /// Each controller, its desk and its deadline policy: the default of its establishment.
    controllers: Vec<(Party, Desk, DeadlinePolicy)>,
    complaint: ComplaintInformation,
}

impl App {
    /// The desks of the scene's controllers, seeding the scene when the database is new.
    async fn open(db: SqliteStore) -> Result<App> {
        let parties = scene::Parties::new()?;
        let acme = Scope::of(parties.acme.id());
        // Erased visitors are recognised again after a restore only under the same key: a real
        // service keeps it in a secret store.
        let key = PseudonymKey::new(b"privacy-desk example pseudonym key")?;
        let chat = Arc::new(ChatHistory::sqlite(&db, key.clone()).await?);
        if db.all::<Party>(acme).await?.is_empty() {
            seed(&db, &chat, &parties).await?;
        }
        let ledger = Arc::new(db.clone());
        let controllers = [parties.acme, parties.bikes]
            .into_iter()
            .map(|party| {
                // The codes go to stdout here; a real service plugs in its mailer or SMS gateway.
                let desk = Desk::new(party.id(), ledger.clone(), ledger.clone(), key.clone())
                    .with_notifier(Arc::new(StdoutNotifier))
                    .with_source(chat.clone() as Arc<dyn PersonalDataSource>);
                // The holidays and zone of the controller's establishment (Art. 2(1) and 3(4) of
                // Regulation 1182/71): the scene's shops are Czech.
                let policy = party.default_deadline_policy().ok_or("a controller of the scene is outside the EEA")?;
                Ok((party, desk, policy))
            })
            .collect::<Result<_>>()?;
        Ok(App { db, controllers, complaint: scene::complaint()? })
    }

    /// The desk of the controller named in the path.
    fn desk(&self, controller: &str) -> std::result::Result<(&Desk, &DeadlinePolicy), Problem> {
        let id = controller.parse::<PartyId>().ok();
        self.controllers
            .iter()
            .find(|(party, _, _)| Some(party.id()) == id)
            .map(|(_, desk, policy)| (desk, policy))
            .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "no such controller: see GET /controllers"))
    }
}

/// The scene: every party in each shop's scope, ACME's chat activity, and ACME's chat history
/// in which Eva asked about her order.
async fn seed(db: &SqliteStore, chat: &ChatHistory, parties: &scene::Parties) -> Result<()> {
    let everyone =
        [&parties.vendor, &parties.hosting, &parties.mailer, &parties.translator, &parties.acme, &parties.bikes];
    let (acme, bikes) = (Scope::of(parties.acme.id()), Scope::of(parties.bikes.id()));
    for scope in [acme, bikes] {
        for party in everyone {
            db.put(scope, party, Version::NONE).await?;
        }
    }
    let activity = scene::chat_activity(&parties.acme, &parties.vendor, &parties.hosting, &parties.mailer)?;
    db.put(acme, &activity, Version::NONE).await?;

    let day: DateTime<Utc> = "2026-03-10T13:00:00Z".parse()?;
    let eva = chat.add_visitor(acme, Token::new("v-eva")?, day).await?;
    chat.add_identifier(acme, eva, SubjectIdentifier::Email(EmailAddress::new("eva@example.cz")?), day).await?;
    let talk = chat.start_conversation(acme, eva, day).await?;
    let agent = Sender::Agent(Text::new("Jana Dvořáková")?);
    for (from, message) in [
        (Sender::Visitor(eva), "Hello, order 42 has not arrived."),
        (agent.clone(), "Sorry, Eva, I will check it for you."),
        (Sender::Visitor(eva), "Thank you. Can you send it to Brno instead?"),
    ] {
        chat.post(acme, talk, from, Text::new(message)?, vec![], day).await?;
    }
    let petr = chat.add_visitor(acme, Token::new("v-petr")?, day).await?;
    let other = chat.start_conversation(acme, petr, day).await?;
    chat.post(acme, other, Sender::Visitor(petr), Text::new("Do you ship to Slovakia?")?, vec![], day).await?;
    Ok(())
}

type Shared = State<Arc<App>>;
type Answer = std::result::Result<Response, Problem>;

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/controllers", get(controllers))
        .route("/controllers/{controller}/requests", post(submit))
        .route("/controllers/{controller}/requests/{id}", get(status))
        .route("/controllers/{controller}/requests/{id}/identity", post(send_code))
        .route("/controllers/{controller}/requests/{id}/identity/confirm", post(confirm))
        .route("/controllers/{controller}/requests/{id}/identity/waive", post(waive))
        .route("/controllers/{controller}/requests/{id}/fulfil", post(fulfil))
        .route("/controllers/{controller}/requests/{id}/access-copy", get(download_access_copy))
        .route("/controllers/{controller}/requests/{id}/export", get(download_export))
        .route("/controllers/{controller}/agenda", get(agenda))
        .route("/controllers/{controller}/agenda.ics", get(agenda_ics))
        .route("/controllers/{controller}/feed", get(feed))
        .fallback(|| async { Problem::new(StatusCode::NOT_FOUND, "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED, "the endpoint does not take this method")
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(app)
}

async fn health() -> Response {
    json(StatusCode::OK, &json!({ "status": "ok" }))
}

async fn controllers(State(app): Shared) -> Response {
    let list: Vec<Value> =
        app.controllers.iter().map(|(party, _, _)| json!({ "id": party.id(), "name": party.legal_name() })).collect();
    json(StatusCode::OK, &json!({ "controllers": list }))
}

/// `POST /controllers/{controller}/requests`: receives a request from the data subject.
///
/// Body: `{"kind": {"right": "access"}, "channel": "web_form", "requester": {"email": "…"}}`;
/// `kind` is the crate's `RequestKind` (`{"right": "erasure", "ground": "no_longer_necessary"}`),
/// `channel` defaults to `web_form`; `processing` (`{"basis": "contract", "purpose":
/// "customer_care"}`) defaults to ACME's chat, legitimate interests for customer care, under
/// which a portability request is refused at once (Art. 20(1)); `requester` needs an e-mail address or a phone number (the
/// identity check is sent there, Art. 12(6)).
async fn submit(
    State(app): Shared,
    path: PathArgs<String>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Answer {
    let (desk, policy) = app.desk(&path?.0)?;
    let body = parse_body(body)?;
    let kind = serde_json::from_value::<RequestKind>(field(&body, "kind")?.clone()).map_err(|_| {
        Problem::unprocessable(
            "unknown request kind: `kind` is {\"right\": …} with one of access, rectification, erasure (with a \
             ground), restriction (with a ground), portability, objection (with a ground), \
             automated_decision_review, consent_withdrawal",
        )
        .citing("Arts. 15-22")
    })?;
    let channel = match body.get("channel") {
        None => Channel::WebForm,
        Some(v) => serde_json::from_value::<Channel>(v.clone()).map_err(|_| {
            Problem::unprocessable("unknown channel: one of chat, email, web_form, phone, post, in_person")
        })?,
    };
    let processing = match body.get("processing") {
        None => Processing::new(LegalBasis::LegitimateInterests, Purpose::CustomerCare),
        Some(v) => serde_json::from_value::<Processing>(v.clone()).map_err(|_| {
            Problem::unprocessable("processing is {\"basis\": an Art. 6(1) basis, \"purpose\": a purpose}")
                .citing("Art. 6(1)")
        })?,
    };
    let requester = requester(field(&body, "requester")?)?;
    let receipt = Receipt::new(
        desk.scope().controller(),
        Utc::now(),
        kind,
        processing,
        channel,
        policy.clone(),
        app.complaint.clone(),
    )
    .with_requester(requester);
    let request = desk.receive(receipt).await.map_err(Problem::from_desk)?;
    let mut response = json(StatusCode::CREATED, &view(&request));
    if let Ok(location) = format!("/controllers/{}/requests/{}", desk.scope().controller(), request.id()).parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The requester's contact: `{"email": "…"}` and/or `{"phone": "+420…"}`.
fn requester(value: &Value) -> std::result::Result<Vec<SubjectIdentifier>, Problem> {
    let mut ids = Vec::new();
    if let Some(email) = value.get("email") {
        let email = email.as_str().and_then(|e| EmailAddress::new(e).ok());
        ids.push(SubjectIdentifier::Email(
            email.ok_or_else(|| Problem::unprocessable("requester.email is not an e-mail address"))?,
        ));
    }
    if let Some(phone) = value.get("phone") {
        let phone = phone.as_str().and_then(|p| PhoneNumber::new(p).ok());
        ids.push(SubjectIdentifier::Phone(
            phone.ok_or_else(|| Problem::unprocessable("requester.phone is not a phone number in E.164 form"))?,
        ));
    }
    if ids.is_empty() {
        return Err(Problem::unprocessable(
            "requester needs an e-mail address or a phone number to send the identity check to",
        )
        .citing("Art. 12(6)"));
    }
    Ok(ids)
}

/// `GET /controllers/{controller}/requests/{id}`: status, identity, deadlines and what carrying
/// the request out came to.
async fn status(State(app): Shared, path: PathArgs<(String, String)>) -> Answer {
    let (desk, id) = request_in(&app, path)?;
    let request = desk.request(id).await.map_err(Problem::from_desk)?.value;
    Ok(json(StatusCode::OK, &view(&request)))
}

/// `POST /controllers/{controller}/requests/{id}/identity`: asks the requester to prove who
/// they are (Art. 12(6)): the desk sends a single-use code to the e-mail address (or phone)
/// the request gave, through its notifier (here: a line on stdout). Sending again replaces the
/// code, up to a limit. Answers 202 with the code's expiry and the request.
async fn send_code(State(app): Shared, path: PathArgs<(String, String)>) -> Answer {
    let (desk, id) = request_in(&app, path)?;
    let expires_at = desk.send_verification(id, Utc::now()).await.map_err(Problem::from_desk)?;
    let request = desk.request(id).await.map_err(Problem::from_desk)?.value;
    Ok(json(StatusCode::ACCEPTED, &json!({ "expires_at": expires_at, "request": view(&request) })))
}

/// `POST /controllers/{controller}/requests/{id}/identity/confirm`: checks the code
/// (`{"code": "…"}`); a right one records the identity as verified (Art. 12(6)), a wrong one
/// uses one of the code's attempts (Art. 32).
async fn confirm(
    State(app): Shared,
    path: PathArgs<(String, String)>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Answer {
    let (desk, id) = request_in(&app, path)?;
    let body = parse_body(body)?;
    let code = field(&body, "code")?.as_str().ok_or_else(|| Problem::unprocessable("code is a string"))?;
    let request = desk.confirm_identity(id, code, Utc::now()).await.map_err(Problem::from_desk)?;
    Ok(json(StatusCode::OK, &view(&request)))
}

/// `POST /controllers/{controller}/requests/{id}/identity/waive`: records that verifying the
/// requester is unnecessary (Art. 12(6): the controller asks only on reasonable doubts).
/// Body: `{"reason": "…"}`.
async fn waive(
    State(app): Shared,
    path: PathArgs<(String, String)>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Answer {
    let (desk, id) = request_in(&app, path)?;
    let body = parse_body(body)?;
    let reason = field(&body, "reason")?
        .as_str()
        .and_then(|r| Text::new(r).ok())
        .ok_or_else(|| Problem::unprocessable("reason is a non-empty text").citing("Art. 12(6)"))?;
    let request = desk.waive_verification(id, Utc::now(), reason).await.map_err(Problem::from_desk)?;
    Ok(json(StatusCode::OK, &view(&request)))
}

/// `POST /controllers/{controller}/requests/{id}/fulfil`: starts the request if it is open, then
/// carries it out through the desk, which refuses unless the identity is settled
/// (Art. 5(1)(f), 12(6)). Answers with the request and the report's summary.
async fn fulfil(State(app): Shared, path: PathArgs<(String, String)>) -> Answer {
    let (desk, id) = request_in(&app, path)?;
    let now = Utc::now();
    let request = desk.request(id).await.map_err(Problem::from_desk)?.value;
    if request.status().name() == StatusName::Open {
        desk.start(id, now).await.map_err(Problem::from_desk)?;
    }
    let done = desk.fulfil(id, now).await.map_err(Problem::from_desk)?;
    Ok(json(StatusCode::OK, &json!({ "request": view(&done.request), "report": summary(&done.report) })))
}

/// `GET /controllers/{controller}/requests/{id}/access-copy`: the Art. 15(3) copy of the
/// requester's data as JSON Lines, streamed from the sources as they are read. The desk refuses
/// it unless the request is an access request being carried out (or carried out) with the
/// requester's identity settled (Art. 5(1)(f)), and audits a copy read to its end.
async fn download_access_copy(State(app): Shared, path: PathArgs<(String, String)>) -> Answer {
    let (desk, id) = request_in(&app, path)?;
    let body = desk.access_copy(id, Utc::now()).await.map_err(Problem::from_desk)?;
    Ok(ndjson(body, &format!("access-copy-{id}.jsonl")))
}

/// `GET /controllers/{controller}/requests/{id}/export`: the Art. 20 portable export (the data
/// the requester provided) as JSON Lines, streamed, under the same conditions for a portability
/// request.
async fn download_export(State(app): Shared, path: PathArgs<(String, String)>) -> Answer {
    let (desk, id) = request_in(&app, path)?;
    let body = desk.portable_export(id, Utc::now()).await.map_err(Problem::from_desk)?;
    Ok(ndjson(body, &format!("portable-export-{id}.jsonl")))
}

/// A streamed JSON Lines body. A source failing midway ends the stream with an error, which
/// aborts the transfer, so that an incomplete download never looks complete.
fn ndjson(body: ByteStream, filename: &str) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [(header::CONTENT_TYPE, "application/x-ndjson".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        Body::from_stream(body),
    )
        .into_response()
}

/// `GET /controllers/{controller}/feed?after=N&limit=M`: the scope's change feed after position
/// `N` (0: from the start), at most `M` entries (default 100, at most the store's page).
async fn feed(State(app): Shared, path: PathArgs<String>, RawQuery(query): RawQuery) -> Answer {
    let (desk, _) = app.desk(&path?.0)?;
    let (mut after, mut limit) = (0u64, 100usize);
    for pair in query.as_deref().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("after", n)) => {
                after = n.parse().map_err(|_| Problem::bad_request("after is a position: 0, 1, …"))?
            }
            Some(("limit", n)) => {
                limit = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=FEED_PAGE_MAX).contains(n))
                    .ok_or_else(|| Problem::bad_request(&format!("limit is a number from 1 to {FEED_PAGE_MAX}")))?;
            }
            _ => return Err(Problem::bad_request("the feed takes `after` and `limit`")),
        }
    }
    let entries =
        app.db.read_feed(desk.scope(), FeedPosition::new(after), limit).await.map_err(|e| Problem::store(&e))?;
    let next = entries.last().map_or(after, |e| e.position.get());
    Ok(json(StatusCode::OK, &json!({ "entries": entries, "next": next })))
}

/// `GET /controllers/{controller}/agenda`: every open obligation of the controller's scope now.
async fn agenda(State(app): Shared, path: PathArgs<String>) -> Answer {
    let agenda = agenda_of(&app, path).await?;
    Ok(json(StatusCode::OK, &agenda))
}

/// `GET /controllers/{controller}/agenda.ics`: the same as an iCalendar feed.
async fn agenda_ics(State(app): Shared, path: PathArgs<String>) -> Answer {
    let agenda = agenda_of(&app, path).await?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], agenda.to_ical()).into_response())
}

async fn agenda_of(app: &App, path: PathArgs<String>) -> std::result::Result<Agenda, Problem> {
    let (desk, policy) = app.desk(&path?.0)?;
    let snapshot = Snapshot::load(&app.db, desk.scope()).await.map_err(|e| Problem::store(&e))?;
    Ok(Agenda::build(&snapshot, Utc::now(), &AgendaOptions::new(policy.clone())))
}

/// A request as the service shows it: no requester identifiers (personal data the caller
/// already has), the rest of the request's state.
fn view(request: &Request) -> Value {
    json!({
        "id": request.id(),
        "controller": request.receipt().controller,
        "kind": request.kind(),
        "article": request.kind().article().to_string(),
        "channel": request.receipt().channel,
        "received_at": request.receipt().at,
        "status": request.status(),
        "identity": request.identity(),
        "deadlines": request.deadlines(),
        "carried_out": request.carried_out(),
    })
}

/// What a fulfilment came to, without the copy of the data (that is downloaded).
fn summary(report: &FulfilmentReport) -> Value {
    let sources = |sources: &[gdpr_obligations::fulfil::SourceReport]| -> Vec<Value> {
        sources.iter().map(|s| json!({ "source": s.source, "status": s.status, "records": s.records })).collect()
    };
    match report {
        FulfilmentReport::Access(r) => json!({
            "operation": "access",
            "article": "Art. 15",
            "complete": report.is_complete(),
            "records": r.copy.len(),
            "sources": sources(&r.sources),
        }),
        FulfilmentReport::Portability { records, failed } => json!({
            "operation": "portability",
            "article": "Art. 20",
            "complete": report.is_complete(),
            "records": records,
            "failed": failed,
        }),
        FulfilmentReport::Step(r) => json!({
            "operation": r.operation,
            "article": r.article.to_string(),
            "complete": report.is_complete(),
            "records": r.sources.iter().map(|s| s.records).sum::<u64>(),
            "sources": sources(&r.sources),
            "retained": r.retained.iter().map(|k| json!({ "record": k.record, "article": k.article.to_string() })).collect::<Vec<_>>(),
            "recipients_to_tell": r.notices.iter().map(|n| json!({ "recipient": n.recipient, "article": n.article.to_string() })).collect::<Vec<_>>(),
        }),
        _ => json!({ "complete": report.is_complete() }),
    }
}

// ---------------------------------------------------------------------------------------------
// Extraction and errors: everything the caller sends is parsed here, and every refusal is a
// `Problem` with a JSON body.

type PathArgs<T> = std::result::Result<Path<T>, PathRejection>;

/// The desk and the request id of a `/controllers/{controller}/requests/{id}` path.
fn request_in(app: &App, path: PathArgs<(String, String)>) -> std::result::Result<(&Desk, RequestId), Problem> {
    let Path((controller, id)) = path?;
    let (desk, _) = app.desk(&controller)?;
    let id = id.parse::<RequestId>().map_err(|_| Problem::new(StatusCode::NOT_FOUND, "not a request id"))?;
    Ok((desk, id))
}

/// The body as a JSON object; 413 over the limit, 400 when it is not JSON, 422 when it is not
/// an object.
fn parse_body(body: std::result::Result<Bytes, BytesRejection>) -> std::result::Result<Value, Problem> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, &format!("the body is larger than {BODY_LIMIT} bytes"))
        } else {
            Problem::new(StatusCode::BAD_REQUEST, "the body could not be read")
        }
    })?;
    let value = serde_json::from_slice::<Value>(&bytes).map_err(|e| {
        // The position only: serde's message may quote the input.
        Problem::new(StatusCode::BAD_REQUEST, &format!("malformed JSON at line {}, column {}", e.line(), e.column()))
    })?;
    if !value.is_object() {
        return Err(Problem::unprocessable("the body is not a JSON object"));
    }
    Ok(value)
}

fn field<'a>(body: &'a Value, name: &str) -> std::result::Result<&'a Value, Problem> {
    body.get(name).ok_or_else(|| Problem::unprocessable(&format!("missing field `{name}`")))
}

fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(_) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "the answer could not be encoded").into_response(),
    }
}

/// A refusal: the status, what was wrong, and the provision behind it where there is one.
#[derive(Debug)]
struct Problem {
    status: StatusCode,
    error: String,
    article: Option<String>,
}

impl Problem {
    fn new(status: StatusCode, error: &str) -> Self {
        Self { status, error: error.to_owned(), article: None }
    }

    fn bad_request(error: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error)
    }

    fn unprocessable(error: &str) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, error)
    }

    fn citing(mut self, article: &str) -> Self {
        self.article = Some(article.to_owned());
        self
    }

    /// The ledger failed: the service's fault, not the caller's. The cause goes to the log only.
    fn store(e: &dyn std::fmt::Display) -> Self {
        eprintln!("privacy_desk: the ledger failed: {e}");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "the ledger failed; try again")
    }

    /// The desk's refusals as HTTP: what the caller asked for does not exist (404), is not
    /// allowed now (409, naming the article), or cannot be carried out as asked (422); the
    /// ledger's failures are 503. The desk's messages carry ids and articles, no personal data.
    fn from_desk(e: DeskError) -> Self {
        let status = match &e {
            DeskError::NotFound { .. } => StatusCode::NOT_FOUND,
            DeskError::OtherController { .. } | DeskError::NotReceivedHere { .. } => StatusCode::FORBIDDEN,
            DeskError::Rejected(_) | DeskError::NothingToRun { .. } | DeskError::NeedsRectification => {
                StatusCode::CONFLICT
            }
            DeskError::NoIdentifiers { .. } | DeskError::OnlyWeakIdentifiers { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            DeskError::Contended { .. } => StatusCode::SERVICE_UNAVAILABLE,
            DeskError::Verify(v) => match v {
                VerifyError::WrongCode { .. } | VerifyError::Expired { .. } => StatusCode::FORBIDDEN,
                VerifyError::Locked { .. } | VerifyError::TooManyCodes { .. } => StatusCode::TOO_MANY_REQUESTS,
                VerifyError::NotIssued { .. } | VerifyError::AlreadyVerified { .. } => StatusCode::CONFLICT,
                VerifyError::Undeliverable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                _ => return Self::store(&DisplayChain(&e)),
            },
            _ => return Self::store(&DisplayChain(&e)),
        };
        // The verification's own message says which: wrong (with the attempts left), expired,
        // used, locked. Like the desk's, it names ids and articles, never the code or address.
        let error = match &e {
            DeskError::Verify(v) => v.to_string(),
            _ => e.to_string(),
        };
        Self { status, error, article: e.article().map(|a| a.to_string()) }
    }
}

impl From<PathRejection> for Problem {
    fn from(_: PathRejection) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "no such path")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "article": self.article });
        let body =
            serde_json::to_vec(&body).unwrap_or_else(|_| b"{\"error\": \"unknown\", \"article\": null}".to_vec());
        (self.status, [(header::CONTENT_TYPE, "application/json")], Body::from(body)).into_response()
    }
}

/// An error with its sources, for the log.
struct DisplayChain<'a>(&'a dyn Error);

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(e) = source {
            write!(f, ": {e}")?;
            source = e.source();
        }
        Ok(())
    }
}
