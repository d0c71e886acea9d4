//! The Art. 28 authorisation decision on a chat backend's message path, against a baseline
//! doing the least a backend could do instead: a bare `HashSet` lookup of the same
//! (controller, party) pair. Both run in the same process over the same 1,000 queries, so the
//! result reads as a ratio.
//!
//! The chain: 200 controllers, each with the vendor as processor and two sub-processors
//! (one agreed, one added by a change notice whose objection window has passed).

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use gdpr_obligations::agreement::{
    ChangeNotice, ProcessingAgreement, ProcessingChain, Query, SubProcessorAuthorisation,
};
use gdpr_obligations::model::{Party, PartyId};
use gdpr_obligations::vocab::{Country, DataCategory, Purpose};

struct Fixture {
    chain: ProcessingChain,
    pairs: Vec<(PartyId, PartyId)>,
    at: DateTime<Utc>,
}

fn fixture() -> Fixture {
    let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ).build().expect("valid party");
    let hosting = Party::builder("Hosting GmbH", Country::DE).build().expect("valid party");
    let mailer = Party::builder("Mailer SAS", Country::FR).build().expect("valid party");
    let mut parties = vec![vendor.clone(), hosting.clone(), mailer.clone()];
    let mut agreements = Vec::new();
    let mut notices = Vec::new();
    let mut pairs = Vec::new();
    let t0: DateTime<Utc> = "2026-02-01T09:00:00Z".parse().expect("instant");
    for i in 0..200 {
        let website = Party::builder(&format!("Website {i} s.r.o."), Country::CZ).build().expect("valid party");
        let mut main =
            ProcessingAgreement::template(website.id(), vendor.id(), gdpr_obligations::testkit::signed_facts());
        main.sub_processing =
            Some(SubProcessorAuthorisation::General { agreed: vec![hosting.id()], objection_window_days: 14 });
        let notice = ChangeNotice::propose(&main, mailer.id(), None, t0)
            .and_then(|n| n.notify(&main, t0))
            .expect("notice under general authorisation");
        agreements.push(ProcessingAgreement::sub_processing_template(
            &main,
            hosting.id(),
            gdpr_obligations::testkit::signed_facts(),
        ));
        agreements.push(ProcessingAgreement::sub_processing_template(
            &main,
            mailer.id(),
            gdpr_obligations::testkit::signed_facts(),
        ));
        agreements.push(main);
        notices.push(notice);
        for party in [&vendor, &hosting, &mailer] {
            pairs.push((website.id(), party.id()));
        }
        parties.push(website);
    }
    let chain = ProcessingChain::build(parties, agreements, notices).expect("valid chain");
    Fixture { chain, pairs, at: t0 + TimeDelta::days(30) }
}

fn authorisation(c: &mut Criterion) {
    let f = fixture();
    let queries: Vec<(PartyId, PartyId)> = (0..1_000).map(|i| f.pairs[(i * 7919) % f.pairs.len()]).collect();
    let baseline: HashSet<(PartyId, PartyId)> = f.pairs.iter().copied().collect();
    assert!(queries.iter().all(|&(controller, party)| {
        f.chain
            .decide(&Query {
                party,
                controller,
                category: &DataCategory::CommunicationContent,
                purpose: &Purpose::CustomerCare,
                at: f.at,
            })
            .is_allowed()
    }));

    let mut group = c.benchmark_group("authorisation_x1000");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    group.bench_function("baseline_hashset_lookup", |b| {
        b.iter(|| {
            for pair in black_box(&queries) {
                black_box(baseline.contains(pair));
            }
        })
    });
    group.bench_function("decide_allowed", |b| {
        b.iter(|| {
            for &(controller, party) in black_box(&queries) {
                let q = Query {
                    party,
                    controller,
                    category: &DataCategory::CommunicationContent,
                    purpose: &Purpose::CustomerCare,
                    at: f.at,
                };
                black_box(f.chain.decide(black_box(&q)));
            }
        })
    });
    group.bench_function("decide_slowly_allowed", |b| {
        b.iter(|| {
            for &(controller, party) in black_box(&queries) {
                let q = Query {
                    party,
                    controller,
                    category: &DataCategory::CommunicationContent,
                    purpose: &Purpose::CustomerCare,
                    at: f.at,
                };
                black_box(f.chain.decide_slowly(black_box(&q)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, authorisation);
criterion_main!(benches);
