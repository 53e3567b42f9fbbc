//! Invoice PDFs: an invoice on A4 pages — the seller, the
//! customer, number and dates, the lines, the tax breakdown by rate, the
//! totals, what was paid and credited, the amount due, and the footer —
//! drawn with krilla (the library behind Typst's PDF export) in the
//! embedded DejaVu Sans, subset into the file. Text is real text: it can be
//! searched, copied and extracted. A draft prints as a preview titled
//! "Draft invoice", without number or dates, so it is never mistaken for
//! an issued invoice.
//!
//! Pure and CPU-bound (a few milliseconds for a page): the API runs it on
//! the blocking pool.

mod layout;

use gremlin_kernel::pricing::Discount;
use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use rust_decimal::Decimal;

use crate::model::{Invoice, InvoiceStatus, Seller};
use layout::{Align, BOLD, MARGIN, Op, PAGE_HEIGHT, PAGE_WIDTH, Pages, REGULAR, TOP, Weight, wrap};

/// Why no PDF was made: the PDF library failed.
#[derive(Debug, thiserror::Error)]
#[error("rendering the PDF failed: {0}")]
pub struct PdfError(String);

/// Right edge of the content.
const RIGHT: f32 = PAGE_WIDTH - MARGIN;
/// Width of the description column.
const DESCRIPTION_WIDTH: f32 = 215.0;
/// Right edges of the number columns: quantity, unit price, tax, amount.
const QUANTITY_X: f32 = 330.0;
const UNIT_PRICE_X: f32 = 405.0;
const TAX_X: f32 = 450.0;
const AMOUNT_X: f32 = RIGHT;
/// Where the labels of the totals start.
const TOTALS_LABEL_X: f32 = 330.0;
/// Body text size and line height.
const SIZE: f32 = 9.0;
const LEADING: f32 = 12.5;

/// The PDF of `invoice`, issued by `seller`.
pub fn render(invoice: &Invoice, seller: &Seller) -> Result<Vec<u8>, PdfError> {
    let pages = lay_out(invoice, seller);
    draw(&pages, invoice.number.as_deref().unwrap_or(DRAFT), seller)
}

/// What a draft is called where an invoice shows its number.
const DRAFT: &str = "Draft";

/// An amount in the invoice's currency, at its minor units (`1234.50`).
fn money(invoice: &Invoice, amount: Decimal) -> String {
    let places = invoice.currency.minor_units();
    format!("{:.*} {}", places as usize, amount.round_dp(places), invoice.currency.code())
}

/// A percentage without trailing zeros (`20 %`, `7.5 %`).
fn percent(rate: Decimal) -> String {
    format!("{} %", rate.normalize())
}

fn lay_out(invoice: &Invoice, seller: &Seller) -> Pages {
    let mut p = Pages::new();
    header(&mut p, invoice, seller);
    parties(&mut p, invoice);
    lines(&mut p, invoice);
    totals(&mut p, invoice);
    if let Some(footer) = invoice.footer.as_deref().filter(|f| !f.trim().is_empty()) {
        p.advance(LEADING);
        for line in wrap(footer, Weight::Regular, 8.0, RIGHT - MARGIN) {
            p.reserve(11.0);
            p.text(MARGIN, 0.0, Align::Left, Weight::Regular, 8.0, &line);
            p.advance(11.0);
        }
    }
    p
}

/// The seller on the left, the title, number and dates on the right.
fn header(p: &mut Pages, invoice: &Invoice, seller: &Seller) {
    let title = match invoice.status {
        InvoiceStatus::Draft => "Draft invoice",
        InvoiceStatus::Void => "Invoice (void)",
        _ => "Invoice",
    };
    p.text(RIGHT, 0.0, Align::Right, Weight::Bold, 20.0, title);
    let mut left = Vec::new();
    if !seller.name.is_empty() {
        left.push((Weight::Bold, 12.0, seller.name.clone()));
    }
    left.extend(seller.address.iter().map(|l| (Weight::Regular, SIZE, l.clone())));
    if let Some(tax_id) = &seller.tax_id {
        left.push((Weight::Regular, SIZE, format!("Tax ID: {tax_id}")));
    }
    if let Some(email) = &seller.email {
        left.push((Weight::Regular, SIZE, email.clone()));
    }
    let mut right = vec![("Number", invoice.number.clone().unwrap_or_else(|| DRAFT.to_owned()))];
    if let Some(issued) = invoice.issue_date {
        right.push(("Issue date", issued.to_string()));
    }
    if let Some(due) = invoice.due_date {
        right.push(("Due date", due.to_string()));
    }
    if matches!(invoice.status, InvoiceStatus::Paid | InvoiceStatus::Uncollectible | InvoiceStatus::Void) {
        right.push(("Status", invoice.status.as_str().replace('_', " ")));
    }
    let start = p.y;
    for (weight, size, text) in &left {
        let text = wrap(text, *weight, *size, 260.0).into_iter().next().unwrap_or_default();
        p.text(MARGIN, 0.0, Align::Left, *weight, *size, &text);
        p.advance(LEADING + (size - SIZE));
    }
    let left_end = p.y;
    p.y = start + 28.0;
    for (label, value) in &right {
        p.text(TOTALS_LABEL_X + 40.0, 0.0, Align::Left, Weight::Regular, SIZE, label);
        p.text(RIGHT, 0.0, Align::Right, Weight::Regular, SIZE, value);
        p.advance(LEADING);
    }
    p.y = p.y.max(left_end) + LEADING;
}

/// The customer and the memo.
fn parties(p: &mut Pages, invoice: &Invoice) {
    p.text(MARGIN, 0.0, Align::Left, Weight::Bold, SIZE, "Bill to");
    p.advance(LEADING);
    let customer = &invoice.customer;
    p.text(MARGIN, 0.0, Align::Left, Weight::Regular, 10.0, &customer.name);
    p.advance(LEADING + 1.0);
    for line in customer.address.iter().chain(customer.email.iter()) {
        p.text(MARGIN, 0.0, Align::Left, Weight::Regular, SIZE, line);
        p.advance(LEADING);
    }
    if let Some(memo) = invoice.memo.as_deref().filter(|m| !m.trim().is_empty()) {
        p.advance(LEADING / 2.0);
        for line in wrap(memo, Weight::Regular, SIZE, RIGHT - MARGIN) {
            p.reserve(LEADING);
            p.text(MARGIN, 0.0, Align::Left, Weight::Regular, SIZE, &line);
            p.advance(LEADING);
        }
    }
    p.advance(LEADING);
}

/// The table headings, as drawn at `y`.
fn headings(y: f32) -> Vec<Op> {
    let mut p = Pages::new();
    p.y = y;
    for (x, align, text) in [
        (MARGIN, Align::Left, "Description"),
        (QUANTITY_X, Align::Right, "Qty"),
        (UNIT_PRICE_X, Align::Right, "Unit price"),
        (TAX_X, Align::Right, "Tax"),
        (AMOUNT_X, Align::Right, "Amount"),
    ] {
        p.text(x, 0.0, align, Weight::Bold, SIZE, text);
    }
    p.rule(MARGIN, RIGHT, 4.0);
    p.pages.pop().unwrap_or_default()
}

/// The lines: description (wrapped), quantity, unit price, tax rate and
/// net amount, with the discount under the description.
fn lines(p: &mut Pages, invoice: &Invoice) {
    let heading_height = LEADING + 4.0;
    p.reserve(heading_height + 2.0 * LEADING);
    let ops = headings(p.y);
    if let Some(page) = p.pages.last_mut() {
        page.extend(ops);
    }
    p.repeat_on_new_pages(headings(TOP), heading_height);
    p.advance(heading_height);
    for line in &invoice.lines {
        let mut description = wrap(&line.description, Weight::Regular, SIZE, DESCRIPTION_WIDTH);
        if let Some(sku) = &line.sku {
            description.push(format!("SKU {sku}"));
        }
        if let Some(discount) = &line.discount {
            let text = match discount {
                Discount::Percent(rate) => format!("Discount {}", percent(*rate)),
                Discount::Amount(amount) => format!("Discount {}", money(invoice, *amount)),
            };
            description.push(text);
        }
        p.reserve(description.len() as f32 * LEADING + 2.0);
        p.text(QUANTITY_X, 0.0, Align::Right, Weight::Regular, SIZE, &line.quantity.normalize().to_string());
        p.text(UNIT_PRICE_X, 0.0, Align::Right, Weight::Regular, SIZE, &money(invoice, line.unit_price));
        p.text(TAX_X, 0.0, Align::Right, Weight::Regular, SIZE, &percent(line.tax_rate));
        p.text(AMOUNT_X, 0.0, Align::Right, Weight::Regular, SIZE, &money(invoice, line.totals.net));
        for (i, text) in description.iter().enumerate() {
            let (weight, size) = if i == 0 { (Weight::Regular, SIZE) } else { (Weight::Regular, 7.5) };
            p.text(MARGIN, 0.0, Align::Left, weight, size, text);
            p.advance(LEADING);
        }
        p.advance(2.0);
    }
    p.repeat_on_new_pages(Vec::new(), 0.0);
    p.rule(MARGIN, RIGHT, -LEADING + 4.0);
    p.advance(LEADING / 2.0);
}

/// Net, taxes by rate, total, paid, credited and due.
fn totals(p: &mut Pages, invoice: &Invoice) {
    let totals = &invoice.totals;
    let mut rows: Vec<(Weight, String, String)> = Vec::new();
    rows.push((Weight::Regular, "Subtotal".into(), money(invoice, totals.subtotal)));
    if !totals.discount.is_zero() {
        rows.push((Weight::Regular, "Discount".into(), money(invoice, -totals.discount)));
    }
    for tax in invoice.tax_breakdown() {
        let label = format!("Tax {} of {}", percent(tax.rate), money(invoice, tax.taxable));
        rows.push((Weight::Regular, label, money(invoice, tax.tax)));
    }
    rows.push((Weight::Bold, "Total".into(), money(invoice, totals.grand_total)));
    let paid = invoice.amount_paid();
    if !paid.is_zero() {
        rows.push((Weight::Regular, "Paid".into(), money(invoice, -paid)));
    }
    let credited = invoice.amount_credited();
    if !credited.is_zero() {
        rows.push((Weight::Regular, "Credited".into(), money(invoice, -credited)));
    }
    rows.push((Weight::Bold, "Amount due".into(), money(invoice, invoice.amount_due())));
    p.reserve(rows.len() as f32 * LEADING);
    for (weight, label, amount) in rows {
        if label == "Amount due" {
            p.rule(TOTALS_LABEL_X, RIGHT, -LEADING + 3.5);
        }
        p.text(TOTALS_LABEL_X, 0.0, Align::Left, weight, SIZE, &label);
        p.text(RIGHT, 0.0, Align::Right, weight, SIZE, &amount);
        p.advance(LEADING);
    }
}

/// Renders the laid-out pages with page numbers.
fn draw(pages: &Pages, number: &str, seller: &Seller) -> Result<Vec<u8>, PdfError> {
    let font = |data: &'static [u8]| {
        Font::new(data.into(), 0).ok_or_else(|| PdfError("the embedded font does not load".into()))
    };
    let (regular, bold) = (font(REGULAR)?, font(BOLD)?);
    let mut document = Document::new();
    let title = if number == DRAFT { "Draft invoice".to_owned() } else { format!("Invoice {number}") };
    let mut metadata = Metadata::new().title(title).creator("Gremlin".to_owned());
    if !seller.name.is_empty() {
        metadata = metadata.authors(vec![seller.name.clone()]);
    }
    document.set_metadata(metadata);
    let count = pages.pages.len();
    let settings = || PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| PdfError("page size".into()));
    for (index, ops) in pages.pages.iter().enumerate() {
        let mut page = document.start_page_with(settings()?);
        let mut surface = page.surface();
        let page_label = format!("{number} · page {} of {count}", index + 1);
        let footer = Op::Text {
            x: RIGHT - layout::text_width(&page_label, Weight::Regular, 7.5),
            y: PAGE_HEIGHT - 40.0,
            size: 7.5,
            weight: Weight::Regular,
            text: page_label,
        };
        for op in ops.iter().chain(std::iter::once(&footer)) {
            match op {
                Op::Text { x, y, size, weight, text } => {
                    let font = if *weight == Weight::Bold { bold.clone() } else { regular.clone() };
                    surface.draw_text(Point::from_xy(*x, *y), font, *size, text, false, TextDirection::Auto);
                }
                Op::Rule { x1, x2, y } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y);
                    path.line_to(*x2, *y);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke { width: 0.5, ..Stroke::default() }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill::default()));
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

#[cfg(test)]
mod tests;
