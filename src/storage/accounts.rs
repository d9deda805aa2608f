//! Tables of providers and users, with their name indexes.

use redb::{ReadableTableMetadata, TableDefinition};

use super::hot_records::Hot;
use super::{
    RecordTable, StorageError, Store, all_records, get_record, get_record_for_update, put_record,
};
use echo_domain::account::{Provider, User};
use echo_domain::guid::Guid;

const PROVIDERS: RecordTable = TableDefinition::new("providers");
const PROVIDER_IDS: RecordTable = TableDefinition::new("provider_ids");
const USERS: RecordTable = TableDefinition::new("users");
const USER_NAMES: RecordTable = TableDefinition::new("user_names");

pub(super) const TABLES: &[RecordTable] = &[PROVIDERS, PROVIDER_IDS, USERS, USER_NAMES];

impl Store {
    /// Adds a provider; its ID and GUID must both be new. The sequence is assigned here.
    pub fn add_provider(
        &self,
        id: &str,
        guid: Guid,
        display_name: Option<String>,
    ) -> Result<Provider, StorageError> {
        self.write_hot(Hot::Providers, |tx| {
            if get_record_for_update::<Guid>(tx, PROVIDER_IDS, id)?.is_some() {
                return Err(StorageError::AlreadyExists(format!("provider [{id}]")));
            }
            if get_record_for_update::<Provider>(tx, PROVIDERS, guid.as_str())?.is_some() {
                return Err(StorageError::AlreadyExists(format!(
                    "provider GUID [{guid}]"
                )));
            }
            let sequence = tx.open_table(PROVIDERS)?.len()?;
            let provider = Provider {
                guid: guid.clone(),
                id: id.to_owned(),
                display_name: display_name.clone(),
                sequence,
            };
            put_record(tx, PROVIDERS, provider.guid.as_str(), &provider)?;
            put_record(tx, PROVIDER_IDS, id, &provider.guid)?;
            Ok(provider)
        })
    }

    pub fn provider(&self, guid: &str) -> Result<Option<Provider>, StorageError> {
        self.hot.get(Hot::Providers, guid, || {
            get_record(&self.read()?, PROVIDERS, guid)
        })
    }

    /// Looks a provider up by its short ID (e.g. `DEV07`).
    pub fn provider_by_id(&self, id: &str) -> Result<Option<Provider>, StorageError> {
        let tx = self.read()?;
        match get_record::<Guid>(&tx, PROVIDER_IDS, id)? {
            Some(guid) => get_record(&tx, PROVIDERS, guid.as_str()),
            None => Ok(None),
        }
    }

    /// Every provider, in order of creation.
    pub fn providers(&self) -> Result<Vec<Provider>, StorageError> {
        let mut providers: Vec<Provider> = all_records(&self.read()?, PROVIDERS)?;
        providers.sort_by_key(|p| p.sequence);
        Ok(providers)
    }

    /// Adds a user; its name and GUID must both be new.
    pub fn add_user(&self, user: &User) -> Result<(), StorageError> {
        self.write_hot(Hot::Users, |tx| {
            if get_record_for_update::<Guid>(tx, USER_NAMES, &user.name)?.is_some() {
                return Err(StorageError::AlreadyExists(format!("user [{}]", user.name)));
            }
            if get_record_for_update::<User>(tx, USERS, user.guid.as_str())?.is_some() {
                return Err(StorageError::AlreadyExists(format!(
                    "user GUID [{}]",
                    user.guid
                )));
            }
            put_record(tx, USERS, user.guid.as_str(), user)?;
            put_record(tx, USER_NAMES, &user.name, &user.guid)
        })
    }

    pub fn user(&self, guid: &str) -> Result<Option<User>, StorageError> {
        self.hot
            .get(Hot::Users, guid, || get_record(&self.read()?, USERS, guid))
    }

    /// Every user, in GUID order.
    pub fn users(&self) -> Result<Vec<User>, StorageError> {
        all_records(&self.read()?, USERS)
    }

    pub fn user_by_name(&self, name: &str) -> Result<Option<User>, StorageError> {
        let tx = self.read()?;
        match get_record::<Guid>(&tx, USER_NAMES, name)? {
            Some(guid) => get_record(&tx, USERS, guid.as_str()),
            None => Ok(None),
        }
    }

    /// Replaces a user's password hash (`None`: tokens only from now on).
    pub fn set_password_hash(&self, user: &Guid, hash: Option<String>) -> Result<(), StorageError> {
        self.write_hot(Hot::Users, |tx| {
            let mut stored = get_record_for_update::<User>(tx, USERS, user.as_str())?
                .ok_or_else(|| StorageError::NotFound(format!("user [{user}]")))?;
            stored.password_hash = hash.clone();
            put_record(tx, USERS, user.as_str(), &stored)
        })
    }
}
