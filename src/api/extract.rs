//! JSON request bodies read the way Mattermost's Go server reads them with
//! `encoding/json`, for every endpoint at once: [`Json`] replaces `web::Json`.
//!
//! Clients are written against Go's rules, not serde's: the most used Python client
//! sends `"token": null` on every sign-in, others send `"Message"` for `message`. So, for
//! every struct in a body (at any depth):
//! - a field given as `null` is as if absent: it keeps its default (Go leaves the field
//!   alone); `null` in maps and arrays stays `null`, as in Go;
//! - a key that matches no field exactly matches one that differs only in ASCII case
//!   (Go prefers the exact match, then any case); when two keys land on one field, the
//!   exact spelling wins (Go takes the later one in the text; the text's order is gone
//!   once it is parsed, and no client sends a field twice on purpose);
//! - unknown keys are ignored (serde's default, kept).
//!
//! Invalid JSON, a wrong type, or a body over the limit still get Mattermost's 400/413,
//! through the same `JsonConfig` (limit and error handler) as before.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::{Map, Value};

use crate::error::AppError;

/// A JSON body decoded with Go's rules (see the module docs).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The body is read (limit, Content-Type rules, bad-JSON answers) by actix-web's
        // own extractor, configured in `api::body_limits`; only the mapping onto `T` is ours.
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            from_value(value).map(Json).map_err(|error| {
                AppError::InvalidBody {
                    name: "body",
                    detail: error.to_string(),
                }
                .into()
            })
        })
    }
}

/// Decodes `value` into `T` with Go's rules.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    T::deserialize(Go(value))
}

/// A JSON value whose structs decode as Go's do.
struct Go(Value);

impl<'de> Deserializer<'de> for Go {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
            Value::Object(map) => visitor.visit_map(Entries::of_map(map)),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Go(other)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Entries::of_struct(map, fields)),
            // serde would fill a struct from an array in field order; Go refuses.
            Value::Array(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &visitor)),
            other => other.deserialize_struct(name, fields, visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_bytes(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_byte_buf(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        seq tuple tuple_struct map identifier ignored_any
    }
}

/// An array's items, each decoded with Go's rules.
struct Items(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Items {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0
            .next()
            .map(|item| seed.deserialize(Go(item)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// An object's entries; for a struct, with keys matched to its fields as Go does and
/// `null`s left out.
struct Entries {
    entries: std::vec::IntoIter<(String, Value)>,
    value: Option<Value>,
}

impl Entries {
    fn of_map(map: Map<String, Value>) -> Self {
        Entries {
            entries: map.into_iter().collect::<Vec<_>>().into_iter(),
            value: None,
        }
    }

    fn of_struct(map: Map<String, Value>, fields: &'static [&'static str]) -> Self {
        // One slot per field: a key that names no field is dropped here (serde would
        // ignore it anyway), so the work is keys × fields, however many keys a body has.
        let mut slots: Vec<Option<(Value, bool)>> = vec![None; fields.len()];
        for (key, value) in map {
            let Some((at, exact)) = field_for(&key, fields) else {
                continue;
            };
            // Two keys on one field: the exact spelling wins.
            match &slots[at] {
                Some((_, true)) if !exact => {}
                _ => slots[at] = Some((value, exact)),
            }
        }
        let entries: Vec<(String, Value)> = slots
            .into_iter()
            .zip(fields)
            .filter_map(|(slot, field)| slot.map(|(value, _)| ((*field).to_string(), value)))
            .filter(|(_, value)| !value.is_null())
            .collect();
        Entries {
            entries: entries.into_iter(),
            value: None,
        }
    }
}

/// The field `key` names, by index, and whether the spelling is exact: itself, else the
/// first field equal to it ignoring ASCII case.
fn field_for(key: &str, fields: &'static [&'static str]) -> Option<(usize, bool)> {
    if let Some(at) = fields.iter().position(|field| *field == key) {
        return Some((at, true));
    }
    fields
        .iter()
        .position(|field| field.eq_ignore_ascii_case(key))
        .map(|at| (at, false))
}

impl<'de> MapAccess<'de> for Entries {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                let key: de::value::StringDeserializer<serde_json::Error> = key.into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value was asked for before its key"))?;
        seed.deserialize(Go(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Login {
        login_id: String,
        password: String,
        token: String,
        device_id: Option<String>,
        ldap_only: bool,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Post {
        channel_id: String,
        message: String,
        props: HashMap<String, Value>,
        file_ids: Vec<String>,
        #[serde(rename = "RootId")]
        root: String,
        nested: Option<Login>,
    }

    #[test]
    fn null_means_absent_in_structs_at_any_depth() {
        let login: Login = from_value(json!({
            "login_id": "bob", "password": "pw", "token": null, "device_id": null,
            "ldap_only": null,
        }))
        .unwrap();
        assert_eq!(
            login,
            Login {
                login_id: "bob".into(),
                password: "pw".into(),
                ..Login::default()
            }
        );
        let posts: Vec<Post> = from_value(json!([
            {"channel_id": "c", "message": null, "file_ids": null, "props": null,
             "nested": {"login_id": null, "token": null}},
        ]))
        .unwrap();
        assert_eq!(posts[0].channel_id, "c");
        assert!(posts[0].file_ids.is_empty());
        assert_eq!(posts[0].nested, Some(Login::default()));
    }

    #[test]
    fn null_in_maps_stays_null_as_in_go() {
        let post: Post = from_value(json!({"props": {"a": null, "b": 1}})).unwrap();
        assert_eq!(post.props.get("a"), Some(&Value::Null));
        assert_eq!(post.props.get("b"), Some(&json!(1)));
    }

    #[test]
    fn keys_match_fields_case_insensitively_preferring_the_exact_one() {
        let post: Post = from_value(json!({
            "Channel_ID": "c", "MESSAGE": "hi", "rootid": "r", "unknown": {"x": 1},
        }))
        .unwrap();
        assert_eq!(
            (
                post.channel_id.as_str(),
                post.message.as_str(),
                post.root.as_str()
            ),
            ("c", "hi", "r")
        );
        // Two spellings of one field: the exact one wins (not serde's duplicate error).
        for body in [
            json!({"message": "exact", "Message": "other"}),
            json!({"MESSAGE": "other", "message": "exact"}),
        ] {
            let post: Post = from_value(body).unwrap();
            assert_eq!(post.message, "exact");
        }
        // Map keys are data, not fields: kept as sent.
        let post: Post = from_value(json!({"props": {"Key": 1}})).unwrap();
        assert!(post.props.contains_key("Key"));
    }

    #[test]
    fn unknown_keys_are_dropped_before_matching() {
        let mut keys: Map<String, Value> =
            (0..40_000).map(|n| (format!("k{n}"), json!(1))).collect();
        keys.insert("LOGIN_ID".into(), json!("bob"));
        let entries = Entries::of_struct(keys, &["login_id", "password"]);
        let names: Vec<&str> = entries
            .entries
            .as_slice()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(names, ["login_id"]);
    }

    #[test]
    fn wrong_types_are_still_errors() {
        assert!(from_value::<Login>(json!({"login_id": 5})).is_err());
        assert!(from_value::<Login>(json!({"ldap_only": "yes"})).is_err());
        assert!(from_value::<Vec<String>>(json!({"a": 1})).is_err());
        assert!(from_value::<Login>(json!("text")).is_err());
        assert!(from_value::<Login>(json!(["bob", "pw"])).is_err());
        let ids: Vec<String> = from_value(json!(["a", "b"])).unwrap();
        assert_eq!(ids, ["a", "b"]);
    }
}
