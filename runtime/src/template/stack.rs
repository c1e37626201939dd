//! Stack growth for recursion whose depth the input decides (nested tags, include
//! chains, deep trees): `deep` runs a step on a fresh stack segment when the current
//! one runs low, so no template aborts the process with a stack overflow.

/// Remaining stack below which rendering or parsing continues on a new segment.
/// Run `f`, a step of a recursion over input-shaped data (nested values, tags),
/// on a fresh stack segment when less than [`STACK_RED_ZONE`] is left, so no
/// nesting depth overflows the stack.
pub(crate) fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, f)
}

pub(crate) const STACK_RED_ZONE: usize = 256 * 1024;

/// Size of each new stack segment.
pub(crate) const STACK_SEGMENT: usize = 4 * 1024 * 1024;
