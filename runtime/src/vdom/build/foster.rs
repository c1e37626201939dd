//! Foster parenting of text (the HTML standard's "in table text" insertion mode): text
//! that is not whitespace, met where a table allows only table elements
//! (`<table><tr>…</tr>stray</table>`), goes before the table in the table's parent,
//! joined to a text node already there. The builder appends in document order, so
//! the text of a table is collected while the table is open and put in place when it
//! closes; elements met there (`<table><div>`) are left to html5ever
//! ([`Unsupported`]).

use super::*;

/// What comes just before an open table in its parent, for text fostered out of it.
#[derive(Debug)]
pub(super) enum Before {
    /// An element, a comment, or nothing: the text becomes a node of its own.
    Other,
    /// A text node (its index in the tree): the text is appended to it.
    Text(usize),
    /// Whitespace the builder dropped (the VDOM keeps no whitespace-only text): in the
    /// document it is a text node the fostered text joins.
    Whitespace(String),
}

/// An open `<table>`.
#[derive(Debug)]
pub(super) struct OpenTable {
    /// Its node in the tree.
    pub(super) node: usize,
    pub(super) before: Before,
    /// The text fostered out of it so far.
    pub(super) fostered: String,
}

impl DocumentBuilder<'_> {
    /// Text `s` in a table's insertion modes that is to be fostered: with the pending
    /// whitespace of the same run, it goes before the table when the table closes
    /// ([`Self::close_table`]).
    pub(super) fn foster_text(&mut self, s: &str, at: usize) -> R<()> {
        if self.needs_reconstruct() {
            return Err(unsupported(
                at,
                "formatting element reopened in a table (foster parenting)",
            ));
        }
        let Some(table) = self.tables.last_mut() else {
            return Err(unsupported(at, "text in a table (foster parenting)"));
        };
        table.fostered.push_str(&self.text);
        table.fostered.push_str(s);
        self.text.clear();
        self.fostering = true;
        self.recording = None;
        Ok(())
    }

    /// Before inserting `<table>`: what precedes it in the current node, read before
    /// the pending text is flushed (which may drop it as whitespace).
    pub(super) fn open_table(&mut self) -> Before {
        if self.text.is_empty() {
            return Before::Other;
        }
        let pending = self.text.clone();
        let nodes = self.tree.mark().nodes as usize;
        self.flush_text();
        if self.tree.mark().nodes as usize > nodes {
            Before::Text(nodes)
        } else {
            Before::Whitespace(pending)
        }
    }

    /// Closing table `t` (the stack entry popped, its node `node`): put its fostered
    /// text in place. Returns the table's node index afterwards (one higher when a
    /// text node was inserted before it).
    pub(super) fn close_table(&mut self, t: OpenTable) -> usize {
        if t.fostered.is_empty() {
            return t.node;
        }
        let parent = self.stack.len() - 1;
        match t.before {
            Before::Text(i) => {
                self.tree.extend_text(i, &t.fostered);
                self.stack[parent].rehash = true;
                t.node
            }
            Before::Other | Before::Whitespace(_) => {
                let text = match &t.before {
                    Before::Whitespace(ws) => format!("{ws}{}", t.fostered),
                    _ => t.fostered,
                };
                let h = self.tree.insert_text_before(t.node, &text);
                self.stack[parent].hash.write_u64(h);
                // Everything recorded past the table's start moved up one node.
                for f in &mut self.fragments.list {
                    if f.from.nodes as usize > t.node {
                        f.from.nodes += 1;
                        f.to.nodes += 1;
                    }
                }
                for e in &mut self.active {
                    if let formatting::Active::Element(n) = e {
                        if *n >= t.node {
                            *n += 1;
                        }
                    }
                }
                for table in &mut self.tables {
                    if let Before::Text(i) = &mut table.before {
                        if *i >= t.node {
                            *i += 1;
                        }
                    }
                }
                t.node + 1
            }
        }
    }
}
