//! Thumbnails made in memory bounded independently of the image's pixel count.
//!
//! A full decode of a 40-megapixel upload costs 120–160 MB however small the file is, so
//! the thumbnail job does not decode whole images where it can avoid it:
//! - PNG is decoded row by row and area-averaged on the fly into the thumbnail (memory: the
//!   thumbnail's accumulators plus a few source rows). Interlaced (Adam7) PNGs are handled the
//!   same way: every pass row is added to the cells its pixels fall in.
//! - Baseline JPEG is decoded at 1/2, 1/4 or 1/8 size by DCT scaling (`jpeg-decoder`), then
//!   resized. Progressive JPEG keeps every DCT coefficient of the image while it decodes (two
//!   bytes a sample), so it gets the fixed budget below like the other formats: up to about
//!   22 megapixels with 4:2:0 chroma, 11 without.
//! - Other formats (WebP, GIF) are decoded whole within [`FULL_DECODE_BUDGET`]; a larger one
//!   gets no thumbnail (the original is still served).

use std::io::Cursor;

use anyhow::{Context, bail, ensure};
use image::{DynamicImage, ImageBuffer, ImageFormat};
use jpeg_decoder::{CodingProcess, PixelFormat};

/// Most memory a decoder that must hold the whole image may allocate.
pub const FULL_DECODE_BUDGET: u64 = 64 * 1024 * 1024;

/// Widest PNG decoded: its row buffers (up to 8 bytes a pixel for 16-bit RGBA, a few rows)
/// are the one part of the streaming decode that grows with the image.
const MAX_PNG_WIDTH: u32 = 1 << 20;

/// Makes the PNG thumbnail of an image (PNG, JPEG, WebP or GIF, sniffed from the bytes): the
/// longer side becomes `max_side` with the aspect kept, and a smaller image keeps its size.
/// Images over `max_pixels` (from their header) are refused before any decoding.
pub fn png_thumbnail(bytes: &[u8], max_side: u32, max_pixels: u64) -> anyhow::Result<Vec<u8>> {
    ensure!(max_side > 0, "the thumbnail size must be positive");
    let img = match image::guess_format(bytes).context("not a known image format")? {
        ImageFormat::Png => png_scaled(bytes, max_side, max_pixels)?,
        ImageFormat::Jpeg => jpeg_scaled(bytes, max_side, max_pixels)?,
        format => full_decode(bytes, format, max_side, max_pixels)?,
    };
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}

/// The thumbnail size of a `w`×`h` image: the longer side becomes `max_side` (the shorter one
/// rounded, at least 1); an image that already fits keeps its size.
pub fn target_size(w: u32, h: u32, max_side: u32) -> (u32, u32) {
    if w <= max_side && h <= max_side {
        return (w, h);
    }
    let short_side = |short: u32, long: u32| {
        let s = (u64::from(short) * u64::from(max_side) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(s).unwrap_or(max_side).clamp(1, max_side)
    };
    if w >= h { (max_side, short_side(h, w)) } else { (short_side(w, h), max_side) }
}

fn check_pixels(w: u32, h: u32, max_pixels: u64) -> anyhow::Result<()> {
    ensure!(w > 0 && h > 0, "the image has no pixels");
    ensure!(u64::from(w) * u64::from(h) <= max_pixels, "the image ({w}x{h}) is over {max_pixels} pixels");
    Ok(())
}

/// `v * to / from`, as an index (`v < from` gives a result `< to`).
fn scale_index(v: u32, to: u32, from: u32) -> usize {
    (u64::from(v) * u64::from(to) / u64::from(from)) as usize
}

fn png_scaled(bytes: &[u8], max_side: u32, max_pixels: u64) -> anyhow::Result<DynamicImage> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    // 8-bit gray, gray+alpha, RGB or RGBA whatever the source: palettes, low bit depths and
    // tRNS are expanded, 16-bit samples keep their high byte.
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    // The thumbnail uses neither, so their memory is saved.
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    let mut reader = decoder.read_info()?;
    let (w, h, interlaced) = (reader.info().width, reader.info().height, reader.info().interlaced);
    check_pixels(w, h, max_pixels)?;
    ensure!(w <= MAX_PNG_WIDTH, "the PNG is wider than {MAX_PNG_WIDTH} pixels");
    let channels = match reader.output_color_type() {
        (png::ColorType::Grayscale, png::BitDepth::Eight) => 1,
        (png::ColorType::GrayscaleAlpha, png::BitDepth::Eight) => 2,
        (png::ColorType::Rgb, png::BitDepth::Eight) => 3,
        (png::ColorType::Rgba, png::BitDepth::Eight) => 4,
        other => bail!("unexpected decoded PNG layout {other:?}"),
    };
    let (tw, th) = target_size(w, h, max_side);
    let mut acc = AreaAverage::new(w, h, tw, th, channels);
    let mut rows = RowOrder::new(w, h, interlaced);
    while let Some(row) = reader.next_row()? {
        let (y, x0, step) = rows.next().context("the PNG has more rows than its header says")?;
        acc.add_row(row.data(), y, x0, step);
    }
    ensure!(rows.next().is_none(), "the PNG ended early");
    acc.finish()
}

/// Adam7 passes as (x step, first x, y step, first y), in file order.
const ADAM7: [(u32, u32, u32, u32); 7] =
    [(8, 0, 8, 0), (8, 4, 8, 0), (4, 0, 8, 4), (4, 2, 4, 0), (2, 0, 4, 2), (2, 1, 2, 0), (1, 0, 2, 1)];
/// A non-interlaced image: one pass over every pixel.
const SEQUENTIAL: [(u32, u32, u32, u32); 1] = [(1, 0, 1, 0)];

/// Where each row `png` returns lies in the image, as (y, first x, x step). The crate does
/// not expose the pass of an Adam7 row, so its order is replayed here: passes 1 to 7, each
/// top to bottom, skipping the passes that are empty for a small image (as `png` does).
struct RowOrder {
    passes: &'static [(u32, u32, u32, u32)],
    w: u32,
    h: u32,
    pass: usize,
    line: u32,
}

impl RowOrder {
    fn new(w: u32, h: u32, interlaced: bool) -> Self {
        let passes: &'static [_] = if interlaced { &ADAM7 } else { &SEQUENTIAL };
        Self { passes, w, h, pass: 0, line: 0 }
    }
}

impl Iterator for RowOrder {
    type Item = (u32, u32, u32);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let &(x_step, x0, y_step, y0) = self.passes.get(self.pass)?;
            let samples = self.w.saturating_sub(x0).div_ceil(x_step);
            let lines = self.h.saturating_sub(y0).div_ceil(y_step);
            if samples > 0 && self.line < lines {
                let y = self.line * y_step + y0;
                self.line += 1;
                return Some((y, x0, x_step));
            }
            self.pass += 1;
            self.line = 0;
        }
    }
}

/// Gray+alpha and RGBA: the decoded layouts with an alpha channel (the last one).
fn has_alpha(channels: usize) -> bool {
    matches!(channels, 2 | 4)
}

/// Box-filter downscaling: each source pixel is added to the thumbnail cell it falls in.
/// Accumulators cover the whole thumbnail (not one row of it) so that Adam7 passes, which
/// revisit every part of the image, need nothing more: about 36 bytes a thumbnail pixel.
struct AreaAverage {
    w: u32,
    h: u32,
    tw: u32,
    th: u32,
    channels: usize,
    /// Channel sums per cell; with alpha, colours are weighted by it so that transparent
    /// pixels (whose colour is arbitrary) do not tint their neighbours.
    sums: Vec<u64>,
    counts: Vec<u32>,
}

impl AreaAverage {
    fn new(w: u32, h: u32, tw: u32, th: u32, channels: usize) -> Self {
        let cells = tw as usize * th as usize;
        Self { w, h, tw, th, channels, sums: vec![0; cells * channels], counts: vec![0; cells] }
    }

    /// Adds source row `y` whose pixels are at x = `x0`, `x0 + step`, …
    fn add_row(&mut self, data: &[u8], y: u32, x0: u32, step: u32) {
        if y >= self.h {
            return;
        }
        let row_cell = scale_index(y, self.th, self.h) * self.tw as usize;
        // The first x of the next cell, ceil((tx + 1) · w / tw): moving the cell when x passes
        // it avoids a division per pixel.
        let cell_end = |tx: usize| (((tx as u64 + 1) * u64::from(self.w)).div_ceil(u64::from(self.tw))) as u32;
        let mut tx = scale_index(x0, self.tw, self.w);
        let mut end = cell_end(tx);
        let ch = self.channels;
        let alpha = has_alpha(ch);
        for (i, px) in data.chunks_exact(ch).enumerate() {
            let x = x0 + i as u32 * step;
            if x >= self.w {
                break;
            }
            while x >= end {
                tx += 1;
                end = cell_end(tx);
            }
            let cell = row_cell + tx;
            let Some(sums) = self.sums.get_mut(cell * ch..(cell + 1) * ch) else { return };
            if alpha {
                let a = u64::from(px[ch - 1]);
                for (s, &v) in sums.iter_mut().zip(&px[..ch - 1]) {
                    *s += u64::from(v) * a;
                }
                sums[ch - 1] += a;
            } else {
                for (s, &v) in sums.iter_mut().zip(px) {
                    *s += u64::from(v);
                }
            }
            self.counts[cell] += 1;
        }
    }

    fn finish(self) -> anyhow::Result<DynamicImage> {
        let ch = self.channels;
        let mut out = Vec::with_capacity(self.sums.len());
        for (sums, &n) in self.sums.chunks_exact(ch).zip(&self.counts) {
            let n = u64::from(n.max(1));
            let avg = |s: u64, d: u64| (s + d / 2).checked_div(d).map_or(0, |v| v.min(255) as u8);
            if has_alpha(ch) {
                let a = sums[ch - 1];
                out.extend(sums[..ch - 1].iter().map(|&s| avg(s, a)));
                out.push(avg(a, n));
            } else {
                out.extend(sums.iter().map(|&s| avg(s, n)));
            }
        }
        let (tw, th) = (self.tw, self.th);
        let img = match ch {
            1 => ImageBuffer::from_raw(tw, th, out).map(DynamicImage::ImageLuma8),
            2 => ImageBuffer::from_raw(tw, th, out).map(DynamicImage::ImageLumaA8),
            3 => ImageBuffer::from_raw(tw, th, out).map(DynamicImage::ImageRgb8),
            _ => ImageBuffer::from_raw(tw, th, out).map(DynamicImage::ImageRgba8),
        };
        img.context("thumbnail buffer of the wrong size")
    }
}

fn jpeg_scaled(bytes: &[u8], max_side: u32, max_pixels: u64) -> anyhow::Result<DynamicImage> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info()?;
    let info = decoder.info().context("the JPEG has no frame header")?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    check_pixels(w, h, max_pixels)?;
    match info.coding_process {
        CodingProcess::DctSequential => {}
        CodingProcess::DctProgressive => {
            let need = jpeg_coefficient_bytes(bytes).context("the JPEG frame header is unreadable")?;
            ensure!(
                need <= FULL_DECODE_BUDGET,
                "the progressive JPEG needs {} MiB to decode, over the budget",
                need >> 20
            );
        }
        CodingProcess::Lossless => bail!("lossless JPEG is not supported"),
    }
    let (tw, th) = target_size(w, h, max_side);
    // The decoder picks the smallest of 1/8, 1/4, 1/2 and 1 that still covers the request.
    let (sw, sh) = decoder.scale(u16::try_from(tw).unwrap_or(u16::MAX), u16::try_from(th).unwrap_or(u16::MAX))?;
    decoder.set_max_decoding_buffer_size(FULL_DECODE_BUDGET as usize);
    let pixels = decoder.decode()?;
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let img = match info.pixel_format {
        PixelFormat::L8 => ImageBuffer::from_raw(sw, sh, pixels).map(DynamicImage::ImageLuma8),
        PixelFormat::L16 => {
            let samples = pixels.chunks_exact(2).map(|s| u16::from_ne_bytes([s[0], s[1]])).collect();
            ImageBuffer::from_raw(sw, sh, samples).map(DynamicImage::ImageLuma16)
        }
        PixelFormat::RGB24 => ImageBuffer::from_raw(sw, sh, pixels).map(DynamicImage::ImageRgb8),
        PixelFormat::CMYK32 => ImageBuffer::from_raw(sw, sh, cmyk_to_rgb(&pixels)).map(DynamicImage::ImageRgb8),
    };
    let img = img.context("the decoded JPEG has the wrong size")?;
    Ok(if (sw, sh) == (tw, th) { img } else { img.thumbnail_exact(tw, th) })
}

/// `jpeg-decoder` returns Adobe CMYK already inverted; converted as `image` 0.24 did.
fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - u16::from(p[3]);
            [0, 1, 2].map(|i| ((255 - u16::from(p[i])) * k / 255) as u8)
        })
        .collect()
}

/// The memory `jpeg-decoder` holds for the DCT coefficients of a progressive JPEG (two bytes
/// for each of the 64 coefficients of every block of every component), read from the frame
/// header: with chroma subsampling it is well below three samples a pixel.
fn jpeg_coefficient_bytes(bytes: &[u8]) -> Option<u64> {
    let mut i = 2; // after SOI
    loop {
        if *bytes.get(i)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(i + 1)?;
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        let be16 = |at: usize| Some(u64::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?])));
        let len = be16(i + 2)? as usize;
        // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC) which share the range.
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let (h, w) = (be16(i + 5)?, be16(i + 7)?);
            let n = usize::from(*bytes.get(i + 9)?);
            let comps = bytes.get(i + 10..i + 10 + 3 * n)?;
            let factors: Vec<(u64, u64)> =
                comps.chunks_exact(3).map(|c| (u64::from(c[1] >> 4), u64::from(c[1] & 15))).collect();
            let h_max = factors.iter().map(|f| f.0).max()?.max(1);
            let v_max = factors.iter().map(|f| f.1).max()?.max(1);
            let (mcu_x, mcu_y) = (w.div_ceil(8 * h_max), h.div_ceil(8 * v_max));
            return Some(factors.iter().map(|(hs, vs)| mcu_x * hs * mcu_y * vs * 128).sum());
        }
        i += 2 + len;
    }
}

fn full_decode(bytes: &[u8], format: ImageFormat, max_side: u32, max_pixels: u64) -> anyhow::Result<DynamicImage> {
    let (w, h) = image::ImageReader::with_format(Cursor::new(bytes), format).into_dimensions()?;
    check_pixels(w, h, max_pixels)?;
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(FULL_DECODE_BUDGET);
    reader.limits(limits);
    let img = reader.decode()?;
    let (tw, th) = target_size(w, h, max_side);
    Ok(if (tw, th) == (w, h) { img } else { img.thumbnail_exact(tw, th) })
}

#[cfg(test)]
mod tests;
