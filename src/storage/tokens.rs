//! The table of issued tokens. Only a SHA-256 digest of each token is stored, so the database
//! never holds a usable secret.

use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use redb::ReadableTable;

use super::hot_records::Hot;
use super::{RecordTable, StorageError, Store, decode, get_record, put_record};
use echo_domain::guid::Guid;
use echo_domain::timestamp::Timestamp;

const TOKENS: RecordTable = TableDefinition::new("tokens");

pub(super) const TABLES: &[RecordTable] = &[TOKENS];

/// What a token stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredToken {
    pub user: Guid,
    /// The provider a provider-context token acts for.
    pub acting_provider: Option<Guid>,
    pub expires: Timestamp,
    /// A guest sign-in: `user` names the sign-in, not an account.
    #[serde(default)]
    pub guest: bool,
}

impl Store {
    pub fn put_token(&self, digest: &str, token: &StoredToken) -> Result<(), StorageError> {
        self.write_hot(Hot::Tokens, |tx| put_record(tx, TOKENS, digest, token))
    }

    pub fn token(&self, digest: &str) -> Result<Option<StoredToken>, StorageError> {
        self.hot.get(Hot::Tokens, digest, || {
            get_record(&self.read()?, TOKENS, digest)
        })
    }

    /// Revokes a token; true when it existed.
    pub fn remove_token(&self, digest: &str) -> Result<bool, StorageError> {
        self.write_hot(Hot::Tokens, |tx| {
            Ok(tx.open_table(TOKENS)?.remove(digest)?.is_some())
        })
    }

    /// Revokes every token of one user; returns how many there were.
    pub fn remove_tokens_of(&self, user: &Guid) -> Result<usize, StorageError> {
        self.write_hot(Hot::Tokens, |tx| {
            let mut table = tx.open_table(TOKENS)?;
            let mut digests = Vec::new();
            for entry in table.iter()? {
                let (digest, value) = entry?;
                if decode::<StoredToken>(value.value())?.user == *user {
                    digests.push(digest.value().to_owned());
                }
            }
            for digest in &digests {
                table.remove(digest.as_str())?;
            }
            Ok(digests.len())
        })
    }
}
