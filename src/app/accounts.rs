//! Accounts: registering providers and users, resetting a password and revoking a user's
//! tokens (operators only), and which users a caller may see by name.

use super::Gateway;
use crate::credentials;
use crate::error::{GatewayError, GatewayResult};
use echo_domain::account::{Provider, Role, User, validate_membership, validate_name};
use echo_domain::caller::{AccessDenied, Caller};
use echo_domain::guid::Guid;
use echo_domain::timestamp::Timestamp;

/// A provider to register; without a GUID it gets a random one.
#[derive(Debug, Clone)]
pub struct NewProvider {
    pub id: String,
    pub guid: Option<Guid>,
    pub display_name: Option<String>,
}

/// A user to register; without a GUID it gets a random one, without a password it can only
/// use issued tokens.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub role: Role,
    /// The provider (GUID or short ID) a provider-role user belongs to.
    pub provider: Option<String>,
    pub guid: Option<Guid>,
    pub password: Option<String>,
}

pub fn add_provider(
    gateway: &Gateway,
    caller: &Caller,
    new: NewProvider,
) -> GatewayResult<Provider> {
    caller.require_operator()?;
    validate_name(&new.id)?;
    let guid = new.guid.unwrap_or_else(Guid::random);
    Ok(gateway
        .store
        .add_provider(&new.id, guid, new.display_name)?)
}

/// Registers a user; the password is kept only as an Argon2id hash.
pub fn add_user(gateway: &Gateway, caller: &Caller, new: NewUser) -> GatewayResult<User> {
    caller.require_operator()?;
    validate_name(&new.name)?;
    let provider = new
        .provider
        .map(|p| gateway.find_provider(&p).map(|found| found.guid))
        .transpose()?;
    validate_membership(new.role, provider.as_ref())?;
    let password_hash = new
        .password
        .map(|p| credentials::hash_password(&p))
        .transpose()?;
    let user = User {
        guid: new.guid.unwrap_or_else(Guid::random),
        name: new.name,
        role: new.role,
        provider,
        password_hash,
        created: Timestamp::now(),
    };
    gateway.store.add_user(&user)?;
    Ok(user)
}

/// The users named by GUID, or with `None` all the caller may see. Operators see anyone,
/// provider staff users who ordered from their provider, users themselves.
pub fn users(
    gateway: &Gateway,
    caller: &Caller,
    guids: Option<&[String]>,
) -> GatewayResult<Vec<User>> {
    match guids {
        Some(guids) => guids
            .iter()
            .map(|guid| visible_user(gateway, caller, guid))
            .collect(),
        None if caller.is_operator() => Ok(gateway.store.users()?),
        None => visible_user(gateway, caller, caller.user_guid.as_str()).map(|u| vec![u]),
    }
}

/// Sets a new password for the user named `name` (operators only); their open sessions stay
/// until revoked with [`revoke_tokens`].
pub fn reset_password(
    gateway: &Gateway,
    caller: &Caller,
    name: &str,
    password: &str,
) -> GatewayResult<()> {
    caller.require_operator()?;
    let user = named_user(gateway, name)?;
    let hash = credentials::hash_password(password)?;
    Ok(gateway.store.set_password_hash(&user.guid, Some(hash))?)
}

/// Revokes every token of the user named `name` (operators only); returns how many.
pub fn revoke_tokens(gateway: &Gateway, caller: &Caller, name: &str) -> GatewayResult<usize> {
    caller.require_operator()?;
    let user = named_user(gateway, name)?;
    Ok(gateway.store.remove_tokens_of(&user.guid)?)
}

fn named_user(gateway: &Gateway, name: &str) -> GatewayResult<User> {
    gateway
        .store
        .user_by_name(name)?
        .ok_or_else(|| GatewayError::not_found("User", name))
}

fn visible_user(gateway: &Gateway, caller: &Caller, guid: &str) -> GatewayResult<User> {
    let user = match gateway.store.user(guid)? {
        Some(user) => user,
        None => gateway
            .store
            .user(&guid.to_uppercase())?
            .ok_or_else(|| GatewayError::not_found("User", guid))?,
    };
    if may_see(gateway, caller, &user)? {
        Ok(user)
    } else {
        Err(AccessDenied::UserNotVisible {
            user: caller.user_name.clone(),
            other: guid.to_owned(),
        }
        .into())
    }
}

fn may_see(gateway: &Gateway, caller: &Caller, user: &User) -> GatewayResult<bool> {
    Ok(match caller.role {
        Role::Operator => true,
        _ if user.guid == caller.user_guid => true,
        Role::Provider => match &caller.provider {
            Some(provider) => gateway.store.is_provider_customer(provider, &user.guid)?,
            None => false,
        },
        Role::User => false,
    })
}
