//! The texts of every document, per language, and the way a user overrides them.
//!
//! A [`Catalogue`] maps a [`MessageKey`] (a sentence or label with `{placeholders}`) and a
//! [`TermKey`] (a vocabulary term such as a purpose or a legal basis) to text in a
//! [`Language`]. The built-in catalogue holds Czech and English for every key and every
//! built-in term. Asking for a key the catalogue lacks in a language (a custom `x-` term, or a
//! language added by the user but not filled in) is [`ReportError::MissingTranslation`], never
//! an empty string.
//!
//! Why no template engine: every text is a sentence or a label. The structure of a document
//! (which sections appear, how lists repeat) is Rust code over typed values, and only the
//! words are data. Placeholders are checked when an override is set: an override may use only
//! the placeholders the key's built-in English text uses, so a bad override fails at start-up,
//! not while a letter is rendered.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ReportError;
use super::countries::COUNTRY_NAMES;
use crate::store::ItemOrigin;
use crate::vocab::{
    Country, DataCategory, InternationalOrganisation, Language, LegalBasis, Purpose, Right, Role,
    SpecialCategoryCondition, SubjectCategory, TransferMechanism,
};

/// Defines [`MessageKey`] with the built-in English and Czech text of every key.
macro_rules! messages {
    ($($key:ident $name:literal => $en:literal, $cs:literal;)*) => {
        /// A sentence or label of a document. Its built-in English text is its documentation;
        /// `{name}` marks a placeholder filled from the model.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum MessageKey {
            $( #[doc = $en] $key, )*
        }

        impl MessageKey {
            /// Every key.
            pub const ALL: &'static [MessageKey] = &[$(MessageKey::$key),*];

            /// The key's name, as in JSON.
            pub const fn as_str(&self) -> &'static str {
                match self { $( MessageKey::$key => $name, )* }
            }

            /// The built-in English text.
            pub const fn english(&self) -> &'static str {
                match self { $( MessageKey::$key => $en, )* }
            }

            const fn czech(&self) -> &'static str {
                match self { $( MessageKey::$key => $cs, )* }
            }
        }
    };
}

impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

messages! {
    // Dates.
    MonthNames "month_names" => "January,February,March,April,May,June,July,August,September,October,November,December",
        "ledna,února,března,dubna,května,června,července,srpna,září,října,listopadu,prosince";
    Date "date" => "{day} {month} {year}", "{day}. {month} {year}";
    Instant "instant" => "{date}, {time} {zone}", "{date}, {time} {zone}";
    // Shared words.
    NotApplicable "not_applicable" => "not applicable", "neuplatňuje se";
    Missing "missing" => "missing", "chybí";
    None "none" => "none", "žádné";
    Email "email" => "e-mail: {email}", "e-mail: {email}";
    Phone "phone" => "telephone: {phone}", "telefon: {phone}";
    RegistrationNumber "registration_number" => "registration number {number}", "IČO {number}";
    ForeignRegistrationNumber "foreign_registration_number" => "registration number {number} ({country})", "registrační číslo {number} ({country})";
    TaxId "tax_id" => "tax ID {tax_id}", "DIČ {tax_id}";
    Established "established" => "country of establishment: {country}", "stát sídla: {country}";
    MonthCountOne "month_count_one" => "{count} month", "{count} měsíc";
    MonthCountFew "month_count_few" => "{count} months", "{count} měsíce";
    MonthCountOther "month_count_other" => "{count} months", "{count} měsíců";
    Months "months" => "{months} from collection", "{months} od získání";
    MonthsAfter "months_after" => "{months} after {event}", "{months} od {event}";
    Criteria "criteria" => "criteria: {criteria}", "kritéria: {criteria}";
    TransferLine "transfer_line" => "{recipient} ({country}): {mechanism} ({article})", "{recipient} ({country}): {mechanism} ({article})";
    TransferNoMechanism "transfer_no_mechanism" => "{recipient} ({country}; within the EEA, no Chapter V mechanism needed)", "{recipient} ({country}; v rámci EHP, mechanismus podle kapitoly V není třeba)";
    TransferMissingMechanism "transfer_missing_mechanism" => "{recipient} ({country}): missing: no Chapter V mechanism is recorded for this transfer outside the EEA ({article})", "{recipient} ({country}): chybí: pro toto předání mimo EHP není zaznamenán žádný mechanismus podle kapitoly V ({article})";
    Safeguards "safeguards" => "documented suitable safeguards: {safeguards}", "zdokumentované vhodné záruky: {safeguards}";
    Adequacy "adequacy" => "an adequacy decision of the Commission is in force for the country of destination ({article})", "pro zemi určení platí rozhodnutí Komise o odpovídající ochraně ({article})";
    NoAdequacy "no_adequacy" => "no adequacy decision of the Commission covers this transfer; it relies on {mechanism} ({article})", "na toto předání se nevztahuje rozhodnutí Komise o odpovídající ochraně; opírá se o {mechanism} ({article})";
    RecipientLine "recipient_line" => "{name} ({role}, {country})", "{name} ({role}, {country})";
    PurposeLine "purpose_line" => "{purpose}: {basis} ({article})", "{purpose}: {basis} ({article})";
    LegitimateInterestsLine "legitimate_interests_line" => "legitimate interests pursued ({article}): {interests}", "sledované oprávněné zájmy ({article}): {interests}";
    RightLine "right_line" => "{right} ({article})", "{right} ({article})";
    // Art. 30 records.
    ControllerRecordTitle "controller_record_title" => "Records of processing activities of the controller {controller} (Art. 30(1))", "Záznamy o činnostech zpracování správce {controller} (čl. 30 odst. 1)";
    ProcessorRecordTitle "processor_record_title" => "Records of categories of processing activities of the processor {processor} (Art. 30(2))", "Záznamy o kategoriích činností zpracování zpracovatele {processor} (čl. 30 odst. 2)";
    RecordActivity "record_activity" => "Processing activity: {name}", "Činnost zpracování: {name}";
    RecordAgreement "record_agreement" => "On behalf of {controller} (agreement {agreement})", "Jménem správce {controller} (smlouva {agreement})";
    RecordPoint "record_point" => "Point", "Bod";
    RecordField "record_field" => "Field", "Položka";
    RecordValue "record_value" => "Content", "Obsah";
    FieldController "field_controller" => "Name and contact details of the controller", "Jméno a kontaktní údaje správce";
    FieldJointControllers "field_joint_controllers" => "Joint controllers", "Společní správci";
    FieldRepresentative "field_representative" => "Representative in the Union", "Zástupce v Unii";
    FieldDpo "field_dpo" => "Data protection officer", "Pověřenec pro ochranu osobních údajů";
    FieldPurposes "field_purposes" => "Purposes of the processing", "Účely zpracování";
    FieldSubjectCategories "field_subject_categories" => "Categories of data subjects", "Kategorie subjektů údajů";
    FieldDataCategories "field_data_categories" => "Categories of personal data", "Kategorie osobních údajů";
    FieldRecipients "field_recipients" => "Categories of recipients, including in third countries", "Kategorie příjemců, včetně příjemců ve třetích zemích";
    FieldTransfers "field_transfers" => "Transfers to third countries or international organisations", "Předání do třetích zemí nebo mezinárodním organizacím";
    FieldErasure "field_erasure" => "Envisaged time limits for erasure", "Plánované lhůty pro výmaz";
    FieldSecurity "field_security" => "Technical and organisational security measures (Art. 32(1))", "Technická a organizační bezpečnostní opatření (čl. 32 odst. 1)";
    FieldProcessor "field_processor" => "Name and contact details of the processor", "Jméno a kontaktní údaje zpracovatele";
    FieldOnBehalfOf "field_on_behalf_of" => "Controller on whose behalf the processor acts", "Správce, jehož jménem zpracovatel jedná";
    FieldEngagedBy "field_engaged_by" => "Processor that engaged this sub-processor (Art. 28(4))", "Zpracovatel, který tohoto dalšího zpracovatele zapojil (čl. 28 odst. 4)";
    FieldControllerRepresentative "field_controller_representative" => "Controller's representative in the Union", "Zástupce správce v Unii";
    FieldControllerDpo "field_controller_dpo" => "Controller's data protection officer", "Pověřenec správce";
    FieldCategoriesOfProcessing "field_categories_of_processing" => "Categories of processing carried out on behalf of the controller", "Kategorie zpracování prováděného jménem správce";
    ProcessingCategories "processing_categories" => "{subject_matter}; nature: {nature}; purposes: {purposes}; personal data: {data}; data subjects: {subjects}", "{subject_matter}; povaha: {nature}; účely: {purposes}; osobní údaje: {data}; subjekty údajů: {subjects}";
    NaSoleController "na_sole_controller" => "not applicable: the activity has a sole controller (Art. 26)", "neuplatňuje se: činnost má jediného správce (čl. 26)";
    NaEstablishedInUnion "na_established_in_union" => "not applicable: established in the Union (Art. 27(1))", "neuplatňuje se: usazen v Unii (čl. 27 odst. 1)";
    NaNoDpo "na_no_dpo" => "not applicable: no data protection officer is designated (Art. 37)", "neuplatňuje se: pověřenec není jmenován (čl. 37)";
    NaNoRecipients "na_no_recipients" => "not applicable: the data are disclosed to no recipient", "neuplatňuje se: údaje nejsou zpřístupněny žádnému příjemci";
    NaNoTransfers "na_no_transfers" => "not applicable: no transfer outside the EEA", "neuplatňuje se: žádné předání mimo EHP";
    NaNoDescription "na_no_description" => "not applicable: no general description recorded (the record includes it where possible)", "neuplatňuje se: obecný popis není zaznamenán (záznam jej obsahuje, je-li to možné)";
    NaEngagedByController "na_engaged_by_controller" => "not applicable: engaged directly by the controller", "neuplatňuje se: zapojen přímo správcem";
    MissingRepresentative "missing_representative" => "missing: established outside the Union and no representative named (Art. 27(1))", "chybí: usazen mimo Unii a zástupce není jmenován (čl. 27 odst. 1)";
    MissingContact "missing_contact" => "missing: no contact details (no e-mail and no address)", "chybí: žádné kontaktní údaje (ani e-mail, ani adresa)";
    // Privacy notice (Arts. 13 and 14).
    NoticeTitle "notice_title" => "How we process personal data", "Jak zpracováváme osobní údaje";
    NoticeIntro "notice_intro" => "This section gives the information that Articles 13 and 14 of Regulation (EU) 2016/679 of the European Parliament and of the Council (General Data Protection Regulation) require. It is valid from {date}.", "Tato část obsahuje informace, které vyžadují články 13 a 14 nařízení Evropského parlamentu a Rady (EU) 2016/679 (obecné nařízení o ochraně osobních údajů). Platí od {date}.";
    NoticeController "notice_controller" => "Who is the controller ({article})", "Kdo je správce ({article})";
    NoticeControllerLine "notice_controller_line" => "The controller of your personal data is {name}.", "Správcem vašich osobních údajů je {name}.";
    NoticeRepresentative "notice_representative" => "Our representative in the Union ({article}): {contact}.", "Náš zástupce v Unii ({article}): {contact}.";
    NoticeDpo "notice_dpo" => "Data protection officer ({article})", "Pověřenec pro ochranu osobních údajů ({article})";
    NoticeNoDpo "notice_no_dpo" => "We have not designated a data protection officer; contact us at the details above.", "Pověřence pro ochranu osobních údajů jsme nejmenovali; obracejte se na nás na výše uvedených kontaktech.";
    NoticeVendor "notice_vendor" => "Personal data from the chat on this website are processed on our behalf by our {role} {vendor}, {identification}.", "Osobní údaje z chatu na tomto webu pro nás zpracovává náš {role} {vendor}, {identification}.";
    NoticeVendorUnidentified "notice_vendor_unidentified" => "Personal data from the chat on this website are processed on our behalf by our {role} {vendor}.", "Osobní údaje z chatu na tomto webu pro nás zpracovává náš {role} {vendor}.";
    NoticeVendorPublished "notice_vendor_published" => "{vendor} asks its customers to publish the following sentence, which we reproduce as given: \"{sentence}\"", "{vendor} žádá své zákazníky o zveřejnění následující věty, kterou uvádíme v původním znění: „{sentence}“";
    NoticeActivity "notice_activity" => "{name}", "{name}";
    NoticeJointControllers "notice_joint_controllers" => "We determine the purposes and means of this processing jointly with other controllers ({article}): {controllers}.", "Účely a prostředky tohoto zpracování určujeme společně s dalšími správci ({article}): {controllers}.";
    NoticeArrangement "notice_arrangement" => "The essence of the arrangement between the joint controllers ({article}): {arrangement}", "Podstatný obsah ujednání mezi společnými správci ({article}): {arrangement}";
    NoticePurposes "notice_purposes" => "Purposes and legal bases ({article}):", "Účely a právní základy ({article}):";
    NoticeCategories "notice_categories" => "Categories of personal data ({article}): {categories}.", "Kategorie osobních údajů ({article}): {categories}.";
    NoticeRetention "notice_retention" => "How long we keep the data ({article}): {retention}.", "Jak dlouho údaje uchováváme ({article}): {retention}.";
    NoticeRights "notice_rights" => "Your rights for this processing ({article}):", "Při tomto zpracování máte tato práva ({article}):";
    NoticeRightsFor "notice_rights_for" => "{purpose} (legal basis: {basis}): {rights}", "{purpose} (právní základ: {basis}): {rights}";
    NoticeAutomated "notice_automated" => "Automated decision-making ({article}): {information}", "Automatizované rozhodování ({article}): {information}";
    NoticeNoAutomated "notice_no_automated" => "We do not make decisions based solely on automated processing, including profiling ({article}).", "Nerozhodujeme výhradně na základě automatizovaného zpracování, včetně profilování ({article}).";
    NoticeRecipients "notice_recipients" => "Recipients ({article})", "Příjemci ({article})";
    NoticeRecipientsIntro "notice_recipients_intro" => "These processors and sub-processors process personal data on our behalf:", "Osobní údaje pro nás zpracovávají tito zpracovatelé a další zpracovatelé:";
    NoticeProcessorLine "notice_processor_line" => "{name}, {identification}, {country}: {role}", "{name}, {identification}, {country}: {role}";
    NoticeEngagedBy "notice_engaged_by" => "{line}, engaged by {principal}", "{line}, zapojený společností {principal}";
    NoticeOtherRecipients "notice_other_recipients" => "Other recipients and categories of recipients:", "Další příjemci a kategorie příjemců:";
    NoticeNoRecipients "notice_no_recipients" => "We disclose the data to no recipient.", "Údaje nikomu nezpřístupňujeme.";
    NoticeTransfers "notice_transfers" => "Transfers outside the EEA ({article})", "Předání mimo EHP ({article})";
    NoticeNoTransfers "notice_no_transfers" => "We do not transfer personal data outside the European Economic Area.", "Osobní údaje nepředáváme mimo Evropský hospodářský prostor.";
    NoticeSafeguardsCopy "notice_safeguards_copy" => "You can obtain a copy of the safeguards from us at the contact details above.", "Kopii záruk můžete získat na výše uvedených kontaktech.";
    NoticeConsent "notice_consent" => "Withdrawing consent ({article})", "Odvolání souhlasu ({article})";
    NoticeConsentText "notice_consent_text" => "Where we process data on the basis of your consent ({consent_article}) or your explicit consent ({explicit_article}), you may withdraw it at any time, as easily as you gave it. Withdrawal does not affect the lawfulness of processing based on consent before its withdrawal.", "Zpracováváme-li údaje na základě vašeho souhlasu ({consent_article}) nebo výslovného souhlasu ({explicit_article}), můžete jej kdykoli odvolat stejně snadno, jako jste jej udělili. Odvoláním souhlasu není dotčena zákonnost zpracování založeného na souhlasu před jeho odvoláním.";
    NoticeComplaint "notice_complaint" => "Complaints ({article})", "Stížnosti ({article})";
    NoticeComplaintText "notice_complaint_text" => "You have the right to lodge a complaint with a supervisory authority: {authority}.", "Máte právo podat stížnost u dozorového úřadu: {authority}.";
    NoticeProvision "notice_provision" => "Whether you must provide the data ({article})", "Zda musíte údaje poskytnout ({article})";
    NoticeProvisionMissing "notice_provision_missing" => "Missing ({article}): whether providing the personal data is a statutory or contractual requirement, or a requirement necessary to enter into a contract, whether you are obliged to provide them, and the possible consequences of failure to provide them.", "Chybí ({article}): zda je poskytování osobních údajů zákonným či smluvním požadavkem, nebo požadavkem, který je nutné uvést do smlouvy, zda máte povinnost osobní údaje poskytnout a jaké jsou možné důsledky jejich neposkytnutí.";
    NoticeObjection "notice_objection" => "Your right to object ({article})", "Právo vznést námitku ({article})";
    NoticeObjectionSituation "notice_objection_situation" => "You have the right to object, on grounds relating to your particular situation, at any time to processing of your personal data based on our legitimate interests or on a task carried out in the public interest, including profiling based on those provisions. We then no longer process the data unless we demonstrate compelling legitimate grounds for the processing which override your interests, rights and freedoms, or for the establishment, exercise or defence of legal claims ({article}). This concerns: {purposes}.", "Máte právo z důvodů týkajících se vaší konkrétní situace kdykoli vznést námitku proti zpracování vašich osobních údajů, které je založeno na našem oprávněném zájmu nebo na plnění úkolu ve veřejném zájmu, včetně profilování založeného na těchto ustanoveních. Osobní údaje pak dále nezpracováváme, ledaže prokážeme závažné oprávněné důvody pro zpracování, které převažují nad vašimi zájmy, právy a svobodami, nebo pro určení, výkon nebo obhajobu právních nároků ({article}). Týká se to těchto účelů: {purposes}.";
    NoticeObjectionMarketing "notice_objection_marketing" => "Where we process your personal data for direct marketing, you have the right to object at any time, free of charge, to that processing, including profiling to the extent that it is related to such direct marketing ({article}). We then no longer process the data for that purpose ({stop_article}). This concerns: {purposes}.", "Zpracováváme-li vaše osobní údaje pro účely přímého marketingu, máte právo vznést kdykoli a bezplatně námitku proti takovému zpracování, včetně profilování, pokud se týká tohoto přímého marketingu ({article}). Pro tyto účely pak osobní údaje dále nezpracováváme ({stop_article}). Týká se to těchto účelů: {purposes}.";
    NoticeSources "notice_sources" => "Data we do not obtain from you ({article})", "Údaje, které nezískáváme od vás ({article})";
    NoticeSourcesIntro "notice_sources_intro" => "Some personal data come from other sources:", "Některé osobní údaje pocházejí z jiných zdrojů:";
    // Letters.
    LetterGreeting "letter_greeting" => "Dear Sir or Madam,", "Vážená paní, vážený pane,";
    LetterClosing "letter_closing" => "Yours faithfully,", "S pozdravem";
    LetterReference "letter_reference" => "Your request of {date} ({right}, {article}), our reference {reference}", "Vaše žádost ze dne {date} ({right}, {article}), naše značka {reference}";
    ExtensionTitle "extension_title" => "Extension of the time limit for your request ({article})", "Prodloužení lhůty k vyřízení vaší žádosti ({article})";
    ExtensionBody "extension_body" => "We received your request on {received}. Under {article} we extend the time limit for our answer by two further months, to {due}.", "Vaši žádost jsme obdrželi dne {received}. Podle {article} prodlužujeme lhůtu pro naši odpověď o další dva měsíce, do {due}.";
    ExtensionReasons "extension_reasons" => "The reasons for the delay: {reason}. {explanation}", "Důvody prodloužení: {reason}. {explanation}";
    ExtensionComplexity "extension_complexity" => "the complexity of the request", "složitost žádosti";
    ExtensionNumber "extension_number" => "the number of requests", "počet žádostí";
    ExtensionComplexityAndNumber "extension_complexity_and_number" => "the complexity of the request and the number of requests", "složitost žádosti a počet žádostí";
    RefusalTitle "refusal_title" => "We do not take action on your request ({article})", "Vaší žádosti nevyhovíme ({article})";
    RefusalBody "refusal_body" => "We received your request on {received}. We do not take action on it, for this reason ({article}): {reason}.", "Vaši žádost jsme obdrželi dne {received}. Nevyhovíme jí z tohoto důvodu ({article}): {reason}.";
    RefusalUnfounded "refusal_unfounded" => "the request is manifestly unfounded: {explanation}", "žádost je zjevně nedůvodná: {explanation}";
    RefusalExcessive "refusal_excessive" => "the request is manifestly excessive: {explanation}", "žádost je zjevně nepřiměřená: {explanation}";
    RefusalCannotIdentify "refusal_cannot_identify" => "we are not in a position to identify you as the data subject", "nejsme schopni vás identifikovat jako subjekt údajů";
    RefusalUnavailable "refusal_unavailable" => "{right} is not available for processing based on {basis} ({basis_article})", "{right} se neuplatní u zpracování založeného na {basis} ({basis_article})";
    RefusalConditionsNotMet "refusal_conditions_not_met" => "the conditions of {conditions_article} are not met: {explanation}", "podmínky {conditions_article} nejsou splněny: {explanation}";
    RefusalExempt "refusal_exempt" => "an exemption applies: {exemption}", "uplatní se výjimka: {exemption}";
    ExemptFreedomOfExpression "exempt_freedom_of_expression" => "the processing is necessary for exercising the right of freedom of expression and information", "zpracování je nezbytné pro výkon práva na svobodu projevu a informace";
    ExemptLegalObligation "exempt_legal_obligation" => "the processing is necessary for compliance with a legal obligation or for a task in the public interest", "zpracování je nezbytné pro splnění právní povinnosti nebo úkolu ve veřejném zájmu";
    ExemptPublicHealth "exempt_public_health" => "the processing is necessary for reasons of public interest in public health", "zpracování je nezbytné z důvodů veřejného zájmu v oblasti veřejného zdraví";
    ExemptArchiving "exempt_archiving" => "erasure would seriously impair archiving in the public interest, research or statistics", "výmaz by vážně ohrozil archivaci ve veřejném zájmu, výzkum nebo statistiku";
    ExemptLegalClaims "exempt_legal_claims" => "the processing is necessary for the establishment, exercise or defence of legal claims", "zpracování je nezbytné pro určení, výkon nebo obhajobu právních nároků";
    ExemptCompellingGrounds "exempt_compelling_grounds" => "we have compelling legitimate grounds for the processing which override your interests, rights and freedoms", "máme závažné oprávněné důvody pro zpracování, které převažují nad vašimi zájmy, právy a svobodami";
    ExemptCopyAffectsOthers "exempt_copy_affects_others" => "a copy would adversely affect the rights and freedoms of others", "kopie by nepříznivě ovlivnila práva a svobody jiných osob";
    ExemptPortabilityAffectsOthers "exempt_portability_affects_others" => "the portable data would adversely affect the rights and freedoms of others", "přenesené údaje by nepříznivě ovlivnily práva a svobody jiných osob";
    ExemptDecisionByLaw "exempt_decision_by_law" => "the automated decision is authorised by law which lays down suitable safeguards", "automatizované rozhodnutí povoluje právní předpis, který stanoví vhodná ochranná opatření";
    RefusalComplaint "refusal_complaint" => "You may lodge a complaint with a supervisory authority ({complaint_article}): {authority}. You may also seek a judicial remedy ({remedy_article}): {remedy}.", "Můžete podat stížnost u dozorového úřadu ({complaint_article}): {authority}. Můžete se také domáhat soudní ochrany ({remedy_article}): {remedy}.";
    AccessTitle "access_title" => "Your personal data: our answer to your access request ({article})", "Vaše osobní údaje: odpověď na vaši žádost o přístup ({article})";
    AccessConfirmation "access_confirmation" => "We confirm that we process personal data concerning you ({article}). The copy of the data is enclosed ({copy_article}).", "Potvrzujeme, že zpracováváme osobní údaje, které se vás týkají ({article}). Kopii údajů přikládáme ({copy_article}).";
    AccessNoData "access_no_data" => "We confirm that we do not process personal data concerning you ({article}).", "Potvrzujeme, že nezpracováváme žádné osobní údaje, které se vás týkají ({article}).";
    AccessInformation "access_information" => "The information of {article} for each processing activity:", "Informace podle {article} ke každé činnosti zpracování:";
    AccessPurposes "access_purposes" => "(a) purposes: {purposes}", "a) účely: {purposes}";
    AccessCategories "access_categories" => "(b) categories of personal data: {categories}", "b) kategorie osobních údajů: {categories}";
    AccessRecipients "access_recipients" => "(c) recipients: {recipients}", "c) příjemci: {recipients}";
    AccessRetention "access_retention" => "(d) storage period: {retention}", "d) doba uložení: {retention}";
    AccessRights "access_rights" => "(e) your rights: {rights}", "e) vaše práva: {rights}";
    AccessComplaint "access_complaint" => "(f) the right to lodge a complaint with a supervisory authority ({article})", "f) právo podat stížnost u dozorového úřadu ({article})";
    AccessSources "access_sources" => "(g) sources of data not collected from you: {sources}", "g) zdroje údajů, které nebyly získány od vás: {sources}";
    AccessNoSources "access_no_sources" => "(g) all data were collected from you", "g) všechny údaje byly získány od vás";
    AccessAutomated "access_automated" => "(h) automated decision-making: {information}", "h) automatizované rozhodování: {information}";
    AccessNoAutomated "access_no_automated" => "(h) no automated decision-making, including profiling", "h) žádné automatizované rozhodování, včetně profilování";
    AccessTransfers "access_transfers" => "transfers to third countries and their safeguards ({article}): {transfers}", "předání do třetích zemí a jejich záruky ({article}): {transfers}";
    // Breach notification (Art. 33(3)).
    BreachTitle "breach_title" => "Notification of a personal data breach to the supervisory authority ({article})", "Ohlášení případu porušení zabezpečení osobních údajů dozorovému úřadu ({article})";
    BreachDraft "breach_draft" => "Draft prepared from the breach register entry {breach}. Review every part before sending.", "Koncept připravený ze záznamu o porušení {breach}. Před odesláním každou část zkontrolujte.";
    BreachController "breach_controller" => "Controller: {controller}", "Správce: {controller}";
    BreachAware "breach_aware" => "We became aware of the breach on {aware}; the notification is due by {due} ({article}).", "O porušení jsme se dozvěděli {aware}; ohlášení je třeba učinit do {due} ({article}).";
    BreachOccurred "breach_occurred" => "The breach occurred on {occurred}.", "K porušení došlo {occurred}.";
    BreachNature "breach_nature" => "Nature of the breach ({article})", "Povaha porušení ({article})";
    BreachSubjects "breach_subjects" => "Categories of data subjects: {categories}; approximate number: {number}", "Kategorie subjektů údajů: {categories}; přibližný počet: {number}";
    BreachRecords "breach_records" => "Categories of personal data records: {categories}; approximate number: {number}", "Kategorie záznamů osobních údajů: {categories}; přibližný počet: {number}";
    BreachContact "breach_contact" => "Contact point for more information ({article})", "Kontaktní místo pro další informace ({article})";
    BreachConsequences "breach_consequences" => "Likely consequences ({article})", "Pravděpodobné důsledky ({article})";
    BreachMeasures "breach_measures" => "Measures taken or proposed ({article})", "Přijatá nebo navrhovaná opatření ({article})";
    BreachMeasureTaken "breach_measure_taken" => "taken: {measure}", "přijato: {measure}";
    BreachMeasureProposed "breach_measure_proposed" => "proposed: {measure}", "navrženo: {measure}";
    BreachRisk "breach_risk" => "Our assessment of the risk: {risk}. {reasons}", "Naše posouzení rizika: {risk}. {reasons}";
    RiskUnlikely "risk_unlikely" => "unlikely to result in a risk to the rights and freedoms of natural persons", "není pravděpodobné, že by mělo za následek riziko pro práva a svobody fyzických osob";
    RiskRisk "risk_risk" => "likely to result in a risk to the rights and freedoms of natural persons", "pravděpodobně bude mít za následek riziko pro práva a svobody fyzických osob";
    RiskHigh "risk_high" => "likely to result in a high risk to the rights and freedoms of natural persons; we will communicate the breach to the data subjects ({article})", "pravděpodobně bude mít za následek vysoké riziko pro práva a svobody fyzických osob; porušení oznámíme subjektům údajů ({article})";
    BreachLate "breach_late" => "Reasons for the delay beyond 72 hours ({article}): {reasons}", "Důvody zpoždění delšího než 72 hodin ({article}): {reasons}";
    BreachLateMissing "breach_late_missing" => "This notification is later than 72 hours after awareness: state the reasons for the delay ({article}).", "Ohlášení je učiněno později než 72 hodin od zjištění: uveďte důvody zpoždění ({article}).";
    BreachMissing "breach_missing" => "Not yet known, to follow in phases ({article}):", "Dosud není známo, bude doplněno postupně ({article}):";
    BreachUnknown "breach_unknown" => "not yet known", "dosud není známo";
    BreachUnknownNumber "breach_unknown_number" => "not yet known", "dosud neznámý";
    ElementNature "element_nature" => "the nature of the breach", "povaha porušení";
    ElementSubjectCategories "element_subject_categories" => "the categories of data subjects concerned", "kategorie dotčených subjektů údajů";
    ElementApproximateSubjects "element_approximate_subjects" => "the approximate number of data subjects", "přibližný počet subjektů údajů";
    ElementRecordCategories "element_record_categories" => "the categories of personal data records", "kategorie záznamů osobních údajů";
    ElementApproximateRecords "element_approximate_records" => "the approximate number of personal data records", "přibližný počet záznamů osobních údajů";
    ElementContactPoint "element_contact_point" => "the data protection officer or other contact point", "pověřenec nebo jiné kontaktní místo";
    ElementLikelyConsequences "element_likely_consequences" => "the likely consequences", "pravděpodobné důsledky";
    ElementMeasures "element_measures" => "the measures taken or proposed", "přijatá nebo navrhovaná opatření";
}

/// The vocabularies whose terms a document names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Vocabulary {
    /// [`LegalBasis`].
    LegalBasis,
    /// [`SpecialCategoryCondition`].
    SpecialCategoryCondition,
    /// [`DataCategory`], including custom `x-` terms.
    DataCategory,
    /// [`SubjectCategory`], including custom `x-` terms.
    SubjectCategory,
    /// [`Purpose`], including custom `x-` terms.
    Purpose,
    /// [`Right`].
    Right,
    /// [`Role`].
    Role,
    /// [`TransferMechanism`], by its storage name (`standard_contractual_clauses.module_2`).
    TransferMechanism,
    /// A [`Right`] named as a right, by its storage name: "the right to rectification",
    /// "právo na opravu", "právo vznést námitku" (the [`Right`] label is the noun, "oprava").
    RightName,
    /// A [`LegalBasis`] as it follows "processing based on", by its storage name (in Czech the
    /// locative: "zpracování založeného na oprávněném zájmu").
    ProcessingBasedOn,
    /// A [`Country`] by its ISO 3166-1 code (`US`): its name.
    Country,
    /// [`InternationalOrganisation`], a destination of a Chapter V transfer.
    InternationalOrganisation,
    /// [`ItemOrigin`]: where an exported item came from (Art. 15(1)(g)).
    ItemOrigin,
}

/// A term of a vocabulary, by its storage name: e.g. the purpose `x-loyalty`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct TermKey {
    /// The vocabulary.
    pub vocabulary: Vocabulary,
    /// The term's storage name.
    pub name: String,
}

impl fmt::Display for TermKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let vocabulary = serde_json::to_value(self.vocabulary).ok();
        let vocabulary = vocabulary.as_ref().and_then(|v| v.as_str()).unwrap_or("term");
        write!(f, "{vocabulary}:{}", self.name)
    }
}

/// A value that a document names through the catalogue: a vocabulary term.
pub(crate) trait Term {
    fn term_key(&self) -> TermKey;
}

macro_rules! term {
    ($ty:ty, $vocabulary:ident) => {
        impl Term for $ty {
            fn term_key(&self) -> TermKey {
                TermKey { vocabulary: Vocabulary::$vocabulary, name: self.as_str().to_string() }
            }
        }
    };
}
term!(LegalBasis, LegalBasis);
term!(SpecialCategoryCondition, SpecialCategoryCondition);
term!(DataCategory, DataCategory);
term!(SubjectCategory, SubjectCategory);
term!(Purpose, Purpose);
term!(Right, Right);
term!(Role, Role);
term!(TransferMechanism, TransferMechanism);
term!(InternationalOrganisation, InternationalOrganisation);
term!(Country, Country);

/// A right as a document names it when it speaks of the right itself ("the right to object"),
/// not of a request for it ("objection").
pub(crate) struct RightName(pub(crate) Right);

impl Term for RightName {
    fn term_key(&self) -> TermKey {
        TermKey { vocabulary: Vocabulary::RightName, name: self.0.as_str().to_string() }
    }
}

/// A legal basis as it follows "processing based on" (in Czech, the locative).
pub(crate) struct BasedOn(pub(crate) LegalBasis);

impl Term for BasedOn {
    fn term_key(&self) -> TermKey {
        TermKey { vocabulary: Vocabulary::ProcessingBasedOn, name: self.0.as_str().to_string() }
    }
}
term!(ItemOrigin, ItemOrigin);

/// Built-in English and Czech labels of the built-in terms.
const TERMS: &[(Vocabulary, &str, &str, &str)] = {
    use Vocabulary as V;
    &[
        (V::LegalBasis, "consent", "consent", "souhlas"),
        (V::LegalBasis, "contract", "performance of a contract", "plnění smlouvy"),
        (V::LegalBasis, "legal_obligation", "a legal obligation", "právní povinnost"),
        (V::LegalBasis, "vital_interests", "vital interests", "životně důležité zájmy"),
        (V::LegalBasis, "public_task", "a task in the public interest", "úkol ve veřejném zájmu"),
        (V::LegalBasis, "legitimate_interests", "legitimate interests", "oprávněné zájmy"),
        (V::ProcessingBasedOn, "consent", "consent", "souhlasu"),
        (V::ProcessingBasedOn, "contract", "the performance of a contract", "plnění smlouvy"),
        (V::ProcessingBasedOn, "legal_obligation", "a legal obligation", "právní povinnosti"),
        (V::ProcessingBasedOn, "vital_interests", "vital interests", "životně důležitém zájmu"),
        (
            V::ProcessingBasedOn,
            "public_task",
            "a task carried out in the public interest",
            "plnění úkolu ve veřejném zájmu",
        ),
        (V::ProcessingBasedOn, "legitimate_interests", "legitimate interests", "oprávněném zájmu"),
        (V::SpecialCategoryCondition, "explicit_consent", "explicit consent", "výslovný souhlas"),
        (
            V::SpecialCategoryCondition,
            "employment_and_social_security",
            "employment and social security law",
            "pracovní právo a sociální zabezpečení",
        ),
        (V::SpecialCategoryCondition, "vital_interests", "vital interests", "životně důležité zájmy"),
        (V::SpecialCategoryCondition, "not_for_profit_body", "a not-for-profit body", "neziskový subjekt"),
        (
            V::SpecialCategoryCondition,
            "manifestly_made_public",
            "data manifestly made public",
            "údaje zjevně zveřejněné",
        ),
        (V::SpecialCategoryCondition, "legal_claims", "legal claims", "právní nároky"),
        (
            V::SpecialCategoryCondition,
            "substantial_public_interest",
            "substantial public interest",
            "významný veřejný zájem",
        ),
        (V::SpecialCategoryCondition, "health_or_social_care", "health or social care", "zdravotní nebo sociální péče"),
        (V::SpecialCategoryCondition, "public_health", "public health", "veřejné zdraví"),
        (
            V::SpecialCategoryCondition,
            "archiving_research_statistics",
            "archiving, research or statistics",
            "archivace, výzkum nebo statistika",
        ),
        (V::DataCategory, "identification", "identification data", "identifikační údaje"),
        (V::DataCategory, "contact", "contact data", "kontaktní údaje"),
        (V::DataCategory, "online_identifier", "online identifiers", "online identifikátory"),
        (V::DataCategory, "communication_content", "content of communications", "obsah komunikace"),
        (V::DataCategory, "location", "location data", "lokalizační údaje"),
        (V::DataCategory, "financial", "financial data", "finanční údaje"),
        (V::DataCategory, "usage_behaviour", "usage and behaviour data", "údaje o užívání a chování"),
        (V::DataCategory, "device", "device data", "údaje o zařízení"),
        (V::DataCategory, "image_audio", "images, audio and video", "obrazové, zvukové a video záznamy"),
        (
            V::DataCategory,
            "racial_or_ethnic_origin",
            "racial or ethnic origin (Art. 9(1))",
            "rasový či etnický původ (čl. 9 odst. 1)",
        ),
        (V::DataCategory, "political_opinions", "political opinions (Art. 9(1))", "politické názory (čl. 9 odst. 1)"),
        (
            V::DataCategory,
            "religious_or_philosophical_beliefs",
            "religious or philosophical beliefs (Art. 9(1))",
            "náboženské vyznání či filozofické přesvědčení (čl. 9 odst. 1)",
        ),
        (
            V::DataCategory,
            "trade_union_membership",
            "trade union membership (Art. 9(1))",
            "členství v odborech (čl. 9 odst. 1)",
        ),
        (V::DataCategory, "genetic", "genetic data (Art. 9(1))", "genetické údaje (čl. 9 odst. 1)"),
        (V::DataCategory, "biometric", "biometric data (Art. 9(1))", "biometrické údaje (čl. 9 odst. 1)"),
        (V::DataCategory, "health", "data concerning health (Art. 9(1))", "údaje o zdravotním stavu (čl. 9 odst. 1)"),
        (
            V::DataCategory,
            "sex_life",
            "data concerning sex life (Art. 9(1))",
            "údaje o sexuálním životě (čl. 9 odst. 1)",
        ),
        (
            V::DataCategory,
            "sexual_orientation",
            "data concerning sexual orientation (Art. 9(1))",
            "údaje o sexuální orientaci (čl. 9 odst. 1)",
        ),
        (
            V::DataCategory,
            "criminal_offences",
            "criminal convictions and offences (Art. 10)",
            "údaje o rozsudcích v trestních věcech a trestných činech (čl. 10)",
        ),
        (V::SubjectCategory, "visitor", "website visitors", "návštěvníci webu"),
        (V::SubjectCategory, "customer", "customers", "zákazníci"),
        (V::SubjectCategory, "prospect", "prospective customers", "potenciální zákazníci"),
        (V::SubjectCategory, "employee", "employees", "zaměstnanci"),
        (V::SubjectCategory, "chat_agent", "chat agents", "operátoři chatu"),
        (V::SubjectCategory, "child", "children", "děti"),
        (V::Purpose, "customer_care", "customer care", "péče o zákazníky"),
        (V::Purpose, "contract", "performing a contract", "plnění smlouvy"),
        (V::Purpose, "marketing", "direct marketing", "přímý marketing"),
        (V::Purpose, "analytics", "analytics of the service's use", "analýza využívání služby"),
        (V::Purpose, "security", "security of the service", "zabezpečení služby"),
        (V::Purpose, "legal_compliance", "compliance with legal obligations", "plnění právních povinností"),
        (V::Right, "access", "access", "přístup"),
        (V::Right, "rectification", "rectification", "oprava"),
        (V::Right, "erasure", "erasure", "výmaz"),
        (V::Right, "restriction", "restriction of processing", "omezení zpracování"),
        (
            V::Right,
            "recipient_information",
            "information about the recipients to whom the rectification, erasure or restriction was communicated",
            "informace o příjemcích, jimž byly oprava, výmaz nebo omezení zpracování oznámeny",
        ),
        (V::Right, "portability", "data portability", "přenositelnost údajů"),
        (V::Right, "objection", "objection", "námitka"),
        (
            V::Right,
            "automated_decision_review",
            "human review of an automated decision",
            "přezkum automatizovaného rozhodnutí člověkem",
        ),
        (V::Right, "withdraw_consent", "withdrawal of consent", "odvolání souhlasu"),
        (V::Right, "lodge_complaint", "lodging a complaint", "podání stížnosti"),
        (V::RightName, "access", "the right of access", "právo na přístup"),
        (V::RightName, "rectification", "the right to rectification", "právo na opravu"),
        (V::RightName, "erasure", "the right to erasure", "právo na výmaz"),
        (V::RightName, "restriction", "the right to restriction of processing", "právo na omezení zpracování"),
        (
            V::RightName,
            "recipient_information",
            "the right to information about the recipients to whom the rectification, erasure or restriction was communicated",
            "právo na informace o příjemcích, jimž byly oprava, výmaz nebo omezení zpracování oznámeny",
        ),
        (V::RightName, "portability", "the right to data portability", "právo na přenositelnost údajů"),
        (V::RightName, "objection", "the right to object", "právo vznést námitku"),
        (
            V::RightName,
            "automated_decision_review",
            "the right to human review of an automated decision",
            "právo na přezkum automatizovaného rozhodnutí člověkem",
        ),
        (V::RightName, "withdraw_consent", "the right to withdraw consent", "právo odvolat souhlas"),
        (V::RightName, "lodge_complaint", "the right to lodge a complaint", "právo podat stížnost"),
        (V::ItemOrigin, "subject_details", "details you gave us", "údaje, které jste nám sdělili"),
        (V::ItemOrigin, "subject_message", "messages you wrote", "zprávy, které jste napsali"),
        (V::ItemOrigin, "agent_reply", "replies of our agents", "odpovědi našich pracovníků"),
        (V::ItemOrigin, "bot_reply", "replies of the chat bot", "odpovědi chatovacího robota"),
        (V::ItemOrigin, "agent_note", "notes of our agents", "poznámky našich pracovníků"),
        (
            V::ItemOrigin,
            "connection_record",
            "the network addresses your device connected from, recorded by the chat",
            "síťové adresy, ze kterých se vaše zařízení připojilo, zaznamenané chatem",
        ),
        (
            V::ItemOrigin,
            "conversation_record",
            "the record of the conversations you took part in, kept by the chat",
            "záznam o konverzacích, kterých jste se účastnili, vedený chatem",
        ),
        (
            V::ItemOrigin,
            "third_party",
            "information another person or organisation gave us",
            "informace, které nám poskytla jiná osoba nebo organizace",
        ),
        (V::Role, "controller", "controller", "správce"),
        (V::Role, "joint_controller", "joint controller", "společný správce"),
        (V::Role, "processor", "processor", "zpracovatel"),
        (V::Role, "sub_processor", "sub-processor", "další zpracovatel"),
        (V::Role, "recipient", "recipient", "příjemce"),
        (V::Role, "third_party", "third party", "třetí strana"),
        (
            V::InternationalOrganisation,
            "european_patent_organisation",
            "the European Patent Organisation",
            "Evropská patentová organizace",
        ),
        (V::TransferMechanism, "adequacy_decision", "an adequacy decision", "rozhodnutí o odpovídající ochraně"),
        (V::TransferMechanism, "binding_corporate_rules", "binding corporate rules", "závazná podniková pravidla"),
        (
            V::TransferMechanism,
            "legally_binding_instrument",
            "a legally binding and enforceable instrument between public authorities",
            "právně závazný a vymahatelný nástroj mezi orgány veřejné moci",
        ),
        (
            V::TransferMechanism,
            "supervisory_authority_clauses",
            "standard data protection clauses adopted by a supervisory authority",
            "standardní doložky o ochraně osobních údajů přijaté dozorovým úřadem",
        ),
        (V::TransferMechanism, "code_of_conduct", "an approved code of conduct", "schválený kodex chování"),
        (
            V::TransferMechanism,
            "certification",
            "an approved certification mechanism",
            "schválený mechanismus pro vydávání osvědčení",
        ),
        (
            V::TransferMechanism,
            "authorised_contractual_clauses",
            "contractual clauses authorised by the supervisory authority",
            "smluvní doložky povolené dozorovým úřadem",
        ),
        (
            V::TransferMechanism,
            "administrative_arrangement",
            "provisions of an administrative arrangement between public authorities",
            "ustanovení správních ujednání mezi orgány veřejné moci",
        ),
        (
            V::TransferMechanism,
            "standard_contractual_clauses.module_1",
            "standard contractual clauses (module 1)",
            "standardní smluvní doložky (modul 1)",
        ),
        (
            V::TransferMechanism,
            "standard_contractual_clauses.module_2",
            "standard contractual clauses (module 2)",
            "standardní smluvní doložky (modul 2)",
        ),
        (
            V::TransferMechanism,
            "standard_contractual_clauses.module_3",
            "standard contractual clauses (module 3)",
            "standardní smluvní doložky (modul 3)",
        ),
        (
            V::TransferMechanism,
            "standard_contractual_clauses.module_4",
            "standard contractual clauses (module 4)",
            "standardní smluvní doložky (modul 4)",
        ),
        (V::TransferMechanism, "derogation.49_1_a", "explicit consent to the transfer", "výslovný souhlas s předáním"),
        (
            V::TransferMechanism,
            "derogation.49_1_b",
            "necessity for a contract with you",
            "nezbytnost pro smlouvu s vámi",
        ),
        (
            V::TransferMechanism,
            "derogation.49_1_c",
            "necessity for a contract in your interest",
            "nezbytnost pro smlouvu ve vašem zájmu",
        ),
        (
            V::TransferMechanism,
            "derogation.49_1_d",
            "important reasons of public interest",
            "důležité důvody veřejného zájmu",
        ),
        (V::TransferMechanism, "derogation.49_1_e", "legal claims", "právní nároky"),
        (V::TransferMechanism, "derogation.49_1_f", "vital interests", "životně důležité zájmy"),
        (V::TransferMechanism, "derogation.49_1_g", "a public register", "veřejný rejstřík"),
        (
            V::TransferMechanism,
            "derogation.49_1_second_subparagraph",
            "compelling legitimate interests",
            "závažné oprávněné zájmy",
        ),
    ]
};

/// The texts of every document, per language: the built-in Czech and English, plus the
/// user's overrides and additions.
///
/// # Example
/// ```
/// use gdpr_obligations::report::{Catalogue, Language, MessageKey, ReportError, Vocabulary};
///
/// let mut catalogue = Catalogue::built_in();
/// // Override a sentence: the placeholders must be those of the built-in text.
/// catalogue.set_message(Language::EN, MessageKey::NoticeNoDpo, "Write to privacy@acme.example.")?;
/// assert!(catalogue.set_message(Language::EN, MessageKey::NoticeNoDpo, "Hello {name}").is_err());
///
/// // A custom purpose has no built-in label: asking for it is an error, not an empty string.
/// let german: Language = "de".parse()?;
/// assert!(matches!(
///     catalogue.message(&german, MessageKey::NoticeTitle),
///     Err(ReportError::MissingTranslation { .. })
/// ));
/// catalogue.set_term(Language::EN, Vocabulary::Purpose, "x-loyalty", "the loyalty programme")?;
/// # Ok::<(), ReportError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalogue {
    messages: BTreeMap<(Language, MessageKey), String>,
    terms: BTreeMap<(Language, TermKey), String>,
}

impl Catalogue {
    /// The built-in Czech and English texts.
    #[must_use]
    pub fn built_in() -> Self {
        let mut catalogue = Catalogue::default();
        for &key in MessageKey::ALL {
            catalogue.messages.insert((Language::EN, key), key.english().to_owned());
            catalogue.messages.insert((Language::CS, key), key.czech().to_owned());
        }
        let countries = COUNTRY_NAMES.iter().map(|&(code, en, cs)| (Vocabulary::Country, code, en, cs));
        for (vocabulary, name, en, cs) in TERMS.iter().copied().chain(countries) {
            let key = TermKey { vocabulary, name: name.to_owned() };
            catalogue.terms.insert((Language::EN, key.clone()), en.to_owned());
            catalogue.terms.insert((Language::CS, key), cs.to_owned());
        }
        catalogue
    }

    /// An empty catalogue, for a language built from scratch.
    #[must_use]
    pub fn empty() -> Self {
        Catalogue::default()
    }

    /// Sets the text of `key` in `language`, replacing the built-in one.
    ///
    /// # Errors
    /// [`ReportError::Template`] when the text has an unclosed `{` or a placeholder the key's
    /// built-in English text does not have (e.g. a typo), or is blank.
    pub fn set_message(&mut self, language: Language, key: MessageKey, text: &str) -> Result<(), ReportError> {
        let allowed = placeholders(key.english()).map_err(|reason| ReportError::Template { key, reason })?;
        let used = placeholders(text).map_err(|reason| ReportError::Template { key, reason })?;
        if let Some(unknown) = used.iter().find(|p| !allowed.contains(p)) {
            return Err(ReportError::Template {
                key,
                reason: format!("unknown placeholder {{{unknown}}}; this text may use {}", braces(&allowed)),
            });
        }
        if text.trim().is_empty() {
            return Err(ReportError::Template { key, reason: "the text is blank".to_owned() });
        }
        self.messages.insert((language, key), text.to_owned());
        Ok(())
    }

    /// Sets the label of a vocabulary term in `language`, e.g. a custom purpose `x-loyalty`.
    ///
    /// # Errors
    /// [`ReportError::MissingTranslation`] when the label is blank: an empty label is a missing
    /// one.
    pub fn set_term(
        &mut self,
        language: Language,
        vocabulary: Vocabulary,
        name: &str,
        label: &str,
    ) -> Result<(), ReportError> {
        let key = TermKey { vocabulary, name: name.to_owned() };
        if label.trim().is_empty() {
            return Err(ReportError::MissingTranslation { language, key: key.to_string() });
        }
        self.terms.insert((language, key), label.to_owned());
        Ok(())
    }

    /// The raw text of `key` in `language`, placeholders unfilled.
    ///
    /// # Errors
    /// [`ReportError::MissingTranslation`] when the catalogue has no text for it.
    pub fn message(&self, language: &Language, key: MessageKey) -> Result<&str, ReportError> {
        self.messages
            .get(&(language.clone(), key))
            .map(String::as_str)
            .ok_or_else(|| ReportError::MissingTranslation { language: language.clone(), key: key.to_string() })
    }

    /// The label of a term in `language`.
    ///
    /// # Errors
    /// [`ReportError::MissingTranslation`] when the catalogue has none (always so for a custom
    /// `x-` term not set with [`set_term`](Self::set_term)).
    pub fn term_label(&self, language: &Language, key: &TermKey) -> Result<&str, ReportError> {
        self.terms
            .get(&(language.clone(), key.clone()))
            .map(String::as_str)
            .ok_or_else(|| ReportError::MissingTranslation { language: language.clone(), key: key.to_string() })
    }

    /// Every key without a text in `language`: what a translator still has to do.
    #[must_use]
    pub fn missing_in(&self, language: &Language) -> Vec<MessageKey> {
        MessageKey::ALL.iter().copied().filter(|k| !self.messages.contains_key(&(language.clone(), *k))).collect()
    }

    /// The text of `key` with its placeholders filled.
    pub(crate) fn fill(
        &self,
        language: &Language,
        key: MessageKey,
        values: &[(&str, &str)],
    ) -> Result<String, ReportError> {
        let text = self.message(language, key)?;
        let mut out = String::with_capacity(text.len() + 32);
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            if let Some(after) = tail.strip_prefix("{{") {
                out.push('{');
                rest = after;
            } else if let Some(after) = tail.strip_prefix("}}") {
                out.push('}');
                rest = after;
            } else if let Some(after) = tail.strip_prefix('{') {
                let end =
                    after.find('}').ok_or_else(|| ReportError::Template { key, reason: "unclosed `{`".to_owned() })?;
                let name = &after[..end];
                let value = values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v).ok_or_else(|| {
                    ReportError::Template { key, reason: format!("no value for the placeholder {{{name}}}") }
                })?;
                out.push_str(value);
                rest = &after[end + 1..];
            } else {
                out.push('}');
                rest = &tail[1..];
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The label of a term.
    pub(crate) fn term(&self, language: &Language, term: &impl Term) -> Result<String, ReportError> {
        self.term_label(language, &term.term_key()).map(str::to_owned)
    }
}

fn braces(names: &[String]) -> String {
    if names.is_empty() {
        return "no placeholder".to_owned();
    }
    names.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(", ")
}

/// The placeholder names of a text, in order; `{{` and `}}` are literal braces.
fn placeholders(text: &str) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            rest = after;
            continue;
        }
        let after = &tail[1..];
        let end = after.find('}').ok_or_else(|| "unclosed `{`".to_owned())?;
        let name = &after[..end];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(format!("a placeholder is lower-case letters and `_`: {{{name}}}"));
        }
        found.push(name.to_owned());
        rest = &after[end + 1..];
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_text_has_valid_placeholders_and_czech_uses_the_english_ones() {
        for key in MessageKey::ALL {
            let en = placeholders(key.english()).unwrap();
            let cs = placeholders(key.czech()).unwrap();
            for p in &cs {
                assert!(en.contains(p), "{key}: Czech uses {{{p}}} which English lacks");
            }
            for p in &en {
                assert!(cs.contains(p), "{key}: Czech forgets {{{p}}}");
            }
        }
    }

    #[test]
    fn every_built_in_term_has_both_labels() {
        let catalogue = Catalogue::built_in();
        for lang in [Language::CS, Language::EN] {
            for b in LegalBasis::BUILT_IN {
                catalogue.term(&lang, b).unwrap();
            }
            for c in SpecialCategoryCondition::BUILT_IN {
                catalogue.term(&lang, c).unwrap();
            }
            for c in DataCategory::BUILT_IN {
                catalogue.term(&lang, c).unwrap();
            }
            for c in SubjectCategory::BUILT_IN {
                catalogue.term(&lang, c).unwrap();
            }
            for p in Purpose::BUILT_IN {
                catalogue.term(&lang, p).unwrap();
            }
            for r in Right::BUILT_IN {
                catalogue.term(&lang, r).unwrap();
                catalogue.term(&lang, &RightName(*r)).unwrap();
            }
            for b in LegalBasis::BUILT_IN {
                catalogue.term(&lang, &BasedOn(*b)).unwrap();
            }
            for c in Country::all() {
                catalogue.term(&lang, &c).unwrap();
            }
            for r in Role::BUILT_IN {
                catalogue.term(&lang, r).unwrap();
            }
            for m in TransferMechanism::all() {
                catalogue.term(&lang, &m).unwrap();
            }
            for o in InternationalOrganisation::BUILT_IN {
                catalogue.term(&lang, o).unwrap();
            }
        }
    }

    // Legal review C2, C4, C11: right labels are nominative nouns; rights named as rights take
    // the forms of the Czech text ("právo vznést námitku", "právo odvolat souhlas"); the Art. 19
    // information names what was communicated.
    #[test]
    fn art_12_to_22_czech_right_labels_and_names() {
        let catalogue = Catalogue::built_in();
        let label = |r: Right| catalogue.term(&Language::CS, &r).unwrap();
        let name = |r: Right| catalogue.term(&Language::CS, &RightName(r)).unwrap();
        assert_eq!(label(Right::Rectification), "oprava");
        assert_eq!(name(Right::Rectification), "právo na opravu");
        assert_eq!(name(Right::Objection), "právo vznést námitku");
        assert_eq!(name(Right::WithdrawConsent), "právo odvolat souhlas");
        assert_eq!(
            label(Right::RecipientInformation),
            "informace o příjemcích, jimž byly oprava, výmaz nebo omezení zpracování oznámeny"
        );
        assert_eq!(
            catalogue.term(&Language::CS, &BasedOn(LegalBasis::LegitimateInterests)).unwrap(),
            "oprávněném zájmu"
        );
    }

    #[test]
    fn a_custom_term_without_a_label_is_a_missing_translation() {
        let catalogue = Catalogue::built_in();
        let custom: Purpose = "x-loyalty".parse().unwrap();
        assert!(matches!(catalogue.term(&Language::CS, &custom), Err(ReportError::MissingTranslation { .. })));
    }

    #[test]
    fn fill_replaces_placeholders_and_keeps_escaped_braces() {
        let mut catalogue = Catalogue::empty();
        catalogue.set_message(Language::EN, MessageKey::Email, "{{mail}} {email}").unwrap();
        assert_eq!(catalogue.fill(&Language::EN, MessageKey::Email, &[("email", "a@b.cz")]).unwrap(), "{mail} a@b.cz");
    }
}
