//! Fragment reuse across renders: what a stretch between two loop marks appended, recorded by its bytes and the open elements around it, and copied into the next render when both are the same (see the parent module).

use super::*;

impl DocumentBuilder<'_> {
    // ---- fragments (reuse across renders) ----------------------------------------

    /// Handle the loop marks at or before the current position: close the fragment
    /// being recorded, then reuse the next one from the previous render or start
    /// recording it. `false`: the next mark is not known yet (wait for more input).
    pub(super) fn at_marks(&mut self, src: &str, fin: bool) -> bool {
        while let Some(&m) = self.marks.get(self.next_mark) {
            if m > self.pos {
                return true;
            }
            if m < self.pos {
                // A token ran over the mark: the fragment it ends is not recorded.
                self.recording = None;
                self.next_mark += 1;
                continue;
            }
            if let Some(r) = self.recording.take() {
                self.end_recording(r, src);
            }
            let Some(&end) = self.marks.get(self.next_mark + 1) else {
                if !fin {
                    return false;
                }
                self.next_mark += 1;
                continue;
            };
            self.next_mark += 1;
            if !self.is_clean() {
                continue;
            }
            if end > m && self.reuse(src, m, end) {
                continue;
            }
            self.recording = Some(Recording {
                start: m,
                at: self.tree.mark(),
                flushes: self.flushes,
                depth: self.stack.len(),
                top: self.cur().node,
                stack: self.stack_index(),
                form_open: self.form_open,
                selects: self.selects,
            });
        }
        true
    }

    /// Between tokens in body data with no pending text that a following text could
    /// merge into a node, no formatting element active after the last marker (so a
    /// fragment closes what it opens and reopens nothing from outside), and no table
    /// text being fostered: what a fragment needs at both ends.
    pub(super) fn is_clean(&self) -> bool {
        self.phase == Phase::InBody
            && self.tok == Tok::Data
            && !self.text_mode
            && !self.skip_lf
            && !self.cur().keep
            && self.text.bytes().all(is_space)
            && !self.fostering
            && self.no_active_formatting()
    }

    /// The index in [`Fragments::stacks`] of the current stack of open elements.
    pub(super) fn stack_index(&mut self) -> u32 {
        let here = (self.stack.len(), self.cur().node);
        if (self.last_stack.0, self.last_stack.1) == here && self.last_stack.2 != u32::MAX {
            return self.last_stack.2;
        }
        let stacks = &mut self.fragments.stacks;
        if !stacks.last().is_some_and(|f| same_stack(f, &self.stack)) {
            stacks.push(
                self.stack
                    .iter()
                    .map(|o| (o.el.tag.clone(), o.el.ns, o.keep))
                    .collect(),
            );
        }
        let index = (stacks.len() - 1) as u32;
        self.last_stack = (here.0, here.1, index);
        index
    }

    /// Whether `previous`'s stack `index` is the current stack of open elements.
    pub(super) fn same_as_previous_stack(&mut self, prev: &Fragments, index: u32) -> bool {
        let here = (self.stack.len(), self.cur().node);
        if self.last_prev_stack == (here.0, here.1, index) {
            return true;
        }
        let same = prev
            .stacks
            .get(index as usize)
            .is_some_and(|s| same_stack(s, &self.stack));
        if same {
            self.last_prev_stack = (here.0, here.1, index);
        }
        same
    }

    /// Keep what the text since `r.start` produced, if it is a fragment: the builder
    /// is clean again with the same element current, and the text before the first
    /// flush was whitespace only (checked in [`Self::flush_text`]).
    pub(super) fn end_recording(&mut self, r: Recording, src: &str) {
        let balanced = self.stack.len() == r.depth
            && self.cur().node == r.top
            && self.form_open == r.form_open
            && self.selects == r.selects;
        if !balanced || !self.is_clean() || self.flushes == r.flushes {
            return;
        }
        let hash = content_hash(&src.as_bytes()[r.start..self.pos]);
        self.fragments.record(
            hash,
            Fragment {
                src: r.start,
                len: self.pos - r.start,
                from: r.at,
                to: self.tree.mark(),
                stack: r.stack,
                form_open: r.form_open,
                selects: r.selects,
                tail: CompactString::from(self.text.as_str()),
            },
        );
    }

    /// Copy the previous render's fragment with the bytes `src[start..end]`, if there
    /// is one recorded in the same state; it is recorded again for the next render.
    pub(super) fn reuse(&mut self, src: &str, start: usize, end: usize) -> bool {
        let Some(prev) = self.previous else {
            return false;
        };
        let bytes = &src.as_bytes()[start..end];
        let hash = content_hash(bytes);
        let Some(f) = prev
            .fragments
            .by_hash
            .get(&hash)
            .and_then(|&i| prev.fragments.list.get(i as usize))
        else {
            return false;
        };
        let same = f.len == bytes.len()
            && prev.html.as_bytes().get(f.src..f.src + f.len) == Some(bytes)
            && f.form_open == self.form_open
            && f.selects == self.selects
            && self.same_as_previous_stack(prev.fragments, f.stack);
        if !same {
            return false;
        }
        // The pending whitespace is what the fragment's first flush would drop.
        self.text.clear();
        self.flushes = self.flushes.wrapping_add(1);
        let from = self.tree.mark();
        let first = self.tree.append_region(prev.tree, f.from, f.to);
        let to = self.tree.mark();
        let cur = self.stack.len() - 1;
        let mut i = first;
        while i < to.nodes as usize {
            self.stack[cur].hash.write_u64(self.tree.hash(i));
            i = self.tree.range(i).end;
        }
        self.text.push_str(&f.tail);
        self.pos = end;
        self.reused += 1;
        let stack = self.stack_index();
        self.fragments.record(
            hash,
            Fragment {
                src: start,
                len: bytes.len(),
                from,
                to,
                stack,
                form_open: self.form_open,
                selects: self.selects,
                tail: f.tail.clone(),
            },
        );
        true
    }
}

/// One open element as a fragment sees it: tag, namespace, whitespace kept.
pub(super) type Frame = (CompactString, Namespace, bool);

/// What one stretch of text between two loop marks produced (see the module
/// documentation): `src..src + len` of the render's HTML appended the tree's nodes
/// between `from` and `to` as children of the current element, with the builder in a
/// clean state at both ends.
#[derive(Debug, Clone)]
pub(super) struct Fragment {
    pub(super) src: usize,
    pub(super) len: usize,
    pub(super) from: Mark,
    pub(super) to: Mark,
    /// Index into [`Fragments::stacks`]: the open elements around the fragment.
    pub(super) stack: u32,
    pub(super) form_open: bool,
    pub(super) selects: usize,
    /// The character data pending at the end (whitespace).
    pub(super) tail: CompactString,
}

/// The fragments of one render, for the next render of the same template to reuse.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fragments {
    pub(super) list: Vec<Fragment>,
    /// Content hash of a fragment's bytes → its index (the first of equal ones).
    pub(super) by_hash: HashMap<u64, u32, foldhash::fast::FixedState>,
    /// The distinct stacks of open elements, in order of first use.
    pub(super) stacks: Vec<Vec<Frame>>,
}

impl Fragments {
    /// Add `f`, whose bytes hash to `hash` (the first of equal fragments stays the one
    /// found by lookups).
    fn record(&mut self, hash: u64, f: Fragment) {
        let index = self.list.len() as u32;
        self.by_hash.entry(hash).or_insert(index);
        self.list.push(f);
    }
}

/// The hash fragments are looked up by: foldhash with a fixed seed (a collision costs
/// a byte comparison, never a wrong tree).
pub(super) fn content_hash(bytes: &[u8]) -> u64 {
    foldhash::fast::FixedState::with_seed(0x646a_7573_745f_6672).hash_one(bytes)
}

/// A fragment being recorded since the mark at `start`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Recording {
    pub(super) start: usize,
    pub(super) at: Mark,
    /// [`DocumentBuilder::flushes`] at the start.
    pub(super) flushes: u32,
    pub(super) depth: usize,
    pub(super) top: usize,
    pub(super) stack: u32,
    pub(super) form_open: bool,
    pub(super) selects: usize,
}

/// The previous render of the same template, whose fragments may be reused.
#[derive(Debug, Clone, Copy)]
pub(super) struct Previous<'p> {
    pub(super) tree: &'p Tree,
    pub(super) html: &'p str,
    pub(super) fragments: &'p Fragments,
}

/// Whether a recorded stack of open elements is the builder's current one.
pub(super) fn same_stack(frames: &[Frame], stack: &[Open]) -> bool {
    frames.len() == stack.len()
        && frames
            .iter()
            .zip(stack)
            .all(|((tag, ns, keep), o)| *ns == o.el.ns && *keep == o.keep && *tag == o.el.tag)
}
