//! [`Imports`]: the names a module binds by importing, and what each refers to
//! ([`Binding`]), as one text held through the cross-file rules.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// What a name imported into a module refers to, given the name it is bound to (the
/// key of [`PyFile::imports`]): most imports bind a name to itself (`import os`,
/// `from m import n`), so only the module is kept, and an alias's two names are boxed
/// (the decoded form of one entry of [`Imports`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Binding {
    /// `import a` or `import a.b` binds `a` to the module `a`: the bound name itself.
    Module,
    /// `import a.b as x` binds `x` to the module `a.b`.
    ModuleAs(CompactString),
    /// `from m import n` binds `n` to `m.n` (`m` absolute; empty when a relative import
    /// climbs above the run's packages).
    Member(CompactString),
    /// `from m import n as x` binds `x` to `m.n`: `(m, n)`.
    MemberAs(Box<(CompactString, CompactString)>),
}

impl Binding {
    /// The dotted path this binding of `bound` stands for.
    pub fn path(&self, bound: &str) -> String {
        // Joined by hand: `format!` cost a thousand instructions a path, and the class
        // rules and V008 resolve tens of thousands.
        let member = |module: &str, name: &str| {
            if module.is_empty() {
                return name.to_string();
            }
            let mut path = String::with_capacity(module.len() + 1 + name.len());
            path.push_str(module);
            path.push('.');
            path.push_str(name);
            path
        };
        match self {
            Binding::Module => bound.to_string(),
            Binding::ModuleAs(m) => m.to_string(),
            Binding::Member(module) => member(module, bound),
            Binding::MemberAs(b) => member(&b.0, &b.1),
        }
    }
}

/// The names a module binds by importing (Python's last binding of a name wins), each
/// with its [`Binding`]: one line per name, sorted by name, in one text: `name`, a tab,
/// a kind letter (`I` module, `A` module alias, `F` member, `G` member alias), what the
/// kind needs (a module; a module, a tab and a name), a newline. Identifiers and dotted
/// module names hold neither tabs nor newlines.
///
/// A run holds every module's imports until the cross-file rules are done: as a sorted
/// map of names to bindings they took 56 bytes an import plus spilled strings; as text,
/// their characters and three bytes (docs/benchmarks.md, issue 19's memory). A lookup
/// binary-searches the lines and decodes only the one it finds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imports {
    text: Box<str>,
}

impl Imports {
    /// The imports of `entries`, in any order; when a name comes more than once, its
    /// last entry wins (as successive imports rebind it). A name holding a tab or a
    /// newline (not an identifier) is left out.
    pub fn from_entries(entries: Vec<(CompactString, Binding)>) -> Imports {
        let mut entries: Vec<(usize, (CompactString, Binding))> = entries.into_iter().enumerate().collect();
        // By name, the last entry of a name first.
        entries.sort_by(|(i, (a, _)), (j, (b, _))| a.cmp(b).then(j.cmp(i)));
        entries.dedup_by(|later, earlier| later.1 .0 == earlier.1 .0);
        let clean = |s: &str| !s.contains(['\t', '\n']);
        let mut text = String::new();
        for (_, (name, binding)) in &entries {
            let (kind, a, b) = match binding {
                Binding::Module => ('I', "", None),
                Binding::ModuleAs(m) => ('A', m.as_str(), None),
                Binding::Member(m) => ('F', m.as_str(), None),
                Binding::MemberAs(pair) => ('G', pair.0.as_str(), Some(pair.1.as_str())),
            };
            if !(clean(name) && clean(a) && b.is_none_or(clean)) {
                continue;
            }
            text.push_str(name);
            text.push('\t');
            text.push(kind);
            text.push_str(a);
            if let Some(b) = b {
                text.push('\t');
                text.push_str(b);
            }
            text.push('\n');
        }
        Imports { text: text.into() }
    }

    /// Every import: its name and binding, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Binding)> {
        self.text.split_terminator('\n').filter_map(|line| {
            let (name, rest) = line.split_once('\t')?;
            Some((name, decode(rest)))
        })
    }

    /// The imported names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.text
            .lines()
            .filter_map(|line| line.split_once('\t').map(|(name, _)| name))
    }

    /// What `name` is bound to, if an import binds it: the lines are read up to the
    /// name's place in their order, and only its binding is decoded.
    pub fn get(&self, name: &str) -> Option<Binding> {
        self.entry(name).map(decode)
    }

    /// Whether an import binds `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.entry(name).is_some()
    }

    /// What follows `name` and its tab on its line: the text's tabs (memchr's
    /// vectorised search), the first one that `name`, starting a line, ends. Each name
    /// has one line, and a name cannot hold a tab or a newline. A binary
    /// search over the lines read each probe's line byte by byte, 1,550 instructions a
    /// lookup on the 10k tree, 2.4% of a cold run (docs/benchmarks.md, issue 19).
    fn entry(&self, name: &str) -> Option<&str> {
        let text: &str = &self.text;
        let bytes = text.as_bytes();
        if name.contains(['\t', '\n']) {
            return None;
        }
        let key = name.as_bytes();
        memchr::memchr_iter(b'\t', bytes)
            .find(|&tab| {
                tab.checked_sub(key.len()).is_some_and(|at| {
                    bytes.get(at..tab) == Some(key) && (at == 0 || bytes.get(at - 1) == Some(&b'\n'))
                })
            })
            .and_then(|tab| {
                let start = tab + 1;
                let end = memchr::memchr(b'\n', bytes.get(start..)?).map_or(bytes.len(), |i| start + i);
                text.get(start..end)
            })
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.text.split_terminator('\n').count()
    }

    /// Whether no import binds a name.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// The binding a line holds after its name and tab: a kind letter and what it needs.
fn decode(rest: &str) -> Binding {
    let mut chars = rest.chars();
    let kind = chars.next();
    let rest = chars.as_str();
    match kind {
        Some('A') => Binding::ModuleAs(rest.into()),
        Some('F') => Binding::Member(rest.into()),
        Some('G') => {
            let (m, n) = rest.split_once('\t').unwrap_or((rest, ""));
            Binding::MemberAs(Box::new((m.into(), n.into())))
        }
        _ => Binding::Module,
    }
}

#[cfg(test)]
mod tests {
    use super::{Binding, Imports};

    #[test]
    fn every_kind_reads_back_and_the_last_binding_of_a_name_wins() {
        let imports = Imports::from_entries(vec![
            ("os".into(), Binding::Module),
            ("x".into(), Binding::Member("first".into())),
            ("ab".into(), Binding::ModuleAs("a.b".into())),
            ("q".into(), Binding::Member("m.n".into())),
            (
                "r".into(),
                Binding::MemberAs(Box::new(("m.n".into(), "q".into()))),
            ),
            ("x".into(), Binding::Member("second".into())),
            ("t".into(), Binding::Member("".into())),
        ]);
        let all: Vec<(String, String)> = imports.iter().map(|(n, b)| (n.to_string(), b.path(n))).collect();
        let expect = [
            ("ab", "a.b"),
            ("os", "os"),
            ("q", "m.n.q"),
            ("r", "m.n.q"),
            ("t", "t"),
            ("x", "second.x"),
        ];
        assert_eq!(
            all,
            expect
                .iter()
                .map(|(n, p)| (n.to_string(), p.to_string()))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            imports.get("r"),
            Some(Binding::MemberAs(Box::new(("m.n".into(), "q".into()))))
        );
        assert_eq!(imports.get("os"), Some(Binding::Module));
        assert_eq!(imports.get("missing"), None);
        // Every name is found where the sorted lines put it, first to last.
        for (name, binding) in imports.iter() {
            assert_eq!(imports.get(name), Some(binding));
        }
        assert_eq!(imports.get("zz"), None);
        assert_eq!(imports.get(""), None);
        assert!(imports.contains_key("ab") && !imports.contains_key("a"));
        assert_eq!(imports.len(), 6);
        assert!(Imports::default().is_empty());
    }

    /// A module of many imports (the binary search over its lines): every name is
    /// found with its own binding, and a name between two is not.
    #[test]
    fn every_name_of_a_long_list_is_found() {
        let entries: Vec<(compact_str::CompactString, Binding)> = (0..300)
            .map(|i| (format!("n{i:03}").into(), Binding::Member(format!("m{i}").into())))
            .collect();
        let imports = Imports::from_entries(entries);
        for i in 0..300 {
            let name = format!("n{i:03}");
            assert_eq!(
                imports.get(&name).map(|b| b.path(&name)),
                Some(format!("m{i}.{name}"))
            );
            assert_eq!(imports.get(&format!("{name}x")), None);
        }
        assert_eq!(imports.get("n"), None);
        assert_eq!(imports.get("o"), None);
    }

    proptest::proptest! {
        /// Any lookup answers as reading every line would: names and bindings from a
        /// few letters (so that names recur inside other lines and as each other's
        /// starts), and queries that are and are not bound.
        #[test]
        fn a_lookup_answers_as_reading_every_line(
            raw in proptest::collection::vec(("[ab.]{0,3}", "[ab.]{0,3}", 0u8..4), 0..12),
            queries in proptest::collection::vec("[ab.]{0,4}", 0..12),
        ) {
            let entries: Vec<(compact_str::CompactString, Binding)> = raw
                .iter()
                .map(|(name, other, kind)| {
                    let binding = match kind {
                        0 => Binding::Module,
                        1 => Binding::ModuleAs(other.as_str().into()),
                        2 => Binding::Member(other.as_str().into()),
                        _ => Binding::MemberAs(Box::new((other.as_str().into(), name.as_str().into()))),
                    };
                    (name.as_str().into(), binding)
                })
                .collect();
            let imports = Imports::from_entries(entries);
            for q in queries.iter().map(String::as_str).chain(raw.iter().map(|(n, _, _)| n.as_str())) {
                let read = imports.iter().find(|(name, _)| *name == q).map(|(_, b)| b);
                proptest::prop_assert_eq!(imports.get(q), read, "{:?}", q);
            }
        }
    }

    /// A name is found only where it starts a line and ends at its tab: not inside
    /// another line's binding, nor as the start of a longer name.
    #[test]
    fn a_name_is_found_only_as_a_whole_line_start() {
        let imports = Imports::from_entries(vec![
            ("a".into(), Binding::Member("x.b".into())),
            ("b".into(), Binding::Module),
            (
                "models".into(),
                Binding::MemberAs(Box::new(("shop.models".into(), "Item".into()))),
            ),
            ("modelsx".into(), Binding::ModuleAs("models".into())),
        ]);
        assert_eq!(imports.get("b"), Some(Binding::Module));
        assert_eq!(imports.get("a"), Some(Binding::Member("x.b".into())));
        assert_eq!(imports.get("modelsx"), Some(Binding::ModuleAs("models".into())));
        assert_eq!(
            imports.get("models").map(|b| b.path("models")),
            Some("shop.models.Item".to_string())
        );
        for absent in ["x", "shop", "Item", "model", "", "b\tI"] {
            assert_eq!(imports.get(absent), None, "{absent:?}");
        }
    }

    #[test]
    fn a_name_that_is_not_an_identifier_is_left_out() {
        let imports = Imports::from_entries(vec![
            ("a\tb".into(), Binding::Module),
            ("c".into(), Binding::Member("m\nx".into())),
            ("d".into(), Binding::Module),
        ]);
        assert_eq!(imports.keys().collect::<Vec<_>>(), ["d"]);
    }
}
