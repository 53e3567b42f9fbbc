//! sea-orm entities of the invoices tables: storage rows with named
//! columns. Amounts are exact decimal text, times microseconds since the
//! epoch (`gremlin_kernel::sql`), dates `YYYY-MM-DD`; rows become `model`
//! records in [`super::rows`].

/// The `invoices` table.
pub mod invoice {
    use sea_orm::entity::prelude::*;

    /// An `invoices` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invoices")]
    pub struct Model {
        /// UUIDv7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The owning organization; every statement filters on it.
        pub organization_id: String,
        /// Given at finalization.
        pub number: Option<String>,
        /// `InvoiceStatus` as text.
        pub status: String,
        /// The CRM contact, if any.
        pub customer_crm_id: Option<String>,
        /// Customer name.
        pub customer_name: String,
        /// Customer e-mail.
        pub customer_email: Option<String>,
        /// Billing address lines, a JSON array.
        pub customer_address: String,
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
        /// Decimal text, kept with every change for filtering and lists.
        pub amount_due: String,
        /// Shown above the lines.
        pub memo: Option<String>,
        /// Shown at the bottom.
        pub footer: Option<String>,
        /// A JSON object.
        pub metadata: String,
        /// The order it bills.
        pub order_id: Option<String>,
        /// Payment terms in days.
        pub net_days: i32,
        /// `YYYY-MM-DD`.
        pub issue_date: Option<String>,
        /// `YYYY-MM-DD`.
        pub due_date: Option<String>,
        /// Microseconds since the epoch.
        pub finalized_at_us: Option<i64>,
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

    /// Relations: an invoice has lines (read with it in one statement);
    /// payments and credit notes are read by invoice id.
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

/// The `invoice_lines` table.
pub mod line {
    use sea_orm::entity::prelude::*;

    /// An `invoice_lines` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invoice_lines")]
    pub struct Model {
        /// The invoice.
        #[sea_orm(primary_key, auto_increment = false)]
        pub invoice_id: String,
        /// Position from 1.
        #[sea_orm(primary_key, auto_increment = false)]
        pub position: i32,
        /// The owning organization.
        pub organization_id: String,
        /// What is billed.
        pub description: String,
        /// Stock-keeping unit.
        pub sku: Option<String>,
        /// Decimal text.
        pub quantity: String,
        /// Decimal text.
        pub unit_price: String,
        /// `percent` or `amount`.
        pub discount_kind: Option<String>,
        /// Decimal text.
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

    /// Relations: a line belongs to its invoice.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// The invoice.
        #[sea_orm(belongs_to = "super::invoice::Entity", from = "Column::InvoiceId", to = "super::invoice::Column::Id")]
        Invoice,
    }

    impl Related<super::invoice::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Invoice.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `invoice_payments` table.
pub mod payment {
    use sea_orm::entity::prelude::*;

    /// An `invoice_payments` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invoice_payments")]
    pub struct Model {
        /// UUIDv7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The invoice.
        pub invoice_id: String,
        /// The owning organization.
        pub organization_id: String,
        /// Decimal text.
        pub amount: String,
        /// How it was paid.
        pub method: String,
        /// Bank or processor reference.
        pub reference: Option<String>,
        /// Microseconds since the epoch.
        pub received_at_us: i64,
        /// Set once refunded.
        pub refund_reason: Option<String>,
        /// Microseconds since the epoch.
        pub refunded_at_us: Option<i64>,
    }

    /// No relations: read by invoice id.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `credit_notes` table.
pub mod credit_note {
    use sea_orm::entity::prelude::*;

    /// A `credit_notes` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "credit_notes")]
    pub struct Model {
        /// UUIDv7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The invoice.
        pub invoice_id: String,
        /// The owning organization.
        pub organization_id: String,
        /// `CN-000001`.
        pub number: String,
        /// `CreditNoteStatus` as text.
        pub status: String,
        /// Credited lines, a JSON array of `[position, "quantity"]`.
        pub lines: String,
        /// Decimal text.
        pub amount: String,
        /// Decimal text.
        pub applied_to_due: String,
        /// Decimal text.
        pub remainder: String,
        /// `RemainderOutcome` as text.
        pub remainder_outcome: Option<String>,
        /// Why it was issued.
        pub reason: Option<String>,
        /// Microseconds since the epoch.
        pub issued_at_us: i64,
    }

    /// No relations: read by invoice id.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
