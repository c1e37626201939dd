//! The keyed diff: `old` VDOM + `new` VDOM → the patches that turn one into the
//! other (`docs/protocol.md`).
//!
//! Children are reconciled per parent in three steps:
//! 1. **Match.** Each child gets a token: its key for keyed elements (when the key is
//!    unique on both sides), else its subtree hash. Tokens that occur once on each
//!    side are matched (a keyed row, or an unkeyed row that did not change). The
//!    longest increasing subsequence of those matches, by old position, stays in
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
//! Matched elements keep their old `dj-id`; inserted elements get fresh ids from the
//! session's [`IdAllocator`].
//!
//! [`diff_trees`] is the runtime's path, on the flat [`Tree`]s the builders make. A
//! matched subtree whose hash is unchanged is not visited: its ids are copied over
//! in one slice copy. The diff trusts those hashes: two different subtrees with the
//! same 64-bit hash (foldhash, seeded at random per process) would be taken as equal.
//! [`diff`] is the same on owned [`Element`]s (converted, hashed, converted back).

use super::patch::Patch;
use super::tree::{key_token, Kind, Tree};
use super::{Element, IdAllocator, Namespace, NodeId};

/// Hash maps keyed by user content (keys, subtree hashes): foldhash, randomly seeded.
type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// `diff(old, new)`: patches that turn `old` into `new`. `new` is updated in place:
/// matched elements take their old ids and new elements get ids from `ids`, so the
/// result is the tree to diff the next render against. The roots are taken to be the
/// same element (the LiveView root): their attributes and children are diffed.
pub fn diff(old: &Element, new: &mut Element, ids: &mut IdAllocator) -> Vec<Patch> {
    let old_tree = Tree::from_element(old);
    let mut new_tree = Tree::from_element(new);
    let patches = diff_trees(&old_tree, &mut new_tree, ids);
    *new = new_tree.to_element();
    patches
}

/// [`diff`] on flat trees: the patches that turn `old` (the last render's tree, with
/// ids) into `new` (this render's, as a builder made it). Afterwards `new` carries the
/// ids: matched elements have their old ids, inserted ones fresh ids from `ids`, so
/// it is the tree to diff the next render against. Inside an element that has
/// `dj-update="ignore"` on both sides the client owns the content: `new` gets `old`'s
/// children back, and no patch goes inside.
pub fn diff_trees(old: &Tree, new: &mut Tree, ids: &mut IdAllocator) -> Vec<Patch> {
    if old.is_empty() || new.is_empty() {
        return Vec::new();
    }
    run(old, new, ids, |d| {
        let (o, n) = (d.old.root(), d.new.root());
        if d.old.hash(o) == d.new.hash(n) && d.old.range(o).len() == d.new.range(n).len() {
            d.copy_ids(o, n);
        } else {
            d.element(o, n);
        }
    })
}

/// Run `walk` on a [`Differ`] of `old` and `new`, then give `new` the ids it was
/// assigned and the client-owned (`dj-update="ignore"`) contents back: the patches.
fn run(old: &Tree, new: &mut Tree, ids: &mut IdAllocator, walk: impl FnOnce(&mut Differ<'_>)) -> Vec<Patch> {
    let mut new_ids = std::mem::take(new.ids_vec());
    new_ids.resize(new.node_count(), NodeId(0));
    let mut d = Differ {
        old,
        new,
        new_ids,
        ids,
        patches: Vec::new(),
        ignored: Vec::new(),
    };
    walk(&mut d);
    let Differ {
        new_ids,
        patches,
        mut ignored,
        ..
    } = d;
    *new.ids_vec() = new_ids;
    // Put the client-owned contents back, last first so earlier indices hold.
    ignored.sort_unstable_by_key(|&(n, _)| std::cmp::Reverse(n));
    for (n, o) in ignored {
        new.splice_children(n, old, o);
    }
    patches
}

/// `dj-target`: the patches that turn the element with `id="element_id"` of `old` into
/// that of `new`, and nothing outside it (`None` when either tree lacks the element,
/// or it is the root: then diff the whole tree). The element's children are diffed (its
/// own attributes are not); `new` becomes the tree the browser now has, `old` with that
/// element's children replaced by `new`'s (with ids), so the changes outside it are
/// sent by the next diff that is not scoped. Its ancestors' hashes are marked stale so
/// that diff never takes them for unchanged.
pub fn diff_scoped(
    old: &Tree,
    new: &mut Tree,
    element_id: &str,
    ids: &mut IdAllocator,
) -> Option<Vec<Patch>> {
    if old.is_empty() || new.is_empty() {
        return None;
    }
    let find = |t: &Tree| {
        t.range(t.root())
            .filter(|&i| matches!(t.kind(i), Kind::Element(_)))
            .find(|&i| t.attrs(i).any(|(k, v)| k == "id" && v == element_id))
    };
    let (o, n) = (find(old)?, find(new)?);
    if o == old.root() || n == new.root() {
        return None;
    }
    let patches = run(old, new, ids, |d| d.element(o, n));
    let target = old.id(o);
    let patches: Vec<Patch> = patches
        .into_iter()
        .filter(|p| !matches!(p, Patch::Attrs { id, .. } if *id == target))
        .collect();
    let mut browser = old.clone();
    browser.splice_children(o, new, n);
    browser.mark_stale(o);
    *new = browser;
    Some(patches)
}

/// Each child's matching token: for an element with a key, a hash of (namespace, tag,
/// key); otherwise its subtree hash. `keyed` collects the positions of keyed children.
fn raw_tokens(t: &Tree, children: &[usize], keyed: &mut Vec<usize>) -> Vec<u64> {
    let mut out = Vec::with_capacity(children.len());
    for (n, &c) in children.iter().enumerate() {
        match (t.kind(c), t.key(c)) {
            (Kind::Element(ns), Some(k)) => {
                keyed.push(n);
                out.push(key_token(ns, t.name(c), k));
            }
            _ => out.push(t.hash(c)),
        }
    }
    out
}

/// A key that is not unique among its siblings identifies nothing: those children
/// fall back to their subtree hash.
fn dedupe_keys(t: &Tree, children: &[usize], tokens: &mut [u64], keyed: &[usize]) {
    if keyed.len() < 2 {
        return;
    }
    let mut count: Map<u64, u32> = Map::with_capacity_and_hasher(keyed.len(), Default::default());
    for &n in keyed {
        *count.entry(tokens[n]).or_default() += 1;
    }
    for &n in keyed {
        if count.get(&tokens[n]).copied().unwrap_or(0) > 1 {
            tokens[n] = t.hash(children[n]);
        }
    }
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

fn compatible(old: &Tree, i: usize, new: &Tree, j: usize) -> bool {
    match (old.kind(i), new.kind(j)) {
        (Kind::Element(a), Kind::Element(b)) => {
            a == b && old.name(i) == new.name(j) && old.key(i) == new.key(j)
        }
        (Kind::Text, Kind::Text) | (Kind::Comment, Kind::Comment) => true,
        _ => false,
    }
}

/// `(old index, new index)` pairs of matched children, in new order.
fn match_children(old: &Tree, oc: &[usize], new: &Tree, nc: &[usize]) -> Vec<(usize, usize)> {
    let (mut ok, mut nk) = (Vec::new(), Vec::new());
    let (mut ot, mut nt) = (raw_tokens(old, oc, &mut ok), raw_tokens(new, nc, &mut nk));
    // The same tokens in the same order (same keys, or unchanged children): pair
    // them in place, which is what the general case below gives too.
    if ot == nt && oc.iter().zip(nc).all(|(&i, &j)| compatible(old, i, new, j)) {
        return (0..nc.len()).map(|j| (j, j)).collect();
    }
    dedupe_keys(old, oc, &mut ot, &ok);
    dedupe_keys(new, nc, &mut nt, &nk);
    let mut count: Map<u64, (usize, usize, usize)> =
        Map::with_capacity_and_hasher(ot.len(), Default::default());
    for (i, &t) in ot.iter().enumerate() {
        let e = count.entry(t).or_insert((0, 0, 0));
        e.0 += 1;
        e.2 = i;
    }
    for t in &nt {
        if let Some(e) = count.get_mut(t) {
            e.1 += 1;
        }
    }
    // Unique on both sides (and compatible, in case two keys' hashes collide) →
    // matched.
    let mut old_for_new: Vec<Option<usize>> = nt
        .iter()
        .enumerate()
        .map(|(j, t)| {
            count
                .get(t)
                .filter(|e| e.0 == 1 && e.1 == 1 && compatible(old, oc[e.2], new, nc[j]))
                .map(|e| e.2)
        })
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
    let mut old_used = vec![false; oc.len()];
    for o in old_for_new.iter().flatten() {
        old_used[*o] = true;
    }
    let mut bounds = vec![(0usize, 0usize)];
    bounds.extend(anchors.iter().map(|&(i, j)| (i + 1, j + 1)));
    let mut ends: Vec<(usize, usize)> = anchors.clone();
    ends.push((oc.len(), nc.len()));
    for (&(os, ns), &(oe, ne)) in bounds.iter().zip(ends.iter()) {
        let free: Vec<usize> = (os..oe.max(os)).filter(|&i| !old_used[i]).collect();
        let mut free_old = free.into_iter().peekable();
        for j in ns..ne.max(ns) {
            if old_for_new[j].is_some() {
                continue;
            }
            // Skip old leftovers that cannot pair with this one (they will be removed).
            while let Some(&i) = free_old.peek() {
                if compatible(old, oc[i], new, nc[j]) {
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
    old: &'a Tree,
    new: &'a Tree,
    /// The new tree's ids, being written.
    new_ids: Vec<NodeId>,
    ids: &'a mut IdAllocator,
    patches: Vec<Patch>,
    /// `(new element, old element)` with `dj-update="ignore"` on both sides.
    ignored: Vec<(usize, usize)>,
}

impl Differ<'_> {
    /// The subtrees at `o` and `n` are equal: `n`'s take `o`'s ids.
    fn copy_ids(&mut self, o: usize, n: usize) {
        let (or, nr) = (self.old.range(o), self.new.range(n));
        if let (Some(dst), Some(src)) = (self.new_ids.get_mut(nr), self.old.ids().get(or)) {
            if dst.len() == src.len() {
                dst.copy_from_slice(src);
            }
        }
    }

    fn element(&mut self, o: usize, n: usize) {
        let (old, new) = (self.old, self.new);
        self.new_ids[n] = old.id(o);
        // Attributes.
        let set: Vec<(String, String)> = new
            .attrs(n)
            .filter(|(k, v)| old.attr(o, k) != Some(v))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let remove: Vec<String> = old
            .attrs(o)
            .filter(|(k, _)| new.attr(n, k).is_none())
            .map(|(k, _)| k.to_string())
            .collect();
        if !set.is_empty() || !remove.is_empty() {
            self.patches.push(Patch::Attrs {
                id: old.id(o),
                set,
                remove,
            });
        }
        // `dj-update="ignore"`: the client owns the content.
        if old.attr(o, "dj-update") == Some("ignore") && new.attr(n, "dj-update") == Some("ignore") {
            self.ignored.push((n, o));
            return;
        }
        self.children(o, n);
    }

    fn children(&mut self, o: usize, n: usize) {
        let (old, new) = (self.old, self.new);
        let parent = old.id(o);
        let oc: Vec<usize> = old.children(o).collect();
        let nc: Vec<usize> = new.children(n).collect();
        let pairs = match_children(old, &oc, new, &nc);
        let mut old_matched = vec![false; oc.len()];
        for &(i, _) in &pairs {
            old_matched[i] = true;
        }
        // 1. Removals, highest index first.
        for i in (0..oc.len()).rev() {
            if !old_matched[i] {
                self.patches.push(Patch::Remove { parent, index: i });
            }
        }
        // 2. Moves. `current` is the matched old children in old order (what is left
        // after the removals); `target` the same children in new order.
        let mut current: Vec<usize> = (0..oc.len()).filter(|&i| old_matched[i]).collect();
        let target: Vec<usize> = pairs.iter().map(|&(i, _)| i).collect();
        let mut rank = vec![0usize; oc.len()];
        for (r, &i) in current.iter().enumerate() {
            rank[i] = r;
        }
        let ranks: Vec<usize> = target.iter().map(|&i| rank[i]).collect();
        let mut stay = vec![false; oc.len()];
        if ranks.windows(2).all(|w| w[0] < w[1]) {
            // Already in order (the common case): nothing moves.
            for &i in &target {
                stay[i] = true;
            }
        } else {
            for k in lis(&ranks) {
                stay[target[k]] = true;
            }
        }
        let moves = target.iter().filter(|&&i| !stay[i]).count();
        if moves > 0 {
            // One `reorder` (the new order as current indices) when it is shorter
            // than the moves.
            if moves > 2 && moves * 8 > target.len() {
                self.patches.push(Patch::Reorder { parent, order: ranks });
            } else {
                for (j, &i) in target.iter().enumerate() {
                    if stay[i] {
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
        // 3. Insertions, lowest index first.
        let mut old_for_new: Vec<Option<usize>> = vec![None; nc.len()];
        for &(i, j) in &pairs {
            old_for_new[j] = Some(i);
        }
        let raw = match new.kind(n) {
            Kind::Element(Namespace::Html) => matches!(new.name(n), "script" | "style"),
            _ => false,
        };
        for (j, o) in old_for_new.iter().enumerate() {
            if o.is_none() {
                for k in new.range(nc[j]) {
                    if matches!(new.kind(k), Kind::Element(_)) {
                        self.new_ids[k] = self.ids.next_id();
                    }
                }
                let mut html = String::new();
                new.write_html_with_ids(nc[j], &mut html, raw, &self.new_ids);
                self.patches.push(Patch::Insert {
                    parent,
                    index: j,
                    html,
                });
            }
        }
        // 4. Content: matched children, in new order.
        for (j, o) in old_for_new.iter().enumerate() {
            let Some(i) = *o else {
                continue;
            };
            let (a, b) = (oc[i], nc[j]);
            match (old.kind(a), new.kind(b)) {
                (Kind::Element(_), Kind::Element(_)) => {
                    // Equal hashes: an unchanged subtree (same size by construction).
                    if old.hash(a) == new.hash(b) && old.range(a).len() == new.range(b).len() {
                        self.copy_ids(a, b);
                    } else {
                        stacker::maybe_grow(32 * 1024, 1024 * 1024, || self.element(a, b));
                    }
                }
                (Kind::Text, Kind::Text) | (Kind::Comment, Kind::Comment) if old.name(a) != new.name(b) => {
                    self.patches.push(Patch::Text {
                        parent,
                        index: j,
                        text: new.name(b).to_string(),
                    });
                }
                // Equal text, or never paired (see `compatible`).
                _ => {}
            }
        }
    }
}
