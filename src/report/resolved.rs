//! scenario.resolved.toml: the scenario after `extends`, every default made
//! explicit and every number exact, so that rerunning it gives the same bytes.
//!
//! The keys come from the scenario's own serialisation
//! ([`crate::scenario::ser::ResolvedFile`]); this file only lays them out:
//! a section per table, `[[...]]` per list entry, everything else inline,
//! floats in Rust's shortest round-trip form and distributions as their text.

use crate::scenario::Scenario;
use crate::scenario::dist::exact;
use crate::scenario::ser::{DIST_TOKEN, ResolvedFile};
use serde::ser::{self, Impossible, Serialize};
use std::fmt::{self, Write};

pub fn resolved_toml(sc: &Scenario, runs: u64, seed: u64) -> String {
    let from: Vec<String> = sc
        .files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    let mut o = format!(
        "# Resolved by dsrsim {} from {}.\n# Every default is explicit; `simulate` on this file reproduces the run.\n",
        env!("CARGO_PKG_VERSION"),
        from.join(" <- ")
    );
    if !sc.overrides.is_empty() {
        let list: Vec<String> = sc
            .overrides
            .iter()
            .map(|ov| format!("{} {}={}", ov.origin, ov.key, ov.value))
            .collect();
        let _ = writeln!(
            o,
            "# With the command line's overrides (their values are below): {}",
            list.join(" ")
        );
    }
    let doc = ResolvedFile { sc, runs, seed }
        .serialize(NodeSerializer::default())
        .expect("a scenario serialises to TOML nodes");
    let Some(Node::Table(sections)) = doc else {
        unreachable!("the resolved file is a table of sections")
    };
    for (name, section) in sections {
        match section {
            Node::Table(keys) => table(&mut o, &format!("[{name}]"), &keys),
            Node::List(entries) => {
                for entry in entries {
                    if let Node::Table(keys) = entry {
                        table(&mut o, &format!("[[{name}]]"), &keys);
                    }
                }
            }
            Node::Text(_) => unreachable!("sections are tables or lists of tables"),
        }
    }
    o
}

/// One `[header]` and its `key = value` lines, after a blank line.
fn table(o: &mut String, header: &str, keys: &[(String, Node)]) {
    let _ = writeln!(o, "\n{header}");
    for (k, v) in keys {
        let _ = writeln!(o, "{k} = {v}");
    }
}

/// A serialised value: scalars already in their TOML text.
enum Node {
    Text(String),
    List(Vec<Node>),
    Table(Vec<(String, Node)>),
}

impl fmt::Display for Node {
    /// The inline form: `"text"`, `[a, b]`, `{ k = v }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text(t) => f.write_str(t),
            Node::List(items) => {
                f.write_str("[")?;
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{x}")?;
                }
                f.write_str("]")
            }
            Node::Table(keys) => {
                f.write_str("{ ")?;
                for (i, (k, v)) in keys.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str(" }")
            }
        }
    }
}

#[derive(Debug)]
struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Serialises into [`Node`]s; `None` (an unset optional key) gives no node,
/// so the key is left out, as TOML has no null.
#[derive(Clone, Copy, Default)]
struct NodeSerializer {
    /// Text is TOML already (a distribution, a key): write it unquoted.
    raw: bool,
}

type Out = Option<Node>;

fn text(t: impl Into<String>) -> Result<Out, Error> {
    Ok(Some(Node::Text(t.into())))
}

fn unsupported(what: &str) -> Error {
    Error(format!("the resolved file has no {what}"))
}

macro_rules! integers {
    ($($method:ident: $ty:ty),*) => {
        $( fn $method(self, v: $ty) -> Result<Out, Error> { text(v.to_string()) } )*
    };
}

impl ser::Serializer for NodeSerializer {
    type Ok = Out;
    type Error = Error;
    type SerializeSeq = ListSerializer;
    type SerializeTuple = ListSerializer;
    type SerializeTupleStruct = Impossible<Out, Error>;
    type SerializeTupleVariant = Impossible<Out, Error>;
    type SerializeMap = TableSerializer;
    type SerializeStruct = TableSerializer;
    type SerializeStructVariant = Impossible<Out, Error>;

    integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
              serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);

    fn serialize_bool(self, v: bool) -> Result<Out, Error> {
        text(v.to_string())
    }
    fn serialize_f32(self, v: f32) -> Result<Out, Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Out, Error> {
        text(exact(v))
    }
    fn serialize_char(self, v: char) -> Result<Out, Error> {
        self.serialize_str(&v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<Out, Error> {
        if self.raw {
            text(v)
        } else {
            text(toml::Value::String(v.to_string()).to_string())
        }
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Out, Error> {
        Err(unsupported("bytes"))
    }
    fn serialize_none(self) -> Result<Out, Error> {
        Ok(None)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<Out, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Out, Error> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Out, Error> {
        Ok(None)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
    ) -> Result<Out, Error> {
        self.serialize_str(v)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<Out, Error> {
        v.serialize(NodeSerializer {
            raw: self.raw || name == DIST_TOKEN,
        })
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Out, Error> {
        Err(unsupported("enum with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<ListSerializer, Error> {
        Ok(ListSerializer(Vec::new()))
    }
    fn serialize_tuple(self, _: usize) -> Result<ListSerializer, Error> {
        Ok(ListSerializer(Vec::new()))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<Out, Error>, Error> {
        Err(unsupported("tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<Out, Error>, Error> {
        Err(unsupported("enum with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<TableSerializer, Error> {
        Ok(TableSerializer::default())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<TableSerializer, Error> {
        Ok(TableSerializer::default())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<Out, Error>, Error> {
        Err(unsupported("enum with data"))
    }
}

struct ListSerializer(Vec<Node>);

impl ser::SerializeSeq for ListSerializer {
    type Ok = Out;
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Error> {
        self.0.extend(v.serialize(NodeSerializer::default())?);
        Ok(())
    }
    fn end(self) -> Result<Out, Error> {
        Ok(Some(Node::List(self.0)))
    }
}

impl ser::SerializeTuple for ListSerializer {
    type Ok = Out;
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Out, Error> {
        ser::SerializeSeq::end(self)
    }
}

#[derive(Default)]
struct TableSerializer {
    keys: Vec<(String, Node)>,
    key: Option<String>,
}

impl ser::SerializeMap for TableSerializer {
    type Ok = Out;
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> Result<(), Error> {
        // Keys are bare words here (ids and parameter names): written as they are.
        match k.serialize(NodeSerializer { raw: true })? {
            Some(Node::Text(key)) => self.key = Some(key),
            _ => return Err(unsupported("key that is not text")),
        }
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error("a value without a key".into()))?;
        if let Some(node) = v.serialize(NodeSerializer::default())? {
            self.keys.push((key, node));
        }
        Ok(())
    }
    fn end(self) -> Result<Out, Error> {
        Ok(Some(Node::Table(self.keys)))
    }
}

impl ser::SerializeStruct for TableSerializer {
    type Ok = Out;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        k: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        ser::SerializeMap::serialize_entry(self, k, v)
    }
    fn end(self) -> Result<Out, Error> {
        ser::SerializeMap::end(self)
    }
}
