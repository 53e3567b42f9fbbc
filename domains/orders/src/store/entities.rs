//! sea-orm entities of the orders tables — storage rows with named columns,
//! the same style as identity's. Amounts are exact decimal text, times
//! microseconds since the epoch (`gremlin_kernel::sql`); rows become
//! `model` records in [`super::rows`].

/// The `orders` table.
pub mod order {
    use sea_orm::entity::prelude::*;

    /// An `orders` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "orders")]
    pub struct Model {
        /// UUIDv7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The owning organization; every statement filters on it.
        pub organization_id: String,
        /// The number's prefix when it was assigned.
        pub number_prefix: String,
        /// The gapless sequence, from 1.
        pub number_seq: i64,
        /// `OrderStatus` as text.
        pub status: String,
        /// `PaymentStatus` as text.
        pub payment_status: String,
        /// Decimal text.
        pub amount_paid: String,
        /// The CRM contact, if any.
        pub customer_contact_id: Option<String>,
        /// Customer name.
        pub customer_name: Option<String>,
        /// Customer e-mail.
        pub customer_email: Option<String>,
        /// ISO 4217 code.
        pub currency: String,
        /// Decimal text.
        pub subtotal: String,
        /// Decimal text.
        pub discount_total: String,
        /// Decimal text.
        pub tax_total: String,
        /// Decimal text.
        pub grand_total: String,
        /// Free text.
        pub notes: Option<String>,
        /// A JSON object.
        pub metadata: String,
        /// Why it was cancelled.
        pub cancellation_reason: Option<String>,
        /// User id.
        pub created_by: String,
        /// User id.
        pub updated_by: String,
        /// Microseconds since the epoch.
        pub created_at_us: i64,
        /// Microseconds since the epoch.
        pub updated_at_us: i64,
        /// Optimistic-concurrency version, from 1.
        pub version: i64,
    }

    /// Relations: an order has lines (read with it in one statement).
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// Its lines.
        #[sea_orm(has_many = "super::line::Entity")]
        Lines,
    }

    impl Related<super::line::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Lines.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `order_lines` table.
pub mod line {
    use sea_orm::entity::prelude::*;

    /// An `order_lines` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_lines")]
    pub struct Model {
        /// The order.
        #[sea_orm(primary_key, auto_increment = false)]
        pub order_id: String,
        /// The owning organization (the order's).
        pub organization_id: String,
        /// Position on the order, from 1.
        #[sea_orm(primary_key, auto_increment = false)]
        pub position: i32,
        /// Stock-keeping unit.
        pub sku: String,
        /// What is sold.
        pub description: String,
        /// Decimal text.
        pub quantity: String,
        /// Decimal text.
        pub unit_price: String,
        /// `percent` or `amount`, with a discount.
        pub discount_kind: Option<String>,
        /// Decimal text, with a discount.
        pub discount_value: Option<String>,
        /// Decimal text, percent.
        pub tax_rate: String,
        /// Decimal text.
        pub gross: String,
        /// Decimal text.
        pub discount: String,
        /// Decimal text.
        pub net: String,
        /// Decimal text.
        pub tax: String,
        /// Decimal text.
        pub total: String,
    }

    /// Relations: a line belongs to its order.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// Its order.
        #[sea_orm(belongs_to = "super::order::Entity", from = "Column::OrderId", to = "super::order::Column::Id")]
        Order,
    }

    impl Related<super::order::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Order.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}
