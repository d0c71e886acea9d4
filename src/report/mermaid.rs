//! Mermaid diagrams: the processing chain, and the request lifecycle found by driving
//! [`request::decide`](crate::request::decide).

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::{Parties, ReportError};
use crate::agreement::ProcessingChain;
use crate::escape::mermaid_label as label;
use crate::model::{Party, PartyId, SubjectId, Text};
use crate::request::{
    CarriedOut, Channel, Command, CommandName, ComplaintInformation, ErasureGround, Exemption, ExtensionJustification,
    ExtensionReason, FeeGround, ObjectionGround, Processing, Receipt, Receiver, RefusalGround, Request, RequestId,
    RequestKind, RestrictionGround, StatusName, decide,
};
use crate::time::DeadlinePolicy;
use crate::vocab::{LegalBasis, Purpose};

/// The processing chain as a Mermaid flowchart: every controller, processor and sub-processor
/// as a node (full legal name and country), and every agreement as an arrow from the party that
/// engages to the party engaged (Art. 28(3), or Art. 28(4) for a sub-processor), labelled with
/// the countries of processing and, outside the EEA, the Chapter V mechanism and its article.
/// Every label is quoted and escaped by [`escape::mermaid_label`](crate::escape::mermaid_label),
/// so that no legal name can close its node or add nodes and edges of its own.
///
/// # Errors
/// [`ReportError::UnknownParty`] when an agreement names a party not in `parties`.
///
/// # Example
/// ```
/// use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement, ProcessingChain};
/// use gdpr_obligations::model::Party;
/// use gdpr_obligations::report::chain_flowchart;
/// use gdpr_obligations::vocab::Country;
///
/// let shop = Party::builder("ACME s.r.o.", Country::CZ).build()?;
/// let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ).build()?;
/// let parties = [shop.clone(), vendor.clone()];
/// let agreement = ProcessingAgreement::template(shop.id(), vendor.id(), AgreementFacts::unknown());
/// let chain = ProcessingChain::build(parties.clone(), [agreement], [])?;
/// let diagram = chain_flowchart(&chain, &parties)?;
/// assert!(diagram.starts_with("flowchart LR\n"));
/// assert!(diagram.contains("n0 -->|\"processor · Art. 28(3) · CZ\"| n1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn chain_flowchart(chain: &ProcessingChain, parties: &[Party]) -> Result<String, ReportError> {
    let lookup = Parties::new(parties);
    let mut ids: HashMap<PartyId, String> = HashMap::new();
    let mut nodes = String::new();
    let mut edges = String::new();
    let mut node = |party: &Party, nodes: &mut String| -> String {
        let next = ids.len();
        ids.entry(party.id())
            .or_insert_with(|| {
                let id = format!("n{next}");
                nodes.push_str(&format!(
                    "    {id}[\"{}<br/>{}\"]\n",
                    label(party.legal_name().as_str()),
                    party.country()
                ));
                id
            })
            .clone()
    };
    for agreement in chain.agreements() {
        let principal = lookup.get(agreement.principal)?;
        let processor = lookup.get(agreement.processor)?;
        let from = node(principal, &mut nodes);
        let to = node(processor, &mut nodes);
        let locations: Vec<String> = if agreement.processing_locations.is_empty() {
            vec![processor.country().to_string()]
        } else {
            agreement
                .processing_locations
                .iter()
                .map(|l| match (l.country.is_eea(), l.mechanism) {
                    (false, Some(m)) => format!("{}: {} ({})", l.country, m, m.article()),
                    (false, None) => format!("{}: no Chapter V mechanism (Art. 44)", l.country),
                    (true, _) => l.country.to_string(),
                })
                .collect()
        };
        let kind =
            if agreement.is_sub_processing() { "sub-processor · Art. 28(4)" } else { "processor · Art. 28(3)" };
        edges.push_str(&format!("    {from} -->|\"{}\"| {to}\n", label(&format!("{kind} · {}", locations.join(", ")))));
    }
    Ok(format!("flowchart LR\n{nodes}{edges}"))
}

crate::vocab::object_struct! {
/// One transition of the request lifecycle: a command accepted in a state, and the state the
/// request is in after the events it causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct LifecycleTransition {
    /// The state before (`new` for a request not yet received).
    pub from: StatusName,
    /// The command.
    pub command: CommandName,
    /// The state after.
    pub to: StatusName,
}
}

/// Every command name, in the order of [`Command`]. `sample_commands` matches on the names
/// exhaustively, so a new command cannot be added without being explored.
const COMMANDS: [CommandName; 17] = [
    CommandName::Receive,
    CommandName::ForwardToController,
    CommandName::RequestIdentity,
    CommandName::ProvideIdentity,
    CommandName::VerifyIdentity,
    CommandName::RecordIdentityFailure,
    CommandName::WaiveVerification,
    CommandName::RequestClarification,
    CommandName::ProvideClarification,
    CommandName::RequestFee,
    CommandName::RecordFeePaid,
    CommandName::Extend,
    CommandName::Refuse,
    CommandName::Start,
    CommandName::RecordCarriedOut,
    CommandName::Complete,
    CommandName::Withdraw,
];

struct Words {
    text: Text,
}

/// Commands of one name, with values that reach every rule of `decide` that the name has.
fn sample_commands(name: CommandName, at: DateTime<Utc>, w: &Words) -> Vec<Command> {
    let t = || w.text.clone();
    match name {
        CommandName::Receive => Vec::new(),
        CommandName::ForwardToController => vec![Command::ForwardToController { at }],
        CommandName::RequestIdentity => vec![Command::RequestIdentity { at, information: t() }],
        CommandName::ProvideIdentity => vec![Command::ProvideIdentity { at }],
        CommandName::VerifyIdentity => {
            vec![Command::VerifyIdentity { at, subject: SubjectId::from_uuid(uuid::Uuid::nil()) }]
        }
        CommandName::RecordIdentityFailure => vec![Command::RecordIdentityFailure { at, reason: t() }],
        CommandName::WaiveVerification => vec![Command::WaiveVerification { at, reason: t() }],
        CommandName::RequestClarification => vec![Command::RequestClarification { at, question: t() }],
        CommandName::ProvideClarification => vec![Command::ProvideClarification { at }],
        CommandName::RequestFee => [FeeGround::ManifestlyUnfoundedOrExcessive, FeeGround::FurtherCopies]
            .into_iter()
            .map(|ground| Command::RequestFee { at, ground, amount: t(), explanation: t() })
            .collect(),
        CommandName::RecordFeePaid => vec![Command::RecordFeePaid { at }],
        CommandName::Extend => vec![Command::Extend {
            at,
            justification: ExtensionJustification { reason: ExtensionReason::Complexity, explanation: t() },
            notified_via: Channel::Email,
        }],
        CommandName::Refuse => [
            RefusalGround::ManifestlyUnfounded { explanation: t() },
            RefusalGround::CannotIdentify,
            RefusalGround::Exempt { exemption: Exemption::LegalClaims, explanation: None },
        ]
        .into_iter()
        .map(|ground| Command::Refuse { at, ground, reply: None })
        .collect(),
        CommandName::Start => vec![Command::Start { at }],
        CommandName::RecordCarriedOut => {
            let failed = crate::model::SourceName::new("source").ok();
            [CarriedOut::new(1, []), CarriedOut::new(1, failed)]
                .into_iter()
                .map(|outcome| Command::RecordCarriedOut { at, outcome, summary: t(), withheld: None, reply: None })
                .collect()
        }
        CommandName::Complete => vec![Command::Complete { at, summary: t(), withheld: None, reply: None }],
        CommandName::Withdraw => vec![Command::Withdraw { at }],
    }
}

/// The receipts the exploration starts from: every kind of request, on a basis where the right
/// exists and one where it may not, received by the controller or by a processor.
fn receipts(w: &Words) -> Vec<Receipt> {
    let kinds = [
        RequestKind::Access,
        RequestKind::Rectification,
        RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary },
        RequestKind::Restriction { ground: RestrictionGround::AccuracyContested },
        RequestKind::Portability,
        RequestKind::Objection { ground: ObjectionGround::ParticularSituation },
        RequestKind::Objection { ground: ObjectionGround::DirectMarketing },
        RequestKind::AutomatedDecisionReview,
        RequestKind::RecipientInformation,
        RequestKind::ConsentWithdrawal,
    ];
    let at: DateTime<Utc> = DateTime::from_timestamp(1_772_442_000, 0).unwrap_or_default(); // 2026-03-02 09:00 UTC
    let mut out = Vec::new();
    for kind in kinds {
        for basis in [LegalBasis::Consent, LegalBasis::LegitimateInterests] {
            for receiver in
                [Receiver::Controller, Receiver::Processor { processor: PartyId::from_uuid(uuid::Uuid::nil()) }]
            {
                out.push(Receipt {
                    id: RequestId::from_uuid(uuid::Uuid::nil()),
                    at,
                    controller: PartyId::from_uuid(uuid::Uuid::max()),
                    kind,
                    processing: Processing::new(basis, Purpose::CustomerCare),
                    channel: Channel::Chat,
                    receiver,
                    requester: Vec::new(),
                    policy: DeadlinePolicy::czech(),
                    complaint: ComplaintInformation::new(w.text.clone(), w.text.clone()),
                });
            }
        }
    }
    out
}

/// The request lifecycle's transitions, found by exploring the state machine itself: from every
/// kind of receipt, every command of every name is given to [`decide`](crate::request::decide)
/// in every reachable state (state, identity and extension), and each accepted command is
/// recorded with the state its events lead to. Sorted by state and command name.
///
/// Because the diagram is computed from `decide` and `evolve`, it cannot drift from the code.
pub fn request_lifecycle_transitions() -> Vec<LifecycleTransition> {
    let Ok(text) = Text::new("explored") else { return Vec::new() };
    let words = Words { text };
    let mut found: HashSet<LifecycleTransition> = HashSet::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<Request> = VecDeque::new();
    for receipt in receipts(&words) {
        let Ok(events) = decide(None, &Command::Receive(Box::new(receipt))) else { continue };
        if let Some(request) = Request::replay(&events) {
            found.insert(LifecycleTransition {
                from: StatusName::New,
                command: CommandName::Receive,
                to: request.status().name(),
            });
            queue.push_back(request);
        }
    }
    while let Some(request) = queue.pop_front() {
        let key = format!(
            "{:?}|{:?}|{}|{}|{:?}",
            request.kind(),
            request.receipt().processing.basis,
            serde_json::to_value(request.identity()).ok().and_then(|v| v.get("identity").cloned()).unwrap_or_default(),
            request.extension().is_some(),
            request.status().name(),
        ) + &format!("|{:?}|{}", request.receipt().receiver, request.started_at().is_some());
        if !seen.insert(key) {
            continue;
        }
        let at = request.last_event_at() + TimeDelta::hours(1);
        for name in COMMANDS {
            for command in sample_commands(name, at, &words) {
                let Ok(events) = request.decide(&command) else { continue };
                let next = events.iter().fold(request.clone(), Request::evolve);
                found.insert(LifecycleTransition {
                    from: request.status().name(),
                    command: name,
                    to: next.status().name(),
                });
                queue.push_back(next);
            }
        }
    }
    let mut out: Vec<LifecycleTransition> = found.into_iter().collect();
    out.sort_by_key(|t| (t.from.as_str(), t.command.as_str(), t.to.as_str()));
    out
}

/// The request lifecycle as a Mermaid state diagram (`stateDiagram-v2`), generated from
/// [`request_lifecycle_transitions`]: one arrow per pair of states, labelled with every command
/// that leads from one to the other; `[*]` before the first state and after the closed ones.
///
/// # Example
/// ```
/// let diagram = gdpr_obligations::report::request_lifecycle();
/// assert!(diagram.starts_with("stateDiagram-v2\n"));
/// assert!(diagram.contains("    in_progress --> completed : complete, record_carried_out\n"));
/// ```
#[must_use]
pub fn request_lifecycle() -> String {
    let transitions = request_lifecycle_transitions();
    let mut pairs: Vec<(StatusName, StatusName, Vec<&'static str>)> = Vec::new();
    for t in &transitions {
        match pairs.iter_mut().find(|(f, to, _)| *f == t.from && *to == t.to) {
            Some((_, _, commands)) => commands.push(t.command.as_str()),
            None => pairs.push((t.from, t.to, vec![t.command.as_str()])),
        }
    }
    let state = |s: StatusName| if s == StatusName::New { "[*]".to_owned() } else { s.as_str().to_owned() };
    let mut out = String::from(
        "stateDiagram-v2\n    %% The data-subject request lifecycle (Arts. 12, 15-22), generated from request::decide\n",
    );
    for (from, to, commands) in &pairs {
        out.push_str(&format!("    {} --> {} : {}\n", state(*from), state(*to), commands.join(", ")));
    }
    let mut closed: Vec<StatusName> = Vec::new();
    for t in &transitions {
        let leaves = transitions.iter().any(|u| u.from == t.to && u.to != t.to);
        if !leaves && !closed.contains(&t.to) && t.to != StatusName::New {
            closed.push(t.to);
        }
    }
    closed.sort_by_key(|s| s.as_str());
    for s in closed {
        out.push_str(&format!("    {} --> [*]\n", s.as_str()));
    }
    out
}
