//! The audit log as one printable page: every entry shown, as a sentence with who, when,
//! why and the values before and after.

use maud::html;

use crate::session::log_export::LogRow;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d232a;max-width:980px;margin:2em auto;padding:0 1em;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.1em}.sub,.note{color:#56606b}
table{border-collapse:collapse;width:100%;margin:.8em 0}th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #e3e7eb;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.values{color:#56606b;font-size:.88em;word-break:break-word}
@media print{body{margin:0;max-width:none}tr{break-inside:avoid}}
";

/// The page: the shop's name, what the list shows (`shown`, e.g. "every entry" or the
/// filters), the day it was written, and one row per entry.
pub fn log_page(
    shop_name: &str,
    shown: &str,
    written_on: &str,
    rows: &[LogRow],
    head: &crate::store::LogHead,
) -> String {
    let body = html! {
        h1 { "Audit log — " (shop_name) }
        p.sub {
            (crate::engine::words::count(rows.len(), "entry", "entries")) ": " (shown)
            ". Written on " (written_on) " from the shop file's own log, whose entries are chained by hash (candor log --verify checks them)."
        }
        @if rows.is_empty() { p { "No entry matches." } }
        @else {
            table {
                tr { th { "Entry" } th { "When (UTC)" } th { "What happened" } th { "Why" } }
                @for r in rows {
                    tr {
                        td.num { (r.entry) }
                        td.num { (r.at) }
                        td {
                            (r.what)
                            @if let Some(by) = r.undone_by { br; span.note { "Undone by entry " (by) "." } }
                            @if !r.values.is_empty() { div.values { (r.values) } }
                        }
                        td { (r.reason) }
                    }
                }
            }
        }
    };
    super::document(&format!("Audit log — {shop_name}"), STYLE, &body, head)
}
