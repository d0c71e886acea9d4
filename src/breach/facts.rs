//! What is known about a breach (Art. 33(3), 33(5)), how later phases add to it (Art. 33(4)),
//! and what a notification (Art. 33(3)) and a communication (Art. 34(2)) must contain.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Contact, Text};
use crate::vocab::{Article, DataCategory, SubjectCategory};

/// The facts of a personal data breach as the register holds them (Art. 33(5): "the facts
/// relating to the personal data breach, its effects and the remedial action taken"), field by
/// field the content of a notification under Art. 33(3)(a)-(d).
///
/// Every field may be unknown at first: information "may be provided in phases without undue
/// further delay" (Art. 33(4)). A later phase is applied with [`merge`](Self::merge), which
/// never forgets: a known value is only replaced by a newer one, and lists only grow.
///
/// # Example
/// ```
/// use gdpr_obligations::breach::{Facts, NotificationElement};
/// use gdpr_obligations::model::Text;
///
/// let mut facts = Facts { nature: Some(Text::new("an attacker read the support mailbox")?), ..Facts::default() };
/// let missing: Vec<String> = facts.missing_for_notification().iter().map(|m| m.article.to_string()).collect();
/// assert_eq!(missing, ["Art. 33(3)(a)", "Art. 33(3)(a)", "Art. 33(3)(a)", "Art. 33(3)(a)", "Art. 33(3)(b)", "Art. 33(3)(c)", "Art. 33(3)(d)"]);
///
/// // A second phase (Art. 33(4)) adds the approximate number of visitors concerned.
/// facts.merge(&Facts { approx_subjects: Some(1_200), ..Facts::default() });
/// assert!(facts.nature.is_some());
/// assert!(!facts.missing_for_notification().iter().any(|m| m.element == NotificationElement::ApproximateSubjects));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Facts {
    /// Art. 33(3)(a): the nature of the breach: what happened, to which data, and how
    /// (confidentiality, integrity or availability).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nature: Option<Text>,
    /// Art. 33(3)(a): the categories of data subjects concerned, where possible.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subject_categories: Vec<SubjectCategory>,
    /// Art. 33(3)(a): the approximate number of data subjects concerned, where possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approx_subjects: Option<u64>,
    /// Art. 33(3)(a): the categories of personal data records concerned, where possible.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_categories: Vec<DataCategory>,
    /// Art. 33(3)(a): the approximate number of personal data records concerned, where possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approx_records: Option<u64>,
    /// Art. 33(3)(b): the data protection officer or other contact point where more information
    /// can be obtained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Art. 33(3)(c): the likely consequences of the breach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consequences: Option<Text>,
    /// Art. 33(3)(d): the measures taken or proposed to address the breach, including measures
    /// to mitigate its possible adverse effects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<Measure>,
}

/// A measure taken or proposed to address a breach or mitigate its effects (Art. 33(3)(d)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Measure {
    /// What is or will be done.
    pub description: Text,
    /// Whether it is done or proposed.
    pub status: MeasureStatus,
}

impl Measure {
    /// What is or will be done, and whether it is done (Art. 33(3)(d)).
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::breach::{Measure, MeasureStatus};
    /// use gdpr_obligations::model::Text;
    ///
    /// let reset = Measure::new(Text::new("mailbox password reset, MFA enforced")?, MeasureStatus::Taken);
    /// assert_eq!(reset.status, MeasureStatus::Taken);
    /// # Ok::<(), gdpr_obligations::model::Invalid>(())
    /// ```
    #[must_use]
    pub fn new(description: Text, status: MeasureStatus) -> Self {
        Measure { description, status }
    }
}

/// Whether a [`Measure`] has been taken or is proposed (Art. 33(3)(d): "taken or proposed to be
/// taken").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MeasureStatus {
    /// Already taken.
    Taken,
    /// Proposed to be taken.
    Proposed,
}

/// An element of the content of a notification to the supervisory authority (Art. 33(3)); the
/// JSON form is the snake_case name, e.g. `"contact_point"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotificationElement {
    /// Art. 33(3)(a): the nature of the breach.
    Nature,
    /// Art. 33(3)(a): the categories of data subjects concerned ("where possible").
    SubjectCategories,
    /// Art. 33(3)(a): the approximate number of data subjects concerned ("where possible").
    ApproximateSubjects,
    /// Art. 33(3)(a): the categories of personal data records concerned ("where possible").
    RecordCategories,
    /// Art. 33(3)(a): the approximate number of personal data records concerned ("where
    /// possible").
    ApproximateRecords,
    /// Art. 33(3)(b): the DPO or other contact point.
    ContactPoint,
    /// Art. 33(3)(c): the likely consequences.
    LikelyConsequences,
    /// Art. 33(3)(d): the measures taken or proposed.
    Measures,
}

impl NotificationElement {
    /// Every element, in the order of Art. 33(3).
    pub const ALL: [NotificationElement; 8] = [
        NotificationElement::Nature,
        NotificationElement::SubjectCategories,
        NotificationElement::ApproximateSubjects,
        NotificationElement::RecordCategories,
        NotificationElement::ApproximateRecords,
        NotificationElement::ContactPoint,
        NotificationElement::LikelyConsequences,
        NotificationElement::Measures,
    ];

    /// The point of Art. 33(3) that requires the element.
    #[must_use]
    pub const fn article(&self) -> Article {
        let art = Article::gdpr(33).paragraph(3);
        match self {
            NotificationElement::Nature
            | NotificationElement::SubjectCategories
            | NotificationElement::ApproximateSubjects
            | NotificationElement::RecordCategories
            | NotificationElement::ApproximateRecords => art.point('a'),
            NotificationElement::ContactPoint => art.point('b'),
            NotificationElement::LikelyConsequences => art.point('c'),
            NotificationElement::Measures => art.point('d'),
        }
    }

    /// The name as in JSON, e.g. `contact_point`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            NotificationElement::Nature => "nature",
            NotificationElement::SubjectCategories => "subject_categories",
            NotificationElement::ApproximateSubjects => "approximate_subjects",
            NotificationElement::RecordCategories => "record_categories",
            NotificationElement::ApproximateRecords => "approximate_records",
            NotificationElement::ContactPoint => "contact_point",
            NotificationElement::LikelyConsequences => "likely_consequences",
            NotificationElement::Measures => "measures",
        }
    }

    /// What is missing, in lower case and without a final period.
    const fn message(&self) -> &'static str {
        match self {
            NotificationElement::Nature => "the nature of the breach is not described",
            NotificationElement::SubjectCategories => "the categories of data subjects concerned are not given",
            NotificationElement::ApproximateSubjects => "the approximate number of data subjects is not given",
            NotificationElement::RecordCategories => "the categories of personal data records are not given",
            NotificationElement::ApproximateRecords => "the approximate number of personal data records is not given",
            NotificationElement::ContactPoint => "no data protection officer or other contact point is named",
            NotificationElement::LikelyConsequences => "the likely consequences are not described",
            NotificationElement::Measures => "no measure taken or proposed is described",
        }
    }
}

impl fmt::Display for NotificationElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One element a notification or communication lacks, with the point of Art. 33(3) that asks
/// for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Missing {
    /// The element.
    pub element: NotificationElement,
    /// The point of Art. 33(3) that requires it.
    pub article: Article,
    /// What is missing, in lower case and without a final period.
    pub message: String,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.article, self.message)
    }
}

impl Facts {
    /// Applies a later phase of information (Art. 33(4)): every value `later` knows replaces the
    /// one held, every list item it names is added once. Nothing known is ever dropped.
    pub fn merge(&mut self, later: &Facts) {
        fn replace<T: Clone>(held: &mut Option<T>, later: &Option<T>) {
            if let Some(value) = later {
                *held = Some(value.clone());
            }
        }
        fn extend<T: Clone + PartialEq>(held: &mut Vec<T>, later: &[T]) {
            for item in later {
                if !held.contains(item) {
                    held.push(item.clone());
                }
            }
        }
        replace(&mut self.nature, &later.nature);
        extend(&mut self.subject_categories, &later.subject_categories);
        replace(&mut self.approx_subjects, &later.approx_subjects);
        extend(&mut self.data_categories, &later.data_categories);
        replace(&mut self.approx_records, &later.approx_records);
        replace(&mut self.contact, &later.contact);
        replace(&mut self.consequences, &later.consequences);
        extend(&mut self.measures, &later.measures);
    }

    /// Whether merging `later` into these facts would change anything.
    #[must_use]
    pub fn would_change(&self, later: &Facts) -> bool {
        let mut merged = self.clone();
        merged.merge(later);
        merged != *self
    }

    /// Every element of Art. 33(3)(a)-(d) these facts lack, in the order of Art. 33(3): what a
    /// notification to the supervisory authority built from them would be missing. Elements of
    /// point (a) other than the nature are required "where possible"; the list names them so
    /// that the controller can say why they are not yet known, or send them in a later phase
    /// (Art. 33(4)).
    #[must_use]
    pub fn missing_for_notification(&self) -> Vec<Missing> {
        self.missing(&NotificationElement::ALL)
    }

    /// Every element a communication to the data subjects must hold and these facts lack: the
    /// nature of the breach and at least the information of Art. 33(3)(b), (c) and (d)
    /// (Art. 34(2)).
    #[must_use]
    pub fn missing_for_communication(&self) -> Vec<Missing> {
        self.missing(&[
            NotificationElement::Nature,
            NotificationElement::ContactPoint,
            NotificationElement::LikelyConsequences,
            NotificationElement::Measures,
        ])
    }

    /// Whether the element is known.
    #[must_use]
    pub fn has(&self, element: NotificationElement) -> bool {
        match element {
            NotificationElement::Nature => self.nature.is_some(),
            NotificationElement::SubjectCategories => !self.subject_categories.is_empty(),
            NotificationElement::ApproximateSubjects => self.approx_subjects.is_some(),
            NotificationElement::RecordCategories => !self.data_categories.is_empty(),
            NotificationElement::ApproximateRecords => self.approx_records.is_some(),
            NotificationElement::ContactPoint => self.contact.is_some(),
            NotificationElement::LikelyConsequences => self.consequences.is_some(),
            NotificationElement::Measures => !self.measures.is_empty(),
        }
    }

    fn missing(&self, elements: &[NotificationElement]) -> Vec<Missing> {
        elements
            .iter()
            .filter(|e| !self.has(**e))
            .map(|&element| Missing { element, article: element.article(), message: element.message().to_owned() })
            .collect()
    }
}
