//! The rule registry: codes, names, severities and documentation.
//!
//! Each rule lives in its own file under `rules/` and declares a *violation type*
//! with [`declare_violation!`]. The violation's doc comment is the rule's
//! documentation (*What it does / Why is this bad / Example / Fix / Differences
//! from upstream*); `djust rule CODE` prints it and `docs/checks/` is generated from
//! it, so there is exactly one source for rule docs.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How serious a finding is. Maps to upstream djust's `DjustInfo` / `DjustWarning` /
/// `DjustError` (Django check levels 20 / 30 / 40). Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational (Django `Info`).
    Info,
    /// Probably a bug (Django `Warning`).
    Warning,
    /// Definitely a bug, or the file could not be analysed (Django `Error`).
    Error,
}

impl Severity {
    /// `"info"`, `"warning"` or `"error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected `error`, `warning` or `info`)"
            )),
        }
    }
}

/// Static facts about a rule, taken from its violation type.
pub trait Violation {
    /// Upstream-compatible code, e.g. `"V006"`.
    const CODE: &'static str;
    /// Kebab-case name, e.g. `"service-instance-in-mount"`.
    const NAME: &'static str;
    /// Default severity.
    const SEVERITY: Severity;
    /// One-line summary.
    const SUMMARY: &'static str;
    /// The doc comment of the violation type, one source line per line.
    const DOC: &'static str;
}

/// Declare a rule's violation type. The `///` doc comment becomes both the type's
/// rustdoc and [`Violation::DOC`].
#[macro_export]
macro_rules! declare_violation {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            code: $code:literal,
            name: $kebab:literal,
            severity: $sev:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $crate::rule::Violation for $name {
            const CODE: &'static str = $code;
            const NAME: &'static str = $kebab;
            const SEVERITY: $crate::rule::Severity = $crate::rule::Severity::$sev;
            const SUMMARY: &'static str = $summary;
            const DOC: &'static str = concat!($($doc, "\n"),*);
        }
    };
}

macro_rules! registry {
    ($($variant:ident => $ty:path),* $(,)?) => {
        /// Every rule djust knows, in code order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $(
                #[doc = concat!("See [`", stringify!($ty), "`].")]
                $variant,
            )*
        }

        impl Rule {
            /// All rules, sorted by code.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The rule's code, e.g. `"V006"`.
            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => <$ty as Violation>::CODE),* }
            }
            /// The rule's kebab-case name.
            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => <$ty as Violation>::NAME),* }
            }
            /// The rule's default severity.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$variant => <$ty as Violation>::SEVERITY),* }
            }
            /// One-line summary.
            pub fn summary(self) -> &'static str {
                match self { $(Rule::$variant => <$ty as Violation>::SUMMARY),* }
            }
            fn raw_doc(self) -> &'static str {
                match self { $(Rule::$variant => <$ty as Violation>::DOC),* }
            }
        }
    };
}

registry! {
    A001 => crate::rules::a001::WebsocketWithoutOriginValidator,
    A010 => crate::rules::a010::WildcardAllowedHosts,
    A011 => crate::rules::a011::WildcardBesideHosts,
    A012 => crate::rules::a012::ForwardedHostWithWildcard,
    A014 => crate::rules::a014::InsecureSecretKey,
    A030 => crate::rules::a030::AdminWithoutThrottling,
    C001 => crate::rules::c001::AsgiApplicationMissing,
    C002 => crate::rules::c002::ChannelLayersMissing,
    C003 => crate::rules::c003::DaphneAfterStaticfiles,
    C004 => crate::rules::c004::DjustNotInstalled,
    C005 => crate::rules::c005::WebsocketWithoutAuth,
    C010 => crate::rules::c010::TailwindCdnInProduction,
    C012 => crate::rules::c012::ManualClientScript,
    E001 => crate::rules::e001::PythonSyntaxError,
    E002 => crate::rules::e002::UndecodableFile,
    E003 => crate::rules::e003::UnreadableFile,
    E004 => crate::rules::e004::TemplateSyntaxError,
    Q001 => crate::rules::q001::PrintCall,
    Q002 => crate::rules::q002::EagerLogFormatting,
    Q101 => crate::rules::q101::UnusedNoqa,
    S001 => crate::rules::s001::MarkSafeFormatted,
    S002 => crate::rules::s002::CsrfExemptWithoutReason,
    S003 => crate::rules::s003::BareExceptPass,
    S004 => crate::rules::s004::DebugWithPublicHosts,
    S005 => crate::rules::s005::StateWithoutAccessDecision,
    S011 => crate::rules::s011::InlineScriptWithoutCsp,
    T001 => crate::rules::t001::OldEventSyntax,
    T002 => crate::rules::t002::MissingDjRoot,
    T005 => crate::rules::t005::DjViewDjRootSplit,
    T012 => crate::rules::t012::NoDjView,
    T013 => crate::rules::t013::BadDjView,
    T014 => crate::rules::t014::HandWrittenDjId,
    T015 => crate::rules::t015::LegacyRootAttributes,
    T017 => crate::rules::t017::RootOnTablePart,
    T101 => crate::rules::t101::UnknownEventHandler,
    T102 => crate::rules::t102::UnknownDjView,
    V001 => crate::rules::v001::LiveViewWithoutTemplate,
    V002 => crate::rules::v002::LiveViewWithoutMount,
    V003 => crate::rules::v003::MountWithoutRequest,
    V004 => crate::rules::v004::HandlerWithoutDecorator,
    V006 => crate::rules::v006::ServiceInstanceInMount,
    V007 => crate::rules::v007::EventHandlerMissingKwargs,
    V008 => crate::rules::v008::UnknownStateType,
    V010 => crate::rules::v010::MixinAfterLiveView,
    V013 => crate::rules::v013::OverrideSkipsMount,
    Y001 => crate::rules::y001::ControlWithoutName,
    Y002 => crate::rules::y002::ImageWithoutAlt,
    Y003 => crate::rules::y003::FieldWithoutLabel,
    Y004 => crate::rules::y004::PositiveTabindex,
}

/// Base address of the published rule pages; a rule's page is `{DOCS_URL}{code}.md`.
pub const DOCS_URL: &str = "https://github.com/djust-org/djust/blob/main/docs/checks/";

impl Rule {
    /// The rule's documentation as Markdown (doc comment with rustdoc's leading space removed).
    pub fn doc(self) -> String {
        let mut out = String::new();
        for line in self.raw_doc().lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_end().to_string() + "\n"
    }

    /// Link to the rule's documentation page.
    pub fn url(self) -> String {
        format!("{DOCS_URL}{}.md", self.code())
    }

    /// Look a rule up by its code (case-insensitive) or its kebab-case name.
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.code().eq_ignore_ascii_case(code) || r.name() == code)
    }

    /// The full page for this rule: heading, metadata and documentation. This is
    /// what `djust rule CODE` prints and what `docs/checks/CODE.md` contains.
    pub fn page(self) -> String {
        format!(
            "# {code}: {name}\n\n**Severity:** {sev} · **Summary:** {summary}\n\n{doc}",
            code = self.code(),
            name = self.name(),
            sev = self.severity(),
            summary = self.summary(),
            doc = self.doc()
        )
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Rule::from_code(&code).ok_or_else(|| serde::de::Error::custom(format!("unknown rule `{code}`")))
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A rule selector as written in `select`/`ignore`: `ALL`, a full code (`V006`) or a
/// code prefix (`V`, `T0`). Matching is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelector(String);

impl RuleSelector {
    /// Parse a selector; errors when it matches no rule.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let upper = s.to_ascii_uppercase();
        if upper == "ALL" {
            return Ok(RuleSelector(upper));
        }
        if let Some(rule) = Rule::ALL.iter().find(|r| r.name() == s) {
            return Ok(RuleSelector(rule.code().to_string()));
        }
        if !upper.is_empty() && Rule::ALL.iter().any(|r| r.code().starts_with(&upper)) {
            Ok(RuleSelector(upper))
        } else {
            Err(format!("unknown rule selector `{s}`"))
        }
    }

    /// True when this selector covers `rule`.
    pub fn matches(&self, rule: Rule) -> bool {
        self.0 == "ALL" || rule.code().starts_with(&self.0)
    }

    /// Length of the selector, used to let a more specific selector win.
    pub fn specificity(&self) -> usize {
        if self.0 == "ALL" {
            0
        } else {
            self.0.len()
        }
    }
}

impl fmt::Display for RuleSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_doc_has_the_required_sections() {
        for rule in Rule::ALL {
            let doc = rule.doc();
            for section in ["## What it does", "## Why is this bad?", "## Example", "## Fix"] {
                assert!(doc.contains(section), "{rule}: missing `{section}`");
            }
        }
    }

    #[test]
    fn selectors_match_prefixes_and_reject_unknown() {
        let v = RuleSelector::parse("v").unwrap_or_else(|e| panic!("{e}"));
        assert!(v.matches(Rule::V006) && v.matches(Rule::V007) && !v.matches(Rule::T002));
        assert!(RuleSelector::parse("ALL").is_ok_and(|s| s.matches(Rule::T005)));
        assert!(RuleSelector::parse("X123").is_err());
        assert!(RuleSelector::parse("missing-dj-root").is_ok_and(|s| s.matches(Rule::T002)));
    }

    #[test]
    fn codes_are_sorted_and_unique() {
        let codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }
}
