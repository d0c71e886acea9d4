//! The processing chain and the authorisation decision.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    AgreementId, ChangeNotice, ChangeNoticeStatus, Deficiency, ProcessingAgreement, ProcessingLocation,
    SubProcessorAuthorisation,
};
use crate::model::{Party, PartyId};
use crate::vocab::{AdequacyScope, Article, Country, DataCategory, Destination, Purpose, TransferMechanism};

/// The question on a chat backend's message path: may `party` process `category` for
/// `purpose` on behalf of `controller` at `at`?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query<'a> {
    /// The party that would process: a processor or sub-processor.
    pub party: PartyId,
    /// The controller on whose behalf it would process.
    pub controller: PartyId,
    /// The category of personal data.
    pub category: &'a DataCategory,
    /// The purpose.
    pub purpose: &'a Purpose,
    /// When.
    pub at: DateTime<Utc>,
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "decision", content = "detail", rename_all = "snake_case")]
pub enum Decision {
    /// The party may process, under the agreement named (the one that binds the party itself).
    /// `None` when the party is the controller: a controller's own processing needs no Art. 28
    /// agreement and is not decided here.
    Allowed {
        /// The agreement that binds the party.
        agreement: Option<AgreementId>,
    },
    /// The party may not process; every reason found, each with its article. When the party is
    /// reached through several agreements, the reasons of each are listed.
    Refused(Vec<Refusal>),
}

impl Decision {
    /// Whether processing is allowed.
    #[must_use]
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
}

/// One reason a [`Query`] was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Refusal {
    /// What is wrong.
    pub reason: RefusalReason,
    /// The provision behind it.
    pub article: Article,
    /// The agreement concerned, where there is one.
    pub agreement: Option<AgreementId>,
}

/// Why processing was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefusalReason {
    /// No agreement binds the party to process for the controller (Art. 28(3)).
    NoAgreement,
    /// An agreement on the way lacks an element of Art. 28(3) (see its `validate`).
    DeficientAgreement,
    /// An agreement on the way is not yet in force.
    NotYetInForce,
    /// An agreement on the way has ended.
    Expired,
    /// The category of data is not among the agreement's types of personal data (Art. 28(3)).
    CategoryNotCovered,
    /// The purpose is not among the agreement's documented instructions (Art. 28(3)(a), 29).
    PurposeNotCovered,
    /// A special category without the Art. 9(2) condition and safeguards in the agreement.
    SpecialCategoryWithoutCondition,
    /// The principal's agreement prohibits sub-processors (Art. 28(2)).
    SubProcessingProhibited,
    /// The sub-processor is not authorised under the principal's agreement (Art. 28(2)).
    SubProcessorNotAuthorised,
    /// The change notice adding the sub-processor has not been sent to the controller.
    ChangeNotNotified,
    /// The controller may still object to the sub-processor until `until` (Art. 28(2)).
    ObjectionWindowRunning {
        /// When the window closes.
        until: DateTime<Utc>,
    },
    /// The controller objected to the sub-processor (Art. 28(2)).
    ChangeObjected,
    /// The sub-processor was replaced by a change notice that took effect (Art. 28(2)).
    Replaced,
    /// Processing in a third country without a Chapter V mechanism (Art. 44).
    TransferWithoutMechanism {
        /// The country.
        country: Country,
    },
    /// The adequacy decision relied on does not cover the country on that date (Art. 45(3)).
    AdequacyNotInForce {
        /// The country.
        country: Country,
    },
    /// The adequacy decision relied on covers only some importers of the country, and no
    /// dated evidence that this one is covered is recorded (Art. 45(1), (3)).
    AdequacyCoverageNotRecorded {
        /// The country.
        country: Country,
    },
    /// Standing processing in the country rests on an Art. 49 derogation, which covers only
    /// occasional transfers in specific situations (Art. 49(1); Recital 111).
    DerogationForStandingProcessing {
        /// The country.
        country: Country,
    },
    /// Processing in the country on an Art. 46 safeguard has no transfer impact assessment on
    /// record (Art. 46(1), as read in C-311/18).
    TransferAssessmentMissing {
        /// The country.
        country: Country,
    },
}

impl RefusalReason {
    /// The provision behind the reason.
    #[must_use]
    pub const fn article(&self) -> Article {
        let art28_3 = Article::gdpr(28).paragraph(3);
        match self {
            RefusalReason::NoAgreement
            | RefusalReason::DeficientAgreement
            | RefusalReason::NotYetInForce
            | RefusalReason::Expired
            | RefusalReason::CategoryNotCovered => art28_3,
            RefusalReason::PurposeNotCovered => art28_3.point('a'),
            RefusalReason::SpecialCategoryWithoutCondition => Article::gdpr(9).paragraph(2),
            RefusalReason::SubProcessingProhibited
            | RefusalReason::SubProcessorNotAuthorised
            | RefusalReason::ChangeNotNotified
            | RefusalReason::ObjectionWindowRunning { .. }
            | RefusalReason::ChangeObjected
            | RefusalReason::Replaced => Article::gdpr(28).paragraph(2),
            RefusalReason::TransferWithoutMechanism { .. } => Article::gdpr(44),
            RefusalReason::AdequacyNotInForce { .. } => Article::gdpr(45).paragraph(3),
            RefusalReason::AdequacyCoverageNotRecorded { .. } => Article::gdpr(45).paragraph(1),
            RefusalReason::DerogationForStandingProcessing { .. } => Article::gdpr(49).paragraph(1),
            RefusalReason::TransferAssessmentMissing { .. } => Article::gdpr(46).paragraph(1),
        }
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefusalReason::NoAgreement => f.write_str("no processing agreement binds the party to this controller"),
            RefusalReason::DeficientAgreement => f.write_str("the processing agreement lacks a required element"),
            RefusalReason::NotYetInForce => f.write_str("the processing agreement is not yet in force"),
            RefusalReason::Expired => f.write_str("the processing agreement has ended"),
            RefusalReason::CategoryNotCovered => f.write_str("the agreement does not cover this type of personal data"),
            RefusalReason::PurposeNotCovered => {
                f.write_str("the controller's documented instructions do not cover this purpose")
            }
            RefusalReason::SpecialCategoryWithoutCondition => {
                f.write_str("the agreement gives no Art. 9(2) condition and safeguards for this special category")
            }
            RefusalReason::SubProcessingProhibited => f.write_str("the agreement prohibits engaging sub-processors"),
            RefusalReason::SubProcessorNotAuthorised => {
                f.write_str("the sub-processor is not authorised by the controller")
            }
            RefusalReason::ChangeNotNotified => {
                f.write_str("the controller has not been notified of the new sub-processor")
            }
            RefusalReason::ObjectionWindowRunning { until } => {
                write!(f, "the controller may object to the new sub-processor until {until}")
            }
            RefusalReason::ChangeObjected => f.write_str("the controller objected to the sub-processor"),
            RefusalReason::Replaced => f.write_str("the sub-processor has been replaced"),
            RefusalReason::TransferWithoutMechanism { country } => {
                write!(f, "processing in {country} has no Chapter V transfer mechanism")
            }
            RefusalReason::AdequacyNotInForce { country } => {
                write!(f, "no adequacy decision covers {country} on that date")
            }
            RefusalReason::AdequacyCoverageNotRecorded { country } => write!(
                f,
                "the adequacy decision for {country} covers only some importers, and no dated evidence that this one \
                 is covered is recorded (Art. 45(3))"
            ),
            RefusalReason::DerogationForStandingProcessing { country } => write!(
                f,
                "standing processing in {country} cannot rest on an Art. 49 derogation, which covers only occasional \
                 transfers (Recital 111)"
            ),
            RefusalReason::TransferAssessmentMissing { country } => write!(
                f,
                "processing in {country} on an Art. 46 safeguard has no transfer impact assessment on record \
                 (C-311/18)"
            ),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.article, self.reason)?;
        if let Some(a) = self.agreement {
            write!(f, " (agreement {a})")?;
        }
        Ok(())
    }
}

/// The chain could not be built from the agreements given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// Two agreements share an id.
    #[error("two agreements share the id {0}")]
    DuplicateAgreement(AgreementId),
    /// An agreement names a party that was not given.
    #[error("agreement {agreement} names the unknown party {party}")]
    UnknownParty {
        /// The agreement.
        agreement: AgreementId,
        /// The party.
        party: PartyId,
    },
    /// A sub-processing agreement names a parent that was not given.
    #[error("sub-processing agreement {agreement} names the unknown parent {parent}")]
    UnknownParent {
        /// The agreement.
        agreement: AgreementId,
        /// The parent named.
        parent: AgreementId,
    },
    /// A sub-processing agreement's principal is not its parent's processor (Art. 28(4)).
    #[error("Art. 28(4): in agreement {agreement} the principal is not the processor of its parent agreement")]
    BrokenLink {
        /// The agreement.
        agreement: AgreementId,
    },
    /// Parent links form a cycle.
    #[error("the parent links of agreement {0} form a cycle")]
    Cycle(AgreementId),
}

/// How a link's processor is authorised by its parent's regime, precomputed at build time.
#[derive(Debug, Clone, Copy)]
enum Authorisation {
    /// A controller's own processor.
    Root,
    /// Named in the agreed or authorised list.
    Listed,
    /// Added by a change notice; `status` at a given instant comes from the notice.
    ByNotice { notice: usize },
    /// Refused whatever the instant.
    Never(RefusalReason),
}

#[derive(Debug, Clone)]
struct Link {
    agreement: ProcessingAgreement,
    parent: Option<usize>,
    deficient: bool,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    authorisation: Authorisation,
    /// The notice replacing this link's processor, if any.
    replaced_by: Option<usize>,
    /// Where the link's processor processes, with its country of establishment (see
    /// [`ProcessingAgreement::locations_for`]).
    locations: Vec<ProcessingLocation>,
}

/// A path that can be decided with a few comparisons: every condition that does not depend on
/// the query holds, and those that depend on time hold in one interval.
#[derive(Debug, Clone, Copy)]
struct FastPath {
    agreement: AgreementId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    categories: u64,
    special_ok: u64,
    purposes: u64,
}

/// The agreements of one or more controllers, linked into trees controller → processor →
/// sub-processors of any depth, ready to answer [`Query`]s.
///
/// Build it once when agreements or notices change; [`decide`](Self::decide) then costs a hash
/// lookup and a few comparisons, and does not allocate when it allows.
#[derive(Debug, Clone)]
pub struct ProcessingChain {
    links: Vec<Link>,
    notices: Vec<ChangeNotice>,
    index: HashMap<(PartyId, PartyId), Vec<usize>>,
    fast: HashMap<(PartyId, PartyId), Vec<FastPath>>,
    roots: HashMap<usize, PartyId>,
}

fn start_of(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

fn end_of(date: NaiveDate) -> Option<DateTime<Utc>> {
    start_of(date).checked_add_signed(TimeDelta::days(1))
}

impl ProcessingChain {
    /// Links `agreements` into trees: an agreement without a parent binds a controller's
    /// processor, one with a parent binds a sub-processor of the parent's processor. `notices`
    /// are the sub-processor change notices sent under general authorisations; the latest
    /// notice for a sub-processor counts.
    ///
    /// Processing locations default to the processor's country of establishment when an
    /// agreement lists none; a processor established outside the EEA is a transfer destination
    /// whatever its listed locations (see [`ProcessingAgreement::locations_for`]).
    ///
    /// # Errors
    /// [`ChainError`] when ids repeat, a party or parent is unknown, a sub-processing
    /// agreement's principal is not its parent's processor (Art. 28(4)), or parents form a
    /// cycle.
    pub fn build(
        parties: impl IntoIterator<Item = Party>,
        agreements: impl IntoIterator<Item = ProcessingAgreement>,
        notices: impl IntoIterator<Item = ChangeNotice>,
    ) -> Result<Self, ChainError> {
        let parties: HashMap<PartyId, Party> = parties.into_iter().map(|p| (p.id(), p)).collect();
        let agreements: Vec<ProcessingAgreement> = agreements.into_iter().collect();
        let mut notices: Vec<ChangeNotice> = notices.into_iter().collect();
        notices.sort_by_key(|n| n.objection_deadline());
        let mut by_id = HashMap::new();
        for (i, a) in agreements.iter().enumerate() {
            if by_id.insert(a.id, i).is_some() {
                return Err(ChainError::DuplicateAgreement(a.id));
            }
            for party in [a.principal, a.processor] {
                if !parties.contains_key(&party) {
                    return Err(ChainError::UnknownParty { agreement: a.id, party });
                }
            }
        }
        let mut links = Vec::with_capacity(agreements.len());
        for a in &agreements {
            let parent = match a.parent {
                None => None,
                Some(p) => {
                    let &pi = by_id.get(&p).ok_or(ChainError::UnknownParent { agreement: a.id, parent: p })?;
                    if agreements[pi].processor != a.principal {
                        return Err(ChainError::BrokenLink { agreement: a.id });
                    }
                    Some(pi)
                }
            };
            let established_in = parties.get(&a.processor).map_or(Country::CZ, Party::country);
            let locations = a.locations_for(established_in);
            links.push(Link {
                agreement: a.clone(),
                parent,
                deficient: !a.validate().is_empty(),
                from: a.valid_from.map(start_of),
                until: a.valid_until.and_then(end_of),
                authorisation: Authorisation::Root,
                replaced_by: None,
                locations,
            });
        }
        let mut roots = HashMap::new();
        let mut index: HashMap<(PartyId, PartyId), Vec<usize>> = HashMap::new();
        for i in 0..links.len() {
            let mut root = i;
            let mut steps = 0;
            while let Some(p) = links[root].parent {
                root = p;
                steps += 1;
                if steps > links.len() {
                    return Err(ChainError::Cycle(links[i].agreement.id));
                }
            }
            let controller = links[root].agreement.principal;
            roots.insert(i, controller);
            index.entry((controller, links[i].agreement.processor)).or_default().push(i);
            if let Some(p) = links[i].parent {
                let auth = authorisation(&links[p].agreement, links[i].agreement.processor, &notices);
                links[i].authorisation = auth;
            }
        }
        for i in 0..links.len() {
            if let Some(p) = links[i].parent {
                let processor = links[i].agreement.processor;
                let parent_id = links[p].agreement.id;
                links[i].replaced_by =
                    notices.iter().rposition(|n| n.agreement() == parent_id && n.replaces() == Some(processor));
            }
        }
        let mut chain = ProcessingChain { links, notices, index, fast: HashMap::new(), roots };
        chain.fast = chain
            .index
            .iter()
            .map(|(key, paths)| (*key, paths.iter().filter_map(|&i| chain.fast_path(i)).collect()))
            .collect();
        Ok(chain)
    }

    /// Decides a [`Query`]. Allowing does not allocate; refusing lists every reason found.
    #[must_use]
    pub fn decide(&self, query: &Query<'_>) -> Decision {
        if query.party == query.controller {
            return Decision::Allowed { agreement: None };
        }
        let key = (query.controller, query.party);
        if let Some(paths) = self.fast.get(&key) {
            let (cat, purpose) = (query.category.ordinal(), query.purpose.ordinal());
            if let (Some(c), Some(p)) = (cat, purpose) {
                let (cbit, pbit) = (1u64 << c, 1u64 << p);
                for fp in paths {
                    if query.at >= fp.from
                        && query.at < fp.until
                        && fp.categories & cbit != 0
                        && fp.special_ok & cbit != 0
                        && fp.purposes & pbit != 0
                    {
                        return Decision::Allowed { agreement: Some(fp.agreement) };
                    }
                }
            }
        }
        self.decide_slowly(query)
    }

    /// Decides a [`Query`] by walking every path, without the precomputed fast path: the
    /// reference that [`decide`](Self::decide) must agree with.
    #[must_use]
    pub fn decide_slowly(&self, query: &Query<'_>) -> Decision {
        if query.party == query.controller {
            return Decision::Allowed { agreement: None };
        }
        let Some(paths) = self.index.get(&(query.controller, query.party)) else {
            return Decision::Refused(vec![Refusal {
                reason: RefusalReason::NoAgreement,
                article: RefusalReason::NoAgreement.article(),
                agreement: None,
            }]);
        };
        for &i in paths {
            if self.check_path(i, query, &mut |_| false) {
                return Decision::Allowed { agreement: Some(self.links[i].agreement.id) };
            }
        }
        let mut reasons = Vec::new();
        for &i in paths {
            self.check_path(i, query, &mut |r| {
                if !reasons.contains(&r) {
                    reasons.push(r);
                }
                true
            });
        }
        Decision::Refused(reasons)
    }

    /// The controller at the root of the tree that holds `agreement`, if the chain has it.
    #[must_use]
    pub fn controller_of(&self, agreement: AgreementId) -> Option<PartyId> {
        let i = self.links.iter().position(|l| l.agreement.id == agreement)?;
        self.roots.get(&i).copied()
    }

    /// Every controller on whose behalf `party` processes, each with the agreement that binds
    /// `party` in that controller's tree, in the order the agreements were given: whom a breach
    /// at `party` reaches (Art. 33(2), and through Art. 28(4) for a sub-processor). A controller
    /// reached through several agreements appears once per agreement. Agreements are listed
    /// whatever their dates or deficiencies: a processor may still hold the data of an agreement
    /// that ended.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement, ProcessingChain, WrittenForm};
    /// use gdpr_obligations::model::Party;
    /// use gdpr_obligations::vocab::Country;
    ///
    /// let shop = Party::builder("ACME s.r.o.", Country::CZ).build()?;
    /// let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ).build()?;
    /// let mail = Party::builder("Mailer a.s.", Country::CZ).build()?;
    /// let signed = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).ok_or("date")?;
    /// let facts = || {
    ///     AgreementFacts::signed(WrittenForm::Electronic, signed).in_force(signed, None).security_measures(["TLS, AES-256"])
    /// };
    /// let main = ProcessingAgreement::template(shop.id(), vendor.id(), facts());
    /// let sub = ProcessingAgreement::sub_processing_template(&main, mail.id(), facts());
    /// let chain = ProcessingChain::build([shop.clone(), vendor, mail.clone()], [main, sub.clone()], [])?;
    /// assert_eq!(chain.controllers_reached_by(mail.id()), [(shop.id(), sub.id)]);
    /// assert!(chain.controllers_reached_by(shop.id()).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn controllers_reached_by(&self, party: PartyId) -> Vec<(PartyId, AgreementId)> {
        self.links
            .iter()
            .enumerate()
            .filter(|(_, link)| link.agreement.processor == party)
            .filter_map(|(i, link)| Some((*self.roots.get(&i)?, link.agreement.id)))
            .collect()
    }

    /// What the chain's sub-processing agreements fail to pass down from their parents
    /// (Art. 28(4)), as [`ProcessingAgreement::flow_down_deficiencies`] finds it for each, in
    /// the order the agreements were given, each with the sub-processing agreement at fault. A
    /// document's own deficiencies are its [`validate`](ProcessingAgreement::validate)'s; these
    /// need the parent. [`decide`](Self::decide) does not refuse for them: they are for the
    /// privacy officer to have the agreement amended (the obligations agenda lists them).
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::agreement::{AgreementFacts, Element, ProcessingAgreement, ProcessingChain, WrittenForm};
    /// use gdpr_obligations::model::Party;
    /// use gdpr_obligations::vocab::Country;
    ///
    /// let shop = Party::builder("ACME s.r.o.", Country::CZ).build()?;
    /// let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ).build()?;
    /// let mail = Party::builder("Mailer a.s.", Country::CZ).build()?;
    /// let signed = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).ok_or("date")?;
    /// let facts = || {
    ///     AgreementFacts::signed(WrittenForm::Electronic, signed).in_force(signed, None).security_measures(["TLS, AES-256"])
    /// };
    /// let mut main = ProcessingAgreement::template(shop.id(), vendor.id(), facts());
    /// main.breach_notice_hours = Some(24);
    /// let mut sub = ProcessingAgreement::sub_processing_template(&main, mail.id(), facts());
    /// sub.breach_notice_hours = Some(48);
    /// let chain = ProcessingChain::build([shop, vendor, mail], [main, sub.clone()], [])?;
    /// let found = chain.flow_down_deficiencies();
    /// assert_eq!(found.len(), 1);
    /// assert_eq!((found[0].0, found[0].1.element), (sub.id, Element::FlowDown));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn flow_down_deficiencies(&self) -> Vec<(AgreementId, Deficiency)> {
        let mut out = Vec::new();
        for link in &self.links {
            let Some(parent) = link.parent.map(|p| &self.links[p].agreement) else { continue };
            let sub = &link.agreement;
            out.extend(sub.flow_down_deficiencies(parent).into_iter().map(|d| (sub.id, d)));
        }
        out
    }

    /// Every agreement, in the order given.
    pub fn agreements(&self) -> impl Iterator<Item = &ProcessingAgreement> {
        self.links.iter().map(|l| &l.agreement)
    }

    /// The agreements from the controller's own processor down to the one binding `party`,
    /// for each way `party` is reached on `controller`'s behalf.
    #[must_use]
    pub fn paths(&self, controller: PartyId, party: PartyId) -> Vec<Vec<&ProcessingAgreement>> {
        let Some(ends) = self.index.get(&(controller, party)) else { return Vec::new() };
        ends.iter()
            .map(|&end| {
                let mut path = Vec::new();
                let mut cur = Some(end);
                while let Some(i) = cur {
                    path.push(&self.links[i].agreement);
                    cur = self.links[i].parent;
                }
                path.reverse();
                path
            })
            .collect()
    }

    /// Checks every link from `end` up to the root; calls `found` with each refusal, stopping
    /// when it returns false. Returns whether no refusal was found.
    fn check_path(&self, end: usize, q: &Query<'_>, found: &mut dyn FnMut(Refusal) -> bool) -> bool {
        let mut ok = true;
        let mut cur = Some(end);
        let date = q.at.date_naive();
        while let Some(i) = cur {
            let link = &self.links[i];
            let agreement = Some(link.agreement.id);
            let mut refuse = |reason: RefusalReason| {
                ok = false;
                found(Refusal { reason, article: reason.article(), agreement })
            };
            macro_rules! check {
                ($cond:expr, $reason:expr) => {
                    if !$cond && !refuse($reason) {
                        return false;
                    }
                };
            }
            let a = &link.agreement;
            check!(!link.deficient, RefusalReason::DeficientAgreement);
            check!(link.from.is_some_and(|from| q.at >= from), RefusalReason::NotYetInForce);
            check!(link.until.is_none_or(|until| q.at < until), RefusalReason::Expired);
            let covered = a.data_categories.contains(q.category);
            check!(covered, RefusalReason::CategoryNotCovered);
            check!(a.purposes.contains(q.purpose), RefusalReason::PurposeNotCovered);
            // A special category needs its Art. 9(2) condition; reported only for a category the
            // agreement covers, since an uncovered one is refused already.
            if covered && q.category.is_special() {
                check!(
                    a.special_categories.iter().any(|t| &t.category == q.category && !t.safeguards.trim().is_empty()),
                    RefusalReason::SpecialCategoryWithoutCondition
                );
            }
            match link.authorisation {
                Authorisation::Root | Authorisation::Listed => {}
                Authorisation::Never(reason) => check!(false, reason),
                Authorisation::ByNotice { notice } => match self.notices[notice].status_at(q.at) {
                    ChangeNoticeStatus::Effective { .. } => {}
                    ChangeNoticeStatus::ObjectionWindow { until } => {
                        check!(false, RefusalReason::ObjectionWindowRunning { until })
                    }
                    ChangeNoticeStatus::Objected => check!(false, RefusalReason::ChangeObjected),
                    _ => check!(false, RefusalReason::ChangeNotNotified),
                },
            }
            if let Some(n) = link.replaced_by {
                check!(
                    !matches!(self.notices[n].status_at(q.at), ChangeNoticeStatus::Effective { .. }),
                    RefusalReason::Replaced
                );
            }
            for l in &link.locations {
                let country = l.country;
                if country.is_eea() {
                    continue;
                }
                match l.mechanism {
                    None => check!(false, RefusalReason::TransferWithoutMechanism { country }),
                    Some(m) if m.is_derogation() => {
                        check!(false, RefusalReason::DerogationForStandingProcessing { country })
                    }
                    Some(TransferMechanism::AdequacyDecision) => match country.adequacy_on(date) {
                        None => check!(false, RefusalReason::AdequacyNotInForce { country }),
                        Some(a) => check!(
                            a.scope == AdequacyScope::Full || l.adequacy_coverage.is_some(),
                            RefusalReason::AdequacyCoverageNotRecorded { country }
                        ),
                    },
                    Some(m) => check!(
                        !m.needs_transfer_assessment() || l.transfer_assessment.is_some(),
                        RefusalReason::TransferAssessmentMissing { country }
                    ),
                }
            }
            cur = link.parent;
        }
        ok
    }

    /// Precomputes the fast path for the path ending at `end`, or `None` when some condition
    /// cannot be reduced to one time interval and a few bit masks.
    fn fast_path(&self, end: usize) -> Option<FastPath> {
        let mut fp = FastPath {
            agreement: self.links[end].agreement.id,
            from: DateTime::<Utc>::MIN_UTC,
            until: DateTime::<Utc>::MAX_UTC,
            categories: u64::MAX,
            special_ok: u64::MAX,
            purposes: u64::MAX,
        };
        let mut narrow = |from: DateTime<Utc>, until: Option<DateTime<Utc>>| {
            fp.from = fp.from.max(from);
            if let Some(u) = until {
                fp.until = fp.until.min(u);
            }
        };
        let mut cur = Some(end);
        let mut masks = (u64::MAX, u64::MAX, u64::MAX);
        while let Some(i) = cur {
            let link = &self.links[i];
            if link.deficient {
                return None;
            }
            narrow(link.from?, link.until);
            match link.authorisation {
                Authorisation::Root | Authorisation::Listed => {}
                Authorisation::Never(_) => return None,
                Authorisation::ByNotice { notice } => {
                    let n = &self.notices[notice];
                    match n.status_at(DateTime::<Utc>::MIN_UTC) {
                        ChangeNoticeStatus::ObjectionWindow { until } => narrow(until, None),
                        _ => return None,
                    }
                }
            }
            if let Some(n) = link.replaced_by {
                match self.notices[n].status_at(DateTime::<Utc>::MIN_UTC) {
                    ChangeNoticeStatus::ObjectionWindow { until } => narrow(DateTime::<Utc>::MIN_UTC, Some(until)),
                    ChangeNoticeStatus::Proposed | ChangeNoticeStatus::Objected => {}
                    ChangeNoticeStatus::Effective { .. } => return None,
                }
            }
            for l in &link.locations {
                let country = l.country;
                if country.is_eea() {
                    continue;
                }
                match l.mechanism {
                    None => return None,
                    Some(m) if m.is_derogation() => return None,
                    Some(TransferMechanism::AdequacyDecision) => {
                        if l.adequacy_coverage.is_none() && Destination::Country(country).has_partial_adequacy() {
                            return None;
                        }
                        let (from, until) = adequacy_interval(country)?;
                        narrow(from, until);
                    }
                    Some(m) => {
                        if m.needs_transfer_assessment() && l.transfer_assessment.is_none() {
                            return None;
                        }
                    }
                }
            }
            let a = &link.agreement;
            let cats = mask(a.data_categories.iter().filter_map(DataCategory::ordinal));
            let special =
                mask(
                    a.special_categories
                        .iter()
                        .filter(|t| !t.safeguards.trim().is_empty())
                        .filter_map(|t| t.category.ordinal()),
                ) | mask(DataCategory::BUILT_IN.iter().filter(|c| !c.is_special()).filter_map(DataCategory::ordinal));
            masks.0 &= cats;
            masks.1 &= special;
            masks.2 &= mask(a.purposes.iter().filter_map(Purpose::ordinal));
            cur = link.parent;
        }
        (fp.categories, fp.special_ok, fp.purposes) = masks;
        (fp.from < fp.until).then_some(fp)
    }
}

fn mask(ordinals: impl Iterator<Item = usize>) -> u64 {
    ordinals.filter(|&o| o < 64).fold(0, |m, o| m | (1 << o))
}

/// The one interval in which adequacy decisions cover `country`, if their days form one.
fn adequacy_interval(country: Country) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let first = NaiveDate::from_ymd_opt(1990, 1, 1)?;
    let mut day = first;
    let last = NaiveDate::from_ymd_opt(2100, 1, 1)?;
    // Find the first covered day, then walk to the end of the covered run; a second run means
    // the coverage is not one interval. Decisions change rarely, so a daily scan at build
    // time is cheap enough and obviously right.
    while day < last && country.adequacy_on(day).is_none() {
        day = day.succ_opt()?;
    }
    if day >= last {
        return None;
    }
    let from = start_of(day);
    while day < last && country.adequacy_on(day).is_some() {
        day = day.succ_opt()?;
    }
    if day >= last {
        return Some((from, None));
    }
    let until = start_of(day);
    while day < last {
        if country.adequacy_on(day).is_some() {
            return None;
        }
        day = day.succ_opt()?;
    }
    Some((from, Some(until)))
}

fn authorisation(parent: &ProcessingAgreement, sub: PartyId, notices: &[ChangeNotice]) -> Authorisation {
    match &parent.sub_processing {
        None | Some(SubProcessorAuthorisation::Prohibited) => {
            Authorisation::Never(RefusalReason::SubProcessingProhibited)
        }
        Some(SubProcessorAuthorisation::PriorSpecific { authorised }) => {
            if authorised.contains(&sub) {
                Authorisation::Listed
            } else {
                Authorisation::Never(RefusalReason::SubProcessorNotAuthorised)
            }
        }
        Some(SubProcessorAuthorisation::General { agreed, .. }) => {
            if agreed.contains(&sub) {
                Authorisation::Listed
            } else if let Some(n) = notices.iter().rposition(|n| n.agreement() == parent.id && n.sub_processor() == sub)
            {
                Authorisation::ByNotice { notice: n }
            } else {
                Authorisation::Never(RefusalReason::SubProcessorNotAuthorised)
            }
        }
    }
}
