//! A processor's breach reaching every controller through the processing chain (Art. 33(1),
//! 33(2), 28(4)).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{NoticeDuty, NoticePeriod};
use crate::agreement::{AgreementId, ProcessingChain};
use crate::model::PartyId;
use crate::time::{DeadlinePolicy, TimeError};
use crate::vocab::Article;

crate::vocab::object_struct! {
/// The plan of a breach that a processor or sub-processor became aware of: for every controller
/// on whose behalf it processes, each notice up the chain with its latest instant, and the
/// controller's own 72 hours to the supervisory authority.
///
/// The instants are the **latest lawful** ones: each party is taken to become aware when the
/// notice below it is due, so a controller's `authority_due` is the furthest its clock can be
/// pushed by a chain that keeps every agreement. Notices sent earlier start the clocks earlier:
/// each register entry then counts from its own actual awareness
/// ([`Detection::aware_at`](super::Detection::aware_at)).
///
/// A breach known to touch only some controllers' data is narrowed with
/// `fan_out.controllers.retain(...)`.
///
/// # Example
/// ```
/// use chrono::{DateTime, TimeDelta, Utc};
/// use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement, ProcessingChain, WrittenForm};
/// use gdpr_obligations::breach::FanOut;
/// use gdpr_obligations::model::Party;
/// use gdpr_obligations::time::DeadlinePolicy;
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
/// sub.breach_notice_hours = Some(12);
/// let chain = ProcessingChain::build([shop.clone(), vendor.clone(), mail.clone()], [main, sub], [])?;
///
/// let aware: DateTime<Utc> = "2026-03-13T18:30:00Z".parse()?; // Friday 19:30 in Prague
/// let plan = FanOut::plan(&chain, mail.id(), aware, &DeadlinePolicy::czech())?;
/// let reach = &plan.controllers[0];
/// assert_eq!(reach.controller, shop.id());
/// assert_eq!(reach.hops[0].to, vendor.id());
/// assert_eq!(reach.hops[0].due, aware + TimeDelta::hours(12)); // the mailer tells the vendor
/// assert_eq!(reach.controller_aware_by, aware + TimeDelta::hours(36)); // the vendor tells the shop
/// assert_eq!(reach.authority_due, aware + TimeDelta::hours(36 + 72)); // the shop tells the authority
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct FanOut {
    /// The processor or sub-processor that became aware.
    pub party: PartyId,
    /// When it became aware.
    pub aware_at: DateTime<Utc>,
    /// Every controller reached, once per agreement binding `party` in its tree.
    pub controllers: Vec<ControllerReach>,
}
}

/// How a breach reaches one controller, and the controller's own clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ControllerReach {
    /// The controller whose data the breach touched.
    pub controller: PartyId,
    /// The agreement that binds the aware party in this controller's tree.
    pub agreement: AgreementId,
    /// The notices from the aware party up to the controller, in order.
    pub hops: Vec<NoticeHop>,
    /// The latest instant the controller becomes aware: when the last notice is due.
    pub controller_aware_by: DateTime<Utc>,
    /// The latest instant of the controller's notification to the supervisory authority:
    /// 72 hours after `controller_aware_by` (Art. 33(1)), unless the controller assesses the
    /// breach as unlikely to result in a risk.
    pub authority_due: DateTime<Utc>,
}

/// One notice up the chain: `from` tells `to`, the party that engaged it under `agreement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct NoticeHop {
    /// The processor that notifies.
    pub from: PartyId,
    /// The party notified: a processor above, or the controller.
    pub to: PartyId,
    /// The agreement that binds `from` to `to` and sets the period.
    pub agreement: AgreementId,
    /// How soon.
    pub period: NoticePeriod,
    /// The latest instant `from` becomes aware.
    pub aware_by: DateTime<Utc>,
    /// The latest instant of the notice.
    pub due: DateTime<Utc>,
}

impl NoticeHop {
    /// Art. 33(2); for a sub-processor it binds through the agreement's flow-down (Art. 28(4)).
    #[must_use]
    pub const fn article(&self) -> Article {
        Article::gdpr(33).paragraph(2)
    }
}

impl FanOut {
    /// Plans the notices of a breach `party` became aware of at `aware_at`: every controller
    /// [`ProcessingChain::controllers_reached_by`] finds, with each hop's period from its
    /// agreement's `breach_notice_hours` ([`NoticePeriod::WithoutUndueDelay`], due at once,
    /// where it sets none) and the controller's 72 hours from the last hop, all counted by
    /// `policy`'s [`BreachClock`](crate::time::BreachClock), never moved over weekends or
    /// holidays. A party that processes for no controller gives an empty plan.
    ///
    /// # Errors
    /// [`TimeError::HoursOutOfRange`] when an instant leaves chrono's range.
    pub fn plan(
        chain: &ProcessingChain,
        party: PartyId,
        aware_at: DateTime<Utc>,
        policy: &DeadlinePolicy,
    ) -> Result<FanOut, TimeError> {
        let mut controllers = Vec::new();
        for (controller, agreement) in chain.controllers_reached_by(party) {
            let Some(path) =
                chain.paths(controller, party).into_iter().find(|p| p.last().is_some_and(|a| a.id == agreement))
            else {
                continue;
            };
            let mut hops = Vec::with_capacity(path.len());
            let mut aware_by = aware_at;
            for link in path.iter().rev() {
                let period = NoticePeriod::of(link);
                let due = period.due(aware_by, policy)?;
                hops.push(NoticeHop {
                    from: link.processor,
                    to: link.principal,
                    agreement: link.id,
                    period,
                    aware_by,
                    due,
                });
                aware_by = due;
            }
            controllers.push(ControllerReach {
                controller,
                agreement,
                hops,
                controller_aware_by: aware_by,
                authority_due: policy.breach_deadline(aware_by)?,
            });
        }
        Ok(FanOut { party, aware_at, controllers })
    }

    /// The notices the aware party itself owes: the first hop towards each controller, for its
    /// register entry ([`Awareness::Processor`](super::Awareness::Processor)).
    #[must_use]
    pub fn duties(&self) -> Vec<NoticeDuty> {
        self.controllers
            .iter()
            .filter_map(|reach| {
                let hop = reach.hops.first()?;
                Some(NoticeDuty {
                    agreement: hop.agreement,
                    principal: hop.to,
                    controller: reach.controller,
                    period: hop.period,
                })
            })
            .collect()
    }
}
