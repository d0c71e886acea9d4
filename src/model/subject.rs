//! Data subjects, their identifiers, and descriptors of where their personal data lives.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::party::text_newtype_impls;
use super::{EmailAddress, Invalid, ModelError, PartyId, PhoneNumber, Problems, RecordId, SubjectId, Text, canonical};
use crate::vocab::{Article, DataCategory, LegalBasis, Purpose, SubjectCategory};

/// An opaque identifier issued by a system: an account id, a chat visitor token, a cookie id.
/// 1 to 256 printable ASCII characters without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token(Box<str>);

impl Token {
    /// Validates a token.
    ///
    /// # Errors
    /// [`Invalid`] when the token is empty, longer than 256 bytes, or holds anything but
    /// printable ASCII without spaces.
    pub fn new(token: &str) -> Result<Self, Invalid> {
        if (1..=256).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(token.into()))
        } else {
            Err(Invalid::new(
                "token",
                format!("a token has 1 to 256 printable ASCII characters and no spaces: {token:?}"),
            ))
        }
    }

    /// The token.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_newtype_impls!(Token, "Token", { "type": "string", "pattern": "^[!-~]{1,256}$" });

/// The name of a personal-data source, e.g. `chat_history` or `crm_contacts`: 1 to 64 of
/// lower-case ASCII letters, digits, `_`, `-` and `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceName(Box<str>);

impl SourceName {
    /// Validates a source name.
    ///
    /// # Errors
    /// [`Invalid`] when the name is empty, longer than 64 bytes or holds other characters.
    pub fn new(name: &str) -> Result<Self, Invalid> {
        let ok = (1..=64).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b));
        if ok {
            Ok(Self(name.into()))
        } else {
            Err(Invalid::new(
                "source",
                format!("a source name has 1 to 64 of a-z, 0-9, `_`, `-`, `.` (got {} bytes)", name.len()),
            ))
        }
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_newtype_impls!(SourceName, "SourceName", { "type": "string", "pattern": "^[a-z0-9_.-]{1,64}$" });

/// Something by which a data subject can be found: a chat visitor is often known only by a
/// visitor token and an IP address until they type their e-mail.
///
/// In JSON: `{"kind": "email", "value": "eva@example.cz"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SubjectIdentifier {
    /// An e-mail address.
    Email(EmailAddress),
    /// A telephone number in E.164 form.
    Phone(PhoneNumber),
    /// An account id in the controller's or the product's system.
    AccountId(Token),
    /// The token a chat widget stores in the visitor's browser.
    ChatVisitorToken(Token),
    /// An IP address (an online identifier, Recital 30).
    // Read from any textual form (upper-case hex, zeros written out, an IPv4-mapped IPv6
    // address) and kept in canonical form.
    IpAddress(#[serde(deserialize_with = "canonical_ip")] IpAddr),
    /// A cookie id (an online identifier, Recital 30).
    CookieId(Token),
    /// A name as the subject gave it. A weak identifier: never enough alone to verify identity.
    Name(Text),
}

/// Whether an identifier singles one person out (Art. 11(2), 12(2), 12(6), Recital 64).
///
/// A controller uses "all reasonable measures to verify the identity" of a requester
/// (Recital 64) and may act only on data it can attribute to them (Art. 11(2)): a **strong**
/// identifier (a chat visitor token, a cookie id, an e-mail address, a phone number, an account
/// id) is issued to, or controlled by, one person, so it selects that person's data. A **weak**
/// one (a name, an IP address) is shared by namesakes and by everyone behind one network
/// address: it never selects anybody on its own. It only narrows or corroborates a match made
/// by a strong identifier, and a request that carries weak identifiers only is answered under
/// Art. 11(2) and 12(6): the subject cannot be identified, ask for an identifier that singles
/// them out.
///
/// In JSON: `"strong"` or `"weak"`.
///
/// ```
/// use gdpr_obligations::model::{EmailAddress, IdentifierStrength, SubjectIdentifier, Text};
///
/// let email = SubjectIdentifier::Email(EmailAddress::new("eva@example.cz")?);
/// let name = SubjectIdentifier::Name(Text::new("Eva Nováková")?);
/// assert_eq!(email.strength(), IdentifierStrength::Strong);
/// assert_eq!(name.strength(), IdentifierStrength::Weak);
/// assert!(!name.is_strong());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IdentifierStrength {
    /// Singles one person out: selects their data (a token, a cookie id, an e-mail address, a
    /// phone number, an account id).
    Strong,
    /// Cannot single a person out (Recital 64): a name or an IP address. Never selects data on
    /// its own (Art. 11(2), 12(6)).
    Weak,
}

impl SubjectIdentifier {
    /// The category of personal data the identifier itself belongs to.
    #[must_use]
    pub fn category(&self) -> DataCategory {
        match self {
            SubjectIdentifier::Email(_) | SubjectIdentifier::Phone(_) => DataCategory::Contact,
            SubjectIdentifier::AccountId(_) | SubjectIdentifier::Name(_) => DataCategory::Identification,
            SubjectIdentifier::ChatVisitorToken(_)
            | SubjectIdentifier::IpAddress(_)
            | SubjectIdentifier::CookieId(_) => DataCategory::OnlineIdentifier,
        }
    }

    /// The kind, as in the JSON tag: `email`, `phone`, `account_id`, `chat_visitor_token`,
    /// `ip_address`, `cookie_id` or `name`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            SubjectIdentifier::Email(_) => "email",
            SubjectIdentifier::Phone(_) => "phone",
            SubjectIdentifier::AccountId(_) => "account_id",
            SubjectIdentifier::ChatVisitorToken(_) => "chat_visitor_token",
            SubjectIdentifier::IpAddress(_) => "ip_address",
            SubjectIdentifier::CookieId(_) => "cookie_id",
            SubjectIdentifier::Name(_) => "name",
        }
    }

    /// Whether the identifier singles one person out ([`IdentifierStrength::Strong`]: a token,
    /// a cookie id, an e-mail address, a phone number, an account id) or not
    /// ([`IdentifierStrength::Weak`]: a name, an IP address), under Art. 11(2), 12(2), 12(6)
    /// and Recital 64: a weak identifier never selects a subject's data on its own.
    #[must_use]
    pub fn strength(&self) -> IdentifierStrength {
        match self {
            SubjectIdentifier::Email(_)
            | SubjectIdentifier::Phone(_)
            | SubjectIdentifier::AccountId(_)
            | SubjectIdentifier::ChatVisitorToken(_)
            | SubjectIdentifier::CookieId(_) => IdentifierStrength::Strong,
            SubjectIdentifier::Name(_) | SubjectIdentifier::IpAddress(_) => IdentifierStrength::Weak,
        }
    }

    /// Whether the identifier is [strong](IdentifierStrength::Strong): whether it may select a
    /// subject's data (Art. 11(2), 12(6)).
    #[must_use]
    pub fn is_strong(&self) -> bool {
        self.strength() == IdentifierStrength::Strong
    }

    /// The canonical `kind:value` form for matching, one per identifier however it was typed:
    /// an e-mail address with its local part in ASCII lower case (a Kelvin sign is not a `k`)
    /// and its domain in NFC and lower case; a name in NFC and lower case with every run of
    /// white space one space; a telephone number in E.164 form; an IP address in its canonical
    /// text form (an IPv4-mapped IPv6 address is the IPv4 one); tokens exactly. Finding and
    /// erasing a subject's data (Art. 15, Art. 17) compare these forms.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::model::{SubjectIdentifier, Text};
    ///
    /// let name = |n: &str| Ok::<_, gdpr_obligations::model::Invalid>(SubjectIdentifier::Name(Text::new(n)?));
    /// assert_eq!(name("Jan\u{a0}Nova\u{301}k")?.normalised(), "name:jan nov\u{e1}k");
    /// let ip: SubjectIdentifier = serde_json::from_str(r#"{"kind":"ip_address","value":"::FFFF:192.0.2.1"}"#).unwrap();
    /// assert_eq!(ip.normalised(), "ip_address:192.0.2.1");
    /// # Ok::<(), gdpr_obligations::model::Invalid>(())
    /// ```
    #[must_use]
    pub fn normalised(&self) -> String {
        let value: Cow<'_, str> = match self {
            SubjectIdentifier::Email(e) => canonical::email(e.as_str()).into(),
            SubjectIdentifier::Name(n) => canonical::name(n.as_str()).into(),
            SubjectIdentifier::Phone(p) => p.as_str().into(),
            SubjectIdentifier::AccountId(t)
            | SubjectIdentifier::ChatVisitorToken(t)
            | SubjectIdentifier::CookieId(t) => t.as_str().into(),
            SubjectIdentifier::IpAddress(ip) => canonical::ip(*ip).into(),
        };
        format!("{}:{value}", self.kind())
    }

    /// Whether two identifiers designate the same thing (see [`normalised`](Self::normalised)).
    #[must_use]
    pub fn matches(&self, other: &SubjectIdentifier) -> bool {
        self.kind() == other.kind() && self.normalised() == other.normalised()
    }
}

/// Reads an IP address and keeps its canonical form (an IPv4-mapped IPv6 address is the IPv4
/// address), so that every textual form of one address decodes to one value.
fn canonical_ip<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<IpAddr, D::Error> {
    IpAddr::deserialize(deserializer).map(|ip| ip.to_canonical())
}

/// A natural person whose personal data a controller processes, as the controller knows them.
///
/// A data subject belongs to one controller's scope: the same visitor on two websites is two
/// data subjects, one per controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "crate::vocab::Object<DataSubjectRepr>")]
pub struct DataSubject {
    id: SubjectId,
    controller: PartyId,
    categories: Vec<SubjectCategory>,
    identifiers: Vec<SubjectIdentifier>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DataSubjectRepr {
    id: SubjectId,
    controller: PartyId,
    categories: Vec<SubjectCategory>,
    identifiers: Vec<SubjectIdentifier>,
}

crate::vocab::try_from_object!(DataSubject, DataSubjectRepr);

impl TryFrom<DataSubjectRepr> for DataSubject {
    type Error = ModelError;
    fn try_from(r: DataSubjectRepr) -> Result<Self, ModelError> {
        DataSubject::new(r.id, r.controller, r.categories, r.identifiers)
    }
}

impl DataSubject {
    /// A data subject in `controller`'s scope. Duplicate categories and identifiers that
    /// [match](SubjectIdentifier::matches) are kept once.
    ///
    /// # Errors
    /// [`ModelError`] when there is no category or no identifier: a subject that cannot be
    /// found cannot have its rights honoured.
    pub fn new(
        id: SubjectId,
        controller: PartyId,
        categories: Vec<SubjectCategory>,
        identifiers: Vec<SubjectIdentifier>,
    ) -> Result<Self, ModelError> {
        let mut problems = Problems::default();
        if categories.is_empty() {
            problems.push(
                Invalid::new("categories", "a data subject belongs to at least one category")
                    .under(Article::gdpr(30).paragraph(1).point('c')),
            );
        }
        if identifiers.is_empty() {
            problems.push(Invalid::new("identifiers", "a data subject needs at least one identifier"));
        }
        problems.finish()?;
        let mut subject = Self { id, controller, categories: Vec::new(), identifiers: Vec::new() };
        for c in categories {
            if !subject.categories.contains(&c) {
                subject.categories.push(c);
            }
        }
        for i in identifiers {
            subject.add_identifier(i);
        }
        Ok(subject)
    }

    /// The subject's pseudonymous id.
    #[must_use]
    pub fn id(&self) -> SubjectId {
        self.id
    }

    /// The controller in whose scope the subject is known.
    #[must_use]
    pub fn controller(&self) -> PartyId {
        self.controller
    }

    /// The subject's categories.
    #[must_use]
    pub fn categories(&self) -> &[SubjectCategory] {
        &self.categories
    }

    /// The identifiers by which the subject can be found.
    #[must_use]
    pub fn identifiers(&self) -> &[SubjectIdentifier] {
        &self.identifiers
    }

    /// Whether the subject is known to be a child (Art. 8; Art. 6(1)(f) weighs a child's
    /// interests more).
    #[must_use]
    pub fn is_child(&self) -> bool {
        self.categories.contains(&SubjectCategory::Child)
    }

    /// Adds an identifier unless one that matches it is already known; returns whether it was
    /// added.
    pub fn add_identifier(&mut self, identifier: SubjectIdentifier) -> bool {
        if self.identifiers.iter().any(|i| i.matches(&identifier)) {
            return false;
        }
        self.identifiers.push(identifier);
        true
    }

    /// Whether any of the subject's identifiers matches `identifier`.
    #[must_use]
    pub fn is_identified_by(&self, identifier: &SubjectIdentifier) -> bool {
        self.identifiers.iter().any(|i| i.matches(identifier))
    }
}

/// Where one piece of personal data lives and why it is held: the descriptor that lets the
/// crate find, export and erase a subject's data across sources, and that an Art. 15(1)
/// access report is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "crate::vocab::Object<PersonalDataRecordRepr>")]
pub struct PersonalDataRecord {
    id: RecordId,
    controller: PartyId,
    subject: SubjectId,
    source: SourceName,
    location: Text,
    category: DataCategory,
    purpose: Purpose,
    basis: LegalBasis,
    collected_at: DateTime<Utc>,
    retained_until: Option<DateTime<Utc>>,
}

/// The fields of a [`PersonalDataRecord`] before validation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PersonalDataRecordRepr {
    /// The record's id.
    pub id: RecordId,
    /// The controller responsible for the data.
    pub controller: PartyId,
    /// Whom the data is about.
    pub subject: SubjectId,
    /// The source that holds it, e.g. `chat_history`.
    pub source: SourceName,
    /// Where in the source, e.g. `conversation/8f1c/message/42`.
    pub location: Text,
    /// The category of the data.
    pub category: DataCategory,
    /// Why it is held (Art. 15(1)(a)).
    pub purpose: Purpose,
    /// On which basis (Art. 6(1)).
    pub basis: LegalBasis,
    /// When it was collected.
    pub collected_at: DateTime<Utc>,
    /// Until when it may be kept (Art. 5(1)(e)), where known.
    #[serde(default)]
    pub retained_until: Option<DateTime<Utc>>,
}

crate::vocab::try_from_object!(PersonalDataRecord, PersonalDataRecordRepr);

impl TryFrom<PersonalDataRecordRepr> for PersonalDataRecord {
    type Error = ModelError;
    fn try_from(r: PersonalDataRecordRepr) -> Result<Self, ModelError> {
        PersonalDataRecord::new(r)
    }
}

/// Art. 5(1)(e): data cannot be kept until before it was collected.
fn retention_before_collection(collected_at: DateTime<Utc>, retained_until: Option<DateTime<Utc>>) -> Option<Invalid> {
    retained_until.filter(|until| *until < collected_at).map(|_| {
        Invalid::new("retained_until", "the retention end is before the collection instant")
            .under(Article::gdpr(5).paragraph(1).point('e'))
    })
}

impl PersonalDataRecord {
    /// Starts the descriptor of `subject`'s data held for `controller` at `location` in
    /// `source`; what it is, why and since when are set on the builder, and
    /// [`PersonalDataRecordBuilder::build`] reports every missing or invalid field at once.
    ///
    /// # Example
    /// ```
    /// use chrono::{DateTime, TimeDelta, Utc};
    /// use gdpr_obligations::model::{PartyId, PersonalDataRecord, SourceName, SubjectId, Text};
    /// use gdpr_obligations::vocab::{DataCategory, LegalBasis, Purpose};
    ///
    /// let collected: DateTime<Utc> = "2026-03-01T10:00:00Z".parse()?;
    /// let start = || {
    ///     Ok::<_, Box<dyn std::error::Error>>(PersonalDataRecord::builder(
    ///         PartyId::generate(),
    ///         SubjectId::generate(),
    ///         SourceName::new("chat_history")?,
    ///         Text::new("conversation/8f1c/message/42")?,
    ///     ))
    /// };
    /// let record = start()?
    ///     .category(DataCategory::CommunicationContent)
    ///     .purpose(Purpose::CustomerCare)
    ///     .basis(LegalBasis::Contract)
    ///     .collected_at(collected)
    ///     .retained_until(collected + TimeDelta::days(365))
    ///     .build()?;
    /// assert!(!record.is_expired(collected));
    ///
    /// // Kept until before it was collected, and no basis: both problems at once.
    /// let wrong = start()?
    ///     .category(DataCategory::CommunicationContent)
    ///     .purpose(Purpose::CustomerCare)
    ///     .collected_at(collected)
    ///     .retained_until(collected - TimeDelta::days(1))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(wrong.problems().len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(
        controller: PartyId,
        subject: SubjectId,
        source: SourceName,
        location: Text,
    ) -> PersonalDataRecordBuilder {
        PersonalDataRecordBuilder {
            id: None,
            controller,
            subject,
            source,
            location,
            category: None,
            purpose: None,
            basis: None,
            collected_at: None,
            retained_until: None,
        }
    }

    /// Validates a record descriptor.
    ///
    /// # Errors
    /// [`ModelError`] when the data would be kept until before it was collected (Art. 5(1)(e)).
    pub fn new(r: PersonalDataRecordRepr) -> Result<Self, ModelError> {
        if let Some(problem) = retention_before_collection(r.collected_at, r.retained_until) {
            return Err(problem.into());
        }
        Ok(Self {
            id: r.id,
            controller: r.controller,
            subject: r.subject,
            source: r.source,
            location: r.location,
            category: r.category,
            purpose: r.purpose,
            basis: r.basis,
            collected_at: r.collected_at,
            retained_until: r.retained_until,
        })
    }

    /// The record's id.
    #[must_use]
    pub fn id(&self) -> RecordId {
        self.id
    }
    /// The controller responsible for the data.
    #[must_use]
    pub fn controller(&self) -> PartyId {
        self.controller
    }
    /// Whom the data is about.
    #[must_use]
    pub fn subject(&self) -> SubjectId {
        self.subject
    }
    /// The source that holds it.
    #[must_use]
    pub fn source(&self) -> &SourceName {
        &self.source
    }
    /// Where in the source.
    #[must_use]
    pub fn location(&self) -> &Text {
        &self.location
    }
    /// The category of the data.
    #[must_use]
    pub fn category(&self) -> &DataCategory {
        &self.category
    }
    /// Why it is held.
    #[must_use]
    pub fn purpose(&self) -> &Purpose {
        &self.purpose
    }
    /// On which basis.
    #[must_use]
    pub fn basis(&self) -> LegalBasis {
        self.basis
    }
    /// When it was collected.
    #[must_use]
    pub fn collected_at(&self) -> DateTime<Utc> {
        self.collected_at
    }
    /// Until when it may be kept.
    #[must_use]
    pub fn retained_until(&self) -> Option<DateTime<Utc>> {
        self.retained_until
    }
    /// Whether its retention period has ended at `now` (Art. 5(1)(e)): expired data must not
    /// be processed any more, whether or not a sweep has erased it yet.
    #[must_use]
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.retained_until.is_some_and(|until| now > until)
    }
}

/// Builds a [`PersonalDataRecord`], reporting every missing or invalid field at once.
#[derive(Debug, Clone)]
#[must_use]
pub struct PersonalDataRecordBuilder {
    id: Option<RecordId>,
    controller: PartyId,
    subject: SubjectId,
    source: SourceName,
    location: Text,
    category: Option<DataCategory>,
    purpose: Option<Purpose>,
    basis: Option<LegalBasis>,
    collected_at: Option<DateTime<Utc>>,
    retained_until: Option<DateTime<Utc>>,
}

impl PersonalDataRecordBuilder {
    /// Uses a known id instead of generating one.
    pub fn id(mut self, id: RecordId) -> Self {
        self.id = Some(id);
        self
    }

    /// The category of the data (Art. 15(1)(b)).
    pub fn category(mut self, category: DataCategory) -> Self {
        self.category = Some(category);
        self
    }

    /// Why it is held (Art. 15(1)(a)).
    pub fn purpose(mut self, purpose: Purpose) -> Self {
        self.purpose = Some(purpose);
        self
    }

    /// On which basis (Art. 6(1)).
    pub fn basis(mut self, basis: LegalBasis) -> Self {
        self.basis = Some(basis);
        self
    }

    /// When it was collected.
    pub fn collected_at(mut self, at: DateTime<Utc>) -> Self {
        self.collected_at = Some(at);
        self
    }

    /// Until when it may be kept (Art. 5(1)(e)).
    pub fn retained_until(mut self, until: DateTime<Utc>) -> Self {
        self.retained_until = Some(until);
        self
    }

    /// Validates and builds the descriptor.
    ///
    /// # Errors
    /// [`ModelError`] naming every missing field (category, Art. 15(1)(b); purpose,
    /// Art. 15(1)(a); basis, Art. 6(1); collection instant) and a retention end before the
    /// collection instant (Art. 5(1)(e)), as [`PersonalDataRecord::new`] does.
    pub fn build(self) -> Result<PersonalDataRecord, ModelError> {
        let mut problems = Problems::default();
        let missing = |field: &'static str, article: Option<Article>| {
            let problem = Invalid::new(field, "missing");
            match article {
                Some(article) => problem.under(article),
                None => problem,
            }
        };
        if self.category.is_none() {
            problems.push(missing("category", Some(Article::gdpr(15).paragraph(1).point('b'))));
        }
        if self.purpose.is_none() {
            problems.push(missing("purpose", Some(Article::gdpr(15).paragraph(1).point('a'))));
        }
        if self.basis.is_none() {
            problems.push(missing("basis", Some(Article::gdpr(6).paragraph(1))));
        }
        match self.collected_at {
            None => problems.push(missing("collected_at", None)),
            Some(collected_at) => {
                if let Some(problem) = retention_before_collection(collected_at, self.retained_until) {
                    problems.push(problem);
                }
            }
        }
        problems.finish()?;
        let (Some(category), Some(purpose), Some(basis), Some(collected_at)) =
            (self.category, self.purpose, self.basis, self.collected_at)
        else {
            return Err(Invalid::new("record", "a required field is missing").into());
        };
        PersonalDataRecord::new(PersonalDataRecordRepr {
            id: self.id.unwrap_or_else(RecordId::generate),
            controller: self.controller,
            subject: self.subject,
            source: self.source,
            location: self.location,
            category,
            purpose,
            basis,
            collected_at,
            retained_until: self.retained_until,
        })
    }
}
