//! The HTTP service example (`examples/privacy_desk.rs`) from the outside: the test builds the
//! example with the features of this test build, starts it on 127.0.0.1 with port 0, reads the
//! address it prints, and talks HTTP/1.1 to it over a plain `TcpStream` (a bounded number of
//! requests). The server is killed when the test ends, passed or failed.
#![cfg(feature = "sqlite")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// ACME s.r.o., the scene's first controller (its id is fixed in `examples/common/scene.rs`).
const ACME: &str = "01900000-0000-7000-8000-000000000005";
/// Kola Brno s.r.o., the other controller.
const BIKES: &str = "01900000-0000-7000-8000-000000000006";

#[test]
fn privacy_desk_serves_a_request_from_submission_to_download() {
    let server = Server::start();
    let acme = |path: &str| format!("/controllers/{ACME}{path}");

    // Health, and the controllers served.
    let health = server.call("GET", "/health", None);
    assert_eq!(health.status, 200, "{health:?}");
    let listed = server.call("GET", "/controllers", None).json();
    let ids: Vec<&str> = listed["controllers"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [ACME, BIKES]);

    // Eva asks for a copy of her data (Art. 15): 201, the id, the status and the deadlines.
    let body =
        json!({ "kind": { "right": "access" }, "channel": "web_form", "requester": { "email": "eva@example.cz" } });
    let submitted = server.call("POST", &acme("/requests"), Some(&body.to_string()));
    assert_eq!(submitted.status, 201, "{submitted:?}");
    let request = submitted.json();
    let id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(request["status"]["state"], "open");
    assert_eq!(request["kind"]["right"], "access");
    assert!(request["deadlines"]["due"]["date"].is_string(), "Art. 12(3) due date: {request}");
    assert_eq!(submitted.header("location").as_deref(), Some(acme(&format!("/requests/{id}")).as_str()));
    assert!(!submitted.text().contains("eva@example.cz"), "the status does not repeat the requester's e-mail");

    let status = server.call("GET", &acme(&format!("/requests/{id}")), None);
    assert_eq!(status.status, 200, "{status:?}");
    assert_eq!(status.json()["id"], id.as_str());
    assert_eq!(status.json()["identity"]["identity"], "unchecked");

    // The refusals: 4xx with a JSON error, never the caller's input echoed.
    let secret = "secret.person@example.cz";
    for (what, body, want) in [
        ("malformed JSON", "{\"kind\": ".to_owned(), 400),
        ("not an object", "[1, 2]".to_owned(), 422),
        (
            "unknown kind",
            json!({ "kind": { "right": "teleportation" }, "requester": { "email": secret } }).to_string(),
            422,
        ),
        ("missing requester", json!({ "kind": { "right": "access" } }).to_string(), 422),
        (
            "bad e-mail",
            json!({ "kind": { "right": "access" }, "requester": { "email": "secret.person(at)example" } }).to_string(),
            422,
        ),
        ("oversized body", format!("{{\"pad\": \"{}\"}}", "x".repeat(70 * 1024)), 413),
    ] {
        let refused = server.call("POST", &acme("/requests"), Some(&body));
        assert_eq!(refused.status, want, "{what}: {refused:?}");
        let error = refused.json();
        assert!(error["error"].as_str().is_some_and(|e| !e.is_empty()), "{what}: {error}");
        assert!(error.get("article").is_some(), "{what}: the error names its article, or null: {error}");
        assert!(!refused.text().contains("secret.person"), "{what}: the error echoes the input: {error}");
    }
    let unknown_kind = server.call(
        "POST",
        &acme("/requests"),
        Some(&json!({ "kind": { "right": "x" }, "requester": {} }).to_string()),
    );
    assert!(unknown_kind.json()["error"].as_str().unwrap().contains("unknown request kind"), "{unknown_kind:?}");
    let unknown = server.call("GET", &acme("/requests/01900000-0000-7000-8000-0000000000ff"), None);
    assert_eq!(unknown.status, 404, "an unknown id: {unknown:?}");
    let garbage = server.call("GET", &acme("/requests/not-an-id"), None);
    assert_eq!(garbage.status, 404, "{garbage:?}");
    let elsewhere = server.call("GET", &format!("/controllers/{BIKES}/requests/{id}"), None);
    assert_eq!(elsewhere.status, 404, "ACME's request is not found at Kola Brno's desk: {elsewhere:?}");
    for (method, path, want) in [("DELETE", "/health", 405), ("GET", "/nowhere", 404)] {
        let refused = server.call(method, path, None);
        assert_eq!(refused.status, want, "{method} {path}: {refused:?}");
        assert!(refused.json()["error"].is_string(), "{method} {path}: {refused:?}");
    }
    let nobody = server.call("GET", "/controllers/01900000-0000-7000-8000-0000000000ee/agenda", None);
    assert_eq!(nobody.status, 404, "{nobody:?}");

    // Nothing is carried out or handed over before the requester's identity is settled
    // (Art. 5(1)(f), 12(6)).
    let early = server.call("POST", &acme(&format!("/requests/{id}/fulfil")), None);
    assert_eq!(early.status, 409, "{early:?}");
    assert_eq!(early.json()["article"], "Art. 5(1)(f)");
    let early = server.call("GET", &acme(&format!("/requests/{id}/access-copy")), None);
    assert_eq!(early.status, 409, "{early:?}");
    assert_eq!(early.json()["article"], "Art. 5(1)(f)");

    // The identity check: a code goes to Eva's e-mail (here: the server's stdout), a wrong code
    // is refused, the right one verifies her.
    let sent = server.call("POST", &acme(&format!("/requests/{id}/identity")), None);
    assert_eq!(sent.status, 202, "{sent:?}");
    assert_eq!(sent.json()["request"]["status"]["state"], "awaiting_identity");
    let code = server.code_for(&id);
    let confirm = |code: &str| {
        server.call(
            "POST",
            &acme(&format!("/requests/{id}/identity/confirm")),
            Some(&json!({ "code": code }).to_string()),
        )
    };
    let wrong = confirm("not-the-code");
    assert_eq!(wrong.status, 403, "{wrong:?}");
    assert_eq!(wrong.json()["article"], "Art. 12(6)");
    let verified = confirm(&code);
    assert_eq!(verified.status, 200, "{verified:?}");
    assert_eq!(verified.json()["identity"]["identity"], "verified");
    let reused = confirm(&code);
    assert_eq!(reused.status, 409, "a code is used once: {reused:?}");

    // Carried out: the request completes with the report's summary.
    let fulfilled = server.call("POST", &acme(&format!("/requests/{id}/fulfil")), None);
    assert_eq!(fulfilled.status, 200, "{fulfilled:?}");
    let done = fulfilled.json();
    assert_eq!(done["request"]["status"]["state"], "completed", "{done}");
    assert_eq!(done["report"]["complete"], true, "{done}");
    assert!(done["report"]["records"].as_u64().is_some_and(|n| n >= 2), "Eva's messages are found: {done}");
    let again = server.call("GET", &acme(&format!("/requests/{id}")), None).json();
    assert_eq!(again["carried_out"]["records"], done["report"]["records"]);

    // The access copy, streamed as JSON Lines: a header, then Eva's data and none of Petr's.
    let copy = server.call("GET", &acme(&format!("/requests/{id}/access-copy")), None);
    assert_eq!(copy.status, 200, "{copy:?}");
    assert_eq!(copy.header("content-type").as_deref(), Some("application/x-ndjson"));
    assert_eq!(copy.header("transfer-encoding").as_deref(), Some("chunked"), "streamed, not buffered");
    let lines = copy.lines();
    assert_eq!(lines[0]["format"], "gdpr-obligations/access-copy/v1", "{lines:?}");
    assert!(lines.len() >= 3, "a header and Eva's records: {lines:?}");
    assert!(copy.text().contains("order 42 has not arrived"), "{}", copy.text());
    assert!(!copy.text().contains("Slovakia"), "Petr's message is not in Eva's copy (Art. 15(4))");
    let wrong_kind = server.call("GET", &acme(&format!("/requests/{id}/export")), None);
    assert_eq!(wrong_kind.status, 409, "{wrong_kind:?}");

    // Portability (Art. 20) needs consent or a contract: the export holds what Eva provided.
    let body = json!({
        "kind": { "right": "portability" },
        "processing": { "basis": "contract", "purpose": "customer_care" },
        "requester": { "email": "eva@example.cz" },
    });
    let portable = server.call("POST", &acme("/requests"), Some(&body.to_string()));
    assert_eq!(portable.status, 201, "{portable:?}");
    let portable = portable.json()["id"].as_str().unwrap().to_owned();
    let waived = server.call(
        "POST",
        &acme(&format!("/requests/{portable}/identity/waive")),
        Some(&json!({ "reason": "asked from the logged-in account whose data it is" }).to_string()),
    );
    assert_eq!(waived.status, 200, "{waived:?}");
    assert_eq!(waived.json()["identity"]["identity"], "not_required");
    let not_started = server.call("GET", &acme(&format!("/requests/{portable}/export")), None);
    assert_eq!(not_started.status, 409, "nothing is handed over before the request is carried out: {not_started:?}");
    let fulfilled = server.call("POST", &acme(&format!("/requests/{portable}/fulfil")), None);
    assert_eq!(fulfilled.status, 200, "{fulfilled:?}");
    let export = server.call("GET", &acme(&format!("/requests/{portable}/export")), None);
    assert_eq!(export.status, 200, "{export:?}");
    let lines = export.lines();
    assert_eq!(lines[0]["format"], "gdpr-obligations/portable-export/v1", "{lines:?}");
    assert!(lines[1..].iter().all(|item| item["provided_by_subject"] == true), "{lines:?}");
    let texts: Vec<&str> = lines.iter().filter_map(|item| item["data"]["text"].as_str()).collect();
    assert_eq!(texts, ["Hello, order 42 has not arrived.", "Thank you. Can you send it to Brno instead?"]);
    assert!(!export.text().contains("I will check it for you"), "the agent's message is not Eva's to port");

    // The agenda as JSON and as iCalendar.
    let agenda = server.call("GET", &acme("/agenda"), None);
    assert_eq!(agenda.status, 200, "{agenda:?}");
    assert!(agenda.json()["obligations"].is_array(), "{agenda:?}");
    let ics = server.call("GET", &acme("/agenda.ics"), None);
    assert_eq!(ics.status, 200, "{ics:?}");
    assert!(ics.header("content-type").is_some_and(|t| t.starts_with("text/calendar")), "{ics:?}");
    assert!(ics.text().starts_with("BEGIN:VCALENDAR"), "{ics:?}");

    // The change feed, page by page from a cursor.
    let first = server.call("GET", &acme("/feed?after=0&limit=3"), None);
    assert_eq!(first.status, 200, "{first:?}");
    let first = first.json();
    let positions = |page: &Value| -> Vec<u64> {
        page["entries"].as_array().unwrap().iter().map(|e| e["position"].as_u64().unwrap()).collect()
    };
    assert_eq!(positions(&first), [1, 2, 3], "{first}");
    let next = first["next"].as_u64().unwrap();
    let rest = server.call("GET", &acme(&format!("/feed?after={next}&limit=1000")), None).json();
    let rest = positions(&rest);
    assert!(!rest.is_empty() && rest.iter().zip(4..).all(|(p, want)| *p == want), "in order, no gap: {rest:?}");
    for query in ["limit=0", "after=minus-one", "since=3"] {
        let refused = server.call("GET", &acme(&format!("/feed?{query}")), None);
        assert_eq!(refused.status, 400, "{query}: {refused:?}");
    }
}

/// The example's process; killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// The lines it prints after the listening line.
    lines: Receiver<String>,
    /// Its database, removed on drop.
    db: PathBuf,
}

impl Server {
    /// Builds the example with this test's features and starts it on a free port.
    fn start() -> Server {
        let mut features: Vec<&str> = vec!["testkit", "ical"];
        for (on, name) in [(cfg!(feature = "sqlite"), "sqlite"), (cfg!(feature = "postgres"), "postgres")] {
            if on {
                features.push(name);
            }
        }
        // This binary is target/<profile>/deps/privacy_desk-<hash>; the example is beside deps.
        let exe = std::env::current_exe().expect("the test binary's path");
        let profile = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
        let mut build = Command::new(env!("CARGO"));
        build.args(["build", "--quiet", "--example", "privacy_desk", "--no-default-features", "--features"]);
        build.arg(features.join(","));
        if profile.file_name().is_some_and(|name| name == "release") {
            build.arg("--release");
        }
        let built = build.current_dir(env!("CARGO_MANIFEST_DIR")).status().expect("cargo runs");
        assert!(built.success(), "the example builds");
        let example: PathBuf = profile.join("examples").join(format!("privacy_desk{}", std::env::consts::EXE_SUFFIX));
        let db = std::env::temp_dir().join(format!("gdpr-privacy-desk-test-{}.db", uuid::Uuid::now_v7()));
        let mut child = Command::new(&example)
            .args(["--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{} starts: {e}", example.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server { child, addr: SocketAddr::from(([127, 0, 0, 1], 0)), lines, db };
        let first = server.lines.recv_timeout(Duration::from_secs(60)).expect("the server announces its address");
        let addr = first.strip_prefix("listening on http://").unwrap_or_else(|| panic!("the first line: {first}"));
        server.addr = addr.parse().expect("an address");
        server
    }

    /// One HTTP/1.1 exchange on a new connection.
    fn call(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let mut stream = TcpStream::connect(self.addr).expect("the server accepts");
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("a timeout");
        let body = body.unwrap_or("");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).expect("the request is sent");
        // A refused body may be cut short by the server: the answer is what counts.
        let _ = stream.write_all(body.as_bytes());
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("the answer is read");
        Reply::parse(&raw)
    }
}

impl Server {
    /// The verification code the server printed for `request` (its notifier writes to stdout).
    fn code_for(&self, request: &str) -> String {
        let prefix = format!("verification code for request {request} to email: ");
        loop {
            let line = self.lines.recv_timeout(Duration::from_secs(10)).expect("the server prints the code");
            if let Some(code) = line.strip_prefix(&prefix) {
                return code.trim().to_owned();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.db.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A response: status, headers (names lower-cased), and the body (chunks joined).
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?} {}", self.status, self.headers, self.text())
    }
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a head and a body");
        let head = std::str::from_utf8(&raw[..split]).expect("an ASCII head");
        let mut lines = head.split("\r\n");
        let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("a status");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let rest = &raw[split + 4..];
        let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
        let body = if chunked { dechunk(rest) } else { rest.to_vec() };
        Reply { status, headers, body }
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A JSON Lines body, line by line.
    fn lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a JSON line ({e}): {l}")))
            .collect()
    }

    fn json(&self) -> Value {
        assert_eq!(self.header("content-type").as_deref(), Some("application/json"), "{self:?}");
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", self.text()))
    }
}

/// Joins the chunks of a chunked body; a body cut short (no final empty chunk) fails the test.
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let end = rest.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
        let size = std::str::from_utf8(&rest[..end]).ok().and_then(|s| usize::from_str_radix(s.trim(), 16).ok());
        let size = size.expect("a hexadecimal chunk size");
        rest = &rest[end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}
