//! Contacts as ECHO REST writes them, both ways: `{"role", "first_name", "last_name",
//! "email", "organization", "address": {…}, "phones": […]}`. Phones come as a list or as an
//! object keyed "0", "1", … (a form serialised by Earthdata Search); addresses often carry
//! only a country.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use echo_domain::order::{Address, Contact, Phone};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactJson {
    role: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    organization: Option<String>,
    address: AddressJson,
    phones: PhonesJson,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AddressJson {
    us_format: Option<bool>,
    street1: Option<String>,
    street2: Option<String>,
    street3: Option<String>,
    street4: Option<String>,
    street5: Option<String>,
    city: Option<String>,
    state: Option<String>,
    zip: Option<String>,
    country: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PhoneJson {
    number: String,
    #[serde(default = "business")]
    phone_number_type: String,
}

fn business() -> String {
    "BUSINESS".to_owned()
}

/// Phones as a list, or as an object whose keys are list positions.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PhonesJson {
    List(Vec<PhoneJson>),
    Keyed(BTreeMap<String, PhoneJson>),
}

impl Default for PhonesJson {
    fn default() -> Self {
        PhonesJson::List(Vec::new())
    }
}

impl PhonesJson {
    /// The phones in list order: keyed ones by their numeric key ("10" after "9").
    fn into_list(self) -> Vec<PhoneJson> {
        match self {
            PhonesJson::List(list) => list,
            PhonesJson::Keyed(keyed) => {
                let mut pairs: Vec<_> = keyed.into_iter().collect();
                pairs.sort_by_key(|(key, _)| (key.parse::<u64>().unwrap_or(u64::MAX), key.clone()));
                pairs.into_iter().map(|(_, phone)| phone).collect()
            }
        }
    }
}

impl ContactJson {
    /// The contact; the GUIDs are the gateway's to give.
    pub fn into_contact(self) -> Contact {
        let a = self.address;
        Contact {
            guid: None,
            role: self.role,
            first_name: self.first_name,
            last_name: self.last_name,
            address: Address {
                guid: None,
                address_name: None,
                us_format: a.us_format.unwrap_or(false),
                street1: a.street1,
                street2: a.street2,
                street3: a.street3,
                street4: a.street4,
                street5: a.street5,
                city: a.city,
                state: a.state,
                zip: a.zip,
                country: a.country,
            },
            phones: self
                .phones
                .into_list()
                .into_iter()
                .map(|p| Phone {
                    guid: None,
                    number: p.number,
                    phone_number_type: p.phone_number_type,
                })
                .collect(),
            email: self.email,
            organization: self.organization,
        }
    }
}

/// A contact as ECHO REST answers it.
pub fn contact_json(contact: &Contact) -> Value {
    let a = &contact.address;
    json!({
        "id": contact.guid,
        "role": contact.role,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "organization": contact.organization,
        "address": {
            "id": a.guid,
            "us_format": a.us_format,
            "street1": a.street1,
            "street2": a.street2,
            "street3": a.street3,
            "street4": a.street4,
            "street5": a.street5,
            "city": a.city,
            "state": a.state,
            "zip": a.zip,
            "country": a.country,
        },
        "phones": contact.phones.iter().map(phone_json).collect::<Vec<_>>(),
    })
}

pub fn phone_json(phone: &Phone) -> Value {
    json!({
        "id": phone.guid,
        "number": phone.number,
        "phone_number_type": phone.phone_number_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keyed_by_position_and_a_country_only_address() {
        let contact: ContactJson = serde_json::from_value(json!({
            "first_name": "Ada",
            "address": {"country": "France"},
            "phones": {"1": {"number": "2", "phone_number_type": "FAX"},
                       "0": {"number": "1", "phone_number_type": "BUSINESS"},
                       "10": {"number": "11"}}
        }))
        .unwrap();
        let contact = contact.into_contact();
        let numbers: Vec<_> = contact.phones.iter().map(|p| p.number.as_str()).collect();
        assert_eq!(numbers, ["1", "2", "11"]);
        assert_eq!(contact.address.country.as_deref(), Some("France"));
        assert!(!contact.address.us_format);
    }
}
