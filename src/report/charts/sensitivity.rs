//! The charts of a sensitivity analysis: a tornado (each input's two ends as
//! bars around the baseline outcome), Morris's μ*–σ plane, and Sobol's
//! first-order and total indices as bars with their 95% intervals as whiskers.

use super::{Draw, FONT, GRID, INK, LABEL_SIZE, SMALL_SIZE, colour, err, frame, legend_strip};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Bars drawn at most; the rest are in the table and the CSV.
pub const MAX_BARS: usize = 20;

/// Labels longer than this are cut with an ellipsis (the page has them whole).
const LABEL_CHARS: usize = 42;

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn value_text(v: f64, percent: bool) -> String {
    if percent {
        format!("{:.0}%", v * 100.0)
    } else {
        let s = format!("{v:.2}");
        if s == "-0.00" { "0.00".into() } else { s }
    }
}

/// The name of row k (0 at the top) at the centre of its band, for a
/// y axis running 0..n upwards.
fn row_label(y: f64, names: &[String]) -> String {
    let k = y - y.floor();
    if (k - 0.5).abs() < 1e-6 {
        let idx = names.len() as i64 - 1 - y.floor() as i64;
        usize::try_from(idx)
            .ok()
            .and_then(|i| names.get(i))
            .cloned()
            .unwrap_or_default()
    } else {
        String::new()
    }
}

pub struct TornadoBar {
    pub label: String,
    /// The outcome with the input at its low end and at its high end.
    pub low: f64,
    pub high: f64,
}

pub struct Tornado {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    pub x_desc: String,
    pub percent: bool,
    /// Every input at its middle value: the axis the bars grow from.
    pub base: f64,
    /// Largest swing first.
    pub bars: Vec<TornadoBar>,
    /// Legend words for the low end, the high end and the baseline.
    pub legend: [String; 3],
}

const LOW: RGBColor = RGBColor(213, 94, 0);
const HIGH: RGBColor = RGBColor(0, 114, 178);

impl Draw for Tornado {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        let items = vec![
            (self.legend[0].clone(), LOW),
            (self.legend[1].clone(), HIGH),
            (self.legend[2].clone(), INK),
        ];
        let area = legend_strip(&area, &items, LABEL_SIZE)?;
        let bars = &self.bars[..self.bars.len().min(MAX_BARS)];
        let n = bars.len().max(1) as f64;
        let (mut x0, mut x1) = bars.iter().fold((self.base, self.base), |(a, b), r| {
            (a.min(r.low).min(r.high), b.max(r.low).max(r.high))
        });
        let span = (x1 - x0).max(if self.percent { 0.02 } else { 1e-6 });
        x0 -= span * 0.12;
        x1 += span * 0.12;
        if self.percent {
            x0 = x0.max(0.0).min(self.base);
            x1 = x1.min(1.0).max(self.base);
        }
        let names: Vec<String> = bars.iter().map(|b| short(&b.label)).collect();
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(70)
            .y_label_area_size(520)
            .build_cartesian_2d(x0..x1, 0.0..n)
            .map_err(err)?;
        let percent = self.percent;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(8)
            .y_labels(bars.len().max(1) * 2 + 1)
            .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .x_desc(&self.x_desc)
            .x_label_formatter(&|x| value_text(*x, percent))
            .y_label_formatter(&|y| row_label(*y, &names))
            .draw()
            .map_err(err)?;
        for (row, b) in bars.iter().enumerate() {
            let top = n - row as f64 - 0.18;
            let bottom = n - row as f64 - 0.82;
            for (end, c) in [(b.low, LOW), (b.high, HIGH)] {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(self.base.min(end), bottom), (self.base.max(end), top)],
                        c.mix(0.85).filled(),
                    )))
                    .map_err(err)?;
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(self.base, 0.0), (self.base, n)],
                INK.stroke_width(3),
            )))
            .map_err(err)?;
        Ok(())
    }
}

pub struct MorrisPoint {
    pub label: String,
    pub mu_star: f64,
    pub sigma: f64,
}

pub struct MorrisPlane {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    pub x_desc: String,
    pub y_desc: String,
    /// Largest μ* first; the first `MAX_NAMED` are named on the chart.
    pub points: Vec<MorrisPoint>,
}

const MAX_NAMED: usize = 8;

impl Draw for MorrisPlane {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        let items = vec![
            ("an input (the largest named)".to_string(), colour(0)),
            (
                "σ = μ*: above it, effects depend on the other inputs or bend".to_string(),
                RGBColor(120, 120, 120),
            ),
        ];
        let area = legend_strip(&area, &items, LABEL_SIZE)?;
        let top = self
            .points
            .iter()
            .map(|p| p.mu_star.max(p.sigma))
            .fold(0.0f64, f64::max)
            .max(1e-9)
            * 1.12;
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..top, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(8)
            .y_labels(8)
            .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .x_label_formatter(&|x| value_text(*x, false))
            .y_label_formatter(&|y| value_text(*y, false))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (top, top)],
                RGBColor(120, 120, 120).stroke_width(2),
            )))
            .map_err(err)?;
        chart
            .draw_series(
                self.points
                    .iter()
                    .map(|p| Circle::new((p.mu_star, p.sigma), 9, colour(0).filled())),
            )
            .map_err(err)?;
        let style = (FONT, SMALL_SIZE)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let left = (FONT, SMALL_SIZE)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for p in self.points.iter().take(MAX_NAMED) {
            // Names of points in the right third go to their left.
            let (s, dx) = if p.mu_star > top * 0.66 {
                (&left, -top * 0.012)
            } else {
                (&style, top * 0.012)
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    short(&p.label),
                    (p.mu_star + dx, p.sigma),
                    s.clone(),
                )))
                .map_err(err)?;
        }
        Ok(())
    }
}

pub struct SobolBar {
    pub label: String,
    pub s1: (f64, f64, f64),
    pub st: (f64, f64, f64),
}

pub struct SobolBars {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    /// Largest total index first.
    pub bars: Vec<SobolBar>,
}

impl Draw for SobolBars {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        let items = vec![
            ("total index ST (with interactions)".to_string(), HIGH),
            ("first-order index S1 (alone)".to_string(), LOW),
            ("95% interval (bootstrap)".to_string(), INK),
        ];
        let area = legend_strip(&area, &items, LABEL_SIZE)?;
        let bars = &self.bars[..self.bars.len().min(MAX_BARS)];
        let n = bars.len().max(1) as f64;
        let lo = bars
            .iter()
            .map(|b| b.s1.1.min(b.s1.0))
            .fold(0.0f64, f64::min)
            .max(-0.5);
        let hi = bars
            .iter()
            .map(|b| b.st.2.max(b.st.0).max(b.s1.2))
            .fold(0.05f64, f64::max)
            .min(1.5);
        let pad = (hi - lo) * 0.05;
        let names: Vec<String> = bars.iter().map(|b| short(&b.label)).collect();
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(70)
            .y_label_area_size(520)
            .build_cartesian_2d(lo - pad..hi + pad, 0.0..n)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(8)
            .y_labels(bars.len().max(1) * 2 + 1)
            .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .x_desc("share of the outcome's variance across the inputs")
            .x_label_formatter(&|x| format!("{:.2}", x))
            .y_label_formatter(&|y| row_label(*y, &names))
            .draw()
            .map_err(err)?;
        for (row, b) in bars.iter().enumerate() {
            let centre = n - row as f64 - 0.5;
            for ((v, l, h), c, y) in [(b.st, HIGH, centre + 0.17), (b.s1, LOW, centre - 0.17)] {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0f64.min(v), y - 0.15), (0.0f64.max(v), y + 0.15)],
                        c.mix(0.85).filled(),
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(l, y), (h, y)],
                        INK.stroke_width(3),
                    )))
                    .map_err(err)?;
                for end in [l, h] {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(end, y - 0.1), (end, y + 0.1)],
                            INK.stroke_width(3),
                        )))
                        .map_err(err)?;
                }
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n)],
                INK.stroke_width(2),
            )))
            .map_err(err)?;
        Ok(())
    }
}
