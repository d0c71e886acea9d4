//! The authorisation decision sits on a chat backend's message path: allowing must not
//! allocate. Counted with a counting global allocator (this test binary only).

use gdpr_obligations::agreement::{Decision, ProcessingAgreement, ProcessingChain, Query, SubProcessorAuthorisation};
use gdpr_obligations::model::Party;
use gdpr_obligations::vocab::{Country, DataCategory, Purpose};

#[test]
fn an_allowed_decision_does_not_allocate() {
    let acme = Party::builder("ACME s.r.o.", Country::CZ).build().unwrap();
    let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ).build().unwrap();
    let hosting = Party::builder("Hosting GmbH", Country::DE).build().unwrap();
    let mut main = ProcessingAgreement::template(acme.id(), vendor.id(), gdpr_obligations::testkit::signed_facts());
    main.sub_processing =
        Some(SubProcessorAuthorisation::General { agreed: vec![hosting.id()], objection_window_days: 14 });
    // A custom category is decided on the slow path: it must not allocate either.
    let custom = "x-loyalty_notes".parse::<DataCategory>().unwrap();
    main.data_categories.push(custom.clone());
    let sub =
        ProcessingAgreement::sub_processing_template(&main, hosting.id(), gdpr_obligations::testkit::signed_facts());
    let chain = ProcessingChain::build([acme.clone(), vendor.clone(), hosting.clone()], [main, sub], []).unwrap();
    let at = "2026-06-01T10:00:00Z".parse().unwrap();
    let mut decisions = Vec::with_capacity(4);
    let queries = [
        Query {
            party: vendor.id(),
            controller: acme.id(),
            category: &DataCategory::CommunicationContent,
            purpose: &Purpose::CustomerCare,
            at,
        },
        Query {
            party: hosting.id(),
            controller: acme.id(),
            category: &DataCategory::Contact,
            purpose: &Purpose::CustomerCare,
            at,
        },
        Query { party: vendor.id(), controller: acme.id(), category: &custom, purpose: &Purpose::CustomerCare, at },
    ];
    let info = allocation_counter::measure(|| {
        for q in &queries {
            decisions.push(chain.decide(q));
        }
    });
    assert!(decisions.iter().all(Decision::is_allowed), "{decisions:?}");
    assert_eq!(info.count_total, 0, "allowed decisions allocated: {info:?}");

    // A refusal lists its reasons, which allocates: this also shows the counter counts.
    let marketing = Query { purpose: &Purpose::Marketing, ..queries[0] };
    let refused = allocation_counter::measure(|| {
        decisions.push(chain.decide(&marketing));
    });
    assert!(!decisions[3].is_allowed());
    assert!(refused.count_total > 0, "a refusal lists its reasons");
}
