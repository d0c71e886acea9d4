//! `DeadlinePolicy::request_deadlines` on the Czech calendar against a baseline doing only the
//! bare arithmetic (UTC date, `checked_add_months`, a weekday-only roll), over the same 1,000
//! receipt instants, so the result reads as a ratio.

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc, Weekday};
use criterion::{Criterion, criterion_group, criterion_main};
use gdpr_obligations::time::DeadlinePolicy;

/// 1,000 receipt instants spread over 2025-2027, at varying times of day.
fn instants() -> Vec<DateTime<Utc>> {
    let start = DateTime::<Utc>::from_timestamp(1_735_689_600, 0).unwrap_or_default();
    (0..1_000).map(|i| start + TimeDelta::minutes(i * 1_571)).collect()
}

/// The bare computation: one and three months, rolled off weekends only.
fn baseline(received: DateTime<Utc>) -> Option<(NaiveDate, NaiveDate)> {
    fn roll(mut date: NaiveDate) -> Option<NaiveDate> {
        while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            date = date.succ_opt()?;
        }
        Some(date)
    }
    let date = received.date_naive();
    let due = roll(date.checked_add_months(Months::new(1))?)?;
    let extended = roll(date.checked_add_months(Months::new(3))?)?;
    Some((due, extended))
}

fn request_deadlines(c: &mut Criterion) {
    let instants = instants();
    let policy = DeadlinePolicy::czech();
    let mut group = c.benchmark_group("request_deadlines_x1000");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    group.bench_function("baseline_weekends_utc", |b| {
        b.iter(|| {
            for &received in black_box(&instants) {
                black_box(baseline(received));
            }
        })
    });
    group.bench_function("czech_policy", |b| {
        b.iter(|| {
            for &received in black_box(&instants) {
                let _ = black_box(policy.request_deadlines(received));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, request_deadlines);
criterion_main!(benches);
