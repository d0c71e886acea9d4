//! Consent (Arts. 4(11), 7 and 8): records that prove it, withdrawal as an event, the age of
//! digital consent per Member State, and the answer to "is processing for this purpose on
//! consent lawful for this subject now?".
//!
//! A consent is an event stream: [`ConsentEvent::Given`] with everything Art. 7(1) needs to
//! demonstrate it (when, how, which notice text, by whom), then possibly
//! [`ConsentEvent::Withdrawn`]. Withdrawing never deletes the proof, and does not make earlier
//! processing unlawful (Art. 7(3)).
//!
//! # Example
//! ```
//! use chrono::{DateTime, Utc};
//! use gdpr_obligations::consent::{
//!     lawful_on_consent, Consent, ConsentMethod, ConsentRecord, GivenBy, SubjectAge,
//! };
//! use gdpr_obligations::model::{Digest, PartyId, SubjectId};
//! use gdpr_obligations::vocab::{Country, Purpose};
//!
//! let t0: DateTime<Utc> = "2026-03-01T10:00:00Z".parse()?;
//! let (shop, subject) = (PartyId::generate(), SubjectId::generate());
//! let record = ConsentRecord::builder(shop, subject, Purpose::Marketing)
//!     .at(t0)
//!     .method(ConsentMethod::ChatWidgetCheckbox)
//!     .notice(Digest::of_text("We will send you offers by e-mail. You can withdraw at any time."))
//!     .given_by(GivenBy::Subject)
//!     .subject_age(SubjectAge::Adult)
//!     .country(Country::CZ)
//!     .build()?;
//! let mut consent = Consent::give(record);
//! assert!(lawful_on_consent(&[consent.clone()], shop, subject, &Purpose::Marketing, t0).is_lawful());
//! // Consent is given to a controller (Art. 4(11)): another controller cannot rely on it.
//! let other = PartyId::generate();
//! assert!(!lawful_on_consent(&[consent.clone()], other, subject, &Purpose::Marketing, t0).is_lawful());
//!
//! // Withdrawn a week later through the same widget: as easy as giving (Art. 7(3)).
//! let t1: DateTime<Utc> = "2026-03-08T10:00:00Z".parse()?;
//! consent = consent.withdraw(t1, ConsentMethod::ChatWidgetCheckbox)?;
//! let decision = lawful_on_consent(&[consent.clone()], shop, subject, &Purpose::Marketing, t1);
//! assert_eq!(decision.reasons()[0].article.to_string(), "Art. 7(3)");
//! // Processing before the withdrawal stays lawful.
//! assert!(lawful_on_consent(&[consent], shop, subject, &Purpose::Marketing, t0).is_lawful());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Digest, Invalid, ModelError, PartyId, Problems, SubjectId, Text, Token, typed_id};
use crate::vocab::{Article, Country, Purpose};

typed_id!(
    /// Identifies a [`Consent`].
    ConsentId
);

/// How consent was given or withdrawn: the "clear affirmative action" of Art. 4(11).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "method", content = "detail", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConsentMethod {
    /// A checkbox (never pre-ticked) in the chat widget.
    ChatWidgetCheckbox,
    /// A form on the website.
    WebForm,
    /// A reply or link in an e-mail.
    Email,
    /// A signed paper form.
    Paper,
    /// Another method of the product's, named.
    Other(Token),
}

/// Who gave the consent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
#[non_exhaustive]
pub enum GivenBy {
    /// The data subject.
    Subject,
    /// The holder of parental responsibility over a child (Art. 8(1)).
    HolderOfParentalResponsibility {
        /// Who, as verified with reasonable efforts (Art. 8(2)).
        holder: Text,
    },
}

/// What the controller knows of the subject's age, for Art. 8(1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "age", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SubjectAge {
    /// An adult, or at least of the age of digital consent (as checked, Art. 8(2)).
    Adult,
    /// A child of this age in years.
    Child {
        /// Age in whole years.
        years: u8,
    },
}

/// The age of digital consent for information society services offered directly to a child,
/// in the Member State whose law applies (Art. 8(1): 16 unless national law sets 13 to 15).
///
/// Kept as data: national laws change. Sources: the Commission's SWD(2020) 115 and national
/// trackers (see the crate's legal notes); Slovenia and the EEA states are unverified.
/// `None` for countries outside the EEA, where Art. 8 sets no age.
#[must_use]
pub fn digital_consent_age(country: Country) -> Option<u8> {
    const TABLE: &[(&str, u8)] = &[
        ("BE", 13),
        ("DK", 13),
        ("EE", 13),
        ("FI", 13),
        ("LV", 13),
        ("MT", 13),
        ("PT", 13),
        ("SE", 13),
        ("AT", 14),
        ("BG", 14),
        ("CY", 14),
        ("IT", 14),
        ("LT", 14),
        ("ES", 14),
        ("CZ", 15),
        ("FR", 15),
        ("GR", 15),
        ("SI", 15),
        ("HR", 16),
        ("DE", 16),
        ("HU", 16),
        ("IE", 16),
        ("LU", 16),
        ("NL", 16),
        ("PL", 16),
        ("RO", 16),
        ("SK", 16),
        ("NO", 13),
        ("IS", 13),
        ("LI", 16),
    ];
    TABLE.iter().find(|(c, _)| *c == country.as_str()).map(|(_, age)| *age)
}

/// Whether a child of `years` in `country` needs the consent (or authorisation) of the holder
/// of parental responsibility (Art. 8(1)). Outside the EEA the GDPR default of 16 is used.
#[must_use]
pub fn parental_consent_required(country: Country, years: u8) -> bool {
    years < digital_consent_age(country).unwrap_or(16)
}

crate::vocab::object_struct! {
/// A consent as given: the proof Art. 7(1) asks the controller to be able to show.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ConsentRecord {
    /// The consent's id.
    pub id: ConsentId,
    /// The controller the consent is given to.
    pub controller: PartyId,
    /// The subject.
    pub subject: SubjectId,
    /// The specific purpose consented to (Art. 6(1)(a)).
    pub purpose: Purpose,
    /// When.
    pub at: DateTime<Utc>,
    /// How.
    pub method: ConsentMethod,
    /// The SHA-256 of the notice text the subject saw ([`Digest::of_text`]): which version they
    /// agreed to (Art. 7(1), 7(2)), without storing the text in every record.
    pub notice: Digest,
    /// Who gave it.
    pub given_by: GivenBy,
    /// What the controller knows of the subject's age.
    pub subject_age: SubjectAge,
    /// The Member State whose age of digital consent applies (Art. 8(1)).
    pub country: Country,
}
}

impl ConsentRecord {
    /// Starts the record of `subject`'s consent to `controller` for `purpose`. The proof
    /// Art. 7(1) asks for (when, how, which notice) and what Art. 8(1) needs (the subject's age
    /// and the Member State) are set on the builder; [`ConsentRecordBuilder::build`] reports
    /// every one that is missing at once. Given by the subject unless
    /// [`given_by`](ConsentRecordBuilder::given_by) says otherwise.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::consent::{ConsentMethod, ConsentRecord, SubjectAge};
    /// use gdpr_obligations::model::{Digest, PartyId, SubjectId};
    /// use gdpr_obligations::vocab::{Country, Purpose};
    ///
    /// let record = ConsentRecord::builder(PartyId::generate(), SubjectId::generate(), Purpose::Marketing)
    ///     .at("2026-03-01T10:00:00Z".parse()?)
    ///     .method(ConsentMethod::ChatWidgetCheckbox)
    ///     .notice(Digest::of_text("Offers by e-mail; withdraw any time in the chat."))
    ///     .subject_age(SubjectAge::Adult)
    ///     .country(Country::CZ)
    ///     .build()?;
    /// assert_eq!(record.country, Country::CZ);
    ///
    /// // Without the proof, the builder names every missing element with its article.
    /// let missing = ConsentRecord::builder(PartyId::generate(), SubjectId::generate(), Purpose::Marketing)
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(missing.problems().len(), 5);
    /// assert_eq!(missing.problems()[0].article.map(|a| a.to_string()).as_deref(), Some("Art. 7(1)"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(controller: PartyId, subject: SubjectId, purpose: Purpose) -> ConsentRecordBuilder {
        ConsentRecordBuilder {
            id: None,
            controller,
            subject,
            purpose,
            at: None,
            method: None,
            notice: None,
            given_by: GivenBy::Subject,
            subject_age: None,
            country: None,
        }
    }
}

/// Builds a [`ConsentRecord`], reporting every missing element of the proof at once.
#[derive(Debug, Clone)]
#[must_use]
pub struct ConsentRecordBuilder {
    id: Option<ConsentId>,
    controller: PartyId,
    subject: SubjectId,
    purpose: Purpose,
    at: Option<DateTime<Utc>>,
    method: Option<ConsentMethod>,
    notice: Option<Digest>,
    given_by: GivenBy,
    subject_age: Option<SubjectAge>,
    country: Option<Country>,
}

impl ConsentRecordBuilder {
    /// Uses a known id instead of generating one.
    pub fn id(mut self, id: ConsentId) -> Self {
        self.id = Some(id);
        self
    }

    /// When consent was given (Art. 7(1)).
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(at);
        self
    }

    /// How consent was given: the clear affirmative action (Art. 4(11)).
    pub fn method(mut self, method: ConsentMethod) -> Self {
        self.method = Some(method);
        self
    }

    /// The digest of the notice text the subject saw ([`Digest::of_text`]; Art. 7(1), 7(2)).
    pub fn notice(mut self, notice: Digest) -> Self {
        self.notice = Some(notice);
        self
    }

    /// Who gave the consent; by default the subject.
    pub fn given_by(mut self, given_by: GivenBy) -> Self {
        self.given_by = given_by;
        self
    }

    /// What the controller knows of the subject's age (Art. 8(1)).
    pub fn subject_age(mut self, age: SubjectAge) -> Self {
        self.subject_age = Some(age);
        self
    }

    /// The Member State whose age of digital consent applies (Art. 8(1)).
    pub fn country(mut self, country: Country) -> Self {
        self.country = Some(country);
        self
    }

    /// Builds the record.
    ///
    /// # Errors
    /// [`ModelError`] naming every missing element: the instant, the method and the notice the
    /// controller must be able to demonstrate (Art. 7(1), 4(11)), and the subject's age and the
    /// Member State that Art. 8(1) needs.
    pub fn build(self) -> Result<ConsentRecord, ModelError> {
        fn missing(field: &'static str, what: &str, article: Article) -> Invalid {
            Invalid::new(field, format!("{what} is missing")).under(article)
        }
        let mut problems = Problems::default();
        let art_7_1 = Article::gdpr(7).paragraph(1);
        let art_8_1 = Article::gdpr(8).paragraph(1);
        if self.at.is_none() {
            problems.push(missing("at", "when consent was given", art_7_1));
        }
        if self.method.is_none() {
            problems.push(missing("method", "how consent was given", Article::gdpr(4).paragraph(11)));
        }
        if self.notice.is_none() {
            problems.push(missing("notice", "the notice the subject saw", art_7_1));
        }
        if self.subject_age.is_none() {
            problems.push(missing("subject_age", "what is known of the subject's age", art_8_1));
        }
        if self.country.is_none() {
            problems.push(missing("country", "the Member State whose age of consent applies", art_8_1));
        }
        problems.finish()?;
        match (self.at, self.method, self.notice, self.subject_age, self.country) {
            (Some(at), Some(method), Some(notice), Some(subject_age), Some(country)) => Ok(ConsentRecord {
                id: self.id.unwrap_or_else(ConsentId::generate),
                controller: self.controller,
                subject: self.subject,
                purpose: self.purpose,
                at,
                method,
                notice,
                given_by: self.given_by,
                subject_age,
                country,
            }),
            _ => Err(Invalid::new("consent", "an element of the proof is missing").under(art_7_1).into()),
        }
    }
}

/// What happened to a consent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConsentEvent {
    /// Consent was given (Art. 4(11), 7(1)).
    Given(ConsentRecord),
    /// Consent was withdrawn (Art. 7(3)).
    Withdrawn {
        /// When.
        at: DateTime<Utc>,
        /// How.
        method: ConsentMethod,
    },
}

/// A consent and its withdrawal, if any: the state of a consent's events. Read from JSON, a
/// withdrawal dated before the consent is an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "crate::vocab::Object<ConsentRepr>")]
pub struct Consent {
    record: ConsentRecord,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    withdrawn: Option<(DateTime<Utc>, ConsentMethod)>,
}

#[derive(Deserialize, JsonSchema)]
struct ConsentRepr {
    record: ConsentRecord,
    #[serde(default)]
    withdrawn: Option<(DateTime<Utc>, ConsentMethod)>,
}

crate::vocab::try_from_object!(Consent, ConsentRepr);

impl TryFrom<ConsentRepr> for Consent {
    type Error = ConsentError;
    fn try_from(r: ConsentRepr) -> Result<Self, ConsentError> {
        match r.withdrawn {
            Some((at, method)) => Consent::give(r.record).withdraw(at, method),
            None => Ok(Consent::give(r.record)),
        }
    }
}

/// A consent transition that cannot happen: which transition, in which state, at which instant,
/// why, and under which article.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[non_exhaustive]
pub struct ConsentError {
    /// The consent; `None` when there is none yet (a withdrawal of a consent never given).
    pub consent: Option<ConsentId>,
    /// The transition attempted (`withdraw`).
    pub attempted: &'static str,
    /// The state the consent was in (`given` or `withdrawn`).
    pub state: &'static str,
    /// The instant asked.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: String,
    /// The provision behind the refusal.
    pub article: Article,
}

impl std::fmt::Display for ConsentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: cannot {} consent", self.article, self.attempted)?;
        if let Some(consent) = self.consent {
            write!(f, " {consent}")?;
        }
        write!(f, ", which is {}, at {}: {}", self.state, self.at, self.reason)
    }
}

impl crate::lifecycle::Rejected for ConsentError {
    fn article(&self) -> Option<Article> {
        Some(self.article)
    }
    fn transition(&self) -> String {
        self.attempted.to_owned()
    }
    fn state(&self) -> String {
        self.state.to_owned()
    }
}

/// What a controller asks of a consent: record it as given, or record its withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ConsentCommand {
    /// Record a consent given, with its proof (Art. 7(1)).
    Give(ConsentRecord),
    /// Record its withdrawal (Art. 7(3)): any method, at any time, as easy as giving it.
    Withdraw {
        /// When.
        at: DateTime<Utc>,
        /// How.
        method: ConsentMethod,
    },
}

/// The events `command` causes on a consent in `state` (`None` before it is given), or why it
/// is rejected. A second withdrawal causes nothing: the first one stands (Art. 7(3)).
///
/// # Errors
/// [`ConsentError`] under Art. 7(1) when a consent is given twice under one id, and under
/// Art. 7(3) when a consent never given is withdrawn or a withdrawal is dated before the
/// consent.
pub fn decide(state: Option<&Consent>, command: &ConsentCommand) -> Result<Vec<ConsentEvent>, ConsentError> {
    match (state, command) {
        (None, ConsentCommand::Give(record)) => Ok(vec![ConsentEvent::Given(record.clone())]),
        (Some(consent), ConsentCommand::Give(record)) => Err(ConsentError {
            consent: Some(consent.record.id),
            attempted: "give",
            state: consent.state_name(),
            at: record.at,
            reason: "a consent is given once; a new consent is a new record with its own id".to_owned(),
            article: Article::gdpr(7).paragraph(1),
        }),
        (None, ConsentCommand::Withdraw { at, .. }) => Err(ConsentError {
            consent: None,
            attempted: "withdraw",
            state: "not given",
            at: *at,
            reason: "there is no consent to withdraw".to_owned(),
            article: Article::gdpr(7).paragraph(3),
        }),
        (Some(consent), ConsentCommand::Withdraw { at, method }) => {
            let withdrawn = consent.clone().withdraw(*at, method.clone())?;
            if consent.withdrawn.is_some() || withdrawn.withdrawn.is_none() {
                return Ok(Vec::new());
            }
            Ok(vec![ConsentEvent::Withdrawn { at: *at, method: method.clone() }])
        }
    }
}

/// The state after `event`: [`Consent::replay`] one event at a time.
#[must_use]
pub fn evolve(state: Option<Consent>, event: &ConsentEvent) -> Option<Consent> {
    match (state, event) {
        (None, ConsentEvent::Given(record)) => Some(Consent::give(record.clone())),
        (None, ConsentEvent::Withdrawn { .. }) => None,
        (Some(consent), ConsentEvent::Given(_)) => Some(consent),
        (Some(consent), ConsentEvent::Withdrawn { at, method }) => {
            if consent.withdrawn.is_some() {
                Some(consent)
            } else {
                Some(Consent { withdrawn: Some((*at, method.clone())), ..consent })
            }
        }
    }
}

impl crate::lifecycle::Lifecycle for Consent {
    type Id = ConsentId;
    type Command = ConsentCommand;
    type Event = ConsentEvent;
    type Rejection = ConsentError;
    const NAME: &'static str = "consent";

    fn decide_on(state: Option<&Self>, command: &ConsentCommand) -> Result<Vec<ConsentEvent>, ConsentError> {
        decide(state, command)
    }
    fn evolve_with(state: Option<Self>, event: &ConsentEvent) -> Option<Self> {
        evolve(state, event)
    }
    fn lifecycle_id(&self) -> ConsentId {
        self.record.id
    }
    fn owner(&self) -> PartyId {
        self.record.controller
    }
    fn event_at(event: &ConsentEvent) -> DateTime<Utc> {
        match event {
            ConsentEvent::Given(record) => record.at,
            ConsentEvent::Withdrawn { at, .. } => *at,
        }
    }
}

impl Consent {
    /// The state after a consent is given.
    #[must_use]
    pub fn give(record: ConsentRecord) -> Self {
        Consent { record, withdrawn: None }
    }

    /// The events that make up this state, in order: what a ledger stores.
    #[must_use]
    pub fn events(&self) -> Vec<ConsentEvent> {
        let mut events = vec![ConsentEvent::Given(self.record.clone())];
        if let Some((at, method)) = &self.withdrawn {
            events.push(ConsentEvent::Withdrawn { at: *at, method: method.clone() });
        }
        events
    }

    /// Rebuilds a consent from its events; `None` when they do not start with
    /// [`ConsentEvent::Given`]. Later events apply in order; a second withdrawal changes nothing.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a ConsentEvent>) -> Option<Self> {
        let mut events = events.into_iter();
        let ConsentEvent::Given(record) = events.next()? else { return None };
        let mut consent = Consent::give(record.clone());
        for e in events {
            if let ConsentEvent::Withdrawn { at, method } = e
                && consent.withdrawn.is_none()
            {
                consent.withdrawn = Some((*at, method.clone()));
            }
        }
        Some(consent)
    }

    /// Withdraws the consent at `at` by `method`. Any method is accepted, and a consent already
    /// withdrawn stays withdrawn at its first withdrawal (idempotent): withdrawing must be as
    /// easy as giving (Art. 7(3)).
    ///
    /// # Errors
    /// [`ConsentError`] when `at` is before the consent was given.
    pub fn withdraw(self, at: DateTime<Utc>, method: ConsentMethod) -> Result<Self, ConsentError> {
        if at < self.record.at {
            return Err(ConsentError {
                consent: Some(self.record.id),
                attempted: "withdraw",
                state: self.state_name(),
                at,
                reason: format!("it was given only at {}", self.record.at),
                article: Article::gdpr(7).paragraph(3),
            });
        }
        if self.withdrawn.is_some() {
            return Ok(self);
        }
        Ok(Consent { withdrawn: Some((at, method)), ..self })
    }

    fn state_name(&self) -> &'static str {
        if self.withdrawn.is_some() { "withdrawn" } else { "given" }
    }

    /// The record of how it was given.
    #[must_use]
    pub fn record(&self) -> &ConsentRecord {
        &self.record
    }

    /// When and how it was withdrawn, if it was.
    #[must_use]
    pub fn withdrawn(&self) -> Option<(DateTime<Utc>, &ConsentMethod)> {
        self.withdrawn.as_ref().map(|(at, m)| (*at, m))
    }

    /// Whether the consent is in force at `at`: given by then and not withdrawn by then.
    #[must_use]
    pub fn in_force_at(&self, at: DateTime<Utc>) -> bool {
        self.record.at <= at && self.withdrawn.as_ref().is_none_or(|(w, _)| at < *w)
    }
}

/// Why processing on consent is not lawful.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConsentReasonKind {
    /// No consent of the subject for the purpose (Art. 6(1)(a)).
    NoConsent,
    /// The consent was given only after the instant asked about (Art. 6(1)(a)).
    NotYetGiven {
        /// When it was given.
        given_at: DateTime<Utc>,
    },
    /// The consent was withdrawn (Art. 7(3)).
    Withdrawn {
        /// When.
        at: DateTime<Utc>,
    },
    /// A child under the age of digital consent consented without the holder of parental
    /// responsibility (Art. 8(1)).
    ParentalConsentMissing {
        /// The child's age.
        years: u8,
        /// The age of digital consent that applies.
        threshold: u8,
        /// Where.
        country: Country,
    },
}

/// One reason, with its consent and article.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ConsentReason {
    /// What is wrong.
    #[serde(flatten)]
    pub kind: ConsentReasonKind,
    /// The consent concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentId>,
    /// The provision.
    pub article: Article,
}

/// The answer to "is processing for this purpose on consent lawful for this subject at this
/// instant?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ConsentDecision {
    /// Lawful under Art. 6(1)(a), on this consent.
    Lawful {
        /// The consent relied on.
        consent: ConsentId,
    },
    /// Not lawful, with every reason found.
    NotLawful {
        /// The reasons.
        reasons: Vec<ConsentReason>,
    },
}

impl ConsentDecision {
    /// Whether processing is lawful.
    #[must_use]
    pub fn is_lawful(&self) -> bool {
        matches!(self, ConsentDecision::Lawful { .. })
    }

    /// The reasons it is not (empty when lawful).
    #[must_use]
    pub fn reasons(&self) -> &[ConsentReason] {
        match self {
            ConsentDecision::Lawful { .. } => &[],
            ConsentDecision::NotLawful { reasons } => reasons,
        }
    }
}

/// Answers from the records whether `controller` may process `subject`'s data for `purpose` on
/// consent at `at` (Art. 6(1)(a), 7(3), 8(1)).
///
/// Consent is given to a controller (Art. 4(11), 7(1)): only a consent recorded for
/// `controller` counts, whatever the slice holds, so a consent given to one website owner never
/// makes another's processing lawful, even where subject ids were to meet across scopes.
#[must_use]
pub fn lawful_on_consent(
    consents: &[Consent],
    controller: PartyId,
    subject: SubjectId,
    purpose: &Purpose,
    at: DateTime<Utc>,
) -> ConsentDecision {
    let mut reasons = Vec::new();
    for c in consents
        .iter()
        .filter(|c| c.record.controller == controller && c.record.subject == subject && &c.record.purpose == purpose)
    {
        let id = Some(c.record.id);
        if c.record.at > at {
            reasons.push(ConsentReason {
                kind: ConsentReasonKind::NotYetGiven { given_at: c.record.at },
                consent: id,
                article: Article::gdpr(6).paragraph(1).point('a'),
            });
            continue;
        }
        if let Some((w, _)) = &c.withdrawn
            && *w <= at
        {
            reasons.push(ConsentReason {
                kind: ConsentReasonKind::Withdrawn { at: *w },
                consent: id,
                article: Article::gdpr(7).paragraph(3),
            });
            continue;
        }
        if let SubjectAge::Child { years } = c.record.subject_age
            && parental_consent_required(c.record.country, years)
            && c.record.given_by == GivenBy::Subject
        {
            reasons.push(ConsentReason {
                kind: ConsentReasonKind::ParentalConsentMissing {
                    years,
                    threshold: digital_consent_age(c.record.country).unwrap_or(16),
                    country: c.record.country,
                },
                consent: id,
                article: Article::gdpr(8).paragraph(1),
            });
            continue;
        }
        return ConsentDecision::Lawful { consent: c.record.id };
    }
    if reasons.is_empty() {
        reasons.push(ConsentReason {
            kind: ConsentReasonKind::NoConsent,
            consent: None,
            article: Article::gdpr(6).paragraph(1).point('a'),
        });
    }
    ConsentDecision::NotLawful { reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn art_8_1_table_has_every_member_state() {
        let eu: Vec<Country> = Country::all().filter(Country::is_eu_member).collect();
        for c in &eu {
            let age = digital_consent_age(*c).unwrap_or_else(|| panic!("{c} missing"));
            assert!((13..=16).contains(&age), "Art. 8(1): not below 13, default 16: {c} {age}");
        }
        assert_eq!(digital_consent_age(Country::CZ), Some(15));
        assert_eq!(digital_consent_age(Country::US), None);
        assert!(parental_consent_required(Country::CZ, 14) && !parental_consent_required(Country::CZ, 15));
        assert!(parental_consent_required(Country::US, 15), "the GDPR default of 16 outside the EEA");
    }
}
