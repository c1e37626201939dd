//! Configuration: `[tool.djust]` in `pyproject.toml`, merged with command-line overrides.
//!
//! Keys (kebab-case, as ruff spells them): `select`, `ignore`, `extend-select`,
//! `per-file-ignores`, `exclude`, `extend-exclude`, `fail-on`,
//! `extend-service-factories`, `external`. Unknown keys and unknown rule codes are errors that
//! name the file, line and column.
//!
//! The configuration file is the closest `pyproject.toml` with a `[tool.djust]`
//! table, searched from the first checked path upwards (or `--config FILE`).
//! Relative patterns are relative to the directory holding that file.

use crate::error::CheckError;
use crate::rule::{Rule, RuleSelector, Severity};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use miette::NamedSource;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The `[tool.djust]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Options {
    /// Rules to enable (codes, prefixes or `ALL`). Default: `["ALL"]`.
    pub select: Option<Vec<Spanned<String>>>,
    /// Rules to disable.
    pub ignore: Option<Vec<Spanned<String>>>,
    /// Rules to enable on top of `select`.
    pub extend_select: Option<Vec<Spanned<String>>>,
    /// Glob → rules to ignore in matching files.
    pub per_file_ignores: Option<BTreeMap<String, Vec<Spanned<String>>>>,
    /// Globs to skip, replacing the default list.
    pub exclude: Option<Vec<String>>,
    /// Globs to skip, on top of `exclude`.
    pub extend_exclude: Option<Vec<String>>,
    /// Lowest severity that makes the run fail: `error`, `warning` (default) or `info`.
    pub fail_on: Option<Spanned<String>>,
    /// Extra dotted call names that V006 treats as service constructors.
    pub extend_service_factories: Option<Vec<String>>,
    /// Codes other tools own (flake8 plugins share `A001`, `Q001`…): Q101 never calls
    /// them unused (ruff's `lint.external`).
    pub external: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct Pyproject {
    #[serde(default)]
    tool: Option<Tool>,
}

#[derive(Debug, Default, Deserialize)]
struct Tool {
    #[serde(default)]
    djust: Option<Options>,
}

/// Options given on the command line; each replaces or extends its config key as ruff does.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--select` (replaces `select`).
    pub select: Option<Vec<String>>,
    /// `--ignore` (added to `ignore`).
    pub ignore: Vec<String>,
    /// `--extend-select` (added to `extend-select`).
    pub extend_select: Vec<String>,
    /// `--per-file-ignores PATTERN:CODES` (added).
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    /// `--exclude` (replaces `exclude`).
    pub exclude: Option<Vec<String>>,
    /// `--extend-exclude` (added).
    pub extend_exclude: Vec<String>,
    /// `--fail-on`.
    pub fail_on: Option<Severity>,
    /// `--config FILE`: use this file instead of searching.
    pub config: Option<PathBuf>,
    /// `--isolated`: ignore every configuration file.
    pub isolated: bool,
    /// `--force-exclude`: apply exclusions to paths named on the command line too.
    pub force_exclude: bool,
    /// `--no-cache`: neither read nor write the cache.
    pub no_cache: bool,
    /// `--cache-dir DIR`: where the cache lives (default `.djust_cache` in the project root).
    pub cache_dir: Option<PathBuf>,
    /// The output prints no source (not the `full` format, no fix): the report's files
    /// need not keep their texts ([`Settings::keep_sources`]).
    pub no_sources: bool,
}

/// Directory names skipped by default (ruff's list plus Django's `migrations`).
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".bzr",
    ".djust_cache",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pycache__",
    "__pypackages__",
    "_build",
    "build",
    "dist",
    "env",
    "migrations",
    "node_modules",
    "site-packages",
    "venv",
];

/// Resolved settings for one run.
#[derive(Debug)]
pub struct Settings {
    /// Directory that relative patterns are resolved against.
    pub project_root: PathBuf,
    /// The configuration file that was used, if any.
    pub config_path: Option<PathBuf>,
    /// Rules that run.
    pub enabled: Vec<Rule>,
    per_file_ignores: Vec<PerFileIgnore>,
    exclude: Matcher,
    /// Lowest severity that makes the run fail.
    pub fail_on: Severity,
    /// Extra V006 service factories (dotted names).
    pub extend_service_factories: Vec<String>,
    /// `external`: codes of other tools, upper-case (Q101 leaves them alone).
    pub external: Vec<String>,
    /// Apply exclusions to explicitly named paths.
    pub force_exclude: bool,
    /// Where the phase-1 cache lives; `None` disables it.
    pub cache_dir: Option<PathBuf>,
    /// Whether the report's files carry their texts (`true`, the default: the `full`
    /// format's code frames and fixes read them). With `false`, a run keeps only each
    /// file's line index (which places lines and columns without the text) and so holds
    /// far less memory; the CLI sets it for the formats that print no source.
    pub keep_sources: bool,
}

#[derive(Debug)]
struct PerFileIgnore {
    matcher: Matcher,
    selectors: Vec<RuleSelector>,
}

/// A set of ruff-style path patterns: a pattern without `/` also matches any path
/// component's name; every pattern matches relative to the project root.
#[derive(Debug)]
struct Matcher {
    anchored: GlobSet,
    names: GlobSet,
}

impl Matcher {
    fn new(root: &Path, patterns: &[String]) -> Result<Self, String> {
        let mut anchored = GlobSetBuilder::new();
        let mut names = GlobSetBuilder::new();
        for p in patterns {
            let p = p.trim_start_matches("./");
            let glob = |s: &str| -> Result<Glob, String> {
                GlobBuilder::new(s)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("invalid glob `{p}`: {e}"))
            };
            if !p.contains('/') {
                names.add(glob(p)?);
            }
            let abs = root.join(p);
            let abs = abs.to_string_lossy().replace('\\', "/");
            anchored.add(glob(&abs)?);
            anchored.add(glob(&format!("{}/**", abs.trim_end_matches('/')))?);
        }
        Ok(Matcher {
            anchored: anchored.build().map_err(|e| e.to_string())?,
            names: names.build().map_err(|e| e.to_string())?,
        })
    }

    /// Match an absolute path (anchored patterns) or just its file name.
    fn is_match(&self, abs: &Path) -> bool {
        let s = abs.to_string_lossy().replace('\\', "/");
        if self.anchored.is_match(s.as_str()) {
            return true;
        }
        abs.file_name().is_some_and(|n| self.names.is_match(Path::new(n)))
    }
}

fn load_error(
    path: &Path,
    text: &str,
    span: std::ops::Range<usize>,
    message: String,
    help: Option<String>,
) -> CheckError {
    let index = djust_runtime::LineIndex::new(text);
    let lc = index.line_col(text, span.start);
    CheckError::Config(Box::new(crate::error::ConfigError {
        path: path.to_path_buf(),
        line: lc.line,
        column: lc.column,
        message,
        src: NamedSource::new(path.display().to_string(), text.to_string()),
        span: (span.start, span.end.saturating_sub(span.start)).into(),
        help,
    }))
}

/// Read `[tool.djust]` from a `pyproject.toml`. `Ok(None)` when the file has no such table.
pub fn read_pyproject(path: &Path) -> Result<Option<(Options, String)>, CheckError> {
    let text = crate::source::read_text(path).map_err(|e| CheckError::Unreadable {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let parsed: Pyproject = toml::from_str(&text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        load_error(
            path,
            &text,
            span,
            format!("invalid pyproject.toml: {}", e.message().trim()),
            Some("see the `[tool.djust]` keys in the README".into()),
        )
    })?;
    Ok(parsed.tool.and_then(|t| t.djust).map(|o| (o, text)))
}

/// Find the configuration file: the closest `pyproject.toml` holding `[tool.djust]`,
/// from `start` upwards. Malformed files on the way are errors.
pub fn find_config(start: &Path) -> Result<Option<(PathBuf, Options, String)>, CheckError> {
    let start = if start.is_file() {
        start.parent().unwrap_or(start)
    } else {
        start
    };
    for dir in start.ancestors() {
        let candidate = dir.join("pyproject.toml");
        if candidate.is_file() {
            if let Some((options, text)) = read_pyproject(&candidate)? {
                return Ok(Some((candidate, options, text)));
            }
        }
    }
    Ok(None)
}

fn selectors(path: &Path, text: &str, values: &[Spanned<String>]) -> Result<Vec<RuleSelector>, CheckError> {
    values
        .iter()
        .map(|v| {
            RuleSelector::parse(v.get_ref()).map_err(|m| {
                load_error(
                    path,
                    text,
                    v.span(),
                    m,
                    Some("run `djust rule --all` to list the rule codes".into()),
                )
            })
        })
        .collect()
}

fn cli_selectors(option: &str, values: &[String]) -> Result<Vec<RuleSelector>, CheckError> {
    values
        .iter()
        .map(|v| {
            RuleSelector::parse(v).map_err(|message| CheckError::InvalidOption {
                option: option.into(),
                message,
            })
        })
        .collect()
}

impl Settings {
    /// Resolve settings for a run over `paths` (absolute), from the config file found
    /// (unless `isolated`) and the command-line `overrides`.
    pub fn resolve(paths: &[PathBuf], cwd: &Path, overrides: &Overrides) -> Result<Settings, CheckError> {
        let found = if overrides.isolated {
            None
        } else if let Some(explicit) = &overrides.config {
            let abs = cwd.join(explicit);
            if !abs.exists() {
                return Err(CheckError::PathNotFound {
                    path: explicit.clone(),
                });
            }
            let (options, text) = read_pyproject(&abs)?.unwrap_or_default();
            Some((abs, options, text))
        } else {
            let start = paths.first().map(PathBuf::as_path).unwrap_or(cwd);
            find_config(start)?
        };

        let (config_path, options, text) = match found {
            Some((p, o, t)) => (Some(p), o, t),
            None => (None, Options::default(), String::new()),
        };
        let project_root = config_path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| cwd.to_path_buf());
        let cfg_path = config_path
            .clone()
            .unwrap_or_else(|| project_root.join("pyproject.toml"));

        // Rule selection: the most specific selector wins; on a tie `ignore` wins.
        let select = match &overrides.select {
            Some(cli) => cli_selectors("--select", cli)?,
            None => match &options.select {
                Some(v) => selectors(&cfg_path, &text, v)?,
                None => vec![
                    RuleSelector::parse("ALL").map_err(|message| CheckError::InvalidOption {
                        option: "select".into(),
                        message,
                    })?,
                ],
            },
        };
        let mut enable = select;
        if let Some(v) = &options.extend_select {
            enable.extend(selectors(&cfg_path, &text, v)?);
        }
        enable.extend(cli_selectors("--extend-select", &overrides.extend_select)?);
        let mut disable = match &options.ignore {
            Some(v) => selectors(&cfg_path, &text, v)?,
            None => Vec::new(),
        };
        disable.extend(cli_selectors("--ignore", &overrides.ignore)?);
        let enabled = Rule::ALL
            .iter()
            .copied()
            .filter(|&rule| {
                let on = enable
                    .iter()
                    .filter(|s| s.matches(rule))
                    .map(|s| s.specificity())
                    .max();
                let off = disable
                    .iter()
                    .filter(|s| s.matches(rule))
                    .map(|s| s.specificity())
                    .max();
                match (on, off) {
                    (Some(on), Some(off)) => on > off,
                    (Some(_), None) => true,
                    _ => false,
                }
            })
            .collect();

        let mut per_file_ignores = Vec::new();
        if let Some(map) = &options.per_file_ignores {
            for (pattern, codes) in map {
                let matcher = Matcher::new(&project_root, std::slice::from_ref(pattern)).map_err(|m| {
                    load_error(
                        &cfg_path,
                        &text,
                        codes.first().map(|c| c.span()).unwrap_or(0..0),
                        m,
                        None,
                    )
                })?;
                per_file_ignores.push(PerFileIgnore {
                    matcher,
                    selectors: selectors(&cfg_path, &text, codes)?,
                });
            }
        }
        for (pattern, codes) in &overrides.per_file_ignores {
            let matcher = Matcher::new(cwd, std::slice::from_ref(pattern)).map_err(|message| {
                CheckError::InvalidOption {
                    option: "--per-file-ignores".into(),
                    message,
                }
            })?;
            per_file_ignores.push(PerFileIgnore {
                matcher,
                selectors: cli_selectors("--per-file-ignores", codes)?,
            });
        }

        let mut exclude: Vec<String> = match (&overrides.exclude, &options.exclude) {
            (Some(cli), _) => cli.clone(),
            (None, Some(cfg)) => cfg.clone(),
            (None, None) => DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect(),
        };
        exclude.extend(options.extend_exclude.iter().flatten().cloned());
        exclude.extend(overrides.extend_exclude.iter().cloned());
        let exclude = Matcher::new(&project_root, &exclude).map_err(|message| CheckError::InvalidOption {
            option: "exclude".into(),
            message,
        })?;

        let fail_on = match (overrides.fail_on, &options.fail_on) {
            (Some(s), _) => s,
            (None, Some(v)) => v
                .get_ref()
                .parse()
                .map_err(|m| load_error(&cfg_path, &text, v.span(), m, None))?,
            (None, None) => Severity::Warning,
        };

        let cache_dir = if overrides.no_cache || std::env::var_os("DJUST_NO_CACHE").is_some() {
            None
        } else {
            Some(match &overrides.cache_dir {
                Some(d) => cwd.join(d),
                None => project_root.join(".djust_cache"),
            })
        };
        Ok(Settings {
            project_root,
            config_path,
            enabled,
            per_file_ignores,
            exclude,
            fail_on,
            extend_service_factories: options.extend_service_factories.unwrap_or_default(),
            external: options
                .external
                .unwrap_or_default()
                .iter()
                .map(|c| c.to_ascii_uppercase())
                .collect(),
            force_exclude: overrides.force_exclude,
            cache_dir,
            keep_sources: !overrides.no_sources,
        })
    }

    /// Settings with every rule enabled and nothing excluded but the defaults; for
    /// snippets (MCP, language server) and tests.
    pub fn defaults(project_root: &Path) -> Settings {
        let exclude: Vec<String> = DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect();
        Settings {
            project_root: project_root.to_path_buf(),
            config_path: None,
            enabled: Rule::ALL.to_vec(),
            per_file_ignores: Vec::new(),
            exclude: Matcher::new(project_root, &exclude).unwrap_or(Matcher {
                anchored: GlobSet::empty(),
                names: GlobSet::empty(),
            }),
            fail_on: Severity::Warning,
            extend_service_factories: Vec::new(),
            external: Vec::new(),
            force_exclude: false,
            cache_dir: None,
            keep_sources: true,
        }
    }

    /// True when `abs` (a file or directory) is excluded.
    pub fn is_excluded(&self, abs: &Path) -> bool {
        self.exclude.is_match(abs)
    }

    /// True when `rule` runs on the file at `abs` (enabled and not per-file-ignored).
    pub fn rule_applies(&self, rule: Rule, abs: &Path) -> bool {
        self.enabled.contains(&rule)
            && !self
                .per_file_ignores
                .iter()
                .any(|p| p.matcher.is_match(abs) && p.selectors.iter().any(|s| s.matches(rule)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("pyproject.toml");
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        p
    }

    fn tempdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("djust-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
        d
    }

    #[test]
    fn more_specific_selector_wins() {
        let d = tempdir("spec");
        write(
            &d,
            "[tool.djust]\nselect = [\"V006\", \"T\"]\nignore = [\"V\", \"T005\"]\n",
        );
        let s = Settings::resolve(std::slice::from_ref(&d), &d, &Overrides::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s.enabled,
            vec![
                Rule::T001,
                Rule::T002,
                Rule::T012,
                Rule::T013,
                Rule::T014,
                Rule::T015,
                Rule::T017,
                Rule::T101,
                Rule::T102,
                Rule::V006
            ]
        );
    }

    #[test]
    fn unknown_code_names_file_and_line() {
        let d = tempdir("unknown");
        write(
            &d,
            "[project]\nname = \"x\"\n\n[tool.djust]\nselect = [\"V006\",\n  \"X999\"]\n",
        );
        let err = Settings::resolve(std::slice::from_ref(&d), &d, &Overrides::default()).err();
        match err {
            Some(CheckError::Config(e)) => {
                assert_eq!((e.line, e.column), (6, 3));
                assert!(e.message.contains("X999"), "{}", e.message);
            }
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn malformed_toml_and_unknown_key_are_errors_with_lines() {
        let d = tempdir("malformed");
        write(&d, "[tool.djust]\nselect = [\"V006\"\n");
        assert!(matches!(
            Settings::resolve(std::slice::from_ref(&d), &d, &Overrides::default()),
            Err(CheckError::Config(e)) if e.line == 2 || e.line == 3
        ));
        write(&d, "[tool.djust]\nselcet = []\n");
        match Settings::resolve(std::slice::from_ref(&d), &d, &Overrides::default()) {
            Err(CheckError::Config(e)) => {
                assert_eq!(e.line, 2);
                assert!(e.message.contains("selcet"), "{}", e.message);
            }
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn per_file_ignores_and_excludes_are_root_relative() {
        let d = tempdir("pfi");
        write(
            &d,
            "[tool.djust]\nper-file-ignores = { \"legacy/**\" = [\"V006\"], \"*.htm\" = [\"T\"] }\nextend-exclude = [\"generated\"]\nfail-on = \"error\"\n",
        );
        let s = Settings::resolve(std::slice::from_ref(&d), &d, &Overrides::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.rule_applies(Rule::V006, &d.join("legacy/a/views.py")));
        assert!(s.rule_applies(Rule::V007, &d.join("legacy/a/views.py")));
        assert!(s.rule_applies(Rule::V006, &d.join("app/legacy.py")));
        assert!(!s.rule_applies(Rule::T002, &d.join("x/templates/page.htm")));
        assert!(s.is_excluded(&d.join("generated")));
        assert!(s.is_excluded(&d.join("app/migrations")));
        assert!(!s.is_excluded(&d.join("app/views.py")));
        assert_eq!(s.fail_on, Severity::Error);
    }
}
