//! The charts of a calibration: a parameter's prior against its posterior
//! (two densities on one axis), and a pairs chart of the most constrained
//! parameters (every draw, the kept ones in colour).

use super::{Draw, FONT, GRID, INK, LABEL_SIZE, SMALL_SIZE, colour, err, frame};
use plotters::coord::Shift;
use plotters::prelude::*;

const PRIOR_FILL: RGBColor = RGBColor(190, 190, 190);

/// Prior and posterior of one parameter as histograms scaled to densities.
pub struct PriorPosterior {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    pub x_desc: String,
    /// The prior's sample and the posterior's draws (any order).
    pub prior: Vec<f64>,
    pub posterior: Vec<f64>,
    /// Values are a few discrete points: one bar each.
    pub discrete: bool,
    /// The posterior's 5th and 95th percentiles, drawn as lines.
    pub interval: (f64, f64),
    /// A value to mark (e.g. a known truth); None: nothing.
    pub legend: [String; 3],
}

/// Shares of `values` in `bins` equal bins over [lo, hi], as densities.
fn density(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let mut counts = vec![0.0; bins];
    let width = (hi - lo) / bins as f64;
    for &v in values {
        let b = (((v - lo) / width).floor().max(0.0) as usize).min(bins - 1);
        counts[b] += 1.0;
    }
    let n = values.len().max(1) as f64;
    counts.iter().map(|c| c / n / width).collect()
}

fn tick(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

impl Draw for PriorPosterior {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        let items: Vec<(String, RGBColor)> = vec![
            (self.legend[0].clone(), RGBColor(150, 150, 150)),
            (self.legend[1].clone(), colour(0)),
            (self.legend[2].clone(), colour(1)),
        ];
        let area = super::legend_strip(&area, &items, LABEL_SIZE)?;
        let mut xs: Vec<f64> = self.prior.clone();
        xs.sort_by(f64::total_cmp);
        // The prior's central 99%, so one far tail does not squash the rest.
        let q = |u: f64| xs[((u * xs.len() as f64) as usize).min(xs.len() - 1)];
        let (mut lo, mut hi) = (q(0.005), q(0.995));
        for &v in &self.posterior {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let (bars_prior, bars_post, x0, x1, width);
        if self.discrete {
            let mut values: Vec<f64> = xs.clone();
            values.dedup();
            let share = |set: &[f64], v: f64| {
                set.iter().filter(|x| **x == v).count() as f64 / set.len().max(1) as f64
            };
            width = values
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(f64::INFINITY, f64::min)
                .min(1.0)
                * 0.35;
            bars_prior = values
                .iter()
                .map(|&v| (v - width, v, share(&xs, v)))
                .collect::<Vec<_>>();
            bars_post = values
                .iter()
                .map(|&v| (v, v + width, share(&self.posterior, v)))
                .collect::<Vec<_>>();
            x0 = values[0] - 2.0 * width;
            x1 = values[values.len() - 1] + 2.0 * width;
        } else {
            if hi <= lo {
                hi = lo + 1e-6;
            }
            let bins = 40;
            width = (hi - lo) / bins as f64;
            let dp = density(&xs, lo, hi, bins);
            let dq = density(&self.posterior, lo, hi, bins);
            bars_prior = (0..bins)
                .map(|b| (lo + b as f64 * width, lo + (b + 1) as f64 * width, dp[b]))
                .collect();
            bars_post = (0..bins)
                .map(|b| (lo + b as f64 * width, lo + (b + 1) as f64 * width, dq[b]))
                .collect();
            x0 = lo;
            x1 = hi;
        }
        let top = bars_prior
            .iter()
            .chain(&bars_post)
            .map(|b| b.2)
            .fold(0.0f64, f64::max)
            .max(1e-9)
            * 1.08;
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(70)
            .y_label_area_size(100)
            .build_cartesian_2d(x0..x1, 0.0..top)
            .map_err(err)?;
        let discrete = self.discrete;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(8)
            .y_labels(5)
            .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .x_desc(&self.x_desc)
            .y_desc(if discrete {
                "share of draws"
            } else {
                "density"
            })
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(
                bars_prior.iter().map(|&(a, b, h)| {
                    Rectangle::new([(a, 0.0), (b, h)], PRIOR_FILL.mix(0.8).filled())
                }),
            )
            .map_err(err)?;
        chart
            .draw_series(
                bars_post.iter().map(|&(a, b, h)| {
                    Rectangle::new([(a, 0.0), (b, h)], colour(0).mix(0.75).filled())
                }),
            )
            .map_err(err)?;
        if !self.posterior.is_empty() {
            for x in [self.interval.0, self.interval.1] {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, 0.0), (x, top)],
                        colour(1).stroke_width(4),
                    )))
                    .map_err(err)?;
            }
        }
        Ok(())
    }
}

/// A scatter matrix: every pair of the chosen parameters, all draws in
/// grey, the posterior's in colour.
pub struct Pairs {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    pub names: Vec<String>,
    /// Per parameter: the axis range.
    pub ranges: Vec<(f64, f64)>,
    /// Per draw: its values of the chosen parameters, and whether it is in the posterior.
    pub points: Vec<(Vec<f64>, bool)>,
}

impl Draw for Pairs {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        let items = vec![
            ("every draw run".to_string(), RGBColor(150, 150, 150)),
            ("kept (the posterior)".to_string(), colour(0)),
        ];
        let area = super::legend_strip(&area, &items, LABEL_SIZE)?;
        let k = self.names.len();
        let panels = area.split_evenly((k - 1, k - 1));
        for row in 1..k {
            for col in 0..k - 1 {
                let panel = &panels[(row - 1) * (k - 1) + col];
                if col >= row {
                    continue;
                }
                let (xr, yr) = (self.ranges[col], self.ranges[row]);
                let mut chart = ChartBuilder::on(panel)
                    .margin(8)
                    .x_label_area_size(if row == k - 1 { 56 } else { 24 })
                    .y_label_area_size(if col == 0 { 90 } else { 40 })
                    .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)
                    .map_err(err)?;
                chart
                    .configure_mesh()
                    .light_line_style(WHITE)
                    .bold_line_style(GRID)
                    .x_labels(4)
                    .y_labels(4)
                    .label_style((FONT, SMALL_SIZE).into_font().color(&INK))
                    .axis_desc_style((FONT, SMALL_SIZE).into_font().color(&INK))
                    .x_desc(if row == k - 1 {
                        self.names[col].as_str()
                    } else {
                        ""
                    })
                    .y_desc(if col == 0 {
                        self.names[row].as_str()
                    } else {
                        ""
                    })
                    .x_label_formatter(&|x| tick(*x))
                    .y_label_formatter(&|y| tick(*y))
                    .draw()
                    .map_err(err)?;
                for kept in [false, true] {
                    let style = if kept {
                        colour(0).filled()
                    } else {
                        RGBColor(170, 170, 170).mix(0.6).filled()
                    };
                    chart
                        .draw_series(self.points.iter().filter(|(_, k)| *k == kept).map(
                            |(v, _)| Circle::new((v[col], v[row]), if kept { 4 } else { 3 }, style),
                        ))
                        .map_err(err)?;
                }
            }
        }
        Ok(())
    }
}
