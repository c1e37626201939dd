//! The keyed diff: `old` VDOM + `new` VDOM → the patches that turn one into the
//! other (`docs/protocol.md`).
//!
//! Children are reconciled per parent in three steps:
//! 1. **Match.** Each child gets a token: its key for keyed elements (when the key is
//!    unique on both sides), else a hash of its whole subtree. Tokens that occur once
//!    on each side are matched (a keyed row, or an unkeyed row that did not change).
//!    The longest increasing subsequence of those matches, by old position, stays in
//!    place; the other matches are moves. Between consecutive anchors, the children
//!    left over on both sides are paired in order when compatible (same tag, or both
//!    text) and diffed recursively — so a changed row is a few attribute or text
//!    patches, and rows inserted into an unkeyed list are inserts, not a rewrite.
//! 2. **Structure.** Removals (descending index), then moves (one `move` per child
//!    outside the LIS, or a single `reorder` when that is smaller), then insertions
//!    (ascending index).
//! 3. **Content.** Attribute patches address elements by `dj-id`; text patches
//!    address a text child by its final index.
//!
//! Matched elements keep their old `dj-id` (the new tree is updated in place);
//! inserted elements get fresh ids from the session's [`IdAllocator`].

use super::patch::Patch;
use super::{Element, IdAllocator, VNode};
use std::hash::{BuildHasher, Hash, Hasher};

/// Hash maps keyed by user content (keys, subtree hashes): foldhash, randomly seeded.
type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// `diff(old, new)`: patches that turn `old` into `new`. `new` is updated in place:
/// matched elements take their old ids and new elements get ids from `ids`, so the
/// result is the tree to diff the next render against. The roots must be the same
/// element (same tag); otherwise the result is one `replace` of the root's content.
pub fn diff(old: &Element, new: &mut Element, ids: &mut IdAllocator) -> Vec<Patch> {
    new.id = old.id;
    // Hash both trees once, before `new` is touched.
    let seed = foldhash::fast::RandomState::default();
    let (mut oflat, mut nflat) = (Vec::new(), Vec::new());
    hash_element(old, &seed, &mut oflat);
    hash_element(new, &seed, &mut nflat);
    let mut d = Differ {
        ids,
        patches: Vec::new(),
        oflat: &oflat,
        nflat: &nflat,
    };
    d.element(old, 0, new, 0);
    d.patches
}

/// Give every element of `node` a fresh id (an inserted subtree).
pub fn assign_ids(node: &mut VNode, ids: &mut IdAllocator) {
    if let VNode::Element(e) = node {
        e.id = ids.next_id();
        for c in &mut e.children {
            stacker::maybe_grow(32 * 1024, 1024 * 1024, || assign_ids(c, ids));
        }
    }
}

/// Subtree hashes (ids ignored), flattened in pre-order: `(hash, size)` per node,
/// where `size` counts the node and its descendants, so node `p`'s first child is at
/// `p + 1` and each next sibling `size` further. Computed once per tree per diff.
type Flat = Vec<(u64, u32)>;

fn hash_node(node: &VNode, seed: &foldhash::fast::RandomState, out: &mut Flat) -> u64 {
    match node {
        VNode::Text(t) => {
            let h = seed.hash_one((0u8, t));
            out.push((h, 1));
            h
        }
        VNode::Comment(t) => {
            let h = seed.hash_one((1u8, t));
            out.push((h, 1));
            h
        }
        VNode::Element(e) => stacker::maybe_grow(32 * 1024, 1024 * 1024, || hash_element(e, seed, out)),
    }
}

fn hash_element(e: &Element, seed: &foldhash::fast::RandomState, out: &mut Flat) -> u64 {
    let at = out.len();
    out.push((0, 1));
    let mut h = seed.build_hasher();
    (2u8, &e.tag, e.ns as u8, &e.attrs).hash(&mut h);
    for c in &e.children {
        h.write_u64(hash_node(c, seed, out));
    }
    let hash = h.finish();
    out[at] = (hash, (out.len() - at) as u32);
    hash
}

/// Positions in `flat` of the `n` children of the node at `p`.
fn child_positions(flat: &Flat, p: usize, n: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    let mut q = p + 1;
    for _ in 0..n {
        out.push(q);
        q += flat.get(q).map_or(1, |&(_, size)| size as usize);
    }
    out
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Token<'a> {
    Key(&'a str, &'a str),
    Hash(u64),
}

fn tokens<'a>(children: &'a [VNode], hashes: &[u64]) -> Vec<Token<'a>> {
    let mut key_count: Map<(&str, &str), usize> = Map::default();
    for c in children {
        if let VNode::Element(Element {
            key: Some(k), tag, ..
        }) = c
        {
            *key_count.entry((tag.as_str(), k.as_str())).or_default() += 1;
        }
    }
    children
        .iter()
        .zip(hashes)
        .map(|(c, &h)| match c {
            VNode::Element(Element {
                key: Some(k), tag, ..
            }) if key_count.get(&(tag.as_str(), k.as_str())) == Some(&1) => Token::Key(tag, k),
            _ => Token::Hash(h),
        })
        .collect()
}

/// Indices (into `seq`) of a longest strictly increasing subsequence.
pub fn lis(seq: &[usize]) -> Vec<usize> {
    let mut tails: Vec<usize> = Vec::new(); // indices into seq
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (i, &x) in seq.iter().enumerate() {
        let pos = tails.partition_point(|&t| seq[t] < x);
        prev[i] = pos.checked_sub(1).map(|p| tails[p]);
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        out.push(i);
        cur = prev[i];
    }
    out.reverse();
    out
}

fn compatible(a: &VNode, b: &VNode) -> bool {
    match (a, b) {
        (VNode::Element(x), VNode::Element(y)) => x.tag == y.tag && x.ns == y.ns && x.key == y.key,
        (VNode::Text(_), VNode::Text(_)) | (VNode::Comment(_), VNode::Comment(_)) => true,
        _ => false,
    }
}

/// `(old index, new index)` pairs of matched children, in new order.
fn match_children(old: &[VNode], oh: &[u64], new: &[VNode], nh: &[u64]) -> Vec<(usize, usize)> {
    let (ot, nt) = (tokens(old, oh), tokens(new, nh));
    let mut count: Map<&Token<'_>, (usize, usize, usize)> = Map::default();
    for (i, t) in ot.iter().enumerate() {
        let e = count.entry(t).or_insert((0, 0, 0));
        e.0 += 1;
        e.2 = i;
    }
    for t in &nt {
        if let Some(e) = count.get_mut(t) {
            e.1 += 1;
        }
    }
    // Unique on both sides → matched.
    let mut old_for_new: Vec<Option<usize>> = nt
        .iter()
        .map(|t| count.get(t).filter(|e| e.0 == 1 && e.1 == 1).map(|e| e.2))
        .collect();
    // Anchors: the LIS of matched old positions, in new order.
    let matched: Vec<(usize, usize)> = old_for_new
        .iter()
        .enumerate()
        .filter_map(|(j, o)| o.map(|i| (i, j)))
        .collect();
    let seq: Vec<usize> = matched.iter().map(|&(i, _)| i).collect();
    let anchors: Vec<(usize, usize)> = lis(&seq).into_iter().map(|k| matched[k]).collect();
    // Gaps between anchors: pair leftovers in order when compatible.
    let mut old_used = vec![false; old.len()];
    for o in old_for_new.iter().flatten() {
        old_used[*o] = true;
    }
    let mut bounds = vec![(0usize, 0usize)];
    bounds.extend(anchors.iter().map(|&(i, j)| (i + 1, j + 1)));
    let mut ends: Vec<(usize, usize)> = anchors.clone();
    ends.push((old.len(), new.len()));
    for (&(os, ns), &(oe, ne)) in bounds.iter().zip(ends.iter()) {
        let free: Vec<usize> = (os..oe.max(os)).filter(|&i| !old_used[i]).collect();
        let mut free_old = free.into_iter().peekable();
        for j in ns..ne.max(ns) {
            if old_for_new[j].is_some() {
                continue;
            }
            // Skip old leftovers that cannot pair with this one (they will be removed).
            while let Some(&i) = free_old.peek() {
                if compatible(&old[i], &new[j]) {
                    break;
                }
                free_old.next();
            }
            if let Some(i) = free_old.next() {
                old_for_new[j] = Some(i);
                old_used[i] = true;
            }
        }
    }
    old_for_new
        .iter()
        .enumerate()
        .filter_map(|(j, o)| o.map(|i| (i, j)))
        .collect()
}

struct Differ<'a> {
    ids: &'a mut IdAllocator,
    patches: Vec<Patch>,
    oflat: &'a Flat,
    nflat: &'a Flat,
}

impl Differ<'_> {
    fn element(&mut self, old: &Element, op: usize, new: &mut Element, np: usize) {
        // Attributes.
        let mut set = Vec::new();
        for (k, v) in &new.attrs {
            if old.attr(k) != Some(v.as_str()) {
                set.push((k.clone(), v.clone()));
            }
        }
        let remove: Vec<String> = old
            .attrs
            .iter()
            .filter(|(k, _)| new.attr(k).is_none())
            .map(|(k, _)| k.clone())
            .collect();
        if !set.is_empty() || !remove.is_empty() {
            self.patches.push(Patch::Attrs {
                id: old.id,
                set,
                remove,
            });
        }
        // `dj-update="ignore"`: the client owns the content.
        if old.attr("dj-update") == Some("ignore") && new.attr("dj-update") == Some("ignore") {
            new.children = old.children.clone();
            return;
        }
        self.children(old, op, new, np);
    }

    fn children(&mut self, old: &Element, op: usize, new: &mut Element, np: usize) {
        let parent = old.id;
        let ocp = child_positions(self.oflat, op, old.children.len());
        let ncp = child_positions(self.nflat, np, new.children.len());
        let oh: Vec<u64> = ocp
            .iter()
            .map(|&q| self.oflat.get(q).map_or(0, |x| x.0))
            .collect();
        let nh: Vec<u64> = ncp
            .iter()
            .map(|&q| self.nflat.get(q).map_or(0, |x| x.0))
            .collect();
        let pairs = match_children(&old.children, &oh, &new.children, &nh);
        let mut old_matched = vec![false; old.children.len()];
        for &(i, _) in &pairs {
            old_matched[i] = true;
        }
        // 1. Removals, highest index first.
        for i in (0..old.children.len()).rev() {
            if !old_matched[i] {
                self.patches.push(Patch::Remove { parent, index: i });
            }
        }
        // 2. Moves. `current` is the matched old children in old order (what is left
        // after the removals); `target` the same children in new order.
        let mut current: Vec<usize> = (0..old.children.len()).filter(|&i| old_matched[i]).collect();
        let target: Vec<usize> = pairs.iter().map(|&(i, _)| i).collect();
        let rank: Map<usize, usize> = current.iter().enumerate().map(|(r, &i)| (i, r)).collect();
        let ranks: Vec<usize> = target.iter().map(|i| rank.get(i).copied().unwrap_or(0)).collect();
        let stay: std::collections::HashSet<usize, foldhash::fast::RandomState> =
            lis(&ranks).into_iter().map(|k| target[k]).collect();
        let moves = target.len() - stay.len();
        if moves > 0 {
            // One `reorder` (the new order as current indices) when it is shorter
            // than the moves.
            if moves > 2 && moves * 8 > target.len() {
                self.patches.push(Patch::Reorder {
                    parent,
                    order: ranks.clone(),
                });
            } else {
                for (j, &i) in target.iter().enumerate() {
                    if stay.contains(&i) {
                        continue;
                    }
                    let from = current.iter().position(|&c| c == i).unwrap_or(0);
                    current.remove(from);
                    // Right after the previous child in the new order.
                    let to = if j == 0 {
                        0
                    } else {
                        current
                            .iter()
                            .position(|&c| c == target[j - 1])
                            .map_or(0, |p| p + 1)
                    };
                    current.insert(to, i);
                    self.patches.push(Patch::Move { parent, from, to });
                }
            }
        }
        // 3. Insertions, lowest index first; matched children recurse.
        let mut old_for_new: Vec<Option<usize>> = vec![None; new.children.len()];
        for &(i, j) in &pairs {
            old_for_new[j] = Some(i);
        }
        for (j, o) in old_for_new.iter().enumerate() {
            if o.is_none() {
                let raw = is_raw_text(new);
                let child = &mut new.children[j];
                assign_ids(child, self.ids);
                let mut html = String::new();
                child.write_html(&mut html, raw);
                self.patches.push(Patch::Insert {
                    parent,
                    index: j,
                    html,
                });
            }
        }
        for (j, o) in old_for_new.iter().enumerate() {
            let Some(i) = *o else {
                continue;
            };
            match (&old.children[i], &mut new.children[j]) {
                (VNode::Element(a), VNode::Element(b)) => {
                    b.id = a.id;
                    // Equal hashes: almost surely an unchanged subtree. Confirm while
                    // carrying the ids over, and diff only if it was a collision.
                    if oh[i] == nh[j] && adopt_ids(a, b) {
                        continue;
                    }
                    let (ap, bp) = (ocp[i], ncp[j]);
                    stacker::maybe_grow(32 * 1024, 1024 * 1024, || self.element(a, ap, b, bp));
                }
                (VNode::Text(a), VNode::Text(b)) | (VNode::Comment(a), VNode::Comment(b)) if a != b => {
                    self.patches.push(Patch::Text {
                        parent,
                        index: j,
                        text: b.clone(),
                    });
                }
                // Equal text, or never paired (see `compatible`).
                _ => {}
            }
        }
    }
}

/// If `new` equals `old` (tags, attributes, text; ids aside), give `new`'s elements
/// `old`'s ids and return true. On a difference return false; the ids copied so far
/// are overwritten by the diff that follows.
fn adopt_ids(old: &Element, new: &mut Element) -> bool {
    let mut stack: Vec<(&Element, &mut Element)> = vec![(old, new)];
    while let Some((a, b)) = stack.pop() {
        if a.tag != b.tag || a.ns != b.ns || a.attrs != b.attrs || a.children.len() != b.children.len() {
            return false;
        }
        b.id = a.id;
        for (x, y) in a.children.iter().zip(b.children.iter_mut()) {
            match (x, y) {
                (VNode::Element(x), VNode::Element(y)) => stack.push((x, y)),
                (VNode::Text(x), VNode::Text(y)) | (VNode::Comment(x), VNode::Comment(y)) if x == y => {}
                _ => return false,
            }
        }
    }
    true
}

fn is_raw_text(e: &Element) -> bool {
    e.ns == super::Namespace::Html && matches!(e.tag.as_str(), "script" | "style")
}
