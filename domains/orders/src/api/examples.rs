//! The examples the spec shows for creating, reading and listing orders.
//! The order is priced by the model itself, so its amounts are the ones the
//! server would answer for the example request.

use gremlin_kernel::{Currency, OrganizationId, UserId};
use poem_openapi::types::Example;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use gremlin_kernel::pricing::{document_totals, line_totals};

use super::dto::{CreateOrderBody, CustomerDto, DiscountDto, DiscountKind, LineInputDto, OrderDto, OrderPage};
use crate::model::number::SERIES;
use crate::model::{Customer, LineInput, Order, OrderId, OrderLine, OrderNumber, OrderStatus, PaymentStatus};

fn create_body() -> CreateOrderBody {
    CreateOrderBody {
        currency: Currency::EUR.code().into(),
        customer: Some(CustomerDto {
            contact_id: None,
            name: Some("Acme Buyer".into()),
            email: Some("buyer@example.com".into()),
        }),
        notes: Some("Deliver before noon.".into()),
        metadata: Default::default(),
        lines: vec![LineInputDto {
            sku: "WIDGET-1".into(),
            description: "Widget".into(),
            quantity: Decimal::new(3, 0),
            unit_price: Decimal::new(1999, 2),
            discount: Some(DiscountDto { kind: DiscountKind::Percent, value: Decimal::new(10, 0) }),
            tax_rate: Decimal::new(20, 0),
        }],
    }
}

/// The example request as an order, priced by the kernel's rule exactly as
/// the model prices a new draft.
fn example_order() -> Order {
    let body = create_body();
    let currency = Currency::EUR;
    let lines: Vec<OrderLine> = body
        .lines
        .iter()
        .cloned()
        .map(LineInput::from)
        .zip(1..)
        .map(|(input, position)| OrderLine {
            position,
            totals: line_totals(&input.price(), currency),
            sku: input.sku,
            description: input.description,
            quantity: input.quantity,
            unit_price: input.unit_price,
            discount: input.discount,
            tax_rate: input.tax_rate,
        })
        .collect();
    let at = OffsetDateTime::from_unix_timestamp(1_764_500_000).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let by = UserId::new("usr_8FqL2mZ0aR5tYc1W");
    Order {
        id: OrderId(uuid::Uuid::from_u128(0x0193_7d4a_6c00_7000_8000_0000_0000_0001)),
        organization_id: OrganizationId::new("org_3hTq0r9mX2bV7kLp"),
        number: OrderNumber { prefix: SERIES.default_prefix(), year: None, sequence: 42 },
        status: OrderStatus::Draft,
        payment_status: PaymentStatus::Unpaid,
        amount_paid: Decimal::ZERO,
        customer: body.customer.map(|c| Customer { contact_id: c.contact_id, name: c.name, email: c.email }),
        currency,
        totals: document_totals(lines.iter().map(|l| &l.totals)),
        lines,
        notes: body.notes,
        metadata: Default::default(),
        cancellation_reason: None,
        created_by: by.clone(),
        updated_by: by,
        created_at: at,
        updated_at: at,
        version: 1,
    }
}

impl Example for CreateOrderBody {
    fn example() -> Self {
        create_body()
    }
}

impl Example for OrderDto {
    fn example() -> Self {
        OrderDto::from(&example_order())
    }
}

impl Example for OrderPage {
    fn example() -> Self {
        OrderPage { items: vec![OrderDto::example()], next_cursor: None.into(), has_more: false }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::model::order::OrderHeader;

    #[test]
    fn the_example_is_what_the_model_makes_of_the_example_request() {
        let example = example_order();
        let body = create_body();
        let lines: Vec<LineInput> = body.lines.iter().cloned().map(Into::into).collect();
        let header =
            OrderHeader { customer: example.customer.clone(), notes: body.notes, metadata: Default::default() };
        let made = Order::new_draft(
            example.id,
            example.organization_id.clone(),
            example.number.clone(),
            example.currency,
            header,
            &lines,
            example.created_by.clone(),
            example.created_at,
        )
        .unwrap();
        assert_eq!(made, example);
        // 3 × 19.99 = 59.97; 10 % off 6.00; net 53.97; 20 % tax 10.79.
        assert_eq!(example.totals.grand_total, dec!(64.76));
        assert_eq!(OrderDto::example().number, "SO-000042");
    }
}
