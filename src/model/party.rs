//! Parties: controllers, processors, sub-processors and recipients, with their identification.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use unicode_normalization::char::canonical_combining_class;

use super::{Invalid, ModelError, PartyId, Problems, Text, canonical};
use crate::time::{DeadlinePolicy, OfficialCalendar};
use crate::vocab::{Article, Country, Language};

/// An e-mail address: one `@`, a non-empty local part and a domain with a dot, no spaces, at
/// most 254 bytes. The domain is kept in NFC and lower case; the local part as given.
///
/// Two addresses designate the same mailbox when their local parts are equal up to ASCII case
/// and their domains are equal ([`SubjectIdentifier::normalised`](super::SubjectIdentifier::normalised)):
/// a Kelvin sign U+212A is not the letter `k`. Invisible characters (zero-width spaces, soft
/// hyphens, bidirectional controls, any Unicode format character) are refused, so that an
/// address that looks like another on screen is never a different subject's key.
///
/// # Example
/// ```
/// use gdpr_obligations::model::EmailAddress;
///
/// assert_eq!(EmailAddress::new("Eva@Example.CZ")?.as_str(), "Eva@example.cz");
/// assert!(EmailAddress::new("eva@localhost").is_err());
/// assert!(EmailAddress::new("ja\u{200b}n@example.com").is_err(), "a zero-width space");
/// # Ok::<(), gdpr_obligations::model::Invalid>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(Box<str>);

impl EmailAddress {
    /// Validates an address.
    ///
    /// # Errors
    /// [`Invalid`] when the text is not of the form `local@domain.tld`, or holds white space,
    /// control or invisible (format) characters. The error does not repeat the address.
    pub fn new(address: &str) -> Result<Self, Invalid> {
        let address = address.trim();
        let bad = |why: &str| Err(Invalid::new("email", why.to_owned()));
        if address.len() > 254 {
            return bad("an e-mail address is at most 254 bytes");
        }
        if address.chars().any(canonical::is_invisible) {
            return bad("an e-mail address has no spaces, control or invisible characters");
        }
        let Some((local, domain)) = address.rsplit_once('@') else {
            return bad("an e-mail address needs an `@`");
        };
        if local.is_empty() || local.contains('@') {
            return bad("an e-mail address needs exactly one `@` after a non-empty local part");
        }
        let labels_ok = domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-' || canonical_combining_class(c) != 0)
        });
        if !domain.contains('.') || !labels_ok {
            return bad("an e-mail domain needs dot-separated labels of letters, digits and `-`");
        }
        Ok(Self(format!("{local}@{}", canonical::email_domain(domain)).into()))
    }

    /// The address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A telephone number, validated against libphonenumber's metadata and kept in E.164 form
/// (`+`, the country calling code and the national significant number, no separators).
///
/// [`new`](Self::new) reads a number in international form however it is typed (`+420 601
/// 123 456`, `00420 601-123-456`, `(+420) 601.123.456`); [`parse`](Self::parse) also reads
/// national forms (`601 123 456`, `030 1234567`) in a given region, such as the controller's.
/// Every form of one number is one value, so a subject found, or erased, by one form is found
/// by all of them (Art. 15, Art. 17).
///
/// # Example
/// ```
/// use gdpr_obligations::model::PhoneNumber;
/// use gdpr_obligations::vocab::Country;
///
/// let number = PhoneNumber::new("+420 601 123 456")?;
/// assert_eq!(number.as_str(), "+420601123456");
/// assert_eq!(PhoneNumber::new("00420 601-123-456")?, number);
/// assert_eq!(PhoneNumber::parse("601 123 456", Some(Country::CZ))?, number);
/// assert_eq!((number.country_calling_code(), number.national_number()), (420, "601123456"));
/// assert!(PhoneNumber::new("601 123 456").is_err(), "a national form needs a region");
/// assert!(PhoneNumber::new("+420 123").is_err(), "too short to be a Czech number");
/// # Ok::<(), gdpr_obligations::model::Invalid>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber {
    e164: Box<str>,
    code: u16,
    region: Option<Country>,
}

impl PhoneNumber {
    /// Validates a number in international form (a leading `+` or `00`), with or without
    /// spaces, dots, dashes and brackets.
    ///
    /// # Errors
    /// [`Invalid`] when the text is not a possible number in international form (a country
    /// calling code and a national number of a length that code has). The error does
    /// not repeat the number.
    pub fn new(number: &str) -> Result<Self, Invalid> {
        Self::parse(number, None)
    }

    /// Validates a number in international form, or in the national form of `region` (the
    /// region's trunk prefix, such as Germany's `0`, is understood).
    ///
    /// # Errors
    /// [`Invalid`] when the text is not a possible number, in international form or, where a
    /// region is given, in that region's national form. The error does not repeat the number.
    pub fn parse(number: &str, region: Option<Country>) -> Result<Self, Invalid> {
        let Some(parsed) = canonical::phone(number, region) else {
            let why = match region {
                None => {
                    "not a possible telephone number in international form (`+` or `00`, a country code and a national number of its length)"
                }
                Some(_) => "not a possible telephone number in international form or in the region's national form",
            };
            return Err(Invalid::new("phone", why));
        };
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        let region = parsed.country().id().and_then(|id| id.as_ref().parse::<Country>().ok());
        Ok(Self { e164: e164.into(), code: parsed.code().value(), region })
    }

    /// The number in E.164 form.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// The country calling code, e.g. `420` for Czechia.
    #[must_use]
    pub fn country_calling_code(&self) -> u16 {
        self.code
    }

    /// The national significant number: the digits after the country calling code, without a
    /// trunk prefix.
    #[must_use]
    pub fn national_number(&self) -> &str {
        let code_digits = self.code.to_string().len();
        self.e164.get(1 + code_digits..).unwrap_or_default()
    }

    /// The region the number belongs to, where the metadata names one (numbers of a
    /// non-geographic code, such as satellite services, have none).
    #[must_use]
    pub fn region(&self) -> Option<Country> {
        self.region
    }
}

/// A tax or VAT identification number, such as a Czech DIČ (`CZ` and 8 to 10 digits).
/// Spaces are removed and letters upper-cased.
///
/// # Example
/// ```
/// use gdpr_obligations::model::TaxId;
///
/// assert_eq!(TaxId::new("cz 27074358")?.as_str(), "CZ27074358");
/// assert!(TaxId::new("CZ1234").is_err(), "a DIČ has 8 to 10 digits");
/// # Ok::<(), gdpr_obligations::model::Invalid>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaxId(Box<str>);

impl TaxId {
    /// Validates a tax id: 4 to 20 ASCII letters, digits and `-`; an id starting with `CZ`
    /// followed by digits is checked as a Czech DIČ.
    ///
    /// # Errors
    /// [`Invalid`] when the id does not have that form.
    pub fn new(id: &str) -> Result<Self, Invalid> {
        let compact: String = id.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let bad = |why: &str| Err(Invalid::new("tax_id", why.to_owned()));
        if !(4..=20).contains(&compact.len()) || !compact.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return bad("a tax id has 4 to 20 letters, digits or `-`");
        }
        if let Some(digits) = compact.strip_prefix("CZ")
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !(8..=10).contains(&digits.len())
        {
            return bad("a Czech DIČ is `CZ` followed by 8 to 10 digits");
        }
        Ok(Self(compact.into()))
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A company registration number in the register of the party's country. For Czechia it is the
/// eight-digit IČO, whose check digit is verified.
///
/// Serialised as `CC:number`, e.g. `CZ:27074358`.
///
/// # Example
/// ```
/// use gdpr_obligations::model::RegistrationNumber;
/// use gdpr_obligations::vocab::Country;
///
/// assert!(RegistrationNumber::new(Country::CZ, "27074358").is_ok());
/// assert!(RegistrationNumber::new(Country::CZ, "27074359").is_err(), "wrong check digit");
/// assert!(RegistrationNumber::new(Country::DE, "HRB 12345").is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationNumber {
    country: Country,
    number: Box<str>,
}

impl RegistrationNumber {
    /// Validates a registration number for `country`.
    ///
    /// # Errors
    /// [`Invalid`] when the number is empty, longer than 64 characters or holds control
    /// characters, or, for Czechia, is not an eight-digit IČO with a correct check digit.
    pub fn new(country: Country, number: &str) -> Result<Self, Invalid> {
        let number = number.trim();
        let bad = |why: &str| Err(Invalid::new("registration_number", why.to_owned()));
        if number.is_empty() || number.chars().count() > 64 || number.chars().any(char::is_control) {
            return bad("a registration number has 1 to 64 printable characters");
        }
        if country == Country::CZ && !is_valid_ico(number) {
            return bad("a Czech IČO has 8 digits with a valid check digit");
        }
        Ok(Self { country, number: number.into() })
    }

    /// The register's country.
    #[must_use]
    pub fn country(&self) -> Country {
        self.country
    }

    /// The number as registered.
    #[must_use]
    pub fn number(&self) -> &str {
        &self.number
    }
}

/// The IČO check: weights 8..2 over the first seven digits, check = (11 - sum mod 11) mod 10.
fn is_valid_ico(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 8 || number.len() != 8 {
        return false;
    }
    let sum: u32 = digits[..7].iter().zip((2..=8).rev()).map(|(d, w)| d * w).sum();
    (11 - sum % 11) % 10 == digits[7]
}

macro_rules! text_newtype_impls {
    ($ty:ty, $name:literal, $schema:tt) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = Invalid;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }
        string_serde!($ty);
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}
pub(crate) use text_newtype_impls;

text_newtype_impls!(EmailAddress, "EmailAddress", { "type": "string", "format": "email", "maxLength": 254 });
text_newtype_impls!(PhoneNumber, "PhoneNumber", { "type": "string", "pattern": "^\\+[1-9][0-9]{6,14}$" });
text_newtype_impls!(TaxId, "TaxId", { "type": "string", "pattern": "^[A-Z0-9-]{4,20}$" });

impl fmt::Display for RegistrationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.country, self.number)
    }
}

impl FromStr for RegistrationNumber {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (country, number) = s
            .split_once(':')
            .ok_or_else(|| Invalid::new("registration_number", "expected `CC:number`: no `:` found"))?;
        let country = country.parse().map_err(|e| Invalid::new("registration_number", format!("{e}")))?;
        Self::new(country, number)
    }
}

string_serde!(RegistrationNumber);

impl JsonSchema for RegistrationNumber {
    fn schema_name() -> Cow<'static, str> {
        "RegistrationNumber".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "The register's ISO country code, `:`, and the number, e.g. `CZ:27074358`.",
            "pattern": "^[A-Z]{2}:.{1,64}$"
        })
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct PostalAddress {
    /// Street and number.
    pub street: Text,
    /// City or town.
    pub city: Text,
    /// Postal code.
    pub postal_code: Text,
    /// Country.
    pub country: Country,
}

/// A person or office to contact: a data protection officer (Art. 37-39), an EU representative
/// (Art. 27) or a breach contact point (Art. 33(3)(b)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Contact {
    /// Name of the person or office.
    pub name: Text,
    /// E-mail address.
    pub email: EmailAddress,
    /// Telephone number, if published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    /// Postal address, if published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PostalAddress>,
}

impl Contact {
    /// A person or office reachable at `email`; the telephone and the postal address, where
    /// published, come through the `with_*` methods.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::model::{Contact, EmailAddress, PhoneNumber, Text};
    ///
    /// let dpo = Contact::new(Text::new("Jana Nováková, DPO")?, EmailAddress::new("dpo@acme.example")?)
    ///     .with_phone(PhoneNumber::new("+420 601 123 456")?);
    /// assert!(dpo.phone.is_some() && dpo.address.is_none());
    /// # Ok::<(), gdpr_obligations::model::Invalid>(())
    /// ```
    #[must_use]
    pub fn new(name: Text, email: EmailAddress) -> Self {
        Contact { name, email, phone: None, address: None }
    }

    /// The same contact with a published telephone number.
    #[must_use]
    pub fn with_phone(mut self, phone: PhoneNumber) -> Self {
        self.phone = Some(phone);
        self
    }

    /// The same contact with a published postal address.
    #[must_use]
    pub fn with_address(mut self, address: PostalAddress) -> Self {
        self.address = Some(address);
        self
    }
}

crate::vocab::object_struct! {
check: check_party;
/// A legal or natural person that plays a role in processing: a website owner, a chat vendor,
/// a hosting provider. Its role is not a property of the party: it belongs to the party in one
/// processing activity (a vendor is a processor for chats and a controller for its billing).
///
/// Built with [`Party::builder`], which reports every invalid field at once; read from JSON, a
/// party passes the same checks.
///
/// Where it is established (its country and, where the state's public holidays differ by
/// region, its region) gives its default [`DeadlinePolicy`]:
/// [`default_deadline_policy`](Self::default_deadline_policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Party {
    id: PartyId,
    legal_name: Text,
    country: Country,
    /// The region of establishment, where the state's public holidays differ by region: the
    /// ISO 3166-2 code of one of the country's regional official calendars, e.g. `de-by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    registration_number: Option<RegistrationNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tax_id: Option<TaxId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<PostalAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contact_email: Option<EmailAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dpo: Option<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    eu_representative: Option<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    language: Option<Language>,
}
}

impl Party {
    /// Starts a party with its full legal name and the country where it is established.
    pub fn builder(legal_name: &str, country: Country) -> PartyBuilder {
        PartyBuilder {
            id: None,
            legal_name: legal_name.to_owned(),
            country,
            region: None,
            registration_number: None,
            tax_id: None,
            address: None,
            contact_email: None,
            dpo: None,
            eu_representative: None,
            language: None,
        }
    }

    /// The party's id.
    #[must_use]
    pub fn id(&self) -> PartyId {
        self.id
    }

    /// The full legal name, as a privacy notice must name a recipient (Art. 13(1)(e)).
    #[must_use]
    pub fn legal_name(&self) -> &Text {
        &self.legal_name
    }

    /// The country of establishment.
    #[must_use]
    pub fn country(&self) -> Country {
        self.country
    }

    /// The region of establishment, where one is stated: the official calendar of a region of
    /// [`country`](Self::country) whose public holidays differ from the rest of the state's.
    #[must_use]
    pub fn region(&self) -> Option<OfficialCalendar> {
        self.region.map(|Region(calendar)| calendar)
    }

    /// The public holidays of the place where the party is established: its region's, else its
    /// country's; `None` outside the EU and the EEA, where no Member State's holidays apply.
    ///
    /// Art. 3(4) of Regulation 1182/71 moves the end of a period off the public holidays of the
    /// Member State (or the part of it) where the act is to be done (Art. 2(1)); a controller
    /// answers a request (Art. 12(3) GDPR) where it is established.
    #[must_use]
    pub fn official_calendar(&self) -> Option<OfficialCalendar> {
        self.region().or_else(|| OfficialCalendar::from_code(self.country.as_str()).ok())
    }

    /// The deadline policy of a controller established where the party is: the public holidays
    /// and the zone of its region or country ([`DeadlinePolicy::official`]), with the default
    /// readings. `None` for a party established outside the EU and the EEA: no Member State's
    /// holidays or zone are its own, so the caller chooses the policy (Art. 2(1) and 3(4) of
    /// Regulation 1182/71; Art. 12(3) GDPR).
    ///
    /// It is a default: a policy the deployment sets (a [`Receipt`]'s, a [`Detection`]'s, the
    /// agenda's) is used as set.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::model::Party;
    /// use gdpr_obligations::time::HolidayCalendar;
    /// use gdpr_obligations::vocab::Country;
    ///
    /// let shop = Party::builder("Alpen Shop GmbH", Country::AT).build()?;
    /// let policy = shop.default_deadline_policy().expect("Austria is a Member State");
    /// assert_eq!(policy.calendar().id(), "at");
    /// assert_eq!(policy.zone().name(), "Europe/Vienna");
    /// assert!(Party::builder("Chat Inc.", Country::US).build()?.default_deadline_policy().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`Receipt`]: crate::request::Receipt
    /// [`Detection`]: crate::breach::Detection
    #[must_use]
    pub fn default_deadline_policy(&self) -> Option<DeadlinePolicy> {
        self.official_calendar().map(DeadlinePolicy::official)
    }

    /// The company registration number (e.g. IČO).
    #[must_use]
    pub fn registration_number(&self) -> Option<&RegistrationNumber> {
        self.registration_number.as_ref()
    }

    /// The tax or VAT id (e.g. DIČ).
    #[must_use]
    pub fn tax_id(&self) -> Option<&TaxId> {
        self.tax_id.as_ref()
    }

    /// The registered address.
    #[must_use]
    pub fn address(&self) -> Option<&PostalAddress> {
        self.address.as_ref()
    }

    /// The contact e-mail for data-protection matters (Art. 13(1)(a)).
    #[must_use]
    pub fn contact_email(&self) -> Option<&EmailAddress> {
        self.contact_email.as_ref()
    }

    /// The data protection officer, where one is designated (Art. 37; Art. 13(1)(b)).
    #[must_use]
    pub fn dpo(&self) -> Option<&Contact> {
        self.dpo.as_ref()
    }

    /// The representative in the Union of a party not established there (Art. 27).
    #[must_use]
    pub fn eu_representative(&self) -> Option<&Contact> {
        self.eu_representative.as_ref()
    }

    /// The language the party writes its documents in by default, e.g. Czech for a Czech
    /// controller, where it is stated. A controller's privacy notice and records carry every
    /// free text in it: [`PrivacyNotice::build`](crate::report::PrivacyNotice::build) refuses an
    /// activity that lacks it.
    #[must_use]
    pub fn language(&self) -> Option<&Language> {
        self.language.as_ref()
    }

    /// Whether the party is established outside the EEA and has named no representative in the
    /// Union: Art. 27(1) requires one when it offers goods or services to, or monitors, people
    /// in the Union (subject to the exceptions of Art. 27(2)).
    #[must_use]
    pub fn lacks_eu_representative(&self) -> bool {
        !self.country.is_eea() && self.eu_representative.is_none()
    }
}

/// Builds a [`Party`], collecting every invalid field.
#[derive(Debug, Clone)]
#[must_use]
pub struct PartyBuilder {
    id: Option<PartyId>,
    legal_name: String,
    country: Country,
    region: Option<String>,
    registration_number: Option<String>,
    tax_id: Option<String>,
    address: Option<PostalAddress>,
    contact_email: Option<String>,
    dpo: Option<Contact>,
    eu_representative: Option<Contact>,
    language: Option<Language>,
}

impl PartyBuilder {
    /// Uses a known id instead of generating one.
    pub fn id(mut self, id: PartyId) -> Self {
        self.id = Some(id);
        self
    }

    /// The region of establishment, by its ISO 3166-2 code in any case (`de-by`, `es-cn`,
    /// `pt-20`): needed only where the state's public holidays or time differ by region, and
    /// accepted only for the regions of the party's country that have an [`OfficialCalendar`].
    pub fn region(mut self, code: &str) -> Self {
        self.region = Some(code.to_owned());
        self
    }

    /// The registration number in the register of the party's country (e.g. the IČO).
    pub fn registration_number(mut self, number: &str) -> Self {
        self.registration_number = Some(number.to_owned());
        self
    }

    /// The tax or VAT id (e.g. the DIČ).
    pub fn tax_id(mut self, id: &str) -> Self {
        self.tax_id = Some(id.to_owned());
        self
    }

    /// The registered address.
    pub fn address(mut self, address: PostalAddress) -> Self {
        self.address = Some(address);
        self
    }

    /// The contact e-mail for data-protection matters.
    pub fn contact_email(mut self, email: &str) -> Self {
        self.contact_email = Some(email.to_owned());
        self
    }

    /// The data protection officer (Art. 37).
    pub fn dpo(mut self, dpo: Contact) -> Self {
        self.dpo = Some(dpo);
        self
    }

    /// The representative in the Union (Art. 27).
    pub fn eu_representative(mut self, representative: Contact) -> Self {
        self.eu_representative = Some(representative);
        self
    }

    /// The language the party writes its documents in by default (a controller's: its notice
    /// and records must carry every free text in it).
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Validates every field and builds the party.
    ///
    /// # Errors
    /// [`ModelError`] listing every invalid field.
    pub fn build(self) -> Result<Party, ModelError> {
        let mut problems = Problems::default();
        let legal_name = problems.take("legal_name", Text::new(&self.legal_name));
        let registration_number = self
            .registration_number
            .and_then(|n| problems.take("registration_number", RegistrationNumber::new(self.country, &n)));
        let tax_id = self.tax_id.and_then(|t| problems.take("tax_id", TaxId::new(&t)));
        let contact_email = self.contact_email.and_then(|e| problems.take("contact_email", EmailAddress::new(&e)));
        let region = self.region.and_then(|code| problems.take("region", region_of(self.country, &code)));
        if let Some(problem) = representative_outside_union(self.eu_representative.as_ref()) {
            problems.push(problem);
        }
        problems.finish()?;
        let legal_name = legal_name.ok_or_else(|| Invalid::new("legal_name", "missing"))?;
        Ok(Party {
            id: self.id.unwrap_or_else(PartyId::generate),
            legal_name,
            country: self.country,
            region: region.map(Region),
            registration_number,
            tax_id,
            address: self.address,
            contact_email,
            dpo: self.dpo,
            eu_representative: self.eu_representative,
            language: self.language,
        })
    }
}

/// A party's region: the official calendar of a region (that it is a region of the party's
/// country is checked by the builder and when a party is read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
struct Region(OfficialCalendar);

impl JsonSchema for Region {
    fn schema_name() -> Cow<'static, str> {
        "Region".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let codes: Vec<&str> = OfficialCalendar::all().filter(|c| c.is_region()).map(OfficialCalendar::code).collect();
        json_schema!({
            "type": "string",
            "description": "The region of establishment, where the state's public holidays differ by region: the \
                            ISO 3166-2 code (lower case) of a regional official calendar of the party's country, \
                            e.g. de-by.",
            "enum": codes
        })
    }
}

/// The regional official calendar `code` names, if it is one of `country`'s regions.
fn region_of(country: Country, code: &str) -> Result<OfficialCalendar, Invalid> {
    let region = OfficialCalendar::from_code(code).ok().filter(|calendar| calendar.is_region());
    match region {
        Some(region) => check_region(country, region).map(|()| region),
        None => Err(unknown_region(country)),
    }
}

/// A region must lie in the party's country: its calendar is that state's days and its own
/// (Art. 2(1) of Regulation 1182/71).
fn check_region(country: Country, region: OfficialCalendar) -> Result<(), Invalid> {
    if !region.is_region() {
        return Err(unknown_region(country));
    }
    if region.country() != country {
        return Err(Invalid::new(
            "region",
            format!("the region {region} lies in {}, not in the party's country {country}", region.country()),
        )
        .under(Article::reg_1182_71(2).paragraph(1)));
    }
    Ok(())
}

/// The problem of a region that is none of `country`'s regional calendars, naming those.
fn unknown_region(country: Country) -> Invalid {
    let codes: Vec<&str> = OfficialCalendar::all()
        .filter(|c| c.is_region() && c.country() == country)
        .map(OfficialCalendar::code)
        .collect();
    let reason = if codes.is_empty() {
        format!("{country} has no regional public holidays: leave the region out")
    } else {
        format!(
            "not the ISO 3166-2 code of a region of {country} with its own public holidays; expected one of: {}",
            codes.join(", ")
        )
    };
    Invalid::new("region", reason).under(Article::reg_1182_71(2).paragraph(1))
}

/// Art. 27(3): the representative must be established in a Member State.
fn representative_outside_union(representative: Option<&Contact>) -> Option<Invalid> {
    let country = representative?.address.as_ref()?.country;
    (!country.is_eea()).then(|| {
        Invalid::new("eu_representative.address.country", "the representative must be established in the Union")
            .under(Article::gdpr(27).paragraph(3))
    })
}

/// The checks of [`PartyBuilder::build`] that a decoded party can fail: its region and its
/// representative.
fn check_party(party: &Party) -> Result<(), ModelError> {
    let mut problems: Vec<Invalid> =
        party.region.and_then(|Region(r)| check_region(party.country, r).err()).into_iter().collect();
    problems.extend(representative_outside_union(party.eu_representative.as_ref()));
    ModelError::check(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ico_check_digit() {
        // 25596641 and 27074358 are valid IČO; changing the last digit breaks them.
        assert!(is_valid_ico("25596641"));
        assert!(is_valid_ico("27074358"));
        assert!(!is_valid_ico("25596642"));
        assert!(!is_valid_ico("2559664"));
        assert!(!is_valid_ico("2559664١"), "non-ASCII digits are refused");
    }

    #[test]
    fn emails() {
        for ok in ["a@b.cz", "eva.novakova+chat@firma.example.com", "ž@příklad.cz"] {
            assert!(EmailAddress::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "a@", "@b.cz", "a@b", "a b@c.cz", "a@b..cz", "a@-b.cz", "a@@b.cz"] {
            assert!(EmailAddress::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn art_27_3_representative_must_be_in_the_union() {
        let rep = Contact {
            name: Text::new("Rep").unwrap(),
            email: EmailAddress::new("rep@rep.example").unwrap(),
            phone: None,
            address: Some(PostalAddress {
                street: Text::new("1 Main St").unwrap(),
                city: Text::new("Austin").unwrap(),
                postal_code: Text::new("78701").unwrap(),
                country: Country::US,
            }),
        };
        let err = Party::builder("US Chat Inc.", Country::US).eu_representative(rep).build().unwrap_err();
        assert_eq!(err.problems()[0].article, Some(Article::gdpr(27).paragraph(3)));
        assert!(Party::builder("US Chat Inc.", Country::US).build().unwrap().lacks_eu_representative());
    }
}
