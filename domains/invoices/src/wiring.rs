//! Wiring invoices to a process: the SQL repository and the API. (The
//! `order.confirmed` consumer that drafts invoices from orders comes with
//! the organization settings.)

use std::sync::Arc;

use gremlin_kernel::{DomainPorts, Wiring};

use crate::api::InvoicesApi;
use crate::service::InvoiceService;
use crate::store::SqlInvoiceRepository;

/// The invoices API on `ports`.
pub(crate) fn wire(ports: &DomainPorts) -> anyhow::Result<Wiring> {
    let service = InvoiceService::new(Arc::new(SqlInvoiceRepository::new(ports.db.clone())));
    let api = InvoicesApi::new(service, ports.idempotency.clone());
    Ok(Wiring { api: Box::new(api), consumers: Vec::new() })
}
