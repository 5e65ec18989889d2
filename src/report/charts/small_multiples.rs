//! Small multiples of fan charts: one panel per country (or per scenario
//! pair), each with one or more layers (median line, 50% band, optionally
//! the 90% band), shock markers on the time axis, and optionally a strip
//! of shares of runs below (P(B > A) and P(B < A) in a paired comparison).

use super::{
    CAPTION_SIZE, Draw, FONT, GRID, INK, LABEL_SIZE, SMALL_SIZE, err, frame, grid, legend_height,
    legend_strip,
};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Quantile bands of one series over time.
#[derive(Debug, Clone, Default)]
pub struct Band {
    pub x: Vec<f64>,
    pub p05: Vec<f64>,
    pub p25: Vec<f64>,
    pub p50: Vec<f64>,
    pub p75: Vec<f64>,
    pub p95: Vec<f64>,
    pub mean: Vec<f64>,
}

impl Band {
    fn is_drawable(&self) -> bool {
        !self.x.is_empty() && self.p50.iter().all(|v| v.is_finite())
    }
}

#[derive(Debug, Clone)]
pub struct Layer {
    pub label: String,
    pub colour: RGBColor,
    pub band: Band,
    /// Also draw the 90% band (single-layer fan charts).
    pub outer: bool,
}

/// A shock on the time axis: a line at `from`, a shaded span to `to` for a window.
#[derive(Debug, Clone)]
pub struct Marker {
    pub from: f64,
    pub to: f64,
    pub label: String,
}

fn legend_items(panel: &Panel) -> Vec<(String, RGBColor)> {
    panel
        .layers
        .iter()
        .map(|l| (l.label.clone(), l.colour))
        .collect()
}

/// Every band drawn in these panels.
pub fn bands_of(panels: &[Panel]) -> impl Iterator<Item = &Band> {
    panels.iter().flat_map(|p| p.layers.iter().map(|l| &l.band))
}

#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    pub layers: Vec<Layer>,
    pub markers: Vec<Marker>,
    /// Shares of runs over time, drawn in a strip of their own below the
    /// panel: on a second axis beside a difference they read as a difference.
    pub shares: Vec<Share>,
    /// Spans of time hatched and named (where the median run has no 5G
    /// yet, the high-risk share of 5G is 0 for want of 5G).
    pub hatch: Option<Hatch>,
}

/// Hatched spans of a panel's time axis, with the words that say why.
#[derive(Debug, Clone)]
pub struct Hatch {
    pub spans: Vec<(f64, f64)>,
    pub label: String,
}

/// A share of runs over time (0 to 1), one line in a panel's strip.
#[derive(Debug, Clone)]
pub struct Share {
    pub label: String,
    pub colour: RGBColor,
    pub points: Vec<(f64, f64)>,
}

/// Where layer names are shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Legend {
    None,
    /// The layers are the same in every panel (scenarios in a comparison).
    FirstPanel,
    /// Each panel has its own layers (operators of each country).
    EveryPanel,
}

#[derive(Debug, Clone)]
pub struct SmallMultiples {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    pub y_desc: String,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub panels: Vec<Panel>,
    pub legend: Legend,
    pub zero_line: bool,
    pub percent: bool,
    /// Draw each layer's mean alone: the chance of a 0/1 metric (or, in a
    /// difference chart, the change in that chance), where quantiles are
    /// only ever 0 or 1.
    pub chance: bool,
    /// The y-axis words of the strip of shares below each panel.
    pub strip_desc: String,
}

/// Tick labels with as many decimals as the tick spacing needs, so a narrow
/// axis does not read "0%, 0%, 0%", and never "-0".
pub fn tick_format(percent: bool, span: f64) -> impl Fn(&f64) -> String {
    let scale = if percent { 100.0 } else { 1.0 };
    // About six ticks: the spacing is the first 1, 2 or 5 times a power of
    // ten at least a sixth of the span, and its decimals are the labels'.
    let rough = span * scale / 6.0;
    let decimals = if rough > 0.0 && rough.is_finite() {
        let power = 10f64.powf(rough.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|k| k * power)
            .find(|&s| s >= rough * (1.0 - 1e-9))
            .unwrap_or(10.0 * power);
        (-(step.log10().floor())).clamp(0.0, 4.0) as usize
    } else {
        0
    };
    move |v: &f64| {
        let x = v * scale;
        let text = format!("{x:.decimals$}");
        let text = if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
            text[1..].to_string()
        } else {
            text.replacen('-', "−", 1)
        };
        if percent { format!("{text}%") } else { text }
    }
}

fn polygon(band: &Band, lo: &[f64], hi: &[f64]) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = band.x.iter().copied().zip(hi.iter().copied()).collect();
    pts.extend(band.x.iter().copied().zip(lo.iter().copied()).rev());
    pts
}

impl Draw for SmallMultiples {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let mut area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        if self.legend == Legend::FirstPanel
            && let Some(first) = self.panels.first()
        {
            let mut items: Vec<(String, RGBColor)> = first
                .layers
                .iter()
                .map(|l| (l.label.clone(), l.colour))
                .collect();
            for share in &first.shares {
                items.push((format!("{} (strip below)", share.label), share.colour));
            }
            area = legend_strip(&area, &items, LABEL_SIZE)?;
        }
        if self.panels.is_empty() {
            let style = (FONT, LABEL_SIZE)
                .into_font()
                .color(&INK)
                .pos(Pos::new(HPos::Center, VPos::Center));
            let (w, h) = area.dim_in_pixel();
            area.draw_text(
                "No series of this metric in this scenario.",
                &style,
                (w as i32 / 2, h as i32 / 2),
            )
            .map_err(err)?;
            return Ok(());
        }
        let mut shock_numbers = shock_list(&self.panels);
        let area = if shock_numbers.is_empty() {
            area
        } else {
            let items: Vec<(String, String)> = shock_numbers
                .iter()
                .enumerate()
                .map(|(k, label)| ((k + 1).to_string(), label.clone()))
                .collect();
            // The key takes at most about a third of the height: the
            // plots are what the chart is for.
            let (_, h) = area.dim_in_pixel();
            let max_rows = ((h as i32 / 3) / (BADGE_SIZE as i32 + 16)).max(2);
            let (height, shown) = shock_legend(&area, &items, max_rows, false)?;
            let (plots, below) = area.split_vertically(h.saturating_sub(height));
            shock_legend(&below, &items, max_rows, true)?;
            shock_numbers.truncate(shown);
            plots
        };
        let (rows, cols) = grid(self.panels.len());
        let (x0, mut x1) = self.x_range;
        if x1 <= x0 {
            x1 = x0 + 1.0;
        }
        let (y0, mut y1) = self.y_range;
        if y1 <= y0 {
            y1 = y0 + 1.0;
        }
        let y_fmt = tick_format(self.percent, y1 - y0);
        for (i, (panel, cell)) in self
            .panels
            .iter()
            .zip(area.split_evenly((rows, cols)))
            .enumerate()
        {
            let title_style = (FONT, CAPTION_SIZE).into_font().color(&INK);
            let (cell_w, _) = cell.dim_in_pixel();
            let title_w = cell
                .estimate_text_size(&panel.title, &title_style)
                .map_err(err)?
                .0;
            cell.draw_text(
                &panel.title,
                &title_style,
                ((cell_w.saturating_sub(title_w) / 2) as i32, 4),
            )
            .map_err(err)?;
            let mut cell = cell.margin(CAPTION_SIZE as u32 + 12, 0, 0, 0);
            let strip = if panel.shares.is_empty() {
                None
            } else {
                let (_, h) = cell.dim_in_pixel();
                let (top, bottom) = cell.split_vertically(h * 64 / 100);
                cell = top;
                Some(bottom)
            };
            if self.legend == Legend::EveryPanel {
                let items = legend_items(panel);
                // Panels of one row keep their plots level: every legend
                // takes the height of the tallest in the row.
                let row = i / cols;
                let mut tallest = 0;
                for other in self.panels.iter().skip(row * cols).take(cols) {
                    tallest = tallest.max(legend_height(&cell, &legend_items(other), SMALL_SIZE)?);
                }
                legend_strip(&cell, &items, SMALL_SIZE)?;
                cell = cell.margin(tallest, 0, 0, 0);
            }
            // Shock badges sit in a strip above the plot, clear of the data.
            let badge_room = if shock_numbers.is_empty() {
                0
            } else {
                BADGE_SIZE as u32 + 8
            };
            let mut chart = ChartBuilder::on(&cell)
                .margin(10)
                .margin_top(10 + badge_room)
                .x_label_area_size(38)
                .y_label_area_size(if i % cols == 0 { 78 } else { 60 })
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(err)?;
            let mut mesh = chart.configure_mesh();
            mesh.light_line_style(WHITE)
                .bold_line_style(GRID)
                .x_labels(6)
                .y_labels(6)
                .label_style((FONT, SMALL_SIZE).into_font().color(&INK))
                .axis_desc_style((FONT, SMALL_SIZE).into_font().color(&INK))
                .x_label_formatter(&|x| format!("{:.0}", x.floor()))
                .y_label_formatter(&y_fmt);
            if i % cols == 0 {
                mesh.y_desc(&self.y_desc);
            }
            mesh.draw().map_err(err)?;

            // Shocks on one date share a line and a numbered badge ("1 2");
            // the numbers are explained in words below the plots. Badges
            // take the first of four rows where they do not overlap the
            // previous one, and are left out (the line stays) where none is free.
            let mut groups: Vec<(f64, f64, Vec<usize>)> = Vec::new();
            for m in &panel.markers {
                // A shock left out of a full key keeps its line, no badge.
                let n = shock_numbers
                    .iter()
                    .position(|l| *l == m.label)
                    .map(|k| k + 1);
                match groups.iter_mut().find(|g| (g.0 - m.from).abs() < 1e-9) {
                    Some(g) => {
                        g.1 = g.1.max(m.to);
                        if let Some(n) = n
                            && !g.2.contains(&n)
                        {
                            g.2.push(n);
                        }
                    }
                    None => groups.push((m.from, m.to, n.into_iter().collect())),
                }
            }
            // Every line first, then the badges: a badge is never crossed
            // by a later shock's line.
            for (from, to, _) in &groups {
                if to > from {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(*from, y0), (*to, y1)],
                            RGBColor(120, 120, 120).mix(0.12).filled(),
                        )))
                        .map_err(err)?;
                }
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(*from, y0), (*from, y1)],
                        8,
                        6,
                        RGBColor(90, 90, 90).stroke_width(2),
                    ))
                    .map_err(err)?;
            }
            if let Some(hatch) = &panel.hatch {
                draw_hatch(&cell, &chart, hatch, (x0, x1), (y0, y1))?;
            }
            let base = cell.get_base_pixel();
            let top_px = chart.backend_coord(&(x0, y1)).1 - base.1;
            let mut row_ends = [i32::MIN; 4];
            for (from, _, numbers) in groups.iter().filter(|g| !g.2.is_empty()) {
                let mut numbers = numbers.clone();
                numbers.sort_unstable();
                let text = numbers
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" ");
                let (width, height) = badge_size(&cell, &text)?;
                let x_px = chart.backend_coord(&(*from, y1)).0 - base.0;
                let left = x_px - width / 2;
                if let Some(row) = row_ends.iter().position(|&end| left > end + 3) {
                    row_ends[row] = left + width;
                    badge(
                        &cell,
                        &text,
                        (left, top_px - height - 2 + row as i32 * (height + 3)),
                    )?;
                }
            }
            if self.zero_line && y0 < 0.0 && y1 > 0.0 {
                chart
                    .draw_series(LineSeries::new(
                        vec![(x0, 0.0), (x1, 0.0)],
                        INK.stroke_width(2),
                    ))
                    .map_err(err)?;
            }
            // Lines that coincide (two operators with the same path, two
            // scenarios that agree) would hide each other: each layer's line
            // is narrower than the one before, so every one shows.
            let layers = panel.layers.len();
            for (k, layer) in panel.layers.iter().enumerate() {
                if !layer.band.is_drawable() {
                    continue;
                }
                let width = if layers > 1 {
                    3 + 3 * (layers - 1 - k) as u32
                } else {
                    4
                };
                let b = &layer.band;
                if self.chance {
                    let zero = vec![0.0; b.x.len()];
                    chart
                        .draw_series(std::iter::once(Polygon::new(
                            polygon(b, &zero, &b.mean),
                            layer.colour.mix(0.12).filled(),
                        )))
                        .map_err(err)?;
                    chart
                        .draw_series(LineSeries::new(
                            b.x.iter().copied().zip(b.mean.iter().copied()),
                            layer.colour.stroke_width(width),
                        ))
                        .map_err(err)?;
                    continue;
                }
                if layer.outer {
                    chart
                        .draw_series(std::iter::once(Polygon::new(
                            polygon(b, &b.p05, &b.p95),
                            layer.colour.mix(0.15).filled(),
                        )))
                        .map_err(err)?;
                }
                let inner = if layer.outer || panel.layers.len() == 1 {
                    0.35
                } else {
                    0.18
                };
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        polygon(b, &b.p25, &b.p75),
                        layer.colour.mix(inner).filled(),
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(LineSeries::new(
                        b.x.iter().copied().zip(b.p50.iter().copied()),
                        layer.colour.stroke_width(width),
                    ))
                    .map_err(err)?;
            }
            if let Some(strip) = strip {
                let mut shares = ChartBuilder::on(&strip)
                    .margin(10)
                    .margin_top(4)
                    .x_label_area_size(30)
                    .y_label_area_size(if i % cols == 0 { 78 } else { 60 })
                    // A margin above 100% and below 0%: a thick line at the
                    // very edge would be half clipped.
                    .build_cartesian_2d(x0..x1, -0.06..1.06)
                    .map_err(err)?;
                let mut mesh = shares.configure_mesh();
                mesh.light_line_style(WHITE)
                    .bold_line_style(GRID)
                    .x_labels(6)
                    .y_labels(3)
                    .label_style((FONT, SMALL_SIZE).into_font().color(&INK))
                    .axis_desc_style((FONT, SMALL_SIZE).into_font().color(&INK))
                    .x_label_formatter(&|x| format!("{:.0}", x.floor()))
                    .y_label_formatter(&|v| format!("{:.0}%", v * 100.0));
                if i % cols == 0 {
                    mesh.y_desc(&self.strip_desc);
                }
                mesh.draw().map_err(err)?;
                for share in &panel.shares {
                    // The bitmap backend bends a thick line's last few pixels
                    // at each end (the SVG is straight): continue the line a
                    // year past both edges, where the plot clips it.
                    let points = &share.points;
                    let ends = points
                        .first()
                        .zip(points.last())
                        .map(|(a, b)| [(a.0 - 1.0, a.1), (b.0 + 1.0, b.1)]);
                    let line = ends
                        .iter()
                        .map(|e| e[0])
                        .chain(points.iter().copied())
                        .chain(ends.iter().map(|e| e[1]));
                    shares
                        .draw_series(LineSeries::new(line, share.colour.stroke_width(3)))
                        .map_err(err)?;
                }
            }
        }
        Ok(())
    }
}

/// Diagonal hatching over each span, under the data, with the hatch's words
/// at the top of the first span wide enough to hold them.
fn draw_hatch<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    chart: &ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    hatch: &Hatch,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Result<(), String> {
    let ink = RGBColor(150, 150, 150);
    let base = cell.get_base_pixel();
    let px = |x: f64, y: f64| {
        let (u, v) = chart.backend_coord(&(x, y));
        (u - base.0, v - base.1)
    };
    // Lines at 45° on screen, 14 px apart, in data units.
    let (left, bottom) = px(x0, y0);
    let (right, top) = px(x1, y1);
    let dx = (x1 - x0) / f64::from((right - left).max(1));
    let dy = (y1 - y0) / f64::from((bottom - top).max(1));
    let slope = dy / dx;
    let step = 14.0 * dx;
    let mut labelled = false;
    for &(a, b) in &hatch.spans {
        let (a, b) = (a.max(x0), b.min(x1));
        if b <= a {
            continue;
        }
        cell.draw(&Rectangle::new(
            [px(a, y1), px(b, y0)],
            WHITE.mix(0.6).filled(),
        ))
        .map_err(err)?;
        // Each line rises from (c, y0); clip it to the span.
        let rise = (y1 - y0) / slope;
        let mut c = a - rise;
        while c < b {
            let (xa, xb) = (c.max(a), (c + rise).min(b));
            if xb > xa {
                let y = |x: f64| y0 + (x - c) * slope;
                cell.draw(&PathElement::new(
                    vec![px(xa, y(xa)), px(xb, y(xb))],
                    ink.stroke_width(1),
                ))
                .map_err(err)?;
            }
            c += step;
        }
        let style = (FONT, SMALL_SIZE).into_font().color(&INK);
        let (w, h) = cell.estimate_text_size(&hatch.label, &style).map_err(err)?;
        let (sa, sb) = (px(a, y1).0, px(b, y1).0);
        if !labelled && (sb - sa) > w as i32 + 12 {
            let at = (sa + 6, px(a, y1).1 + 8);
            cell.draw(&Rectangle::new(
                [
                    (at.0 - 3, at.1 - 2),
                    (at.0 + w as i32 + 3, at.1 + h as i32 + 2),
                ],
                WHITE.filled(),
            ))
            .map_err(err)?;
            cell.draw_text(
                &hatch.label,
                &style.pos(Pos::new(HPos::Left, VPos::Top)),
                at,
            )
            .map_err(err)?;
            labelled = true;
        }
    }
    Ok(())
}

/// The shocks' words, each once, numbered in order of their first date:
/// the n-th is badge n on every panel and line n of the key below the plots.
pub fn shock_list(panels: &[Panel]) -> Vec<String> {
    let mut all: Vec<&Marker> = panels.iter().flat_map(|p| &p.markers).collect();
    // A stable sort keeps the file's order among shocks of one date.
    all.sort_by(|a, b| a.from.total_cmp(&b.from));
    let mut out: Vec<String> = Vec::new();
    for m in all {
        if !out.contains(&m.label) {
            out.push(m.label.clone());
        }
    }
    out
}

/// Shock numbers are set large enough to read on a projected page scaled
/// to 1024 px (about 14 px there).
const BADGE_SIZE: f64 = 24.0;

fn badge_style() -> TextStyle<'static> {
    (FONT, BADGE_SIZE)
        .into_font()
        .style(FontStyle::Bold)
        .color(&WHITE)
        .pos(Pos::new(HPos::Left, VPos::Top))
}

fn badge_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
) -> Result<(i32, i32), String> {
    let (w, _) = area.estimate_text_size(text, &badge_style()).map_err(err)?;
    Ok((w as i32 + 12, BADGE_SIZE as i32 + 8))
}

/// A dark box with white numbers, its top left corner at `at`.
fn badge<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
) -> Result<(i32, i32), String> {
    let (w, h) = badge_size(area, text)?;
    area.draw(&Rectangle::new(
        [at, (at.0 + w, at.1 + h)],
        RGBColor(55, 55, 55).filled(),
    ))
    .map_err(err)?;
    area.draw_text(text, &badge_style(), (at.0 + 6, at.1 + 4))
        .map_err(err)?;
    Ok((w, h))
}

/// The key to the shock numbers, in rows across `area` (drawn if asked),
/// in at most `max_rows` rows: when the shocks do not fit (the backcast has
/// fifty), the last row says how many more there are and where they are
/// listed, and only the shocks in the key get badges. Returns the height it
/// takes and how many shocks it lists.
fn shock_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, String)],
    max_rows: i32,
    draw: bool,
) -> Result<(u32, usize), String> {
    let style = (FONT, BADGE_SIZE).into_font().color(&INK);
    let (w, _) = area.dim_in_pixel();
    let row_height = BADGE_SIZE as i32 + 16;
    let place = |upto: usize| -> Result<Vec<(i32, i32)>, String> {
        let (mut x, mut row) = (8i32, 0i32);
        let mut at = Vec::new();
        for (number, label) in &items[..upto] {
            let (badge_w, _) = badge_size(area, number)?;
            let text_w = area.estimate_text_size(label, &style).map_err(err)?.0 as i32;
            let item_w = badge_w + 10 + text_w + 36;
            if x > 8 && x + item_w > w as i32 {
                x = 8;
                row += 1;
            }
            at.push((x, row));
            x += item_w;
        }
        Ok(at)
    };
    let rows = |at: &[(i32, i32)]| at.last().map_or(0, |&(_, r)| r + 1);
    let mut shown = items.len();
    let mut at = place(shown)?;
    if rows(&at) > max_rows {
        // Leave the last row for the note.
        while shown > 0 && rows(&at) > max_rows - 1 {
            shown -= 1;
            at.truncate(shown);
        }
    }
    let mut height = rows(&at);
    if draw {
        for ((number, label), &(x, row)) in items.iter().zip(&at) {
            let y = 8 + row * row_height;
            let (badge_w, _) = badge_size(area, number)?;
            badge(area, number, (x, y))?;
            area.draw_text(label, &style, (x + badge_w + 10, y + 4))
                .map_err(err)?;
        }
    }
    if shown < items.len() {
        if draw {
            let note = format!(
                "… and {} more shocks, listed in the page's timeline",
                items.len() - shown
            );
            area.draw_text(&note, &style, (8, 8 + height * row_height + 4))
                .map_err(err)?;
        }
        height += 1;
    }
    Ok(((8 + height * row_height) as u32, shown))
}

#[cfg(test)]
mod tests {
    use super::tick_format;

    #[test]
    fn narrow_axes_get_decimals_and_no_negative_zero() {
        let f = tick_format(true, 0.004);
        let labels: Vec<String> = [-0.002, -0.001, -1e-12, 0.001].iter().map(&f).collect();
        assert_eq!(labels, ["−0.2%", "−0.1%", "0.0%", "0.1%"]);
        let stages = tick_format(false, 5.0);
        assert_eq!(stages(&-1e-12), "0");
        assert_eq!(stages(&2.0), "2");
        assert_eq!(tick_format(true, 1.0)(&0.4), "40%");
        assert_eq!(tick_format(false, 0.6)(&-0.1), "−0.1");
    }
}
