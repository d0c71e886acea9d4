//! The durable stores' schema as an adopter deploys it: whether a store applies its migrations
//! when it is opened ([`Migrations`]) and why a database's schema is refused ([`SchemaError`]).

use std::fmt;

/// What a durable store does with its schema when it is opened.
///
/// [`Apply`](Migrations::Apply), the default, creates the crate's tables and applies the
/// migrations the database lacks: what a newcomer, a test or a single service wants.
/// [`Verify`](Migrations::Verify) only checks that the schema is current and unmodified and does
/// no DDL, so a least-privilege runtime role can open the store; the deployment applies the
/// migrations beforehand, from its deploy step, with the store's `migrate()`.
///
/// # Example
/// ```
/// use gdpr_obligations::store::Migrations;
///
/// assert_eq!(Migrations::default(), Migrations::Apply);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Migrations {
    /// Create the tables and apply every migration the database lacks.
    #[default]
    Apply,
    /// Check that every migration is applied, as shipped, and change nothing.
    Verify,
}

/// Why a database's schema is not one this crate may use; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The schema was migrated by a newer version of the crate: a silent downgrade could drop
    /// or misread what it wrote.
    #[error(
        "schema version {found} is newer than this crate's {known}: it was written by a newer \
         gdpr-obligations; upgrade the crate rather than open it with this one"
    )]
    Newer {
        /// The newest version applied.
        found: i64,
        /// The newest version this crate knows.
        known: i64,
    },
    /// An applied migration's recorded checksum differs from the SHA-256 of the migration this
    /// crate ships: it was edited after it was applied, or applied by a modified build.
    #[error(
        "migration {version} ({description}) was applied from a different text than this crate \
         ships (its SHA-256 checksum differs): restore the migration as shipped, or restore the \
         database from a backup made before it was applied"
    )]
    Modified {
        /// The migration's version.
        version: i64,
        /// What it creates, as the crate describes it.
        description: &'static str,
    },
    /// The store was opened with [`Migrations::Verify`] and these migrations are not applied.
    #[error(
        "{} not applied: run the store's `migrate()` (or open it with `Migrations::Apply`) \
         from the deploy step first",
        list("migration", missing)
    )]
    NotMigrated {
        /// The versions missing, in order.
        missing: Vec<i64>,
    },
    /// The store was opened with [`Migrations::Verify`] and the table of applied migrations,
    /// written by an earlier version of the crate, records no checksums for these versions.
    #[error(
        "{} applied without a recorded checksum: run the store's `migrate()` once from the deploy \
         step to record them",
        list("migration", versions)
    )]
    ChecksumsMissing {
        /// The versions without a checksum.
        versions: Vec<i64>,
    },
    /// The database already holds tables or indexes with the names the crate's next migration
    /// creates, and the crate did not create them (they belong to the application).
    #[error(
        "the database already holds {} the crate would create ({}): it did not create them; keep \
         the crate's tables apart with another table prefix (SQLite) or schema (PostgreSQL)",
        if names.len() == 1 { "a table or index" } else { "tables or indexes" },
        names.join(", ")
    )]
    Clash {
        /// The names found.
        names: Vec<String>,
    },
    /// The database's tables were created in another [`TableLayout`] than the store was opened
    /// with (e.g. unpartitioned tables opened as hash-partitioned): the crate never rewrites
    /// existing tables into another layout.
    #[error(
        "the tables are {found}, and the store was opened for tables {wanted}: open it with the \
         layout recorded (the tables keep the layout they were created in), or, to change the \
         layout, migrate a new schema (PostgreSQL) with the layout wanted and copy the rows into it"
    )]
    Layout {
        /// The layout recorded with the applied migrations.
        found: TableLayout,
        /// The layout the store was opened with.
        wanted: TableLayout,
    },
}

/// How the crate's PostgreSQL tables are laid out, chosen when the migrations are first applied
/// and recorded with them: one table each ([`Plain`](TableLayout::Plain), the default), or
/// each table (all but the table of applied migrations) declaratively partitioned by a hash of
/// its `controller` column ([`HashByController`](TableLayout::HashByController)), so that
/// every operation, which reads and writes one controller's rows, touches one partition.
///
/// A store opened with a layout other than the one recorded is refused
/// ([`SchemaError::Layout`]); existing tables are never rewritten. SQLite has one layout,
/// [`Plain`](TableLayout::Plain).
///
/// # Example
/// ```
/// use gdpr_obligations::store::TableLayout;
///
/// let layout = TableLayout::hash_by_controller(16)?;
/// assert_eq!(layout.partitions(), 16);
/// assert_eq!(TableLayout::default().partitions(), 1);
/// assert!(TableLayout::hash_by_controller(0).is_err());
/// # Ok::<(), gdpr_obligations::store::StoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TableLayout {
    /// One table per kind of row.
    #[default]
    Plain,
    /// Every table `PARTITION BY HASH (controller)`, in `partitions` partitions named after it
    /// (`gdpr_documents_p0`, ...). Made by [`TableLayout::hash_by_controller`].
    #[non_exhaustive]
    HashByController {
        /// How many partitions each table has, 1 to [`TableLayout::MAX_PARTITIONS`].
        partitions: u16,
    },
}

impl TableLayout {
    /// The most partitions per table: PostgreSQL plans a statement on a hash-partitioned table
    /// in time that grows with its partitions; past this many, a distributed PostgreSQL
    /// (Citus) serves better.
    pub const MAX_PARTITIONS: u16 = 1024;

    /// Every table hash-partitioned by `controller` into `partitions` partitions.
    ///
    /// # Errors
    /// [`StoreError::Invalid`](super::StoreError::Invalid) unless `partitions` is 1 to [`MAX_PARTITIONS`](Self::MAX_PARTITIONS).
    pub fn hash_by_controller(partitions: u16) -> Result<Self, super::StoreError> {
        if !(1..=Self::MAX_PARTITIONS).contains(&partitions) {
            return Err(super::StoreError::Invalid {
                what: "number of partitions".to_owned(),
                reason: format!("{partitions} is not 1 to {}", Self::MAX_PARTITIONS),
            });
        }
        Ok(TableLayout::HashByController { partitions })
    }

    /// How many partitions each table has (1 when the tables are not partitioned).
    #[must_use]
    pub fn partitions(&self) -> u16 {
        match self {
            TableLayout::Plain => 1,
            TableLayout::HashByController { partitions } => *partitions,
        }
    }

    /// The text recorded with each applied migration.
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn recorded(&self) -> String {
        match self {
            TableLayout::Plain => "plain".to_owned(),
            TableLayout::HashByController { partitions } => format!("hash(controller) {partitions}"),
        }
    }

    /// The layout a recorded text names (none recorded: [`Plain`](Self::Plain), the only layout
    /// before layouts were recorded); `None` when it names none this crate knows.
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn from_recorded(text: Option<&str>) -> Option<Self> {
        match text {
            None | Some("plain") => Some(TableLayout::Plain),
            Some(text) => {
                let partitions = text.strip_prefix("hash(controller) ")?.parse().ok()?;
                Self::hash_by_controller(partitions).ok()
            }
        }
    }
}

impl fmt::Display for TableLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableLayout::Plain => f.write_str("unpartitioned"),
            TableLayout::HashByController { partitions } => {
                write!(f, "hash-partitioned by controller into {partitions} partitions")
            }
        }
    }
}

/// `migration 3` or `migrations 2, 4, 5`.
fn list(noun: &str, versions: &[i64]) -> String {
    let list = versions.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    match versions.len() {
        1 => format!("{noun} {list}"),
        _ => format!("{noun}s {list}"),
    }
}

/// A validated name for the crate's tables: the SQLite table prefix or PostgreSQL schema an
/// adopter chose. ASCII lower-case letters, digits and `_`, starting with a letter, at most
/// `max` bytes: it needs no quoting in either engine and cannot inject SQL.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn check_identifier(what: &str, name: &str, max: usize) -> Result<(), String> {
    let well_formed = name.len() <= max
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !well_formed {
        return Err(format!(
            "a {what} is 1 to {max} ASCII lower-case letters, digits and underscores, starting with a letter"
        ));
    }
    Ok(())
}

impl fmt::Display for Migrations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Migrations::Apply => "apply",
            Migrations::Verify => "verify",
        })
    }
}
