//! A patch applier on the VDOM: the reference the browser applier is tested
//! against, and the check that `apply(diff(old, new), old) == new`.

use super::parse::parse_fragment_with_ids;
use super::patch::Patch;
use super::{Element, NodeId, VNode};

/// Why a patch could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// No element has this `dj-id`.
    #[error("patch {index}: no element with dj-id {id}")]
    NoSuchElement {
        /// The patch's position in the list.
        index: usize,
        /// The id.
        id: NodeId,
    },
    /// A child index is out of range, or the child has the wrong kind.
    #[error("patch {index}: {message}")]
    BadChild {
        /// The patch's position in the list.
        index: usize,
        /// What was wrong.
        message: String,
    },
}

fn find(e: &mut Element, id: NodeId) -> Option<&mut Element> {
    if e.id == id {
        return Some(e);
    }
    // Iterative search: no recursion depth limit.
    let mut stack: Vec<&mut Element> = vec![e];
    while let Some(cur) = stack.pop() {
        for c in cur.children.iter_mut() {
            if let VNode::Element(child) = c {
                if child.id == id {
                    return Some(child);
                }
                stack.push(child);
            }
        }
    }
    None
}

/// Why [`apply_to_html`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyHtmlError {
    /// The HTML has no element to be the root.
    #[error("the HTML has no root element")]
    NoRoot,
    /// The patches are not a JSON list of patches (`docs/protocol.md`).
    #[error("the patches are not a JSON list of patches: {0}")]
    BadPatches(String),
    /// A patch did not apply.
    #[error(transparent)]
    Apply(#[from] ApplyError),
}

/// Apply `patches_json` (a JSON list, as a `patch` reply's `patches`) to `root_html` (a
/// LiveView root with its `dj-id`s, as a `mounted` reply's `html`), as the browser
/// applier would: the root's HTML after them, `dj-id`s stamped. For clients outside a
/// browser (the load test's); the root is parsed as `<body>` content.
pub fn apply_to_html(root_html: &str, patches_json: &str) -> Result<String, ApplyHtmlError> {
    let patches: Vec<Patch> =
        serde_json::from_str(patches_json).map_err(|e| ApplyHtmlError::BadPatches(e.to_string()))?;
    let mut root = parse_fragment_with_ids(root_html, "body", super::Namespace::Html)
        .into_iter()
        .find_map(|n| match n {
            VNode::Element(e) => Some(e),
            _ => None,
        })
        .ok_or(ApplyHtmlError::NoRoot)?;
    apply(&mut root, &patches)?;
    Ok(root.to_html())
}

/// Apply `patches` to `root` in order.
pub fn apply(root: &mut Element, patches: &[Patch]) -> Result<(), ApplyError> {
    for (n, p) in patches.iter().enumerate() {
        let bad = |message: String| ApplyError::BadChild { index: n, message };
        let target = p.target();
        let el = find(root, target).ok_or(ApplyError::NoSuchElement { index: n, id: target })?;
        let len = el.children.len();
        match p {
            Patch::Attrs { set, remove, .. } => {
                el.attrs.retain(|(k, _)| !remove.iter().any(|r| r == k));
                for (k, v) in set {
                    match el.attrs.iter_mut().find(|(name, _)| name == k) {
                        Some(slot) => slot.1 = v.into(),
                        None => el.attrs.push((k.into(), v.into())),
                    }
                }
                el.key = super::key_of(&el.attrs);
            }
            Patch::Text { index, text, .. } => match el.children.get_mut(*index) {
                Some(VNode::Text(t)) | Some(VNode::Comment(t)) => *t = text.into(),
                _ => return Err(bad(format!("child {index} of {len} is not text"))),
            },
            Patch::Remove { index, .. } => {
                if *index >= len {
                    return Err(bad(format!("remove {index} of {len}")));
                }
                el.children.remove(*index);
            }
            Patch::Insert { index, html, .. } => {
                if *index > len {
                    return Err(bad(format!("insert at {index} of {len}")));
                }
                let mut nodes = parse_fragment_with_ids(html, &el.tag, el.ns);
                if nodes.len() != 1 {
                    return Err(bad(format!("insert of {} nodes", nodes.len())));
                }
                el.children.insert(*index, nodes.remove(0));
            }
            Patch::Move { from, to, .. } => {
                if *from >= len || *to >= len {
                    return Err(bad(format!("move {from} → {to} of {len}")));
                }
                let c = el.children.remove(*from);
                el.children.insert(*to, c);
            }
            Patch::Reorder { order, .. } => {
                let mut seen = vec![false; len];
                if order.len() != len
                    || order
                        .iter()
                        .any(|&k| k >= len || std::mem::replace(&mut seen[k], true))
                {
                    return Err(bad(format!("reorder {order:?} is not a permutation of {len}")));
                }
                let old = std::mem::take(&mut el.children);
                let mut slots: Vec<Option<VNode>> = old.into_iter().map(Some).collect();
                el.children = order.iter().filter_map(|&k| slots[k].take()).collect();
            }
        }
    }
    Ok(())
}
