//! Deserializers for fields Rollcall can do without: a value of an unexpected shape reads as
//! empty instead of failing the whole answer.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::EntityRef;

/// The value, or its default when it has another shape (`null`, a string for a number, an
/// enum value Rollcall does not know).
pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    let value = Value::deserialize(d)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

/// Text; a number is taken as its digits (an extension sent as `2101`), anything else is
/// `None`.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

/// A reference as an object `{id, …}` or as a bare id.
pub fn entity_ref<'de, D: Deserializer<'de>>(d: D) -> Result<Option<EntityRef>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(id) if !id.is_empty() => Some(EntityRef {
            id,
            ..EntityRef::default()
        }),
        value @ Value::Object(_) => serde_json::from_value(value).ok(),
        _ => None,
    })
}

/// A list whose unreadable items are left out (a list that is not a list is empty).
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        _ => Vec::new(),
    })
}
