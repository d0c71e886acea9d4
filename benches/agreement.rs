//! `ProcessingAgreement::validate` on uploaded agreements of growing size, in the shape that
//! once made it quadratic (B1: every listed special category covered only by the last term):
//! the time per entry must stay flat from 10,000 to 1,000,000 entries.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gdpr_obligations::agreement::{ProcessingAgreement, SpecialCategoryTerm};
use gdpr_obligations::model::PartyId;
use gdpr_obligations::vocab::{DataCategory, SpecialCategoryCondition};

/// An agreement listing `n` special categories and `n` terms, the one covering term last.
fn agreement(n: usize) -> ProcessingAgreement {
    let term = |category, safeguards: &str| SpecialCategoryTerm {
        category,
        condition: SpecialCategoryCondition::ExplicitConsent,
        safeguards: safeguards.to_owned(),
    };
    let mut a = ProcessingAgreement::template(
        PartyId::generate(),
        PartyId::generate(),
        gdpr_obligations::testkit::signed_facts(),
    );
    a.data_categories = vec![DataCategory::Health; n];
    a.special_categories = vec![term(DataCategory::Genetic, "s"); n];
    a.special_categories.push(term(DataCategory::Health, "encrypted"));
    a
}

fn agreement_validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("agreement_validate");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let a = agreement(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &a, |b, a| b.iter(|| black_box(a.validate())));
    }
    group.finish();
}

criterion_group!(benches, agreement_validate);
criterion_main!(benches);
