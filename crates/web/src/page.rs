//! The page: one HTML document holding the style, the vendored chart library, the views'
//! script and the data, with nothing to fetch.
//!
//! The views' script ([`VIEWS_JS`]) reads its data from the `<script id="allot-data"
//! type="application/json">` element and draws into `<main id="views">`; a server can serve
//! the same page, or the same script with data from elsewhere.

use crate::escape;

/// Apache ECharts 6.1.0, the `common` build, minified (assets/README.md).
pub const ECHARTS_JS: &str = include_str!("../assets/echarts.common.min.js");

/// ECharts' licence (Apache-2.0) and notice, shipped with it.
pub const ECHARTS_LICENSE: &str = include_str!("../assets/LICENSE-echarts");

/// ECharts' NOTICE file.
pub const ECHARTS_NOTICE: &str = include_str!("../assets/NOTICE-echarts");

/// The views: reads the data and draws views 1–8.
pub const VIEWS_JS: &str = include_str!("../assets/report.js");

/// The style sheet (system fonts only).
pub const STYLE_CSS: &str = include_str!("../assets/report.css");

/// The ids of the views, in order, as they appear in the page's navigation (`#overview`, ...).
pub const VIEW_IDS: [&str; 8] = [
    "overview",
    "capacity",
    "commitments",
    "training",
    "serving",
    "finance",
    "risk",
    "why",
];

/// The whole page: `title` (plain text) in the title bar and header, `data_json` (the
/// report's data as JSON) embedded for the script.
pub fn page(title: &str, data_json: &str) -> String {
    let title = escape::html(title);
    let data = escape::script_json(data_json);
    let mut out = String::with_capacity(ECHARTS_JS.len() + data.len() + 64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"generator\" content=\"allot\">\n");
    out.push_str(&format!("<title>{title} · allot report</title>\n"));
    out.push_str("<style>\n");
    out.push_str(STYLE_CSS);
    out.push_str("</style>\n</head>\n<body>\n");
    out.push_str("<header class=\"top\">\n<div class=\"brand\">allot report</div>\n");
    out.push_str(&format!("<h1 id=\"scenario-name\">{title}</h1>\n"));
    out.push_str("<div id=\"key-numbers\" class=\"key-numbers\"></div>\n</header>\n");
    out.push_str("<nav id=\"nav\" class=\"nav\"></nav>\n");
    out.push_str("<main id=\"views\"><noscript>This report needs JavaScript to draw its charts.</noscript></main>\n");
    out.push_str("<footer class=\"foot\">Charts by Apache ECharts 6.1.0 (Apache License 2.0), embedded in this file. No request leaves this page.</footer>\n");
    out.push_str("<script type=\"application/json\" id=\"allot-data\">");
    out.push_str(&data);
    out.push_str("</script>\n<script>\n");
    out.push_str(ECHARTS_JS);
    out.push_str("\n</script>\n<script>\n");
    out.push_str(VIEWS_JS);
    out.push_str("\n</script>\n</body>\n</html>\n");
    out
}
