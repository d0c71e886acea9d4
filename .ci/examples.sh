#!/usr/bin/env bash
# Checks the interfaces of the examples that outside tools call: arguments, output, exit codes.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "example check failed: $*" >&2; exit 1; }

# Output is searched with `grep -q PATTERN <<<"$OUT"`, never `printf | grep -q`: under pipefail the
# pipe fails at random when grep exits on its first match before printf has written everything
# (printf dies of SIGPIPE), which failed a CI run on output that held the article it looked for.

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_exit CODE CMD...: runs CMD, keeps stdout in $OUT and stderr in $ERR, checks the exit code.
expect_exit() {
  local want=$1; shift
  local got=0
  OUT=$("$@" 2>"$tmp/stderr") || got=$?
  ERR=$(cat "$tmp/stderr")
  [ "$got" -eq "$want" ] || fail "$* exited $got, expected $want (stderr: $ERR)"
}

cargo build --quiet --examples --all-features
bin="${CARGO_TARGET_DIR:-target}/debug/examples"

# for_people NAME: what $OUT holds is printed for people: no line wider than 100 columns
# (characters, not bytes: the scenes are Czech), and no Rust Debug form (`Some(true)`, `None`,
# `Ok(..)`, a struct's `{ field: ..}`, an enum variant such as `NotRequired` or `InProgress`;
# units such as MiB are words).
for_people() {
  local wide debug
  wide=$(printf '%s\n' "$OUT" | LC_ALL=C.UTF-8 grep -nE '^.{101}' | head -n 3 || true)
  [ -z "$wide" ] || fail "$1 prints lines wider than 100 columns: $wide"
  debug=$(printf '%s\n' "$OUT" | sed -E 's/\b[KMGT]iB\b/B/g' |
    grep -nE '\bSome\(|\bNone\b|\bOk\(|\bErr\(|[A-Za-z] \{ [a-z_]+: |\b[A-Z][a-z]+[A-Z][A-Za-z]*\b' |
    head -n 3 || true)
  [ -z "$debug" ] || fail "$1 prints a Debug form where people read words: $debug"
}

# Every example answers -h and --help with its usage on stdout and exits 0, whatever else it
# would need (deadline's flags, privacy_desk's --listen, export_peak_memory's history).
for source in examples/*.rs; do
  example=$(basename "$source" .rs)
  for flag in --help -h; do
    expect_exit 0 "$bin/$example" "$flag"
    grep -q "^Usage: $example" <<<"$OUT" || fail "$example $flag prints no 'Usage: $example': $OUT"
    for_people "$example $flag"
  done
done
deadline="$bin/deadline"

expect_exit 0 "$deadline" --received 2025-03-05T10:00:00Z --zone Europe/Prague --calendar cz
for_people deadline
for key in received_date due extended_due extension_rule; do
  grep -q "\"$key\"" <<<"$OUT" || fail "deadline output lacks $key: $OUT"
done
grep -q '"due": *"2025-04-07"' <<<"$OUT" || fail "5 March 2025 is due Monday 7 April 2025 (5 April is a Saturday): $OUT"
expect_exit 0 "$deadline" --received 2025-01-31T23:30:00Z --zone Europe/Prague --calendar weekends
grep -q '"received_date": *"2025-02-01"' <<<"$OUT" || fail "23:30 UTC on 31 January is 1 February in Prague: $OUT"
expect_exit 2 "$deadline" --received yesterday --zone Europe/Prague --calendar cz
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "a bad instant gives one line on stderr: $ERR"
expect_exit 2 "$deadline" --received 2025-03-05T10:00:00Z --zone Mars/Olympus --calendar cz
expect_exit 2 "$deadline" --received 2025-03-05T10:00:00Z --zone Europe/Prague --calendar xx
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "an unknown calendar gives one line on stderr: $ERR"
# Every state's and region's code (Art. 2(1) of Regulation 1182/71), in any case, with the zone of
# that state or region unless --zone is given: one month from Saturday 6 December 2025 ends on
# Tuesday 6 January 2026, Epiphany in Bavaria but a working day in Berlin.
expect_exit 0 "$deadline" --received 2025-12-06T10:00:00Z --calendar de-by
grep -q '"due": *"2026-01-07"' <<<"$OUT" || fail "a Bavarian controller's month ends after Epiphany, on 7 January 2026: $OUT"
grep -q '"zone": *"Europe/Berlin"' <<<"$OUT" || fail "--calendar de-by counts in Bavaria's zone by default: $OUT"
expect_exit 0 "$deadline" --received 2025-12-06T10:00:00Z --zone Europe/Berlin --calendar DE-BE
grep -q '"due": *"2026-01-06"' <<<"$OUT" || fail "a Berlin controller's month ends on 6 January 2026: $OUT"
expect_exit 0 "$deadline" --received 2025-03-01T02:00:00Z --calendar pt-20
grep -q '"received_date": *"2025-03-01"' <<<"$OUT" || fail "02:00 UTC is 01:00 on 1 March in the Azores: $OUT"
grep -q '"zone": *"Atlantic/Azores"' <<<"$OUT" || fail "--calendar pt-20 counts in the Azores' zone: $OUT"
expect_exit 2 "$deadline" --received 2025-03-05T10:00:00Z --calendar de-xx
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "an unknown region gives one line on stderr: $ERR"
expect_exit 2 "$deadline" --received 2025-03-05T10:00:00Z --calendar weekends
grep -q -- "--zone" <<<"$ERR" || fail "the weekends calendar needs --zone: $ERR"
expect_exit 0 "$deadline" --help
grep -qw "de-by" <<<"$OUT" || fail "deadline --help lists the region codes: $OUT"
grep -qw "sk" <<<"$OUT" || fail "deadline --help lists the state codes: $OUT"
expect_exit 2 "$deadline"
expect_exit 2 "$deadline" --received 2025-03-05T10:00:00Z --received 2025-04-05T10:00:00Z --zone Europe/Prague --calendar cz
grep -q -- "--received" <<<"$ERR" || fail "a repeated flag is named: $ERR"
# A due date past 9999-12-31 has no RFC 3339 form: refused, not written as +10000-...
expect_exit 2 "$deadline" --received 9999-12-31T23:59:59Z --zone Europe/Prague --calendar cz
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "a receipt too late for RFC 3339 deadlines gives one line on stderr: $ERR"

dpa="$bin/dpa_check"
expect_exit 0 "$dpa" --template
# (The template is a file to edit, not read on a terminal: its clauses are JSON strings, which
# cannot be wrapped, so it is not held to 100 columns.)
printf '%s' "$OUT" > "$tmp/complete.json"
expect_exit 0 "$dpa" "$tmp/complete.json"
[ "$(printf '%s' "$OUT" | tr -d ' \n')" = "[]" ] || fail "a complete agreement has no deficiencies: $OUT"
grep -v '"confidentiality"' "$tmp/complete.json" > "$tmp/draft.json"
expect_exit 1 "$dpa" "$tmp/draft.json"
for_people "dpa_check on a draft"
grep -q '"article": *"Art. 28(3)(b)"' <<<"$OUT" || fail "a draft without confidentiality names Art. 28(3)(b): $OUT"
grep -q '"message"' <<<"$OUT" || fail "deficiencies carry a message: $OUT"
expect_exit 2 "$dpa" "$tmp/missing.json"
echo '{"hello": "world"}' > "$tmp/other.json"
expect_exit 2 "$dpa" "$tmp/other.json"
expect_exit 2 "$dpa"
# Hostile input: more than 8 MiB, a positional array, an agreement with oneself.
head -c $((8 * 1024 * 1024 + 1)) /dev/zero > "$tmp/huge.json"
expect_exit 2 "$dpa" "$tmp/huge.json"
grep -q "8 MiB" <<<"$ERR" || fail "an oversized file names the limit: $ERR"
ids=$(grep -E '"(id|principal|processor)"' "$tmp/complete.json" | sed 's/.*: *\("[^"]*"\).*/\1/' | paste -sd, -)
printf '[%s]' "$ids" > "$tmp/array.json"
expect_exit 2 "$dpa" "$tmp/array.json"
principal=$(sed -n 's/.*"principal": *"\([^"]*\)".*/\1/p' "$tmp/complete.json")
sed 's/"processor": *"[^"]*"/"processor": "'"$principal"'"/' "$tmp/complete.json" > "$tmp/oneself.json"
expect_exit 1 "$dpa" "$tmp/oneself.json"
grep -q '"article": *"Art. 28(1)"' <<<"$OUT" || fail "an agreement with oneself names Art. 28(1): $OUT"

agenda="$bin/agenda"
expect_exit 0 "$agenda" "$tmp/agenda.ics"
for_people agenda
grep -qF "| Article |" "$tmp/agenda.md" || fail "the agenda example writes its Markdown tables beside the feed"
grep -q "BEGIN:VCALENDAR" "$tmp/agenda.ics" || fail "the agenda example writes an iCalendar feed"
[ "$(grep -c "BEGIN:VEVENT" "$tmp/agenda.ics")" -ge 1 ] || fail "the agenda feed holds events"
for article in "Art. 12(3)" "Art. 28(3)(e)" "Art. 33(2)" "Art. 28(2)" "Art. 18(3)"; do
  grep -qF "$article" <<<"$OUT" || fail "the agenda example names $article: $OUT"
done

# The request lifecycle example checks each step itself and exits non-zero when one fails.
expect_exit 0 "$bin/dsar_lifecycle"
for_people dsar_lifecycle
grep -q "Art. 28(3)(e)" <<<"$OUT" || fail "the lifecycle example shows the forwarding step: $OUT"
# The breach drill checks each deadline and decision itself and exits non-zero when one is wrong.
expect_exit 0 "$bin/breach_drill"
for_people breach_drill
grep -q "Art. 33(2)" <<<"$OUT" || fail "the breach drill shows the processor's notice: $OUT"
schemas="$bin/export_schemas"
expect_exit 0 "$schemas" "$tmp/schemas"
[ -s "$tmp/schemas/processing_agreement.json" ] || fail "export_schemas writes processing_agreement.json"
diff -r "$tmp/schemas" schemas >/dev/null || fail "schemas/ differs from export_schemas: regenerate and name the files in CHANGELOG"
expect_exit 2 "$schemas"
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "export_schemas without DIR gives one line on stderr: $ERR"
expect_exit 2 "$schemas" a b
# The main example: the whole scene on one SQLite file; it checks each step and exits 1 if one fails.
expect_exit 0 "$bin/chat_backend" "$tmp/chat"
for_people chat_backend
for record in record_of_processing.controller.en.md record_of_processing.processor.en.md; do
  [ -s "$tmp/chat/$record" ] || fail "chat_backend writes the Art. 30 record $record beside the notices"
done
[ -s "$tmp/chat/chat.db" ] || fail "chat_backend keeps its data in DIR/chat.db"
for step in "== 1." "== 2." "== 3." "== 4." "== 5." "== 6." "all checks passed"; do
  grep -qF "$step" <<<"$OUT" || fail "chat_backend output lacks '$step': $OUT"
done
for article in "Art. 28(2)" "Art. 13(1)(e)" "Art. 30(2)" "Art. 15(4)" "Art. 17(3)(e)" "Art. 19" "Art. 33(1)"; do
  grep -qF "$article" <<<"$OUT" || fail "chat_backend names $article: $OUT"
done
expect_exit 2 "$bin/chat_backend" a b

# The HTTP service: port 0, the address read from its listening line, /health answered 200,
# killed at the end; bad arguments exit 2 with one line on stderr, --help exits 0.
desk="$bin/privacy_desk"
expect_exit 0 "$desk" --help
grep -q -- "--listen" <<<"$OUT" || fail "privacy_desk --help shows the usage: $OUT"
expect_exit 2 "$desk" --listen not-an-address
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "privacy_desk with a bad address gives one line on stderr: $ERR"
expect_exit 2 "$desk" --listen 127.0.0.1:0 --unknown
expect_exit 2 "$desk"
"$desk" --listen 127.0.0.1:0 --db "$tmp/desk.db" >"$tmp/desk.out" 2>"$tmp/desk.err" &
desk_pid=$!
trap 'kill "$desk_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
addr=""
for _ in $(seq 1 100); do
  addr=$(sed -n 's|^listening on http://||p' "$tmp/desk.out")
  [ -n "$addr" ] && break
  kill -0 "$desk_pid" 2>/dev/null || fail "privacy_desk exited before listening: $(cat "$tmp/desk.err")"
  sleep 0.2
done
[ -n "$addr" ] || fail "privacy_desk printed no 'listening on http://ADDR' line: $(cat "$tmp/desk.out")"
exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}"
printf 'GET /health HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$addr" >&3
health=$(cat <&3)
exec 3<&-
head -n 1 <<<"$health" | grep -q "^HTTP/1.1 200" || fail "privacy_desk answers GET /health with 200: $health"
kill "$desk_pid"
wait "$desk_pid" 2>/dev/null || true
[ -s "$tmp/desk.db" ] || fail "privacy_desk keeps its data in --db FILE"
echo "example interfaces ok"
