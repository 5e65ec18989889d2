//! index.html: one self-contained page for a projector — description and
//! question, the shock timeline, the results table, every chart inline (PNG
//! as data URIs), and the inputs. No network, no scripts.

use super::charts::Chart;
use super::explain::timeline_rows;
use crate::scenario::Scenario;
use crate::scenario::params::PARAMS;
use crate::scenario::ser::Inputs;
use std::fmt::Write;

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1650px;margin:0 auto;padding:24px;color:#1e1e1e;font-size:20px;line-height:1.45}\
h1{font-size:44px;margin:8px 0}h2{font-size:32px;margin-top:48px;border-bottom:3px solid #0072b2}\
.question{font-size:28px;background:#eef6fb;border-left:8px solid #0072b2;padding:12px 18px}\
table{border-collapse:collapse;margin:12px 0}td,th{border-bottom:1px solid #ccc;padding:6px 14px;text-align:left;vertical-align:top}\
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:28px 0}img{width:100%;height:auto;border:1px solid #ddd}figcaption{font-size:18px;color:#555}\
.small{font-size:16px;color:#555}nav.contents{position:sticky;top:0;background:#fff;border-bottom:3px solid #0072b2;padding:8px 0;z-index:1;font-size:18px}nav.contents a{margin-right:18px;color:#0072b2;white-space:nowrap}h2,figure{scroll-margin-top:60px}ul.charts{columns:2;font-size:17px}table.changes{font-size:17px}table.changes td,table.changes th{padding:5px 8px}.up{color:#0072b2;font-weight:bold}.down{color:#d55e00;font-weight:bold}";

/// A section of extra content (the comparison's differences go first).
pub struct Section {
    pub title: String,
    pub html: String,
}

pub struct Page<'a> {
    pub title: String,
    pub scenarios: Vec<&'a Scenario>,
    pub seed: u64,
    pub runs: u64,
    /// Sections before the timeline (differences of a comparison).
    pub lead: Vec<Section>,
    /// Sections after the timeline (results tables).
    pub results: Vec<Section>,
    pub charts: &'a [Chart],
}

fn timeline_table(sc: &Scenario) -> String {
    let rows = timeline_rows(sc);
    if rows.is_empty() {
        return "<p>No scheduled shocks: the world follows its own dynamics.</p>".into();
    }
    let mut t = String::from(
        "<table><tr><th>when</th><th>what</th><th>where</th><th>chance</th><th>id</th></tr>",
    );
    for r in rows {
        let what = if r.label.is_empty() {
            escape(&r.what)
        } else {
            format!(
                "<strong>{}</strong><br><span class=small>{}</span>",
                escape(&r.label),
                escape(&r.what)
            )
        };
        let _ = write!(
            t,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            escape(&r.when),
            what,
            escape(&r.place),
            if r.chance.is_empty() {
                "certain".into()
            } else {
                escape(&r.chance)
            },
            escape(&r.key)
        );
    }
    t.push_str("</table>");
    t
}

fn inputs(sc: &Scenario, seed: u64, runs: u64) -> String {
    let mut t = String::new();
    let _ = write!(
        t,
        "<table><tr><th>seed</th><td>{seed}</td></tr><tr><th>runs</th><td>{runs}</td></tr>\
         <tr><th>period</th><td>{} to {}, steps of {} months</td></tr>\
         <tr><th>dsrsim</th><td>{} (model v1)</td></tr>",
        sc.grid.start,
        sc.grid.end,
        sc.grid.step_months,
        env!("CARGO_PKG_VERSION")
    );
    for f in &sc.files {
        let _ = write!(
            t,
            "<tr><th>file</th><td><code>{}</code> <span class=small>FNV-1a {}</span></td></tr>",
            escape(&f.path.display().to_string()),
            f.hash
        );
    }
    t.push_str("</table><details><summary>Parameters</summary><table><tr><th>name</th><th>value</th><th>meaning</th></tr>");
    // The values as summary.json's inputs give them; meaning and unit from the catalogue.
    let given = serde_json::to_value(Inputs(sc)).expect("the inputs serialise to JSON");
    for p in PARAMS {
        let _ = write!(
            t,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{} ({})</td></tr>",
            p.name,
            escape(given["parameters"][p.name].as_str().unwrap_or_default()),
            escape(p.meaning),
            escape(p.unit)
        );
    }
    t.push_str("</table></details>");
    if !sc.warnings.is_empty() {
        t.push_str("<h3>Warnings</h3><ul>");
        for w in &sc.warnings {
            let _ = write!(t, "<li>{}</li>", escape(w));
        }
        t.push_str("</ul>");
    }
    t
}

pub fn page(p: &Page) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} — dsrsim</title><style>{STYLE}</style></head><body>",
        escape(&p.title)
    );
    // The contents bar: every section one click away on a page many
    // screens long; it stays at the top while the page scrolls.
    let mut nav: Vec<(String, String)> = vec![("top".into(), "Question".into())];
    for (i, s) in p.lead.iter().enumerate() {
        nav.push((format!("lead-{i}"), s.title.clone()));
    }
    nav.push(("timeline-0".into(), "Timeline".into()));
    if !p.results.is_empty() {
        nav.push(("results-0".into(), "Where countries end up".into()));
    }
    nav.push(("charts".into(), "Charts".into()));
    nav.push(("inputs-0".into(), "Inputs".into()));
    h.push_str("<nav class=contents>");
    for (id, text) in &nav {
        let _ = write!(h, "<a href=\"#{id}\">{}</a>", escape(text));
    }
    h.push_str("</nav>\n");
    let _ = writeln!(h, "<h1 id=\"top\">{}</h1>", escape(&p.title));
    // A question already shown (a variant keeps its parent's) is not
    // repeated: the room would read three identical boxes.
    let mut shown: Vec<(&str, String)> = Vec::new();
    for sc in &p.scenarios {
        if p.scenarios.len() > 1 {
            let _ = write!(h, "<h3>{}</h3>", escape(&sc.name));
        }
        let inherited = |from: &Option<String>| {
            from.as_ref().map_or(String::new(), |f| {
                format!(
                    " <span class=small>(as in <code>{}</code>)</span>",
                    escape(f)
                )
            })
        };
        if !sc.description.is_empty() {
            let _ = writeln!(
                h,
                "<p>{}{}</p>",
                escape(&sc.description),
                inherited(&sc.description_from)
            );
        }
        if let Some(q) = &sc.question {
            match shown.iter().find(|(s, _)| *s == q.as_str()) {
                Some((_, whose)) => {
                    let _ = writeln!(h, "<p class=small>The same question as {whose}.</p>");
                }
                None => {
                    let _ = writeln!(
                        h,
                        "<p class=question><strong>The question:</strong> {}{}</p>",
                        escape(q),
                        inherited(&sc.question_from)
                    );
                    shown.push((q.as_str(), escape(&sc.name)));
                }
            }
        }
    }
    for (i, s) in p.lead.iter().enumerate() {
        let _ = writeln!(
            h,
            "<h2 id=\"lead-{i}\">{}</h2>\n{}",
            escape(&s.title),
            s.html
        );
    }
    for (i, sc) in p.scenarios.iter().enumerate() {
        let _ = writeln!(
            h,
            "<h2 id=\"timeline-{i}\">Timeline of shocks — {}</h2>\n{}",
            escape(&sc.name),
            timeline_table(sc)
        );
    }
    for (i, s) in p.results.iter().enumerate() {
        let _ = writeln!(
            h,
            "<h2 id=\"results-{i}\">{}</h2>\n{}",
            escape(&s.title),
            s.html
        );
    }
    h.push_str("<h2 id=\"charts\">Charts</h2>\n<ul class=charts>");
    for c in p.charts {
        let _ = write!(
            h,
            "<li><a href=\"#{}\">{}</a></li>",
            escape(&c.name),
            escape(&c.title)
        );
    }
    h.push_str("</ul>\n");
    for c in p.charts {
        let _ = writeln!(
            h,
            "<figure id=\"{name}\"><img alt=\"{title}\" src=\"data:image/png;base64,{data}\"><figcaption>{title} — <a href=\"charts/{name}.svg\">SVG</a>, <a href=\"charts/{name}.png\">PNG</a></figcaption></figure>",
            name = escape(&c.name),
            title = escape(&c.title),
            data = base64(&c.png)
        );
    }
    for (i, sc) in p.scenarios.iter().enumerate() {
        let _ = writeln!(
            h,
            "<h2 id=\"inputs-{i}\">Inputs — {}</h2>\n{}",
            escape(&sc.name),
            inputs(sc, p.seed, p.runs)
        );
    }
    h.push_str("<p class=small>Made with dsrsim. Same scenario and seed give the same numbers on any machine and thread count.</p>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
    }

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }
}
