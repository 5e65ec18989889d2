//! Charts with plotters, drawn once per backend (PNG and SVG) from plain
//! data: bands, lines, markers. The font is embedded (DejaVu Sans), so no
//! system font, fontconfig or freetype is ever needed.
//!
//! Everything here is for a projector: large type, the Okabe–Ito
//! colour-blind-safe palette, titles that say what and when, axis labels
//! with units and a stamp with scenario, seed and runs in the corner.

mod bars;
mod build;
mod calibrate;
mod discover;
mod sensitivity;
mod small_multiples;
mod sweep;

pub use bars::{ClassBars, TradeOff, TradeOffPoint};
pub use build::{
    ChartSpec, STRIP_5G, Spec, band, horizon_words, launch_context, markers, period, run_charts,
    run_charts_named, shock_words, thousands, x_range, y_desc, y_range,
};
pub use discover::DiscoverTradeOff;
pub use sensitivity::{MorrisPlane, MorrisPoint, SobolBar, SobolBars, Tornado, TornadoBar};
pub use small_multiples::{
    Band, Hatch, Layer, Legend, Marker, Panel, Share, SmallMultiples, bands_of, shock_list,
};
pub use sweep::{SweepHeat, SweepLine, SweepPoint};

pub use calibrate::{Pairs, PriorPosterior};

use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::Once;

/// Chart size in pixels: 16:10, legible from the back of a room.
pub const SIZE: (u32, u32) = (1600, 1000);

pub const FONT: &str = "sans-serif";
pub const TITLE_SIZE: f64 = 40.0;
pub const CAPTION_SIZE: f64 = 28.0;
pub const LABEL_SIZE: f64 = 22.0;
pub const SMALL_SIZE: f64 = 18.0;

/// Okabe–Ito: distinguishable with every common colour-vision deficiency.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(120, 120, 120), // grey (in place of yellow, which fails on white)
];
pub const INK: RGBColor = RGBColor(30, 30, 30);
pub const GRID: RGBColor = RGBColor(225, 225, 225);

pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Register the embedded font once per process.
pub fn init_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are DejaVu Sans, shipped with the binary; registering
        // cannot fail for them, and a failure would show as blank text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Something that can draw itself on any plotters backend.
pub trait Draw: Sync {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String>;
}

/// A rendered chart: its file stem, the PNG bytes and the SVG text.
pub struct Chart {
    pub name: String,
    pub title: String,
    pub png: Vec<u8>,
    pub svg: String,
}

pub fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Draw `chart` to PNG and SVG in memory.
pub fn render(name: &str, title: &str, chart: &impl Draw) -> Result<Chart> {
    init_fonts();
    let (w, h) = SIZE;
    let mut pixels = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|_| root.present().map_err(err))
            .map_err(|e| Error::Other(format!("cannot draw chart {name}: {e}")))?;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|_| root.present().map_err(err))
            .map_err(|e| Error::Other(format!("cannot draw chart {name} as SVG: {e}")))?;
    }
    Ok(Chart {
        name: name.to_string(),
        title: title.to_string(),
        png: encode_png(&pixels, w, h)?,
        svg,
    })
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let fail = |e: png::EncodingError| Error::Other(format!("cannot encode PNG: {e}"));
    let mut writer = enc.write_header().map_err(fail)?;
    writer.write_image_data(rgb).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

/// Title at the top, stamp at the bottom right; returns the area between.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    stamp: &str,
) -> std::result::Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let title_style = (FONT, TITLE_SIZE)
        .into_font()
        .style(FontStyle::Bold)
        .color(&INK);
    root.draw_text(title, &title_style, (24, 14)).map_err(err)?;
    // Long subtitles shrink to fit the page rather than run off it.
    let mut size = LABEL_SIZE;
    let mut sub_style = (FONT, size).into_font().color(&RGBColor(80, 80, 80));
    while size > 14.0
        && root
            .estimate_text_size(subtitle, &sub_style)
            .map_err(err)?
            .0
            + 48
            > w
    {
        size -= 1.0;
        sub_style = (FONT, size).into_font().color(&RGBColor(80, 80, 80));
    }
    root.draw_text(subtitle, &sub_style, (24, 62))
        .map_err(err)?;
    let stamp_style = (FONT, SMALL_SIZE)
        .into_font()
        .color(&RGBColor(100, 100, 100))
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Bottom,
        ));
    root.draw_text(stamp, &stamp_style, (w as i32 - 16, h as i32 - 8))
        .map_err(err)?;
    Ok(root.margin(100, 34, 10, 10))
}

/// A row (or rows) of coloured legend items across the top of `area`;
/// returns the area below it. Legends never sit on top of data.
pub fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, RGBColor)],
    size: f64,
) -> std::result::Result<DrawingArea<DB, Shift>, String> {
    let height = legend_layout(area, items, size, true)?;
    Ok(area.margin(height, 0, 0, 0))
}

/// Height in pixels the legend items take across `area` (0 without items).
pub fn legend_height<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, RGBColor)],
    size: f64,
) -> std::result::Result<u32, String> {
    legend_layout(area, items, size, false)
}

/// Lay the items out in rows, drawing them if asked; returns the height used.
fn legend_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, RGBColor)],
    size: f64,
    draw: bool,
) -> std::result::Result<u32, String> {
    if items.is_empty() {
        return Ok(0);
    }
    let (w, _) = area.dim_in_pixel();
    let row_height = (size * 1.45) as i32;
    let (mut x, mut y) = (8i32, 4i32);
    for (label, colour) in items {
        let style = (FONT, size).into_font().color(colour);
        let text_w = area.estimate_text_size(label, &style).map_err(err)?.0 as i32;
        let item_w = 40 + text_w + 24;
        if x > 8 && x + item_w > w as i32 {
            x = 8;
            y += row_height;
        }
        if draw {
            let mid = y + row_height / 2 - 2;
            area.draw(&PathElement::new(
                vec![(x, mid), (x + 32, mid)],
                colour.stroke_width(6),
            ))
            .map_err(err)?;
            area.draw_text(
                label,
                &style,
                (x + 40, y + (row_height - size as i32) / 2 - 2),
            )
            .map_err(err)?;
        }
        x += item_w;
    }
    Ok((y + row_height + 4) as u32)
}

/// Grid shape for n panels: as square as a 16:10 page allows.
pub fn grid(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (1, 1),
        2 => (1, 2),
        3 => (1, 3),
        4 => (2, 2),
        5 | 6 => (2, 3),
        7 | 8 => (2, 4),
        9 => (3, 3),
        _ => {
            let cols = (n as f64 * 1.6).sqrt().ceil() as usize;
            (n.div_ceil(cols), cols)
        }
    }
}

/// Render chart specs in parallel; the order of the result is the order of the specs.
pub fn render_all(specs: &[Spec]) -> Result<Vec<Chart>> {
    use rayon::prelude::*;
    specs
        .par_iter()
        .map(|(name, title, spec)| render(name, title, spec))
        .collect()
}
