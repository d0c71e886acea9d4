//! Wire objects are objects: a decoder that refuses a JSON array where an object is meant.
//!
//! serde's derived decoder for a struct also takes a positional sequence, so
//! `[id, principal, processor]` would decode as an agreement although its JSON Schema says
//! `"type": "object"`. [`object`] decodes through a deserializer that forwards everything but a
//! sequence at the top level; [`Object`] is the same as a type, for `#[serde(try_from = ...)]`.

use std::fmt;

use serde::de::{self, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::{Deserialize, Serialize};

/// Decodes `T` from `deserializer`, refusing a sequence where `T` reads an object.
pub(crate) fn object<'de, T: Deserialize<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    T::deserialize(ObjectOnly(deserializer))
}

/// `T`, decoded by [`object`]: the source type of a `#[serde(try_from = "Object<Repr>")]`.
#[derive(Debug)]
pub(crate) struct Object<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object(deserializer).map(Object)
    }
}

impl<T: Serialize> Serialize for Object<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Object<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// Implements `TryFrom<Object<Repr>>` for a type that has `TryFrom<Repr>`, so that its
/// `#[serde(try_from = "Object<Repr>")]` runs the same constructor checks.
macro_rules! try_from_object {
    ($ty:ty, $repr:ty) => {
        impl TryFrom<$crate::vocab::Object<$repr>> for $ty {
            type Error = <$ty as TryFrom<$repr>>::Error;
            fn try_from(object: $crate::vocab::Object<$repr>) -> Result<Self, Self::Error> {
                <$ty>::try_from(object.0)
            }
        }
    };
}
pub(crate) use try_from_object;

/// Declares a plain-data struct whose `Deserialize` refuses a sequence: the struct as written
/// (its derives must not include `Deserialize`), a private copy of its fields that derives
/// `Deserialize` with the same field attributes, and a `Deserialize` for the struct that decodes
/// the copy through [`object`], then runs `check` on the value (an error it returns, naming the
/// field, refuses the value). The struct must carry no container `#[serde]` attributes.
macro_rules! object_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::vocab::object_struct! {
            check: $crate::vocab::no_check;
            $(#[$meta])*
            $vis struct $name { $($body)* }
        }
    };
    (
        check: $check:path;
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$field_meta])* $field_vis $field: $ty, )*
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            // Written as serde's derive writes it, so the public API reads the same.
            fn deserialize<__D>(deserializer: __D) -> Result<Self, __D::Error>
            where
                __D: ::serde::Deserializer<'de>,
            {
                #[derive(::serde::Deserialize)]
                struct Fields {
                    $( $(#[$field_meta])* $field: $ty, )*
                }
                let Fields { $($field),* } = $crate::vocab::object(deserializer)?;
                let value = $name { $($field),* };
                $check(&value).map_err(<__D::Error as ::serde::de::Error>::custom)?;
                Ok(value)
            }
        }
    };
}
pub(crate) use object_struct;

/// The check of an [`object_struct!`] that has no rule beyond its fields' own.
pub(crate) fn no_check<T>(_: &T) -> Result<(), std::convert::Infallible> {
    Ok(())
}

/// A deserializer that hands every request to the one it wraps, with a visitor that refuses a
/// sequence.
struct ObjectOnly<D>(D);

/// A visitor that refuses a sequence and hands everything else to the one it wraps.
struct NoSequence<V>(V);

const EXPECTED: &str = "a JSON object, not an array";

macro_rules! forward_deserialize {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($($arg: $ty,)*)? visitor: V) -> Result<V::Value, Self::Error> {
                self.0.$method($($($arg,)*)? NoSequence(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any; deserialize_bool; deserialize_i8; deserialize_i16; deserialize_i32; deserialize_i64;
        deserialize_i128; deserialize_u8; deserialize_u16; deserialize_u32; deserialize_u64; deserialize_u128;
        deserialize_f32; deserialize_f64; deserialize_char; deserialize_str; deserialize_string;
        deserialize_bytes; deserialize_byte_buf; deserialize_option; deserialize_unit;
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq;
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map;
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier; deserialize_ignored_any;
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty);)*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                self.0.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for NoSequence<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_visit! {
        visit_bool(bool); visit_i8(i8); visit_i16(i16); visit_i32(i32); visit_i64(i64); visit_i128(i128);
        visit_u8(u8); visit_u16(u16); visit_u32(u32); visit_u64(u64); visit_u128(u128);
        visit_f32(f32); visit_f64(f64); visit_char(char); visit_str(&str); visit_borrowed_str(&'de str);
        visit_string(String); visit_bytes(&[u8]); visit_borrowed_bytes(&'de [u8]); visit_byte_buf(Vec<u8>);
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::invalid_type(Unexpected::Seq, &EXPECTED))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(data)
    }
}
