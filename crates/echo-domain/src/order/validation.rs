//! Order validation (ValidateOrder, and implicitly QuoteOrder and SubmitOrder): the user
//! information rules, each provider's policies, and option selections through the forms
//! engine's [`OptionSelectionValidator`].

use std::collections::{BTreeMap, HashSet};

use super::aggregate::{Order, split_into_provider_orders};
use super::error::OrderError;
use super::item::OrderItem;
use crate::guid::Guid;
use crate::policy::ProviderPolicies;
use crate::timestamp::Timestamp;

/// Checks an item's option selection; implemented by the ECHO Forms engine.
pub trait OptionSelectionValidator {
    /// `Ok` when the item needs no options or its selection is valid; otherwise the problems,
    /// e.g. a missing selection for an item whose collection has an option definition.
    fn validate(&self, item: &OrderItem) -> Result<(), Vec<String>>;
}

/// Validates `order` as of `now`, with the policies of every provider in it; the first broken
/// rule is the error, checked in this order: items present, user information, then per
/// provider (GUID order) suspension, MaxItemsPerOrder, duplicates, then option selections.
pub fn validate_order(
    order: &Order,
    policies: &BTreeMap<Guid, ProviderPolicies>,
    options: &dyn OptionSelectionValidator,
    now: Timestamp,
) -> Result<(), OrderError> {
    if order.items().is_empty() {
        return Err(OrderError::EmptyOrder {
            order: order.guid.clone(),
        });
    }
    order.user_information().validate()?;
    if order.guest {
        order.user_information().validate_for_guest()?;
    }
    for (provider, items) in split_into_provider_orders(order.items()) {
        let policies = policies
            .get(provider)
            .ok_or_else(|| OrderError::NoProviderPolicies {
                provider: provider.clone(),
            })?;
        check_suspension(provider, policies, now)?;
        check_max_items(provider, policies, &items)?;
        check_duplicates(provider, policies, &items)?;
    }
    order
        .items()
        .iter()
        .try_for_each(|item| check_option_selection(item, options))
}

fn check_suspension(
    provider: &Guid,
    policies: &ProviderPolicies,
    now: Timestamp,
) -> Result<(), OrderError> {
    match policies.ordering_suspended_until {
        Some(until) if now < until => Err(OrderError::OrderingSuspended {
            provider: provider.clone(),
            until,
        }),
        _ => Ok(()),
    }
}

/// MaxItemsPerOrder counts order items, not their quantities.
fn check_max_items(
    provider: &Guid,
    policies: &ProviderPolicies,
    items: &[&OrderItem],
) -> Result<(), OrderError> {
    match policies.max_items_per_order {
        Some(max) if i64::try_from(items.len()).unwrap_or(i64::MAX) > max => {
            Err(OrderError::TooManyItems {
                provider: provider.clone(),
                count: items.len(),
                max,
            })
        }
        _ => Ok(()),
    }
}

/// Only an explicit OrderSupportsDuplicateCatalogItems=false forbids duplicates; items of the
/// collections (DatasetIds) in CollectionsSupportingDuplicateOrderItems stay exempt.
fn check_duplicates(
    provider: &Guid,
    policies: &ProviderPolicies,
    items: &[&OrderItem],
) -> Result<(), OrderError> {
    if policies.order_supports_duplicate_catalog_items != Some(false) {
        return Ok(());
    }
    let exempt = policies
        .collections_supporting_duplicate_order_items
        .as_deref()
        .unwrap_or_default();
    let mut seen = HashSet::new();
    let checked = items
        .iter()
        .filter(|item| !exempt.contains(&item.catalog_item.collection_id));
    for item in checked {
        if !seen.insert(&item.catalog_item.item_guid) {
            return Err(OrderError::DuplicateCatalogItem {
                item: item.guid.clone(),
                catalog_item: item.catalog_item.item_guid.clone(),
                provider: provider.clone(),
            });
        }
    }
    Ok(())
}

fn check_option_selection(
    item: &OrderItem,
    options: &dyn OptionSelectionValidator,
) -> Result<(), OrderError> {
    options
        .validate(item)
        .map_err(|problems| OrderError::OptionSelection {
            item: item.guid.clone(),
            catalog_item: item.catalog_item.item_guid.clone(),
            problems,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::test_support::{catalog_item, recorded_now, valid_information};
    use crate::order::user_information::{AddressKind, UserInformationError};

    /// Requires a selection for every item; its content must not be empty.
    struct SelectionRequired;

    impl OptionSelectionValidator for SelectionRequired {
        fn validate(&self, item: &OrderItem) -> Result<(), Vec<String>> {
            match &item.option_selection {
                Some(selection) if !selection.content.is_empty() => Ok(()),
                Some(_) => Err(vec!["empty selection".into()]),
                None => Err(vec!["an option selection is required".into()]),
            }
        }
    }

    struct NoOptions;

    impl OptionSelectionValidator for NoOptions {
        fn validate(&self, _: &OrderItem) -> Result<(), Vec<String>> {
            Ok(())
        }
    }

    struct Fixture {
        order: Order,
        provider: Guid,
        policies: BTreeMap<Guid, ProviderPolicies>,
    }

    /// An order of `items` (catalog item GUIDs) from one provider with default policies.
    fn fixture(items: &[&str]) -> Fixture {
        let provider = Guid::random();
        let now = recorded_now();
        let mut order = Order::new(Guid::random(), Guid::random(), now);
        order
            .set_user_information(valid_information(), now)
            .unwrap();
        for item in items {
            order
                .add_item(catalog_item(item, &provider), 1, None, now)
                .unwrap();
        }
        let policies = BTreeMap::from([(provider.clone(), ProviderPolicies::default())]);
        Fixture {
            order,
            provider,
            policies,
        }
    }

    impl Fixture {
        fn validate(&self) -> Result<(), OrderError> {
            validate_order(&self.order, &self.policies, &NoOptions, recorded_now())
        }

        fn policies(&mut self) -> &mut ProviderPolicies {
            self.policies.get_mut(&self.provider).unwrap()
        }
    }

    #[test]
    fn a_plain_order_is_valid() {
        assert_eq!(fixture(&["G1", "G2"]).validate(), Ok(()));
    }

    #[test]
    fn empty_orders_and_missing_policies() {
        let empty = fixture(&[]);
        assert!(matches!(
            empty.validate(),
            Err(OrderError::EmptyOrder { .. })
        ));
        let mut unknown = fixture(&["G1"]);
        unknown.policies.clear();
        assert_eq!(
            unknown.validate(),
            Err(OrderError::NoProviderPolicies {
                provider: unknown.provider.clone()
            })
        );
    }

    #[test]
    fn user_information_is_checked() {
        let mut f = fixture(&["G1"]);
        let now = recorded_now();
        let mut information = valid_information();
        if let Some(contact) = information.contact_address.as_mut() {
            contact.address.country = None;
        }
        f.order.set_user_information(information, now).unwrap();
        assert_eq!(
            f.validate(),
            Err(OrderError::UserInformation(
                UserInformationError::CountryRequired {
                    address: AddressKind::Contact
                }
            ))
        );
    }

    #[test]
    fn max_items_per_provider_order() {
        let mut f = fixture(&["G1", "G2", "G3"]);
        f.policies().max_items_per_order = Some(3);
        assert_eq!(f.validate(), Ok(()));
        f.policies().max_items_per_order = Some(2);
        let error = f.validate().unwrap_err();
        assert!(matches!(
            error,
            OrderError::TooManyItems {
                count: 3,
                max: 2,
                ..
            }
        ));
        assert!(error.to_string().contains("MaxItemsPerOrder 2"));
    }

    #[test]
    fn duplicates_only_where_forbidden_and_not_exempt() {
        let mut f = fixture(&["G1", "G2", "G1"]);
        assert_eq!(f.validate(), Ok(()), "unset policy allows duplicates");
        f.policies().order_supports_duplicate_catalog_items = Some(false);
        let duplicate = f.order.items()[2].guid.clone();
        match f.validate() {
            Err(OrderError::DuplicateCatalogItem {
                item, catalog_item, ..
            }) => {
                assert_eq!(item, duplicate);
                assert_eq!(catalog_item, "G1");
            }
            other => panic!("{other:?}"),
        }
        let collection = f.order.items()[0].catalog_item.collection_id.clone();
        f.policies().collections_supporting_duplicate_order_items = Some(vec![collection]);
        assert_eq!(f.validate(), Ok(()));
    }

    #[test]
    fn suspended_ordering_names_the_date() {
        let mut f = fixture(&["G1"]);
        let until = recorded_now().plus_seconds(3600);
        f.policies().ordering_suspended_until = Some(until);
        let error = f.validate().unwrap_err();
        assert!(
            error.to_string().contains("2017-02-15T16:09:18.662Z"),
            "{error}"
        );
        f.policies().ordering_suspended_until = Some(recorded_now());
        assert_eq!(f.validate(), Ok(()), "the suspension ends at the date");
    }

    #[test]
    fn option_selections_go_through_the_validator() {
        let f = fixture(&["G1"]);
        let result = validate_order(&f.order, &f.policies, &SelectionRequired, recorded_now());
        match result {
            Err(error @ OrderError::OptionSelection { .. }) => assert_eq!(
                error.to_string(),
                format!(
                    "order item [{}] (catalog item [G1]): option selection: an option selection \
                     is required",
                    f.order.items()[0].guid
                )
            ),
            other => panic!("{other:?}"),
        }
    }
}
