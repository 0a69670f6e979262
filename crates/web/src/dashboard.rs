//! The dashboard that `allot serve` shows at `/`: one page and the assets it loads, all inside
//! the binary, nothing from another host.
//!
//! The page ([`page`]) draws views 1–8 of a chosen plan with the report's own script
//! (`report.js`, the one inside `report.html`), from the report data the server computes for a
//! stored plan, and adds the scenario editor (view 9) and the plan history (view 10) in
//! `dashboard.js`, and a simulation of the plan (view 11) in `simulate.js`. Assets are served under `/assets/NAME`; the page names each with a
//! `?v=HASH` of its content ([`url`]), so a server may let browsers cache them for good. Nothing
//! here does IO.

use std::sync::OnceLock;

use crate::page::{ECHARTS_JS, ECHARTS_LICENSE, ECHARTS_NOTICE, STYLE_CSS, VIEWS_JS};

/// One file the page loads.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Its name under `/assets/`.
    pub name: &'static str,
    /// Its media type.
    pub content_type: &'static str,
    /// Its text.
    pub body: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Every asset, by name.
pub const ASSETS: [Asset; 8] = [
    Asset {
        name: "echarts.js",
        content_type: JS,
        body: ECHARTS_JS,
    },
    Asset {
        name: "report.js",
        content_type: JS,
        body: VIEWS_JS,
    },
    Asset {
        name: "dashboard.js",
        content_type: JS,
        body: DASHBOARD_JS,
    },
    Asset {
        name: "simulate.js",
        content_type: JS,
        body: SIMULATE_JS,
    },
    Asset {
        name: "report.css",
        content_type: CSS,
        body: STYLE_CSS,
    },
    Asset {
        name: "dashboard.css",
        content_type: CSS,
        body: DASHBOARD_CSS,
    },
    Asset {
        name: "LICENSE-echarts",
        content_type: TEXT,
        body: ECHARTS_LICENSE,
    },
    Asset {
        name: "NOTICE-echarts",
        content_type: TEXT,
        body: ECHARTS_NOTICE,
    },
];

/// The dashboard's views 9 and 10 and its navigation, token and polling.
pub const DASHBOARD_JS: &str = include_str!("../assets/dashboard.js");

/// View 11, a simulation of the plan shown (`POST /plans/{id}/simulate`).
pub const SIMULATE_JS: &str = include_str!("../assets/simulate.js");

/// The dashboard's style, beside the report's.
pub const DASHBOARD_CSS: &str = include_str!("../assets/dashboard.css");

/// The page, with `{{NAME}}` where an asset's URL goes.
const PAGE_TEMPLATE: &str = include_str!("../assets/dashboard.html");

/// The Content-Security-Policy the page is served with: scripts, styles and fetches from the
/// server only (ECharts sets inline styles on the SVG it draws; CSV downloads are `blob:` URLs).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The asset called `name`.
pub fn asset(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// A short hash of an asset's content (FNV-1a, 64 bits, in hex), computed once per process.
pub fn version(name: &str) -> Option<&'static str> {
    static VERSIONS: OnceLock<Vec<String>> = OnceLock::new();
    let versions = VERSIONS.get_or_init(|| ASSETS.iter().map(|a| fnv1a(a.body)).collect());
    let i = ASSETS.iter().position(|a| a.name == name)?;
    Some(versions[i].as_str())
}

/// Where the page loads asset `name` from: `/assets/NAME?v=HASH`.
pub fn url(name: &str) -> String {
    format!("/assets/{name}?v={}", version(name).unwrap_or_default())
}

fn fnv1a(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The dashboard page: the HTML with every asset's URL filled in.
pub fn page() -> String {
    let mut out = PAGE_TEMPLATE.to_string();
    for a in &ASSETS {
        out = out.replace(&format!("{{{{{}}}}}", a.name), &url(a.name));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_every_asset_by_its_versioned_url_and_nothing_else() {
        let page = page();
        assert!(!page.contains("{{"), "a placeholder is left");
        for a in &ASSETS {
            assert!(page.contains(&url(a.name)), "{}", a.name);
        }
        for attr in ["src=\"", "href=\""] {
            for (i, _) in page.match_indices(attr) {
                let target = &page[i + attr.len()..];
                // `data:,` is the empty icon, so that the browser asks for no favicon.
                assert!(
                    ["/assets/", "#", "data:,\""]
                        .iter()
                        .any(|ok| target.starts_with(ok)),
                    "{}",
                    &target[..target.len().min(60)]
                );
            }
        }
        assert!(!page.contains("http://") && !page.contains("https://"));
    }

    #[test]
    fn the_scripts_write_no_markup_from_data() {
        // Server texts reach the page through textContent (and ECharts' tooltips through the
        // report's escapeHtml); nothing parses a string as markup or code.
        for (name, script) in [
            ("dashboard.js", DASHBOARD_JS),
            ("report.js", VIEWS_JS),
            ("simulate.js", SIMULATE_JS),
        ] {
            for needle in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
                "eval(",
                "new Function",
            ] {
                assert!(!script.contains(needle), "{needle} in {name}");
            }
        }
    }

    #[test]
    fn versions_differ_with_content() {
        assert_ne!(version("report.js"), version("dashboard.js"));
        assert_eq!(version("report.js").map(str::len), Some(16));
        assert_eq!(version("nothing"), None);
    }
}
