//! The processing chain as the documents read it: every processor and sub-processor on a
//! controller's behalf, where each processes, and the recipients and transfers it adds to an
//! activity. The Art. 30 records, the Arts. 13/14 notice and the Art. 15 access answer all list
//! the chain's members (Arts. 4(9), 13(1)(e), 15(1)(c), 30(1)(d)) and their third-country
//! locations (Arts. 13(1)(f), 15(2), 30(1)(e), 30(2)(c)) from here, so they never disagree.

use super::{ProcessingAgreement, ProcessingChain, ProcessingLocation};
use crate::model::{LocalizedText, Party, PartyId, ProcessingActivity, Recipient, Transfer};
use crate::vocab::Role;

/// A processor or sub-processor in a controller's tree of the chain.
pub(crate) struct ChainMember<'a> {
    pub(crate) agreement: &'a ProcessingAgreement,
    pub(crate) party: &'a Party,
    pub(crate) principal: &'a Party,
    pub(crate) role: Role,
    /// Where it processes: the agreement's locations (or its country of establishment), and its
    /// country of establishment outside the EEA (see [`ProcessingAgreement::locations_for`]).
    pub(crate) locations: Vec<ProcessingLocation>,
}

impl ChainMember<'_> {
    /// The member's transfers: one for each location outside the EEA.
    pub(crate) fn transfers(&self) -> impl Iterator<Item = Transfer> + '_ {
        self.locations.iter().filter(|l| !l.country.is_eea()).map(|l| location_transfer(self.party, l))
    }

    /// Whether the member processes for `activity`: its agreement shares a purpose and a data
    /// category with it.
    pub(crate) fn covers(&self, activity: &ProcessingActivity) -> bool {
        let f = activity.fields();
        f.purposes.iter().any(|p| self.agreement.purposes.contains(&p.purpose))
            && f.data_categories.iter().any(|c| self.agreement.data_categories.contains(c))
    }

    /// The member as a recipient of `activity` (Art. 4(9): a processor is a recipient). A legal
    /// name reads the same in every language: it is given in each language the activity's name
    /// is written in.
    pub(crate) fn recipient(&self, activity: &ProcessingActivity) -> Recipient {
        let legal = self.party.legal_name();
        let mut languages = activity.fields().name.languages();
        let mut name = match languages.next() {
            Some(first) => LocalizedText::new(first.clone(), legal.clone()),
            None => LocalizedText::new(crate::vocab::Language::EN, legal.clone()),
        };
        for language in languages {
            name.insert(language.clone(), legal.clone());
        }
        Recipient { party: Some(self.party.id()), name, role: self.role, country: self.party.country() }
    }
}

/// The transfer to `party` that processing at `location` is (Chapter V; Art. 30(2)(c)).
pub(crate) fn location_transfer(party: &Party, location: &ProcessingLocation) -> Transfer {
    Transfer {
        recipient: party.legal_name().clone(),
        destination: location.country.into(),
        mechanism: location.mechanism,
        adequacy_coverage: location.adequacy_coverage.clone(),
        transfer_assessment: location.transfer_assessment.clone(),
        safeguards_documentation: location.safeguards_documentation.clone(),
        authority_informed_at: None,
        subject_information: None,
    }
}

/// Every processor and sub-processor processing on `controller`'s behalf, in the chain's
/// order; `party` finds a party by id. The error is the first party id it cannot find.
pub(crate) fn chain_members<'a>(
    chain: &'a ProcessingChain,
    controller: PartyId,
    party: impl Fn(PartyId) -> Option<&'a Party>,
) -> Result<Vec<ChainMember<'a>>, PartyId> {
    let mut out = Vec::new();
    for agreement in chain.agreements() {
        if chain.controller_of(agreement.id) != Some(controller) {
            continue;
        }
        let processor = party(agreement.processor).ok_or(agreement.processor)?;
        out.push(ChainMember {
            agreement,
            party: processor,
            principal: party(agreement.principal).ok_or(agreement.principal)?,
            role: if agreement.is_sub_processing() { Role::SubProcessor } else { Role::Processor },
            locations: agreement.locations_for(processor.country()),
        });
    }
    Ok(out)
}

/// Adds a transfer unless one to the same recipient and destination under the same mechanism
/// is listed already (an activity and the processing chain often describe the same transfer);
/// the documentation, coverage evidence and assessment are kept from whichever names them.
pub(crate) fn merge_transfer(list: &mut Vec<Transfer>, transfer: Transfer) {
    let same = |t: &Transfer| {
        t.recipient == transfer.recipient && t.destination == transfer.destination && t.mechanism == transfer.mechanism
    };
    match list.iter_mut().find(|t| same(t)) {
        Some(listed) => {
            if listed.safeguards_documentation.is_none() {
                listed.safeguards_documentation = transfer.safeguards_documentation;
            }
            if listed.adequacy_coverage.is_none() {
                listed.adequacy_coverage = transfer.adequacy_coverage;
            }
            if listed.transfer_assessment.is_none() {
                listed.transfer_assessment = transfer.transfer_assessment;
            }
        }
        None => list.push(transfer),
    }
}
