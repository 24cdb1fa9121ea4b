//! Tests of the bounded-memory thumbnails: sizes, colours, every PNG layout, JPEG, GIF, WebP,
//! and bad input; plus an ignored peak-memory measurement.
use super::*;
use image::{Luma, Rgb, RgbImage, Rgba, RgbaImage};

const RED: [u8; 4] = [255, 0, 0, 255];
const BLUE: [u8; 4] = [0, 0, 255, 255];

/// Left half red, right half blue.
fn halves(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, _| if x < w / 2 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) })
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// The thumbnail (longer side 256), decoded back as RGBA.
fn thumb(bytes: &[u8]) -> RgbaImage {
    let png = png_thumbnail(bytes, 256, 40_000_000).unwrap();
    assert_eq!(image::guess_format(&png).unwrap(), ImageFormat::Png);
    image::load_from_memory(&png).unwrap().to_rgba8()
}

/// Checks the size and the colours near the left and right edges of the middle row.
fn check(t: &RgbaImage, size: (u32, u32), left: [u8; 4], right: [u8; 4], tol: u8) {
    assert_eq!(t.dimensions(), size);
    let y = t.height() / 2;
    for (x, want) in [(1, left), (t.width() - 2, right)] {
        let got = t.get_pixel(x, y).0;
        assert!(got.iter().zip(want).all(|(a, b)| a.abs_diff(b) <= tol), "at x={x}: {got:?}, want {want:?}");
    }
}

#[test]
fn thumbnail_png_rgb_rgba_gray_16bit() {
    let rgb = DynamicImage::ImageRgb8(halves(600, 300));
    check(&thumb(&encode(&rgb, ImageFormat::Png)), (256, 128), RED, BLUE, 0);
    let rgba = RgbaImage::from_fn(600, 300, |x, _| if x < 300 { Rgba(RED) } else { Rgba([0, 0, 255, 128]) });
    check(&thumb(&encode(&rgba.into(), ImageFormat::Png)), (256, 128), RED, [0, 0, 255, 128], 1);
    let gray = image::GrayImage::from_fn(600, 300, |x, _| Luma([if x < 300 { 40 } else { 200 }]));
    check(&thumb(&encode(&gray.into(), ImageFormat::Png)), (256, 128), [40, 40, 40, 255], [200, 200, 200, 255], 0);
    let rgb16 = DynamicImage::ImageRgb16(rgb.to_rgb16());
    check(&thumb(&encode(&rgb16, ImageFormat::Png)), (256, 128), RED, BLUE, 0);
}

#[test]
fn thumbnail_png_transparent_pixels_do_not_tint() {
    // Transparent green pixels mixed with opaque red: the colour stays red.
    let img = RgbaImage::from_fn(512, 512, |x, _| if x % 2 == 0 { Rgba(RED) } else { Rgba([0, 255, 0, 0]) });
    check(&thumb(&encode(&img.into(), ImageFormat::Png)), (256, 256), [255, 0, 0, 128], [255, 0, 0, 128], 1);
}

#[test]
fn thumbnail_png_palette_with_transparency() {
    let (w, h) = (400, 200);
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Indexed);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_palette(vec![255, 0, 0, 0, 0, 255]);
    enc.set_trns(vec![255, 255]);
    let data: Vec<u8> = (0..w * h).map(|i| u8::from(i % w >= w / 2)).collect();
    enc.write_header().unwrap().write_image_data(&data).unwrap();
    check(&thumb(&out), (256, 128), RED, BLUE, 0);
}

/// An Adam7 PNG written by hand (`png` does not interlace when encoding): the pass rows,
/// each with filter byte 0, deflated into one IDAT chunk.
fn interlaced_png(img: &RgbImage) -> Vec<u8> {
    let (w, h) = img.dimensions();
    let mut raw = Vec::new();
    for (y, x0, step) in RowOrder::new(w, h, true) {
        raw.push(0);
        for x in (x0..w).step_by(step as usize) {
            raw.extend_from_slice(&img.get_pixel(x, y).0);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut z, &raw).unwrap();
    let mut info = png::Info::with_size(w, h);
    info.color_type = png::ColorType::Rgb;
    info.bit_depth = png::BitDepth::Eight;
    info.interlaced = true;
    let mut out = Vec::new();
    let mut writer = png::Encoder::with_info(&mut out, info).unwrap().write_header().unwrap();
    writer.write_chunk(png::chunk::IDAT, &z.finish().unwrap()).unwrap();
    writer.finish().unwrap();
    out
}

#[test]
fn thumbnail_png_interlaced() {
    let img = halves(600, 300);
    let bytes = interlaced_png(&img);
    // The hand-made file decodes to the same image with `image`, so the rows are right.
    assert_eq!(image::load_from_memory(&bytes).unwrap().to_rgb8(), img);
    check(&thumb(&bytes), (256, 128), RED, BLUE, 0);
    // Small images skip empty Adam7 passes.
    for (w, h) in [(1, 1), (3, 2), (5, 9)] {
        let t = thumb(&interlaced_png(&halves(w, h)));
        assert_eq!(t.dimensions(), (w, h));
    }
}

#[test]
fn thumbnail_jpeg_scaled_and_gray() {
    let rgb = DynamicImage::ImageRgb8(halves(1600, 800));
    let jpeg = encode(&rgb, ImageFormat::Jpeg);
    check(&thumb(&jpeg), (256, 128), RED, BLUE, 40);
    let gray = image::GrayImage::from_fn(900, 1800, |_, y| Luma([if y < 900 { 30 } else { 220 }]));
    let t = thumb(&encode(&gray.into(), ImageFormat::Jpeg));
    assert_eq!(t.dimensions(), (128, 256));
    assert!(t.get_pixel(64, 2).0[0].abs_diff(30) < 10 && t.get_pixel(64, 253).0[0].abs_diff(220) < 10);
    // The frame-header reader agrees with the decoder's layout: 128 bytes a block.
    let need = jpeg_coefficient_bytes(&jpeg).unwrap();
    assert!((1600 * 800 * 3..=1616 * 816 * 6).contains(&need), "{need}");
}

#[test]
fn thumbnail_gif_and_webp() {
    let img = DynamicImage::ImageRgb8(halves(700, 350));
    check(&thumb(&encode(&img, ImageFormat::Gif)), (256, 128), RED, BLUE, 0);
    check(&thumb(&encode(&img, ImageFormat::WebP)), (256, 128), RED, BLUE, 0);
}

#[test]
fn thumbnail_keeps_aspect_of_tall_and_wide_images() {
    for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
        let tall = encode(&DynamicImage::ImageRgb8(halves(300, 1200)), format);
        assert_eq!(thumb(&tall).dimensions(), (64, 256), "{format:?}");
        let wide = encode(&DynamicImage::ImageRgb8(halves(2000, 100)), format);
        assert_eq!(thumb(&wide).dimensions(), (256, 13), "{format:?}");
    }
    assert_eq!(target_size(100_000, 1, 256), (256, 1));
    assert_eq!(target_size(257, 256, 256), (256, 255));
}

#[test]
fn thumbnail_never_upscales() {
    for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Gif, ImageFormat::WebP] {
        let small = encode(&DynamicImage::ImageRgb8(halves(100, 40)), format);
        check(&thumb(&small), (100, 40), RED, BLUE, if format == ImageFormat::Jpeg { 40 } else { 0 });
    }
}

#[test]
fn thumbnail_refuses_garbage_and_oversized_images() {
    let png = encode(&DynamicImage::ImageRgb8(halves(600, 300)), ImageFormat::Png);
    let jpeg = encode(&DynamicImage::ImageRgb8(halves(600, 300)), ImageFormat::Jpeg);
    let gif = encode(&DynamicImage::ImageRgb8(halves(600, 300)), ImageFormat::Gif);
    let mut noise = 0x2545_f491_u32;
    let garbage: Vec<u8> = (0..4096)
        .map(|_| {
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            noise as u8
        })
        .collect();
    let with_garbage = |head: &[u8]| [&head[..head.len().min(64)], &garbage[..]].concat();
    let inputs = [
        vec![],
        garbage.clone(),
        png[..png.len() / 2].to_vec(),
        jpeg[..jpeg.len() / 3].to_vec(),
        gif[..gif.len() / 2].to_vec(),
        with_garbage(&png),
        with_garbage(&jpeg),
        with_garbage(&gif),
    ];
    for bytes in &inputs {
        assert!(png_thumbnail(bytes, 256, 40_000_000).is_err(), "{} bytes", bytes.len());
    }
    for bytes in [&png, &jpeg, &gif] {
        assert!(png_thumbnail(bytes, 256, 600 * 300 - 1).is_err());
        assert!(png_thumbnail(bytes, 0, 40_000_000).is_err());
    }
}

/// Peak memory of one thumbnail, the old way (`ImageReader` full decode, then `thumbnail`)
/// or this module's; one case a process, as the peak RSS is the process's:
/// `THUMBNAIL_MEASURE=old:FILE cargo test --lib -- --ignored --exact --nocapture
/// service::thumbnail::tests::measure_peak_rss` (or `new:FILE`); `write:DIR` first writes
/// 40-megapixel PNG, Adam7 PNG and JPEG files there.
#[test]
#[ignore = "measurement, see its doc"]
fn measure_peak_rss() {
    let spec = std::env::var("THUMBNAIL_MEASURE").unwrap();
    let (way, path) = spec.split_once(':').unwrap();
    if way == "write" {
        let img = halves(8000, 5000);
        let dir = std::path::Path::new(path);
        std::fs::write(dir.join("40mpx.png"), encode(&img.clone().into(), ImageFormat::Png)).unwrap();
        std::fs::write(dir.join("40mpx.jpg"), encode(&img.clone().into(), ImageFormat::Jpeg)).unwrap();
        std::fs::write(dir.join("40mpx-adam7.png"), interlaced_png(&img)).unwrap();
        return;
    }
    let peak_mib = || {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap() / 1024.0
    };
    let bytes = std::fs::read(path).unwrap();
    let (before, start) = (peak_mib(), std::time::Instant::now());
    let png = if way == "old" {
        let mut reader = image::ImageReader::new(Cursor::new(&bytes)).with_guessed_format().unwrap();
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(40_000_000 * 4);
        reader.limits(limits);
        encode(&reader.decode().unwrap().thumbnail(256, 256), ImageFormat::Png)
    } else {
        png_thumbnail(&bytes, 256, 40_000_000).unwrap()
    };
    let (after, took) = (peak_mib(), start.elapsed());
    let size = image::load_from_memory(&png).unwrap().width();
    println!(
        "{path} ({} KiB), {way} way: peak RSS {before:.1} -> {after:.1} MiB, {took:?}, width {size}",
        bytes.len() >> 10
    );
}
