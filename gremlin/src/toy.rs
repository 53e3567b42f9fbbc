//! A toy business domain, compiled only with the `toy-domain` feature for
//! the test that proves the registry: one line in [`crate::registry`]
//! mounts its API, documents it, migrates its table and runs its consumer.
//! It keeps notes per organization and counts the `toy.*` events it sees.

use gremlin_kernel::domain::{ApiDoc, Domain, DomainPorts, Grant, Wiring};
use gremlin_kernel::http::Caller;
use gremlin_kernel::schema::{BackendSql, run};
use gremlin_kernel::{Consumer, DomainError, Permission, ProblemResponse, SubscriptionSpec};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use sea_orm_migration::prelude::*;

/// Write and read notes.
pub const NOTES: Permission = Permission::declare("toy:notes");

/// The toy domain, as registered.
pub const DOMAIN: Domain = Domain {
    name: "toy",
    path_prefix: "/api/toy",
    permissions: &[Grant { permission: NOTES, roles: &["owner", "admin", "member"] }],
    api: ApiDoc::of::<ToyApi>(),
    migrations,
    wire,
    events: gremlin_kernel::EventContracts::NONE,
};

fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(CreateToyTables)]
}

#[derive(DeriveMigrationName)]
struct CreateToyTables;

#[async_trait::async_trait]
impl MigrationTrait for CreateToyTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            BackendSql::portable(&[
                "CREATE TABLE toy_notes (organization_id TEXT NOT NULL, text TEXT NOT NULL)",
                "CREATE TABLE toy_seen (event_id TEXT NOT NULL PRIMARY KEY)",
            ]),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql::portable(&["DROP TABLE toy_seen", "DROP TABLE toy_notes"])).await
    }
}

fn wire(ports: &DomainPorts) -> anyhow::Result<Wiring> {
    let db = ports.db.clone();
    let consumer = Consumer::new(SubscriptionSpec::new("toy-seen", &["toy.>"]), move |event| {
        let db = db.clone();
        async move {
            let sql = "INSERT INTO toy_seen (event_id) VALUES ($1) ON CONFLICT DO NOTHING";
            db.execute_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                sql,
                [event.id.to_string().into()],
            ))
            .await?;
            Ok(())
        }
    });
    Ok(Wiring { api: Box::new(ToyApi { db: ports.db.clone() }), consumers: vec![consumer] })
}

/// A note.
#[derive(Debug, Object)]
pub struct Note {
    /// What it says.
    pub text: String,
}

/// The toy API.
pub struct ToyApi {
    db: DatabaseConnection,
}

fn backend(e: DbErr) -> ProblemResponse {
    DomainError::Backend(e.into()).into()
}

#[OpenApi(prefix_path = "/api/toy")]
impl ToyApi {
    /// Keep a note (`toy:notes`).
    #[oai(path = "/notes", method = "post", operation_id = "toy.add_note")]
    async fn add(&self, caller: Caller, body: Json<Note>) -> Result<Json<Note>, ProblemResponse> {
        caller.require(&NOTES)?;
        let sql = "INSERT INTO toy_notes (organization_id, text) VALUES ($1, $2)";
        let values = [caller.organization_id.as_str().into(), body.text.clone().into()];
        self.db
            .execute_raw(Statement::from_sql_and_values(self.db.get_database_backend(), sql, values))
            .await
            .map_err(backend)?;
        Ok(body)
    }

    /// The organization's notes (`toy:notes`).
    #[oai(path = "/notes", method = "get", operation_id = "toy.list_notes")]
    async fn list(&self, caller: Caller) -> Result<Json<Vec<Note>>, ProblemResponse> {
        caller.require(&NOTES)?;
        let sql = "SELECT text FROM toy_notes WHERE organization_id = $1";
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                self.db.get_database_backend(),
                sql,
                [caller.organization_id.as_str().into()],
            ))
            .await
            .map_err(backend)?;
        let notes =
            rows.iter().map(|r| r.try_get::<String>("", "text").map(|text| Note { text })).collect::<Result<_, _>>();
        Ok(Json(notes.map_err(backend)?))
    }
}
