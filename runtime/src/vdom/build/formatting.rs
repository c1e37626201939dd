//! The list of active formatting elements and the adoption agency algorithm (the HTML
//! standard, §13.2.4.3 and "in body", the end tag of a formatting element), for
//! misnested formatting: `<b>1<i>2</b>3</i>` and `<p><b>x</p>y` build what a browser
//! builds. The builder appends in document order, so it models the cases that only
//! append: formatting elements closed early and reopened ("reconstructed") later, the
//! "Noah's Ark" clause, markers at cells. An end tag whose formatting element has a
//! block inside it (a "furthest block", `<b><p>x</b>y`) moves nodes already built,
//! and is left to html5ever ([`Unsupported`]).

use super::*;

/// An entry of the list of active formatting elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Active {
    /// Set at a cell, a caption, `applet`, `object`, `marquee` or `template`: entries
    /// before it are not reopened inside.
    Marker,
    /// A formatting element, by its node in the tree (its tag and attributes are read
    /// from there when it is reopened). It is open when a stack entry has that node.
    Element(usize),
}

/// Elements whose start puts a marker on the list and whose end clears it to there.
pub(super) fn sets_marker(tag: &str) -> bool {
    matches!(
        tag,
        "td" | "th" | "caption" | "applet" | "object" | "marquee" | "template"
    )
}

impl DocumentBuilder<'_> {
    /// Whether tree node `node` is an open element.
    fn is_open(&self, node: usize) -> bool {
        self.stack.iter().rev().any(|o| o.node == node)
    }

    /// Add the formatting element just inserted (the current node) to the list; with
    /// three equal ones (tag, attributes) after the last marker already there, the
    /// earliest leaves it (the "Noah's Ark" clause).
    pub(super) fn push_formatting(&mut self) {
        let node = self.cur().node;
        let (mut equal, mut earliest) = (0, None);
        for (i, e) in self.active.iter().enumerate().rev() {
            match *e {
                Active::Marker => break,
                Active::Element(n) if self.tree.same_start_tag(n, node) => {
                    equal += 1;
                    earliest = Some(i);
                }
                Active::Element(_) => {}
            }
        }
        if let (true, Some(i)) = (equal >= 3, earliest) {
            self.active.remove(i);
            self.recording = None;
        }
        self.active.push(Active::Element(node));
    }

    /// Whether the list ends with a formatting element that is no longer open: text
    /// and most start tags reopen it first ([`Self::reconstruct`]).
    pub(super) fn needs_reconstruct(&self) -> bool {
        matches!(self.active.last(), Some(&Active::Element(n)) if !self.is_open(n))
    }

    /// Whether no formatting element is on the list after the last marker: the state a
    /// reusable fragment starts and ends in (what it opens, it closes).
    pub(super) fn no_active_formatting(&self) -> bool {
        matches!(self.active.last(), None | Some(Active::Marker))
    }

    /// Reconstruct the active formatting elements: reopen, as children of the current
    /// node in list order, a copy of each one after the last marker or open entry.
    pub(super) fn reconstruct(&mut self) {
        if !self.needs_reconstruct() {
            return;
        }
        self.recording = None;
        let mut first = self.active.len() - 1;
        while first > 0 {
            match self.active[first - 1] {
                Active::Marker => break,
                Active::Element(n) if self.is_open(n) => break,
                Active::Element(_) => first -= 1,
            }
        }
        for k in first..self.active.len() {
            let Active::Element(old) = self.active[k] else {
                continue;
            };
            let tag = CompactString::from(self.tree.name(old));
            let attrs = self
                .tree
                .attrs(old)
                .map(|(a, v)| (CompactString::from(a), CompactString::from(v)))
                .collect();
            self.insert(tag, Namespace::Html, attrs);
            self.active[k] = Active::Element(self.cur().node);
        }
    }

    /// Remove the entries after the last marker, and the marker (a cell or the like
    /// closed).
    pub(super) fn clear_to_marker(&mut self) {
        while let Some(e) = self.active.pop() {
            if e == Active::Marker {
                return;
            }
        }
    }

    /// The last entry after the last marker that is an HTML element `tag`: its
    /// position in the list and its node.
    fn formatting_entry(&self, tag: &str) -> Option<(usize, usize)> {
        for (i, e) in self.active.iter().enumerate().rev() {
            match *e {
                Active::Marker => return None,
                Active::Element(n)
                    if self.tree.kind(n) == Kind::Element(Namespace::Html) && self.tree.name(n) == tag =>
                {
                    return Some((i, n))
                }
                Active::Element(_) => {}
            }
        }
        None
    }

    /// The adoption agency algorithm for the end tag `tag` of a formatting element.
    /// `Ok(false)`: no such element is active, so the tag is "any other end tag".
    /// A formatting element with a block inside it is [`Unsupported`].
    pub(super) fn adoption_agency(&mut self, tag: &str, at: usize) -> R<bool> {
        let cur = self.cur();
        let cur_is_tag = cur.el.ns == Namespace::Html && cur.el.tag == tag;
        if cur_is_tag && !self.active.contains(&Active::Element(cur.node)) {
            self.pop();
            return Ok(true);
        }
        let Some((entry, node)) = self.formatting_entry(tag) else {
            return Ok(false);
        };
        let Some(depth) = self.stack.iter().rposition(|o| o.node == node) else {
            // Closed already (a parse error): it leaves the list.
            self.active.remove(entry);
            self.recording = None;
            return Ok(true);
        };
        if self.stack[depth + 1..].iter().any(|o| is_scope_boundary(&o.el)) {
            // Not in scope: the end tag is ignored.
            return Ok(true);
        }
        if self.stack[depth + 1..].iter().any(|o| is_special(&o.el)) {
            return Err(unsupported(
                at,
                "misnested formatting element around a block (adoption agency)",
            ));
        }
        if depth + 1 != self.stack.len() {
            // Elements above it close with it; those on the list are reopened later.
            self.recording = None;
        }
        while self.stack.len() > depth {
            self.pop();
        }
        self.active.remove(entry);
        Ok(true)
    }

    /// A start tag `<a>` while a link is active: the adoption agency algorithm for
    /// `</a>` runs first, and the old link leaves the list.
    pub(super) fn close_active_link(&mut self, at: usize) -> R<()> {
        let Some((_, node)) = self.formatting_entry("a") else {
            return Ok(());
        };
        self.recording = None;
        self.adoption_agency("a", at)?;
        if let Some(i) = self.active.iter().position(|e| *e == Active::Element(node)) {
            self.active.remove(i);
        }
        if self.is_open(node) {
            return Err(unsupported(at, "<a> inside a link (adoption agency)"));
        }
        Ok(())
    }
}
