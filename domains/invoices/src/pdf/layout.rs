//! Page layout without a PDF: text measured with the embedded font's
//! advance widths, wrapped to columns, and split into A4 pages. The result
//! is a list of drawing operations per page, so pagination is tested
//! without rendering.

use std::sync::LazyLock;

/// A4 width in points (1/72 inch).
pub const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
pub const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margin.
pub const MARGIN: f32 = 50.0;
/// Where the content of a page starts (top margin).
pub const TOP: f32 = 60.0;
/// Where content stops, above the page footer.
pub const BOTTOM: f32 = PAGE_HEIGHT - 70.0;

/// The embedded regular face: DejaVu Sans (Latin, Greek, Cyrillic and more;
/// Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`).
pub static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The embedded bold face.
pub static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

struct Metrics {
    face: ttf_parser::Face<'static>,
}

impl Metrics {
    fn parse(data: &'static [u8]) -> Option<Self> {
        ttf_parser::Face::parse(data, 0).ok().map(|face| Self { face })
    }

    /// Width of `text` at `size` points; characters the font lacks count
    /// as its missing-glyph box.
    fn width(&self, text: &str, size: f32) -> f32 {
        let per_unit = size / f32::from(self.face.units_per_em());
        let notdef = self.face.glyph_hor_advance(ttf_parser::GlyphId(0)).unwrap_or(0);
        let units: u32 = text
            .chars()
            .map(|c| {
                let glyph = self.face.glyph_index(c);
                u32::from(glyph.and_then(|g| self.face.glyph_hor_advance(g)).unwrap_or(notdef))
            })
            .sum();
        units as f32 * per_unit
    }
}

static REGULAR_METRICS: LazyLock<Option<Metrics>> = LazyLock::new(|| Metrics::parse(REGULAR));
static BOLD_METRICS: LazyLock<Option<Metrics>> = LazyLock::new(|| Metrics::parse(BOLD));

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

/// Width of `text` in `weight` at `size` points.
pub fn text_width(text: &str, weight: Weight, size: f32) -> f32 {
    let metrics = match weight {
        Weight::Regular => &*REGULAR_METRICS,
        Weight::Bold => &*BOLD_METRICS,
    };
    // The faces are compiled in and parse; the fallback only keeps a
    // broken build from panicking: an average glyph of half an em.
    metrics.as_ref().map_or(text.chars().count() as f32 * size * 0.5, |m| m.width(text, size))
}

/// `text` broken into lines no wider than `width`: at spaces where it can,
/// inside a word only when the word alone is too wide; explicit line
/// breaks are kept.
pub fn wrap(text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if text_width(&candidate, weight, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone: break it where it overflows.
            for c in word.chars() {
                let mut next = line.clone();
                next.push(c);
                if !line.is_empty() && text_width(&next, weight, size) > width {
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                } else {
                    line = next;
                }
            }
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Where a text's x coordinate is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    /// x is the text's left edge.
    Left,
    /// x is the text's right edge.
    Right,
}

/// One drawing operation; y grows downwards from the page's top edge.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A line of text on its baseline.
    Text {
        /// Left edge.
        x: f32,
        /// Baseline.
        y: f32,
        /// Points.
        size: f32,
        /// Regular or bold.
        weight: Weight,
        /// The text.
        text: String,
    },
    /// A horizontal rule.
    Rule {
        /// From.
        x1: f32,
        /// To.
        x2: f32,
        /// At.
        y: f32,
    },
}

/// Pages being filled top to bottom.
#[derive(Debug)]
pub struct Pages {
    /// Finished pages and the current one (last).
    pub pages: Vec<Vec<Op>>,
    /// The current page's next free y.
    pub y: f32,
    /// Drawn at the top of every page after the first (table headings).
    pub repeat: Vec<Op>,
    repeat_height: f32,
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

impl Pages {
    /// One empty page.
    pub fn new() -> Self {
        Self { pages: vec![Vec::new()], y: TOP, repeat: Vec::new(), repeat_height: 0.0 }
    }

    /// Text at (`x`, the current y + `dy`), not moving the cursor.
    pub fn text(&mut self, x: f32, dy: f32, align: Align, weight: Weight, size: f32, text: &str) {
        let x = match align {
            Align::Left => x,
            Align::Right => x - text_width(text, weight, size),
        };
        let y = self.y + dy;
        self.current().push(Op::Text { x, y, size, weight, text: text.to_owned() });
    }

    /// A rule across `x1..x2` at the current y + `dy`.
    pub fn rule(&mut self, x1: f32, x2: f32, dy: f32) {
        let y = self.y + dy;
        self.current().push(Op::Rule { x1, x2, y });
    }

    /// Moves the cursor down by `height`.
    pub fn advance(&mut self, height: f32) {
        self.y += height;
    }

    /// Makes sure `height` fits on the current page; starts a new page
    /// (with the repeated headings) when it does not.
    pub fn reserve(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP + self.repeat_height {
            self.pages.push(Vec::new());
            self.y = TOP;
            let repeat = self.repeat.clone();
            self.current().extend(repeat);
            self.y += self.repeat_height;
        }
    }

    /// From now on, `ops` (drawn relative to `TOP`) open every new page,
    /// taking `height`.
    pub fn repeat_on_new_pages(&mut self, ops: Vec<Op>, height: f32) {
        self.repeat = ops;
        self.repeat_height = height;
    }

    fn current(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_fonts_measure_text() {
        let narrow = text_width("iiii", Weight::Regular, 10.0);
        let wide = text_width("WWWW", Weight::Regular, 10.0);
        assert!(narrow > 0.0 && wide > narrow * 2.0, "{narrow} {wide}");
        assert!(text_width("Total", Weight::Bold, 10.0) > text_width("Total", Weight::Regular, 10.0));
        assert!(text_width("Иван Ελένη", Weight::Regular, 10.0) > 0.0, "Cyrillic and Greek have glyphs");
    }

    #[test]
    fn wrapping_keeps_words_whole_unless_one_is_too_wide() {
        let lines = wrap("one two three four five six seven", Weight::Regular, 10.0, 60.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l, Weight::Regular, 10.0) <= 60.0), "{lines:?}");
        assert_eq!(lines.join(" "), "one two three four five six seven");
        let long = wrap(&"x".repeat(100), Weight::Regular, 10.0, 60.0);
        assert!(long.len() > 1 && long.concat() == "x".repeat(100), "{long:?}");
        assert_eq!(wrap("a\nb", Weight::Regular, 10.0, 300.0), ["a", "b"]);
        assert_eq!(wrap("", Weight::Regular, 10.0, 300.0), [""]);
    }

    #[test]
    fn a_full_page_continues_on_the_next_with_the_headings() {
        let mut pages = Pages::new();
        pages.repeat_on_new_pages(vec![Op::Rule { x1: 0.0, x2: 1.0, y: TOP }], 20.0);
        for _ in 0..100 {
            pages.reserve(14.0);
            pages.text(MARGIN, 0.0, Align::Left, Weight::Regular, 9.0, "line");
            pages.advance(14.0);
        }
        assert!(pages.pages.len() > 1);
        assert!(pages.pages[1..].iter().all(|p| p[0] == Op::Rule { x1: 0.0, x2: 1.0, y: TOP }));
        let texts = pages.pages.iter().flatten().filter(|op| matches!(op, Op::Text { .. })).count();
        assert_eq!(texts, 100, "nothing is lost between pages");
        let lowest = pages.pages.iter().flatten().map(|op| match op {
            Op::Text { y, .. } | Op::Rule { y, .. } => *y,
        });
        assert!(lowest.fold(0.0, f32::max) <= BOTTOM);
    }
}
