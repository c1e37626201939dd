//! [`SortedMap`] and [`SortedSet`]: the small maps a summary keeps (a module's imports,
//! its top-level names, its `noqa` lines) as one exactly-sized sorted slice.
//!
//! A run holds one summary per file until the cross-file rules are done; a hash table
//! keeps up to twice its entries' room, plus control bytes and a hasher per table, for
//! maps that hold a handful of entries and are looked up a few times
//! (docs/benchmarks.md, issue 19's memory). A sorted slice is binary-searched instead.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;

/// A map built once from its entries and then only read: entries sorted by key in one
/// boxed slice, looked up by binary search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: Box<[(K, V)]>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: Box::default(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// The map of `entries`, in any order; when a key comes more than once, its last
    /// entry wins (as successive `insert`s into a `HashMap` leave it). O(n log n).
    pub fn from_entries(mut entries: Vec<(K, V)>) -> Self {
        // Stable: entries of one key stay in their order, and the last one is kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(K, V)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match out.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => out.push(entry),
            }
        }
        SortedMap {
            entries: out.into_boxed_slice(),
        }
    }

    /// The value for `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries
            .binary_search_by(|(k, _)| k.borrow().cmp(key))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    /// Whether `key` has a value.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.get(key).is_some()
    }
}

impl<K, V> SortedMap<K, V> {
    /// The entries, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        SortedMap::from_entries(iter.into_iter().collect())
    }
}

// Encoded as the list of entries; decoding sorts again, so a cache entry can never
// break the order lookups rely on.
impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.entries.serialize(s)
    }
}

impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<(K, V)>::deserialize(d).map(SortedMap::from_entries)
    }
}

/// A set built once and then only read ([`SortedMap`] without values).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "K: Ord + Deserialize<'de>"))]
pub struct SortedSet<K>(SortedMap<K, ()>);

impl<K: Ord> SortedSet<K> {
    /// Whether `key` is in the set.
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.contains_key(key)
    }
}

impl<K> SortedSet<K> {
    /// The members, in order.
    pub fn iter(&self) -> impl Iterator<Item = &K> {
        self.0.keys()
    }
}

impl<K: Ord> FromIterator<K> for SortedSet<K> {
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        SortedSet(iter.into_iter().map(|k| (k, ())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{SortedMap, SortedSet};

    #[test]
    fn the_last_entry_of_a_key_wins_and_lookups_find_every_key() {
        let map: SortedMap<String, u32> = [("b", 1), ("a", 2), ("b", 3), ("c", 4)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(map.len(), 3);
        assert_eq!(map.get("a"), Some(&2));
        assert_eq!(map.get("b"), Some(&3));
        assert_eq!(map.get("c"), Some(&4));
        assert_eq!(map.get("d"), None);
        assert_eq!(
            map.keys().map(String::as_str).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn decoding_restores_the_order() {
        // An encoding whose entries are out of order (a damaged cache) still looks up.
        let encoded =
            postcard::to_allocvec(&vec![("z".to_string(), 1u8), ("a".to_string(), 2u8)]).unwrap_or_default();
        let map: SortedMap<String, u8> = postcard::from_bytes(&encoded).unwrap_or_default();
        assert_eq!(map.get("a"), Some(&2));
        assert_eq!(map.get("z"), Some(&1));
        let set: SortedSet<String> = ["y", "x"].into_iter().map(String::from).collect();
        assert!(set.contains("x") && set.contains("y") && !set.contains("w"));
    }
}
