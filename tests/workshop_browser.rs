//! The workshop page in a real browser: headless Chromium driven over
//! WebDriver (chromedriver, from Debian's chromium-driver). WebDriver
//! rather than CDP: it is a standard of a few plain JSON-over-HTTP
//! commands, so a dozen lines of HTTP in `workshop_support` drive it with
//! no client crate and no async runtime. Skips, saying so, where Chromium
//! or chromedriver is missing, unless DSRSIM_REQUIRE_BROWSER=1 (as in
//! `.ci/run`).

mod common;
mod workshop_support;

use common::{run_saved, simulate_in, workspace};
use serde_json::Value;
use std::path::{Path, PathBuf};
use workshop_support::{Browser, start_workshop};

fn browser_here() -> bool {
    let found = |tool: &str| {
        std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let here = found("chromium") && found("chromedriver");
    if !here {
        assert!(
            std::env::var("DSRSIM_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "DSRSIM_REQUIRE_BROWSER=1 but chromium or chromedriver is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "skipped: chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
        );
    }
    here
}

const CAUTIOUS: &str = "class SRB cautious at 2035-12";

/// The page's headline mean for `what` (A, or B with `b`).
fn mean(b: &Browser, what: &str, pinned: bool) -> f64 {
    let field = if pinned { "bMean" } else { "mean" };
    let v = b.js(&format!(
        "const c = [...document.querySelectorAll('.card')].find(c => c.dataset.what === {what:?}); return c ? Number(c.dataset.{field}) : null;"
    ));
    v.as_f64()
        .unwrap_or_else(|| panic!("no headline {what}: {v}"))
}

/// Wait for the full answer of rerun number `seq`.
fn wait_full(b: &Browser, seq: u64) {
    b.wait_for(
        &format!(
            "return document.body.dataset.seq === '{seq}' && document.body.dataset.state === 'full';"
        ),
        &format!("the full answer of rerun {seq}"),
    );
}

fn shots_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("workshop");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn the_page_reruns_pins_and_saves_in_a_real_browser() {
    if !browser_here() {
        return;
    }
    let dir = workspace();
    let bin = Path::new(env!("CARGO_BIN_EXE_simulate"));
    let (_server, url) = start_workshop(
        bin,
        dir.path(),
        "scenarios/serbia-5g.toml",
        &["--runs", "1500"],
    );
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let b = Browser::start(&downloads);
    b.go(&url);
    wait_full(&b, 1);
    let errors = b.console_errors();
    assert!(errors.is_empty(), "console errors on load: {errors:?}");
    assert_eq!(b.js("return document.body.dataset.runs;"), "1500");
    let before = mean(&b, CAUTIOUS, false);

    // The government lever to its top with the keyboard: End on the slider.
    b.keys("#lever-0", "\u{E010}");
    wait_full(&b, 2);
    let after = mean(&b, CAUTIOUS, false);
    assert!(
        after > before,
        "a pro-EU government for certain should make Serbia cautious more often: {before} -> {after}"
    );
    assert!(b.js("return document.querySelector('#fan svg') !== null;") == Value::Bool(true));
    assert!(
        b.js("return [...document.querySelectorAll('#timeline li.changed')].length;") == 1,
        "the timeline marks the changed shock"
    );

    // Pin it as B, move A back to no change of government: the paired difference appears.
    b.click("#pin");
    wait_full(&b, 3);
    b.keys("#lever-0", "\u{E011}");
    wait_full(&b, 4);
    assert!(b.js("return !document.getElementById('differences').hidden;") == Value::Bool(true));
    let table = b.js("return document.getElementById('diff-table').textContent;");
    assert!(table.as_str().unwrap().contains("P(B>A)"), "{table}");
    assert!(mean(&b, CAUTIOUS, true) > mean(&b, CAUTIOUS, false));
    assert!(b.js("return document.querySelector('#diff svg') !== null;") == Value::Bool(true));
    let shot = b.screenshot();
    std::fs::write(shots_dir().join("workshop-serbia-5g.png"), &shot).unwrap();

    // A bad value is a message on the page, and the page goes on working.
    b.js("document.getElementById('lever-0').max = 3; document.getElementById('lever-0').value = 2.5; document.getElementById('lever-0').dispatchEvent(new Event('change')); return null;");
    b.wait_for(
        "return document.body.dataset.state === 'error' && !document.getElementById('error').hidden;",
        "the message of a bad value",
    );
    let message = b.js("return document.getElementById('error').textContent;");
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("outside the lever's range"),
        "{message}"
    );
    b.keys("#lever-0", "\u{E011}");
    wait_full(&b, 6);
    let page_mean = mean(&b, CAUTIOUS, false);
    let page_means: Value = b.js("return Object.fromEntries([...document.querySelectorAll('.card')].map(c => [c.dataset.what, Number(c.dataset.mean)]));");

    // Save as scenario, rerun it with `simulate`: the page's numbers.
    b.click("#save");
    b.wait_for(
        "return document.getElementById('saved').textContent.length > 0;",
        "the saved scenario",
    );
    let text = b.js("return document.getElementById('saved').textContent;");
    let text = text.as_str().unwrap();
    assert!(text.contains("extends = \"serbia-5g.toml\""), "{text}");
    assert!(text.contains("probability = 0\n"), "{text}");
    let summary = run_saved(
        dir.path(),
        "saved.toml",
        text,
        &dir.path().join("saved-out"),
    );
    for o in summary["headline_outcomes"].as_array().unwrap() {
        let what = o["what"].as_str().unwrap();
        assert_eq!(o["mean"].as_f64(), page_means[what].as_f64(), "{what}");
    }
    assert!(page_mean < after);
}

#[test]
fn the_static_pages_of_run_and_compare_load_clean() {
    if !browser_here() {
        return;
    }
    let dir = workspace();
    let (run, cmp) = (dir.path().join("run"), dir.path().join("cmp"));
    simulate_in(dir.path())
        .args([
            "scenarios/serbia-5g.toml",
            "--runs",
            "300",
            "--quiet",
            "--out",
        ])
        .arg(&run)
        .assert()
        .success();
    simulate_in(dir.path())
        .args([
            "compare",
            "scenarios/baseline.toml",
            "scenarios/serbia-5g.toml",
            "--runs",
            "300",
            "--quiet",
            "--out",
        ])
        .arg(&cmp)
        .assert()
        .success();
    let b = Browser::start(dir.path());
    for page in [run.join("index.html"), cmp.join("index.html")] {
        b.go(&format!("file://{}", page.display()));
        b.wait_for("return document.readyState === 'complete';", "the page");
        let images = b.js("return document.images.length;").as_u64().unwrap();
        assert!(images > 0, "{}: no images", page.display());
        let broken = b.js(
            "return [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src.slice(0, 80));",
        );
        assert_eq!(
            broken,
            Value::Array(vec![]),
            "{}: broken images",
            page.display()
        );
        let errors = b.console_errors();
        assert!(
            errors.is_empty(),
            "{}: console errors {errors:?}",
            page.display()
        );
    }
}

/// Not a timed test: a measurement for docs/PERFORMANCE.md, run by hand
/// (release build, `nice`):
/// `nice cargo test --release --test workshop_browser -- --ignored --nocapture measure`.
/// From a lever's change to the redrawn charts on screen, first and full
/// answer, median of 20 changes, for serbia-5g and north-macedonia-2017.
#[test]
#[ignore]
fn measure_lever_to_redraw() {
    if !browser_here() {
        return;
    }
    let dir = tempfile::TempDir::new().unwrap();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    for f in std::fs::read_dir(common::repo("scenarios")).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&f, scenarios.join(f.file_name().unwrap())).unwrap();
        }
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_simulate"));
    let b = Browser::start(dir.path());
    for file in ["serbia-5g.toml", "north-macedonia-2017.toml"] {
        let (_server, url) = start_workshop(bin, dir.path(), &format!("scenarios/{file}"), &[]);
        b.go(&url);
        wait_full(&b, 1);
        let (mut quick, mut full) = (Vec::new(), Vec::new());
        let mut runs = (0, 0);
        for k in 0..20u64 {
            // Left then right: the first lever moves one step each time
            // (from a file value at the top of its range too).
            b.keys("#lever-0", if k % 2 == 0 { "\u{E012}" } else { "\u{E014}" });
            wait_full(&b, k + 2);
            let drawn = b.js(&format!(
                "return window.workshop.drawn.filter(d => d.seq === {});",
                k + 2
            ));
            for d in drawn.as_array().unwrap() {
                let ms = d["ms"].as_f64().unwrap();
                if d["full"] == true {
                    full.push(ms);
                    runs.1 = d["runs"].as_u64().unwrap();
                } else {
                    quick.push(ms);
                    runs.0 = d["runs"].as_u64().unwrap();
                }
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            if v.is_empty() {
                f64::NAN
            } else {
                v[v.len() / 2]
            }
        };
        println!(
            "{file}: first answer ({} runs) median {:.0} ms (min {:.0}, max {:.0}); full answer ({} runs) median {:.0} ms (min {:.0}, max {:.0}); {} changes",
            runs.0,
            median(&mut quick),
            quick.first().copied().unwrap_or(f64::NAN),
            quick.last().copied().unwrap_or(f64::NAN),
            runs.1,
            median(&mut full),
            full.first().copied().unwrap_or(f64::NAN),
            full.last().copied().unwrap_or(f64::NAN),
            full.len()
        );
    }
}
