//! Generation of `docs/checks/`: one page per rule plus an index, all produced from the
//! violation types' doc comments ([`crate::Rule::page`]). A test fails when the files
//! on disk drift; `DJUST_UPDATE_DOCS=1 cargo test -p djust-analyzer --test docs`
//! rewrites them.

use crate::rule::Rule;

/// `(file name, content)` for every generated page under `docs/checks/`.
pub fn check_pages() -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> = Rule::ALL
        .iter()
        .map(|r| (format!("{}.md", r.code()), r.page()))
        .collect();
    let mut index = String::from(
        "# Checks\n\n<!-- Generated from the rule sources by `DJUST_UPDATE_DOCS=1 cargo test -p djust-analyzer --test docs`; do not edit. -->\n\n\
         `djust check` runs these rules. `djust rule CODE` prints a page in the terminal.\n\n\
         | Code | Name | Severity | Summary |\n| --- | --- | --- | --- |\n",
    );
    for r in Rule::ALL {
        index.push_str(&format!(
            "| [{code}]({code}.md) | `{name}` | {sev} | {summary} |\n",
            code = r.code(),
            name = r.name(),
            sev = r.severity(),
            summary = r.summary()
        ));
    }
    index.push_str(
        "\n## Upstream checks djust does not run\n\n\
         Upstream djust (1.2.6) registers 80 system checks. Those above with upstream's codes keep \
         them (E001–E004 and codes from 100 up are djust's own); these are left out, and why:\n\n\
         | Code | Why |\n| --- | --- |\n",
    );
    for (code, why) in crate::rules::NOT_RUN {
        index.push_str(&format!("| {code} | {why} |\n"));
    }
    pages.push(("README.md".to_string(), index));
    pages
}
