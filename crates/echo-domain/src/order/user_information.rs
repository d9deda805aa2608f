//! User information of an order: who receives, pays for and answers for it, and the address
//! rules ECHO applied.
//!
//! The rules are the live server's, not its guide's: recorded ECHO orders were submitted with
//! `UsFormat` true and only `Country` set (no street, city, state or zip), and without any
//! `ContactAddress`. So every address is optional, and an address that is given is refused
//! only for what no partner could use: no `Country` (every recorded address has one; without
//! it a partner cannot even tell which postal system or export rules apply), or a street line
//! longer than [`MAX_STREET_LENGTH`] characters (the guide's limit, the width partners store).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::guid::Guid;

pub const MAX_STREET_LENGTH: usize = 32;

/// A postal address. The five street fields make "at most 5 street lines" hold by type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guid: Option<Guid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_name: Option<String>,
    pub us_format: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street5: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guid: Option<Guid>,
    pub number: String,
    /// e.g. `BUSINESS`.
    pub phone_number_type: String,
}

/// A person at an address (ECHO's Contact type).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guid: Option<Guid>,
    /// e.g. `Order Contact`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    pub address: Address,
    pub phones: Vec<Phone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
}

/// Everything SetUserInformationForOrder sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInformation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Contact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Contact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_address: Option<Contact>,
    /// e.g. `GOVERNMENT`, `OTHER`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_domain: Option<String>,
    /// e.g. `USA`, `INTERNATIONAL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_region: Option<String>,
}

/// Which of the three addresses a rule concerns, named as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    Shipping,
    Billing,
    Contact,
}

impl fmt::Display for AddressKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressKind::Shipping => "ShippingAddress",
            AddressKind::Billing => "BillingAddress",
            AddressKind::Contact => "ContactAddress",
        })
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum UserInformationError {
    #[error(
        "a guest order needs a ContactAddress with an Email: the guest has no account to reach"
    )]
    GuestContactRequired,
    #[error("{address}: Country is required")]
    CountryRequired { address: AddressKind },
    #[error("{address}: {field} has {length} characters; at most {MAX_STREET_LENGTH} allowed")]
    StreetTooLong {
        address: AddressKind,
        field: &'static str,
        length: usize,
    },
}

impl UserInformation {
    /// Gives every contact, address and phone without a GUID a fresh one, as ECHO stored
    /// them (GetOrders shows them all).
    pub fn assign_missing_guids(&mut self) {
        let contacts = [
            &mut self.shipping_address,
            &mut self.billing_address,
            &mut self.contact_address,
        ];
        for contact in contacts.into_iter().flatten() {
            contact.assign_missing_guids();
        }
    }

    /// Every address given must satisfy the address rules; none is required.
    pub fn validate(&self) -> Result<(), UserInformationError> {
        let addresses = [
            (AddressKind::Shipping, &self.shipping_address),
            (AddressKind::Billing, &self.billing_address),
            (AddressKind::Contact, &self.contact_address),
        ];
        addresses
            .into_iter()
            .filter_map(|(kind, contact)| Some((kind, contact.as_ref()?)))
            .try_for_each(|(kind, contact)| contact.address.validate(kind))
    }
}

impl Contact {
    /// Gives the contact, its address and its phones a fresh GUID where they have none.
    pub fn assign_missing_guids(&mut self) {
        self.guid.get_or_insert_with(Guid::random);
        self.address.guid.get_or_insert_with(Guid::random);
        for phone in &mut self.phones {
            phone.guid.get_or_insert_with(Guid::random);
        }
    }
}

impl UserInformation {
    /// A guest must also say how to reach them: a ContactAddress with an Email. ECHO held
    /// guests to the same rules as registered users, but a registered user's account tells a
    /// partner or operator who ordered; a guest's order is all there is.
    pub fn validate_for_guest(&self) -> Result<(), UserInformationError> {
        let email = self.contact_address.as_ref().map(|c| &c.email);
        match email {
            Some(email) if !is_blank(email) => Ok(()),
            _ => Err(UserInformationError::GuestContactRequired),
        }
    }
}

impl Address {
    /// Country is required, whatever the format; no street line may exceed
    /// [`MAX_STREET_LENGTH`] characters. Street, city, state and zip are optional even with
    /// `UsFormat` true, as ECHO accepted them.
    pub fn validate(&self, kind: AddressKind) -> Result<(), UserInformationError> {
        if is_blank(&self.country) {
            return Err(UserInformationError::CountryRequired { address: kind });
        }
        self.validate_street_lengths(kind)
    }

    fn validate_street_lengths(&self, kind: AddressKind) -> Result<(), UserInformationError> {
        let streets = [
            ("Street1", &self.street1),
            ("Street2", &self.street2),
            ("Street3", &self.street3),
            ("Street4", &self.street4),
            ("Street5", &self.street5),
        ];
        for (field, street) in streets {
            let length = street.as_deref().map_or(0, |s| s.chars().count());
            if length > MAX_STREET_LENGTH {
                return Err(UserInformationError::StreetTooLong {
                    address: kind,
                    field,
                    length,
                });
            }
        }
        Ok(())
    }
}

fn is_blank(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(|v| v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::test_support::{us_contact, valid_information};

    fn with_address(kind: AddressKind, edit: fn(&mut Address)) -> UserInformation {
        let mut contact = us_contact();
        edit(&mut contact.address);
        let mut info = valid_information();
        match kind {
            AddressKind::Shipping => info.shipping_address = Some(contact),
            AddressKind::Billing => info.billing_address = Some(contact),
            AddressKind::Contact => info.contact_address = Some(contact),
        }
        info
    }

    /// The recorded shipping address: `UsFormat` true and only `Country`.
    fn country_only(address: &mut Address) {
        *address = Address {
            us_format: true,
            country: Some("United States".into()),
            ..Address::default()
        };
    }

    #[test]
    fn no_address_is_required() {
        assert_eq!(valid_information().validate(), Ok(()));
        let shipping_only = UserInformation {
            shipping_address: Some(us_contact()),
            ..UserInformation::default()
        };
        assert_eq!(shipping_only.validate(), Ok(()));
        assert_eq!(UserInformation::default().validate(), Ok(()));
    }

    #[test]
    fn a_us_format_address_with_only_a_country_is_accepted() {
        for kind in [
            AddressKind::Shipping,
            AddressKind::Billing,
            AddressKind::Contact,
        ] {
            assert_eq!(
                with_address(kind, country_only).validate(),
                Ok(()),
                "{kind}"
            );
        }
    }

    #[test]
    fn country_is_always_required() {
        for edit in [
            (|a: &mut Address| a.country = Some(" ".into())) as fn(&mut Address),
            |a| (a.us_format, a.country) = (false, None),
        ] {
            let error = with_address(AddressKind::Shipping, edit)
                .validate()
                .unwrap_err();
            assert_eq!(error.to_string(), "ShippingAddress: Country is required");
        }
    }

    #[test]
    fn a_guest_gives_a_contact_email() {
        assert_eq!(valid_information().validate_for_guest(), Ok(()));
        let mut no_email = valid_information();
        if let Some(contact) = no_email.contact_address.as_mut() {
            contact.email = None;
        }
        let shipping_only = UserInformation {
            shipping_address: Some(us_contact()),
            ..UserInformation::default()
        };
        for refused in [no_email, shipping_only] {
            assert_eq!(
                refused.validate_for_guest(),
                Err(UserInformationError::GuestContactRequired)
            );
        }
    }

    #[test]
    fn street_lines_are_at_most_32_characters() {
        let long = with_address(AddressKind::Contact, |a| a.street5 = Some("x".repeat(33)));
        assert_eq!(
            long.validate(),
            Err(UserInformationError::StreetTooLong {
                address: AddressKind::Contact,
                field: "Street5",
                length: 33
            })
        );
        let exact = with_address(AddressKind::Contact, |a| a.street4 = Some("é".repeat(32)));
        assert_eq!(exact.validate(), Ok(()));
    }
}
