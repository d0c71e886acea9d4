//! Personal data of third parties that visitors mention in chats: data "not obtained from the
//! data subject" (Art. 14), with the Art. 14(3) timing and the Art. 14(5) exceptions.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Text;
use crate::vocab::Article;

/// An activity that may hold personal data of people other than the data subjects it collects
/// from: a visitor naming a colleague, a relative or a customer in a chat message (Art. 14).
///
/// The controller informs those people within a reasonable period, at the latest within one
/// month of obtaining the data (Art. 14(3)(a)), at the latest at the first communication with
/// them if the data are used for that (14(3)(b)), and at the latest when the data are first
/// disclosed to another recipient (14(3)(c)); or it records an exception of Art. 14(5) with its
/// reasons. Until one of the two is recorded, the agenda lists the duty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ThirdPartyData {
    /// The day from which the activity obtains such data: the month of Art. 14(3)(a) runs from it.
    pub obtained_from: NaiveDate,
    /// The first communication with such a person, where the data are used for it (Art. 14(3)(b)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_communication: Option<DateTime<Utc>>,
    /// The first disclosure of such data to another recipient (Art. 14(3)(c)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_disclosure: Option<DateTime<Utc>>,
    /// How Art. 14 is met: the information given, or an exception of Art. 14(5); `None` while
    /// neither is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information: Option<ThirdPartyInformation>,
}

impl ThirdPartyData {
    /// Such data obtained from `obtained_from`, with no communication, disclosure or
    /// information recorded yet.
    #[must_use]
    pub fn new(obtained_from: NaiveDate) -> Self {
        Self { obtained_from, first_communication: None, first_disclosure: None, information: None }
    }

    /// The same, with the information given or the exception recorded.
    #[must_use]
    pub fn with_information(mut self, information: ThirdPartyInformation) -> Self {
        self.information = Some(information);
        self
    }

    /// The same, with the first communication with such a person (Art. 14(3)(b)).
    #[must_use]
    pub fn with_first_communication(mut self, at: DateTime<Utc>) -> Self {
        self.first_communication = Some(at);
        self
    }

    /// The same, with the first disclosure to another recipient (Art. 14(3)(c)).
    #[must_use]
    pub fn with_first_disclosure(mut self, at: DateTime<Utc>) -> Self {
        self.first_disclosure = Some(at);
        self
    }
}

/// How Art. 14 is met for third parties mentioned in an activity's data. Every exception carries
/// the reasons the controller documents; Art. 14(5)(b) also the appropriate measures it takes,
/// including making the information publicly available.
///
/// In JSON the variant is the `by` field: `{"by": "disproportionate_effort", "reasons": "…", "measures": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ThirdPartyInformation {
    /// The information of Art. 14(1)-(2) was given.
    Provided {
        /// When.
        at: DateTime<Utc>,
        /// How, e.g. "the privacy notice linked from every chat reply that names a third party".
        how: Text,
    },
    /// Art. 14(5)(a): the data subject already has the information.
    AlreadyInformed {
        /// Why the controller knows it.
        reasons: Text,
    },
    /// Art. 14(5)(b): informing proves impossible or would involve a disproportionate effort,
    /// or would seriously impair the purposes; the controller takes appropriate measures,
    /// including making the information publicly available.
    DisproportionateEffort {
        /// Why, as documented.
        reasons: Text,
        /// The appropriate measures, e.g. "the privacy notice says that chats may mention third
        /// parties, published on the website".
        measures: Text,
    },
    /// Art. 14(5)(c): obtaining or disclosure is laid down by Union or Member State law with
    /// appropriate measures to protect the data subject's legitimate interests.
    LaidDownByLaw {
        /// The law.
        law: Text,
    },
    /// Art. 14(5)(d): the data must remain confidential under an obligation of professional
    /// secrecy.
    ProfessionalSecrecy {
        /// The obligation.
        obligation: Text,
    },
}

impl ThirdPartyInformation {
    /// The provision: Art. 14(1) for information given, the point of Art. 14(5) for an exception.
    #[must_use]
    pub const fn article(&self) -> Article {
        let five = Article::gdpr(14).paragraph(5);
        match self {
            ThirdPartyInformation::Provided { .. } => Article::gdpr(14).paragraph(1),
            ThirdPartyInformation::AlreadyInformed { .. } => five.point('a'),
            ThirdPartyInformation::DisproportionateEffort { .. } => five.point('b'),
            ThirdPartyInformation::LaidDownByLaw { .. } => five.point('c'),
            ThirdPartyInformation::ProfessionalSecrecy { .. } => five.point('d'),
        }
    }
}
