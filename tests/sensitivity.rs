//! `simulate sensitivity` on cases with a known answer: an input the outcome
//! cannot depend on gets a zero bar and a zero total index, one it does
//! depend on a clear one; Sobol's estimators on the Ishigami function
//! through the inputs' own mapping; the same bytes for any thread count;
//! bad input refused before anything is written.

mod common;

use common::{read, simulate};
use dsrsim::app::uncertain::{Input, Range};
use dsrsim::engine::sensitivity::{saltelli_design, sobol_indices};
use std::path::Path;

/// Restrictions at a hazard that depends on A's orientation only
/// (rate 0.2 · exp(3 (w − 0.5))); B's orientation moves nothing of A's.
const TWO_POLITIES: &str = r#"
[scenario]
start = "2025-01"
end = "2029-12"
step_months = 3
runs = 1000
seed = 7

[parameters]
price_advantage = 0.25
b0 = 0.0
b_price = 0.0
b_orient = 0.0
b_owner = 0.0
b_leverage = 0.0
b_incident = 0.0
b_incumbent = 0.0
kappa = 0.0
sigma = 0.0
law_hazard = 0.2
g_w = 3.0
g_nato = 0.0
g_eu = 0.0
g_pressure = 0.0
repeal_hazard = 0.0
eu_hazard = 0.0
eu_gamma = 0.0

[[polity]]
id = "A"
orientation = { uniform = [0.05, 0.95] }
swing = 0.5
election_hazard = 0.0

[[polity]]
id = "B"
orientation = { uniform = [0.05, 0.95] }
swing = 0.5
election_hazard = 0.0

[[outcome]]
what = "restriction A at horizon"
label = "A restricts high-risk vendors by 2030"
"#;

fn world(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("two.toml");
    std::fs::write(&path, TWO_POLITIES).unwrap();
    path
}

fn csv_value(csv: &str, input: &str, statistic: &str) -> f64 {
    csv.lines()
        .find(|l| l.contains(&format!(",{input},")) && l.contains(&format!(",{statistic},")))
        .unwrap_or_else(|| panic!("no {input} {statistic} in\n{csv}"))
        .split(',')
        .nth(8)
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_tornado_gives_the_input_that_matters_a_bar_and_the_other_none() {
    let dir = tempfile::tempdir().unwrap();
    let file = world(dir.path());
    let out = dir.path().join("t");
    simulate()
        .args(["sensitivity", file.to_str().unwrap(), "--reps", "400", "-q"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let csv = read(&out.join("sensitivity.csv"));
    // A at its 5th percentile (0.095) vs its 95th (0.905): the 5-year
    // chance of a law goes from 1 − exp(−5 · 0.2 e^(3·(−0.405))) ≈ 0.26 to
    // 1 − exp(−5 · 0.2 e^(3·0.405)) ≈ 0.97 (quarterly steps only round it).
    let swing = csv_value(&csv, "polity.A.orientation", "swing");
    assert!(swing > 0.5, "{csv}");
    // B cannot move A: on common random numbers, exactly nothing.
    assert_eq!(
        csv_value(&csv, "polity.B.orientation", "swing"),
        0.0,
        "{csv}"
    );
    let page = read(&out.join("index.html"));
    assert!(
        page.contains("The chance that A restricts high-risk vendors by 2030 ("),
        "{page}"
    );
    assert!(
        page.contains("depends most on A&#39;s orientation")
            || page.contains("depends most on A's orientation"),
        "{page}"
    );
    assert!(
        page.contains("B&#39;s orientation hardly matters")
            || page.contains("B's orientation hardly matters"),
        "{page}"
    );
    for f in [
        "charts/sensitivity-tornado.png",
        "charts/sensitivity-tornado.svg",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
}

#[test]
fn sobol_gives_an_input_the_outcome_ignores_a_zero_total_index() {
    let dir = tempfile::tempdir().unwrap();
    let file = world(dir.path());
    let out = dir.path().join("s");
    simulate()
        .args([
            "sensitivity",
            file.to_str().unwrap(),
            "--method",
            "sobol",
            "--samples",
            "64",
            "--reps",
            "50",
            "-q",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let csv = read(&out.join("sensitivity.csv"));
    assert_eq!(csv_value(&csv, "polity.B.orientation", "ST"), 0.0, "{csv}");
    assert!(csv_value(&csv, "polity.A.orientation", "ST") > 0.5, "{csv}");
    assert!(out.join("charts/sensitivity-sobol.png").is_file());
}

#[test]
fn morris_and_sobol_write_the_same_bytes_on_one_thread_and_two() {
    let dir = tempfile::tempdir().unwrap();
    let file = world(dir.path());
    for method in ["morris", "sobol"] {
        let mut outs = Vec::new();
        for threads in ["1", "2"] {
            let out = dir.path().join(format!("{method}-{threads}"));
            simulate()
                .args([
                    "sensitivity",
                    file.to_str().unwrap(),
                    "--method",
                    method,
                    "--samples",
                    "8",
                    "--reps",
                    "30",
                    "--threads",
                    threads,
                    "-q",
                ])
                .arg("--out")
                .arg(&out)
                .assert()
                .success();
            outs.push(out);
        }
        for f in [
            "sensitivity.csv".to_string(),
            "index.html".to_string(),
            format!("charts/sensitivity-{method}.svg"),
            format!("charts/sensitivity-{method}.png"),
        ] {
            assert_eq!(
                std::fs::read(outs[0].join(&f)).unwrap(),
                std::fs::read(outs[1].join(&f)).unwrap(),
                "{method}: {f} differs between 1 and 2 threads"
            );
        }
    }
}

/// The estimators on the Ishigami function (a = 7, b = 0.1), each x on
/// [−π, π] mapped from the design's coordinates by an `--input`-style range,
/// as `sensitivity` maps a scenario's inputs: S1 ≈ (0.314, 0.442, 0) and
/// ST ≈ (0.558, 0.442, 0.244) lie in their bootstrap intervals.
#[test]
fn sobol_recovers_the_ishigami_indices_through_the_inputs_mapping() {
    use std::f64::consts::PI;
    let inputs: Vec<Input> = (1..=3)
        .map(|i| Input {
            key: format!("x{i}"),
            label: format!("x{i}"),
            range: Range::Between(-PI, PI),
            explicit: true,
        })
        .collect();
    let (k, n) = (3, 2048);
    let y: Vec<f64> = saltelli_design(k, n, 2025)
        .iter()
        .map(|u| {
            let x: Vec<f64> = u.iter().zip(&inputs).map(|(u, i)| i.sobol(*u)).collect();
            x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
        })
        .collect();
    let s = sobol_indices(k, n, &y, 2025);
    let (s1, st) = ([0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437]);
    for i in 0..3 {
        assert!(
            s[i].s1_lo <= s1[i] && s1[i] <= s[i].s1_hi,
            "S1 {i}: {:?}",
            s[i]
        );
        assert!(
            s[i].st_lo <= st[i] && st[i] <= s[i].st_hi,
            "ST {i}: {:?}",
            s[i]
        );
    }
}

/// `simulate ARGS`: exit 2, every one of `expect` in stderr, nothing written.
fn refused(args: &[&str], expect: &[&str]) {
    let ws = common::workspace();
    let out = simulate()
        .current_dir(ws.path())
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    for e in expect {
        assert!(stderr.contains(e), "stderr lacks {e:?}:\n{stderr}");
    }
    assert!(
        !ws.path().join("output").exists(),
        "wrote output:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_sensitivity_arguments_are_bad_input_with_their_place() {
    let s = "scenarios/serbia-5g.toml";
    refused(
        &["sensitivity", s, "--outcome", "trusted SRB at horizon"],
        &["--outcome:1:1", "`trusted` is not a metric"],
    );
    refused(
        &["sensitivity", s, "--input", "eu_conditionalty=0:1"],
        &["--input:1:1", "did you mean `eu_conditionality`"],
    );
    refused(
        &[
            "sensitivity",
            s,
            "--input",
            "polity.SBR.orientation=0.2:0.8",
        ],
        &["--input:1:8", "did you mean `polity.SRB`"],
    );
    // The high end outside a probability's domain: the caret on `1.5`.
    refused(
        &[
            "sensitivity",
            s,
            "--input",
            "shock.srb-government-change.probability=0.2:1.5",
        ],
        &["--input:1:45", "out of range"],
    );
    refused(
        &["sensitivity", s, "--input", "eu_conditionality=0.8:0.2"],
        &["--input:1:19", "must go up"],
    );
    refused(
        &["sensitivity", s, "--input", "eu_conditionality=0.2"],
        &["--input:1:19", "not a range LO:HI"],
    );
    refused(
        &["sensitivity", s, "--method", "sobol", "--samples", "0"],
        &["--samples must be at least 1"],
    );
    refused(
        &["sensitivity", s, "--samples", "10"],
        &["--samples is for --method morris"],
    );
    // 2^62 trajectories once wrapped the point count to a small number and
    // passed the guard, then aborted allocating the design.
    refused(
        &[
            "sensitivity",
            s,
            "--method",
            "morris",
            "--samples",
            "4611686018427387904",
            "--yes",
        ],
        &["a Morris design takes at most 65536 trajectories"],
    );
    refused(
        &["sensitivity", s, "--reps", "0"],
        &["--reps must be at least 1"],
    );
    refused(
        &[
            "sensitivity",
            s,
            "--method",
            "sobol",
            "--samples",
            "60000",
            "--reps",
            "1e9",
        ],
        &["would take about", "--yes"],
    );
}
