//! A014: the scaffold's `django-insecure-` secret key in production settings.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;
use crate::summary::python::Setting;

declare_violation! {
    /// ## What it does
    /// Flags settings that can run in production (`DEBUG` not literally `True`) whose
    /// `SECRET_KEY` is a string literal starting with `django-insecure-`, the prefix of
    /// the key `django-admin startproject` writes.
    ///
    /// ## Why is this bad?
    /// The key signs sessions, password-reset tokens, messages and djust's mount
    /// tokens. Anyone who can read the repository can forge them.
    ///
    /// ## Example
    /// ```python
    /// SECRET_KEY = "django-insecure-3x!…"
    /// ```
    ///
    /// ## Fix
    /// Read the key from the environment in production:
    /// `SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]`, generated with
    /// `django.core.management.utils.get_random_secret_key()`. Suppress with
    /// `# noqa: A014` on the `SECRET_KEY` line.
    ///
    /// ## Differences from upstream
    /// Upstream reads the key the process sees, so a key from the environment is
    /// checked too; djust reads literals only, and a `DEBUG` read from the environment
    /// counts as production.
    pub struct InsecureSecretKey {
        code: "A014",
        name: "insecure-secret-key",
        severity: Error,
        summary: "`SECRET_KEY` is the scaffold's `django-insecure-` key",
    }
}

/// Check one settings module.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let (Some(Setting::Str(key)), Some((file, span))) =
        (settings.get("SECRET_KEY"), settings.at("SECRET_KEY"))
    else {
        return;
    };
    if !key.starts_with("django-insecure-") || !settings.production() {
        return;
    }
    out.push(
        Finding::new(
            Rule::A014,
            file,
            span,
            "SECRET_KEY is the django-insecure- key from the scaffold, in settings that run with DEBUG off.",
        )
        .with_primary_label("a key in the source")
        .with_help("Read it from the environment: SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]."),
    );
}
