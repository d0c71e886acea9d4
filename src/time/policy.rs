//! Choices the law leaves open, bundled in a [`DeadlinePolicy`], and the deadlines it computes.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::{
    Calendar, OfficialCalendar, TimeError, Zone, add_hours, add_months, add_paused_days, end_of_day, in_rfc3339_years,
    receipt_date, roll_forward, start_of_local_hour,
};

/// Implements `as_str`, `ALL`, `Display` and `FromStr` for a fieldless policy enum, with the same
/// names as its serde representation (checked by the tests).
macro_rules! policy_names {
    ($ty:ident, $kind:literal, {
        $first:ident => $first_name:literal $(, $variant:ident => $name:literal)* $(,)?
    }) => {
        impl $ty {
            /// Every value, default first.
            pub const ALL: &'static [$ty] = &[$ty::$first $(, $ty::$variant)*];

            /// The name used in JSON and accepted by `from_str`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $ty::$first => $first_name,
                    $($ty::$variant => $name,)*
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = TimeError;

            /// Parses the name returned by `as_str`.
            ///
            /// # Errors
            ///
            /// [`TimeError::UnknownPolicy`], listing the accepted names.
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                match name {
                    $first_name => Ok($ty::$first),
                    $($name => Ok($ty::$variant),)*
                    _ => Err(TimeError::UnknownPolicy {
                        kind: $kind,
                        name: name.to_owned(),
                        expected: concat!($first_name $(, ", ", $name)*),
                    }),
                }
            }
        }
    };
}

/// How the extended response period of Art. 12(3) GDPR ("may be extended by two further months")
/// is computed. Neither the GDPR nor the EDPB spells out the arithmetic.
///
/// The two readings differ only for receipts on the 29th-31st, where the one-month end is clamped
/// to a shorter month. A third reading, adding two months to the one-month deadline *after* its
/// Art. 3(4) roll, is rejected: the weekend shift compounds and can end later than both. For a
/// request received on Saturday 31 January 2026 (weekends-only calendar):
///
/// | reading | computation | extended due |
/// |---|---|---|
/// | A [`ThreeMonthsFromReceipt`](Self::ThreeMonthsFromReceipt) | roll(31 Jan + 3 months = 30 Apr) | Thu 2026-04-30 |
/// | B [`ConservativeEarliest`](Self::ConservativeEarliest) | roll(28 Feb + 2 months = 28 Apr) | Tue 2026-04-28 |
/// | C (rejected) | roll(roll(28 Feb) = 2 Mar, + 2 months = 2 May) | Mon 2026-05-04 |
///
/// ```
/// use chrono::{DateTime, NaiveDate, Utc};
/// use gdpr_obligations::time::{Calendar, DeadlinePolicy, ExtensionRule, Zone};
///
/// let received: DateTime<Utc> = "2026-01-31T12:00:00Z".parse()?;
/// let policy = DeadlinePolicy::new(Zone::UTC, Calendar::WeekendsOnly);
/// let a = policy.request_deadlines(received)?;
/// let b = policy.with_extension(ExtensionRule::ConservativeEarliest).request_deadlines(received)?;
/// let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
/// assert_eq!(a.extended_due().date(), d(4, 30));
/// assert_eq!(b.extended_due().date(), d(4, 28));
/// assert_ne!(a.extended_due().date(), d(5, 4)); // rule C
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionRule {
    /// Rule A, the default: one period of three months from receipt,
    /// `roll(add_months(receipt, 3))`. Matches CNIL's "3 mois maximum".
    #[default]
    ThreeMonthsFromReceipt,
    /// Rule B: two months added to the nominal (unrolled) one-month end,
    /// `roll(add_months(add_months(receipt, 1), 2))`. Never later than rule A.
    ConservativeEarliest,
}

policy_names!(ExtensionRule, "extension rule", {
    ThreeMonthsFromReceipt => "three_months_from_receipt",
    ConservativeEarliest => "conservative_earliest",
});

/// Whether asking the data subject to confirm their identity (Art. 12(6) GDPR) suspends the
/// Art. 12(3) time limits.
///
/// EDPB Guidelines 01/2022 §159 allow "a suspension in time until the controller has obtained the
/// information needed", provided the controller asked without undue delay; no statute fixes how to
/// count it, nor a maximum length. `Pause` and `Restart` are conventions, not law, and the
/// caller remains responsible for having asked without undue delay. Worked example: received
/// 2025-03-05, identity asked for on 03-06 and provided on 03-12:
///
/// | policy | due |
/// |---|---|
/// | `None` | 5 April (Sat) rolls to Mon 2025-04-07 |
/// | `Pause` | 5 April + 6 days = Fri 2025-04-11 |
/// | `Restart` | 12 March + 1 month = 12 April (Sat) rolls to Mon 2025-04-14 |
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IdentityPause {
    /// The default and the conservative choice: identity checks do not move any deadline.
    #[default]
    None,
    /// The calendar days from each identity request to the identity's receipt are added to the
    /// nominal end of every period (response, extension notice, extended response) before the
    /// Art. 3(4) roll. Overlapping pauses count once.
    Pause,
    /// Every period is counted afresh from the date the (last) identity was provided.
    Restart,
}

policy_names!(IdentityPause, "identity pause", {
    None => "none",
    Pause => "pause",
    Restart => "restart",
});

/// How a period in hours, such as the 72 hours of Art. 33(1) GDPR, is counted.
///
/// Either way the end is never moved over weekends or holidays: Art. 3(4) of Regulation 1182/71
/// excludes periods expressed in hours. Awareness at 2025-06-30 14:30 gives
/// 2025-07-03 14:30 by default and 15:00 strictly.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BreachClock {
    /// The default and the conservative choice: exactly the period's hours after the instant of
    /// awareness.
    #[default]
    #[serde(rename = "awareness_plus_72h")]
    AwarenessPlus72h,
    /// Art. 3(1), first subparagraph, with Art. 3(2)(a) of Regulation 1182/71: the hour during
    /// which the controller became aware is not counted, so the period runs from the start of the
    /// next local hour. Up to one hour later than the default.
    StrictHours,
}

policy_names!(BreachClock, "breach clock", {
    AwarenessPlus72h => "awareness_plus_72h",
    StrictHours => "strict_hours",
});

/// A span during which the controller waited for the data subject to confirm their identity
/// (Art. 12(6) GDPR; EDPB Guidelines 01/2022 §159), in local dates.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::time::IdentityPauseSpan;
///
/// let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
/// let span = IdentityPauseSpan::new(d(3, 6), d(3, 12))?;
/// assert_eq!(span.days(), 6);
/// assert!(IdentityPauseSpan::new(d(3, 12), d(3, 6)).is_err());
/// # Ok::<(), gdpr_obligations::time::TimeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct IdentityPauseSpan {
    /// The date the controller asked for identification.
    requested: NaiveDate,
    /// The date the data subject provided it; not before `requested`.
    provided: NaiveDate,
}

impl IdentityPauseSpan {
    /// A pause from `requested` to `provided`.
    ///
    /// # Errors
    ///
    /// [`TimeError::PauseReversed`] when `provided` is before `requested`.
    pub fn new(requested: NaiveDate, provided: NaiveDate) -> Result<Self, TimeError> {
        if provided < requested {
            return Err(TimeError::PauseReversed { requested, provided });
        }
        Ok(IdentityPauseSpan { requested, provided })
    }

    /// The date the controller asked for identification.
    #[must_use]
    pub fn requested(&self) -> NaiveDate {
        self.requested
    }

    /// The date the data subject provided it.
    #[must_use]
    pub fn provided(&self) -> NaiveDate {
        self.provided
    }

    /// The calendar days paused, `provided - requested`.
    #[must_use]
    pub fn days(&self) -> u64 {
        self.provided.signed_duration_since(self.requested).num_days().unsigned_abs()
    }
}

impl<'de> Deserialize<'de> for IdentityPauseSpan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            requested: NaiveDate,
            provided: NaiveDate,
        }
        let wire: Wire = crate::vocab::object(deserializer)?;
        IdentityPauseSpan::new(wire.requested, wire.provided).map_err(serde::de::Error::custom)
    }
}

/// The last day of a period and the instant it expires: the end of that day in the controller's
/// zone (Art. 3(2)(b)-(c) of Regulation 1182/71: "the expiry of the last hour" of the last day).
///
/// `expires_at` is exclusive: the start of the next local day, in UTC. An act done before it is in
/// time.
///
/// # Example
///
/// ```
/// use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
/// use gdpr_obligations::time::{Deadline, Zone};
///
/// let due = Deadline::at_end_of(NaiveDate::from_ymd_opt(2025, 4, 7).unwrap(), Zone::EUROPE_PRAGUE)?;
/// let now: DateTime<Utc> = "2025-04-07T21:00:00Z".parse()?; // 23:00 in Prague
/// assert!(!due.is_overdue(now));
/// assert_eq!(due.time_left(now), TimeDelta::hours(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Deadline {
    /// The last day of the period, local date.
    date: NaiveDate,
    /// The first instant after the period: the start of the next local day, in UTC.
    expires_at: DateTime<Utc>,
}

/// Read from JSON, a deadline must expire at the end of its date in some time zone (UTC-12 to
/// UTC+14, an hour more either way for a zone that changes its offset at midnight), as a period
/// ends with the end of its last day (Art. 3(2)(b) of Regulation 1182/71): one that does not was
/// not made by this crate, and its two fields would disagree about when it is due.
impl<'de> Deserialize<'de> for Deadline {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Repr {
            date: NaiveDate,
            expires_at: DateTime<Utc>,
        }
        let Repr { date, expires_at } = crate::vocab::object(deserializer)?;
        let next_utc_midnight = date.succ_opt().and_then(|next| next.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
        let plausible = next_utc_midnight.is_some_and(|midnight| {
            let offset = midnight.signed_duration_since(expires_at);
            offset >= TimeDelta::hours(-13) && offset <= TimeDelta::hours(15)
        });
        if !in_rfc3339_years(date.year()) || !in_rfc3339_years(expires_at.year()) {
            return Err(serde::de::Error::custom(TimeError::OutsideRfc3339Years { date }));
        }
        if !plausible {
            return Err(serde::de::Error::custom(format!(
                "a deadline whose last day is {date} cannot expire at {expires_at}: that is not the end of {date} in \
                 any time zone (a period ends with the end of its last day, Art. 3(2)(b) of Regulation 1182/71)"
            )));
        }
        Ok(Deadline { date, expires_at })
    }
}

/// For people: the last day, then the first instant that is late, in UTC (the zone the deadline
/// was computed in is not kept, so the day is shown as that zone's date).
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::time::{Deadline, Zone};
///
/// let due = Deadline::at_end_of(NaiveDate::from_ymd_opt(2026, 4, 13).unwrap(), Zone::EUROPE_PRAGUE)?;
/// assert_eq!(due.to_string(), "end of 2026-04-13 (late from 2026-04-13 22:00:00 UTC)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "end of {} (late from {})", self.date, self.expires_at)
    }
}

impl Deadline {
    /// A deadline whose last day is `date` in `zone`, with no roll-forward.
    ///
    /// # Errors
    ///
    /// [`TimeError::OutsideRfc3339Years`] when the date or its end falls outside the years 0000
    /// to 9999 (RFC 3339 cannot write it), [`TimeError::DayOutOfRange`] at the end of chrono's
    /// range.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use gdpr_obligations::time::{Deadline, TimeError, Zone};
    ///
    /// let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    /// assert!(Deadline::at_end_of(last, Zone::UTC).is_err(), "it ends on 10000-01-01T00:00:00Z");
    /// let end = Deadline::at_end_of(last, Zone::EUROPE_PRAGUE).map(|d| d.expires_at().to_rfc3339());
    /// assert_eq!(end, Ok("9999-12-31T23:00:00+00:00".to_owned()));
    /// # Ok::<(), TimeError>(())
    /// ```
    pub fn at_end_of(date: NaiveDate, zone: Zone) -> Result<Self, TimeError> {
        if !in_rfc3339_years(date.year()) {
            return Err(TimeError::OutsideRfc3339Years { date });
        }
        let expires_at = end_of_day(date, zone)?;
        if !in_rfc3339_years(expires_at.year()) {
            return Err(TimeError::OutsideRfc3339Years { date });
        }
        Ok(Deadline { date, expires_at })
    }

    /// The last day of the period.
    #[must_use]
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The first instant at which the period has expired.
    #[must_use]
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// Whether the period has expired at `now`.
    #[must_use]
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// The time left at `now`; zero or negative once overdue.
    #[must_use]
    pub fn time_left(&self, now: DateTime<Utc>) -> TimeDelta {
        self.expires_at.signed_duration_since(now)
    }
}

/// The Art. 12(3) GDPR time limits of one data-subject request, from
/// [`DeadlinePolicy::request_deadlines`].
///
/// Read from JSON, the deadlines must be ones a policy can have computed: counted from the
/// receipt or later, the response due no earlier than one month (plus any paused days) after
/// that, the extension notice due with the response, and the extended response due no earlier
/// than the response and three months after the count starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct RequestDeadlines {
    /// The local date the request was received.
    received_date: NaiveDate,
    /// The date the periods run from: the receipt date, or the identity date under
    /// `IdentityPause::Restart`.
    counted_from: NaiveDate,
    /// Calendar days added by `IdentityPause::Pause`.
    paused_days: u64,
    /// Response due within one month (Art. 12(3), first sentence; also Art. 12(4)).
    due: Deadline,
    /// Notice of an extension, with reasons, due within one month (Art. 12(3), third sentence).
    extension_notice_due: Deadline,
    /// Response due if extended by two further months (Art. 12(3), second sentence).
    extended_due: Deadline,
}

impl<'de> Deserialize<'de> for RequestDeadlines {
    fn deserialize<__D>(deserializer: __D) -> Result<Self, __D::Error>
    where
        __D: Deserializer<'de>,
    {
        #[derive(Deserialize)]
        struct Repr {
            received_date: NaiveDate,
            counted_from: NaiveDate,
            paused_days: u64,
            due: Deadline,
            extension_notice_due: Deadline,
            extended_due: Deadline,
        }
        let r: Repr = crate::vocab::object(deserializer)?;
        let deadlines = RequestDeadlines {
            received_date: r.received_date,
            counted_from: r.counted_from,
            paused_days: r.paused_days,
            due: r.due,
            extension_notice_due: r.extension_notice_due,
            extended_due: r.extended_due,
        };
        match deadlines.inconsistency() {
            Some(what) => {
                Err(serde::de::Error::custom(format_args!("inconsistent request deadlines: {what} (Art. 12(3) GDPR)")))
            }
            None => Ok(deadlines),
        }
    }
}

impl RequestDeadlines {
    /// What no [`DeadlinePolicy`] can have computed, if anything: the check a decoded value
    /// passes.
    fn inconsistency(&self) -> Option<&'static str> {
        let one_month = add_months(self.counted_from, 1);
        let earliest_due = one_month.and_then(|m| add_paused_days(m, self.paused_days).ok());
        let earliest_extended = one_month.and_then(|m| add_months(m, 2));
        if self.counted_from < self.received_date {
            Some("`counted_from` is before `received_date`")
        } else if self.paused_days > 0 && self.counted_from != self.received_date {
            Some("`paused_days` with a restarted count (`counted_from` after `received_date`)")
        } else if earliest_due.is_none_or(|earliest| self.due.date() < earliest) {
            Some("`due` is earlier than one month (and the paused days) after `counted_from`")
        } else if self.extension_notice_due != self.due {
            Some("`extension_notice_due` differs from `due`")
        } else if self.extended_due < self.due || earliest_extended.is_none_or(|e| self.extended_due.date() < e) {
            Some("`extended_due` is earlier than `due` or than three months after `counted_from`")
        } else {
            None
        }
    }

    /// The local date the request was received (EDPB Guidelines 01/2022 §159).
    #[must_use]
    pub fn received_date(&self) -> NaiveDate {
        self.received_date
    }

    /// The date the periods run from: the receipt date, unless [`IdentityPause::Restart`] moved it
    /// to the date the identity was provided.
    #[must_use]
    pub fn counted_from(&self) -> NaiveDate {
        self.counted_from
    }

    /// The calendar days added to each period by [`IdentityPause::Pause`] (zero otherwise).
    #[must_use]
    pub fn paused_days(&self) -> u64 {
        self.paused_days
    }

    /// The response is due "within one month of receipt of the request" (Art. 12(3) GDPR); the
    /// same limit applies to the notice of not taking action (Art. 12(4)).
    #[must_use]
    pub fn due(&self) -> Deadline {
        self.due
    }

    /// The data subject must be told of an extension, with reasons, "within one month of receipt
    /// of the request" (Art. 12(3) GDPR): the same period as [`due`](Self::due).
    #[must_use]
    pub fn extension_notice_due(&self) -> Deadline {
        self.extension_notice_due
    }

    /// The response is due by this date if the period is "extended by two further months"
    /// (Art. 12(3) GDPR), computed by the policy's [`ExtensionRule`].
    #[must_use]
    pub fn extended_due(&self) -> Deadline {
        self.extended_due
    }
}

crate::vocab::object_struct! {
/// Where and how deadlines are computed: the controller's zone, its holiday calendar and the
/// readings chosen where the law is open.
///
/// # Example
///
/// ```
/// use chrono::{DateTime, NaiveDate, Utc};
/// use gdpr_obligations::time::{Calendar, DeadlinePolicy, IdentityPause, IdentityPauseSpan, Zone};
///
/// let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
/// let received: DateTime<Utc> = "2025-03-05T10:00:00Z".parse()?;
/// let policy = DeadlinePolicy::new(Zone::EUROPE_PRAGUE, Calendar::Czechia)
///     .with_identity_pause(IdentityPause::Pause);
/// let pauses = [IdentityPauseSpan::new(d(3, 6), d(3, 12))?];
/// let deadlines = policy.request_deadlines_with_pauses(received, &pauses)?;
/// assert_eq!(deadlines.due().date(), d(4, 11));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct DeadlinePolicy {
    /// The controller's time zone: receipt dates and day ends are local to it.
    zone: Zone,
    /// Public holidays of the Member State where the action is taken (Art. 2(1) of Regulation
    /// 1182/71).
    calendar: Calendar,
    /// How the extended Art. 12(3) period is computed.
    #[serde(default)]
    extension: ExtensionRule,
    /// Whether identity checks suspend the Art. 12(3) periods.
    #[serde(default)]
    identity_pause: IdentityPause,
    /// How periods in hours are counted (Art. 33(1)).
    #[serde(default)]
    breach_clock: BreachClock,
}
}

impl DeadlinePolicy {
    /// The hours of Art. 33(1) GDPR: notify the supervisory authority "not later than 72 hours
    /// after having become aware" of a personal data breach.
    pub const BREACH_NOTIFICATION_HOURS: u32 = 72;

    /// A policy for `zone` and `calendar`, with the default readings: [`ExtensionRule`] A, no
    /// [`IdentityPause`], [`BreachClock::AwarenessPlus72h`].
    #[must_use]
    pub fn new(zone: Zone, calendar: Calendar) -> Self {
        DeadlinePolicy {
            zone,
            calendar,
            extension: ExtensionRule::default(),
            identity_pause: IdentityPause::default(),
            breach_clock: BreachClock::default(),
        }
    }

    /// A Czech controller: `Europe/Prague` and [`Calendar::Czechia`], default readings.
    #[must_use]
    pub fn czech() -> Self {
        DeadlinePolicy::new(Zone::EUROPE_PRAGUE, Calendar::Czechia)
    }

    /// A controller established where `calendar` applies: that state's or region's public
    /// holidays and its zone ([`OfficialCalendar::zone`]), default readings.
    ///
    /// Art. 3(4) of Regulation 1182/71 moves the end of an Art. 12(3) GDPR period off the public
    /// holidays of the Member State where the act is to be done (Art. 2(1)), and Art. 3(2)
    /// ends it at the end of that place's day: for a controller's answer, where the controller
    /// is established. [`Party::default_deadline_policy`] picks `calendar` from the party's
    /// country and region; a policy built otherwise overrides it.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::{DateTime, NaiveDate, Utc};
    /// use gdpr_obligations::time::{DeadlinePolicy, OfficialCalendar};
    ///
    /// let germany = DeadlinePolicy::official(OfficialCalendar::from_code("de")?);
    /// assert_eq!(germany.zone().name(), "Europe/Berlin");
    /// // Received 3 September 2025: one month ends on German Unity Day, Friday 3 October.
    /// let received: DateTime<Utc> = "2025-09-03T09:00:00Z".parse()?;
    /// let due = germany.request_deadlines(received)?.due();
    /// assert_eq!(due.date(), NaiveDate::from_ymd_opt(2025, 10, 6).unwrap());
    /// assert_eq!(due.expires_at(), "2025-10-06T22:00:00Z".parse::<DateTime<Utc>>()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`Party::default_deadline_policy`]: crate::model::Party::default_deadline_policy
    #[must_use]
    pub fn official(calendar: OfficialCalendar) -> Self {
        DeadlinePolicy::new(calendar.zone(), Calendar::Official(calendar))
    }

    /// The same policy with `extension`.
    #[must_use]
    pub fn with_extension(mut self, extension: ExtensionRule) -> Self {
        self.extension = extension;
        self
    }

    /// The same policy with `identity_pause`.
    #[must_use]
    pub fn with_identity_pause(mut self, identity_pause: IdentityPause) -> Self {
        self.identity_pause = identity_pause;
        self
    }

    /// The same policy with `breach_clock`.
    #[must_use]
    pub fn with_breach_clock(mut self, breach_clock: BreachClock) -> Self {
        self.breach_clock = breach_clock;
        self
    }

    /// The controller's time zone.
    #[must_use]
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// The holiday calendar.
    #[must_use]
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The extension rule.
    #[must_use]
    pub fn extension(&self) -> ExtensionRule {
        self.extension
    }

    /// The identity-pause policy.
    #[must_use]
    pub fn identity_pause(&self) -> IdentityPause {
        self.identity_pause
    }

    /// The breach clock.
    #[must_use]
    pub fn breach_clock(&self) -> BreachClock {
        self.breach_clock
    }

    /// The Art. 12(3) GDPR deadlines of a request received at `received`, with no identity
    /// pause: one month for the response and the extension notice, three months (by the
    /// [`ExtensionRule`]) if extended.
    ///
    /// # Errors
    ///
    /// [`TimeError::OutsideRfc3339Years`] when a deadline would fall after the year 9999 (or
    /// before the year 0000), another [`TimeError`] when a date leaves chrono's range.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::{DateTime, NaiveDate, Utc};
    /// use gdpr_obligations::time::DeadlinePolicy;
    ///
    /// // 23:30 UTC on 31 January is 1 February in Prague; 1 March 2025 is a Saturday.
    /// let received: DateTime<Utc> = "2025-01-31T23:30:00Z".parse()?;
    /// let deadlines = DeadlinePolicy::czech().request_deadlines(received)?;
    /// let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    /// assert_eq!(deadlines.received_date(), d(2, 1));
    /// assert_eq!(deadlines.due().date(), d(3, 3));
    /// assert_eq!(deadlines.extended_due().date(), d(5, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request_deadlines(&self, received: DateTime<Utc>) -> Result<RequestDeadlines, TimeError> {
        self.request_deadlines_with_pauses(received, &[])
    }

    /// The Art. 12(3) GDPR deadlines of a request received at `received` during whose handling the
    /// controller waited for identification over `pauses` (Art. 12(6); EDPB Guidelines 01/2022
    /// §159), applied as the policy's [`IdentityPause`] says. Under [`IdentityPause::None`] the
    /// pauses are checked but do not move anything.
    ///
    /// # Errors
    ///
    /// [`TimeError::PauseBeforeReceipt`] when a pause starts before the receipt date, or another
    /// [`TimeError`] when a date leaves chrono's range.
    pub fn request_deadlines_with_pauses(
        &self,
        received: DateTime<Utc>,
        pauses: &[IdentityPauseSpan],
    ) -> Result<RequestDeadlines, TimeError> {
        let received_date = receipt_date(received, self.zone)?;
        if let Some(early) = pauses.iter().find(|p| p.requested < received_date) {
            return Err(TimeError::PauseBeforeReceipt { requested: early.requested, received: received_date });
        }
        let (counted_from, paused_days) = match self.identity_pause {
            IdentityPause::None => (received_date, 0),
            IdentityPause::Pause => (received_date, paused_days(pauses)),
            IdentityPause::Restart => {
                let last = pauses.iter().map(|p| p.provided).max();
                (last.unwrap_or(received_date).max(received_date), 0)
            }
        };
        let one_month = months_after(counted_from, 1)?;
        let extended = match self.extension {
            ExtensionRule::ThreeMonthsFromReceipt => months_after(counted_from, 3)?,
            ExtensionRule::ConservativeEarliest => months_after(one_month, 2)?,
        };
        let due = self.deadline_on(add_paused_days(one_month, paused_days)?)?;
        Ok(RequestDeadlines {
            received_date,
            counted_from,
            paused_days,
            due,
            extension_notice_due: due,
            extended_due: self.deadline_on(add_paused_days(extended, paused_days)?)?,
        })
    }

    /// A period of `months` months running from `start` (an event's local date), rolled forward
    /// off non-working days: Art. 3(2)(c) and 3(4) of Regulation 1182/71. Use it for other
    /// one-month limits such as Art. 14(3)(a) GDPR.
    ///
    /// # Errors
    ///
    /// A [`TimeError`] when a date leaves chrono's range.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use gdpr_obligations::time::DeadlinePolicy;
    ///
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// // 6 April 2026 is Easter Monday.
    /// let end = DeadlinePolicy::czech().month_period(d(2026, 3, 6), 1)?;
    /// assert_eq!(end.date(), d(2026, 4, 7));
    /// # Ok::<(), gdpr_obligations::time::TimeError>(())
    /// ```
    pub fn month_period(&self, start: NaiveDate, months: u32) -> Result<Deadline, TimeError> {
        self.deadline_on(months_after(start, months)?)
    }

    /// The end of a period of `hours` hours from `event` under the policy's [`BreachClock`]:
    /// never moved over weekends or holidays (Art. 3(4) of Regulation 1182/71 excludes periods in
    /// hours). Strict hours are local hours of the policy's zone.
    ///
    /// # Errors
    ///
    /// [`TimeError::HoursOutOfRange`] at the end of chrono's range.
    pub fn hours_after(&self, event: DateTime<Utc>, hours: u32) -> Result<DateTime<Utc>, TimeError> {
        match self.breach_clock {
            BreachClock::AwarenessPlus72h => add_hours(event, hours),
            BreachClock::StrictHours => start_of_local_hour(event, self.zone.tz())
                .zip(hours.checked_add(1))
                .and_then(|(hour_start, whole_hours)| add_hours(hour_start, whole_hours).ok())
                .ok_or(TimeError::HoursOutOfRange { instant: event, hours }),
        }
    }

    /// When the supervisory authority must be notified of a personal data breach the controller
    /// became aware of at `aware`: "not later than 72 hours after having become aware of it"
    /// (Art. 33(1) GDPR), counted by the policy's [`BreachClock`].
    ///
    /// # Errors
    ///
    /// [`TimeError::HoursOutOfRange`] at the end of chrono's range.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::{DateTime, Utc};
    /// use gdpr_obligations::time::{BreachClock, DeadlinePolicy};
    ///
    /// let aware: DateTime<Utc> = "2025-06-30T12:30:00Z".parse()?; // 14:30 in Prague
    /// let policy = DeadlinePolicy::czech();
    /// assert_eq!(policy.breach_deadline(aware)?, "2025-07-03T12:30:00Z".parse::<DateTime<Utc>>()?);
    /// let strict = policy.with_breach_clock(BreachClock::StrictHours);
    /// assert_eq!(strict.breach_deadline(aware)?, "2025-07-03T13:00:00Z".parse::<DateTime<Utc>>()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn breach_deadline(&self, aware: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
        self.hours_after(aware, Self::BREACH_NOTIFICATION_HOURS)
    }

    /// Rolls `nominal` forward to a working day (Art. 3(4)) and ends it at local midnight.
    fn deadline_on(&self, nominal: NaiveDate) -> Result<Deadline, TimeError> {
        let last_day = roll_forward(nominal, &self.calendar).ok_or(TimeError::NoWorkingDay { date: nominal })?;
        Deadline::at_end_of(last_day, self.zone)
    }
}

/// [`add_months`] with the error of Art. 3(2)(c).
fn months_after(date: NaiveDate, months: u32) -> Result<NaiveDate, TimeError> {
    add_months(date, months).ok_or(TimeError::MonthsOutOfRange { date, months })
}

/// The number of calendar days covered by the union of `pauses`.
fn paused_days(pauses: &[IdentityPauseSpan]) -> u64 {
    let mut spans = pauses.to_vec();
    spans.sort_unstable();
    let mut total = 0;
    let mut covered_until: Option<NaiveDate> = None;
    for span in spans {
        let start = covered_until.map_or(span.requested, |until| until.max(span.requested));
        if span.provided > start {
            total += span.provided.signed_duration_since(start).num_days().unsigned_abs();
            covered_until = Some(span.provided);
        }
    }
    total
}
