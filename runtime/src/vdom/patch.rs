//! The patch protocol's operations (`docs/protocol.md`), as serde types.
//!
//! JSON: an object per op, tagged by `"op"`; elements are addressed by their
//! `dj-id` (`"t"` for the target element, `"p"` for a parent), children by their
//! index among the parent's significant children (elements, text that is not only
//! whitespace, `dj-if` comments) at the moment the op is applied. Ops are applied in
//! array order.

use super::NodeId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The protocol version carried by every patch message.
pub const PROTOCOL_VERSION: u32 = 1;

impl Serialize for NodeId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for NodeId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NodeId, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        NodeId::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid dj-id {s:?}")))
    }
}

/// One patch operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Patch {
    /// Set (`set`: `[name, value]` pairs) and remove (`remove`: names) attributes of
    /// element `t`.
    Attrs {
        /// The element.
        #[serde(rename = "t")]
        id: NodeId,
        /// Attributes to set.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        set: Vec<(String, String)>,
        /// Attributes to remove.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        remove: Vec<String>,
    },
    /// Replace the content of text (or comment) child `i` of `p`.
    Text {
        /// The parent element.
        #[serde(rename = "p")]
        parent: NodeId,
        /// The child's index.
        #[serde(rename = "i")]
        index: usize,
        /// The new text.
        text: String,
    },
    /// Remove child `i` of `p`.
    Remove {
        /// The parent element.
        #[serde(rename = "p")]
        parent: NodeId,
        /// The child's index.
        #[serde(rename = "i")]
        index: usize,
    },
    /// Insert `html` (one node, elements with their `dj-id`s) as child `i` of `p`.
    Insert {
        /// The parent element.
        #[serde(rename = "p")]
        parent: NodeId,
        /// The index the new child gets.
        #[serde(rename = "i")]
        index: usize,
        /// The node as HTML.
        html: String,
    },
    /// Move child `from` of `p` to index `to` (indices before and after the move).
    Move {
        /// The parent element.
        #[serde(rename = "p")]
        parent: NodeId,
        /// Where the child is.
        from: usize,
        /// Where it goes (after it was taken out).
        to: usize,
    },
    /// Put the children of `p` in a new order: `order[k]` is the current index of
    /// the child that becomes child `k` (a permutation).
    Reorder {
        /// The parent element.
        #[serde(rename = "p")]
        parent: NodeId,
        /// The permutation.
        order: Vec<usize>,
    },
}

impl Patch {
    /// The element the patch addresses: `t` of `attrs`, the parent `p` of the others.
    pub fn target(&self) -> NodeId {
        match self {
            Patch::Attrs { id, .. } => *id,
            Patch::Text { parent, .. }
            | Patch::Remove { parent, .. }
            | Patch::Insert { parent, .. }
            | Patch::Move { parent, .. }
            | Patch::Reorder { parent, .. } => *parent,
        }
    }
}

/// The patches of one render as the wire message: `{"v": 1, "patches": [...]}`.
pub fn to_json(patches: &[Patch]) -> String {
    #[derive(Serialize)]
    struct Message<'a> {
        v: u32,
        patches: &'a [Patch],
    }
    serde_json::to_string(&Message {
        v: PROTOCOL_VERSION,
        patches,
    })
    .unwrap_or_else(|_| String::from("{\"v\":1,\"patches\":[]}"))
}
