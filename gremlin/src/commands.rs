//! What each subcommand does, given loaded settings.

use std::io::Write;

use anyhow::Context;
use gremlin_config::Settings;

use crate::cli::{ConfigCommand, EventsCommand, MigrateCommand, OpenapiArgs};
use crate::{build_app, domains, infra, openapi, server, shutdown};

/// `gremlin serve`: build the app and serve until SIGINT/SIGTERM.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = build_app(settings).await?;
    server::run(app, shutdown::signal()).await
}

/// `gremlin migrate …`: prints what it did to stdout.
pub async fn migrate(settings: &Settings, command: &MigrateCommand, out: &mut impl Write) -> anyhow::Result<()> {
    let domains = domains::select(&settings.server.domains)?;
    let db = infra::database::connect(settings).await.context("opening the database")?;
    match command {
        MigrateCommand::Up => {
            let before = pending(&db, &domains).await?;
            gremlin_migrations::up(&db, &domains::migration_sets(&domains)).await.context("applying migrations")?;
            let applied = before - pending(&db, &domains).await?;
            writeln!(out, "applied {applied} migration(s)")?;
        }
        MigrateCommand::Down { steps } => {
            let n = gremlin_migrations::down(&db, &domains::migration_sets(&domains), *steps)
                .await
                .context("rolling back migrations")?;
            writeln!(out, "rolled back {n} migration(s)")?;
        }
        MigrateCommand::Status => {
            for migration in gremlin_migrations::status(&db, &domains::migration_sets(&domains))
                .await
                .context("reading migration status")?
            {
                let state = if migration.applied { "applied" } else { "pending" };
                writeln!(out, "{state:8} {}", migration.name)?;
            }
        }
    }
    db.close().await.context("closing the database")?;
    Ok(())
}

async fn pending(db: &sea_orm::DatabaseConnection, domains: &[&str]) -> anyhow::Result<usize> {
    let status = gremlin_migrations::status(db, &domains::migration_sets(domains))
        .await
        .context("reading pending migrations")?;
    Ok(status.iter().filter(|m| !m.applied).count())
}

/// `gremlin events …`: dead letters on NATS JetStream. Fails, saying why,
/// when the bus is the in-process one (it keeps no dead letters).
pub async fn events(settings: &Settings, command: &EventsCommand, out: &mut impl Write) -> anyhow::Result<()> {
    if !matches!(settings.events.url.scheme().as_str(), "nats" | "tls") {
        anyhow::bail!(
            "dead letters are kept on NATS JetStream; events.url is `{}` (the in-process bus logs events it gives up on)",
            settings.events.url
        );
    }
    let bus = infra::nats::NatsEventBus::attach(settings.events.url.expose(), infra::nats_options(settings)).await?;
    match command {
        EventsCommand::DeadLetters { limit } => {
            let letters = bus.dead_letters(*limit).await?;
            for l in &letters {
                let (event_type, id) = l
                    .event
                    .as_ref()
                    .map_or(("?".to_owned(), "?".to_owned()), |e| (e.event_type.clone(), e.id.to_string()));
                let time = l.time.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
                writeln!(out, "{}\t{time}\t{}\t{event_type}\t{id}\t{}", l.seq, l.consumer, l.reason)?;
            }
            writeln!(out, "{} dead letter(s)", letters.len())?;
        }
        EventsCommand::Replay { seq } => {
            let letter = bus.replay_dead_letter(*seq).await?;
            let what = letter.event.map_or_else(|| "the payload".to_owned(), |e| format!("{} {}", e.event_type, e.id));
            writeln!(out, "replayed dead letter {seq} ({what}) for {}", letter.consumer)?;
        }
    }
    Ok(())
}

/// `gremlin openapi`: the document to a file or stdout.
pub fn openapi(args: &OpenapiArgs, out: &mut impl Write) -> anyhow::Result<()> {
    write_document(openapi::spec_json(), args, out)
}

/// `gremlin asyncapi`: the events' document to a file or stdout.
pub fn asyncapi(args: &OpenapiArgs, out: &mut impl Write) -> anyhow::Result<()> {
    write_document(crate::asyncapi::document(), args, out)
}

fn write_document(spec: String, args: &OpenapiArgs, out: &mut impl Write) -> anyhow::Result<()> {
    match &args.output {
        Some(path) => {
            std::fs::write(path, spec).with_context(|| format!("writing {}", path.display()))?;
            writeln!(out, "wrote {}", path.display())?;
        }
        None => out.write_all(spec.as_bytes())?,
    }
    Ok(())
}

/// `gremlin domains`: what this binary can serve.
pub fn domains(args: &crate::cli::DomainsArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let mut rows: Vec<serde_json::Value> = Vec::new();
    if cfg!(feature = "identity") {
        rows.push(serde_json::json!({ "name": domains::IDENTITY, "path_prefix": "/api/auth", "permissions": [] }));
    }
    for domain in crate::registry::DOMAINS {
        let permissions: Vec<&str> = domain.permissions.iter().map(|g| g.permission.as_str()).collect();
        rows.push(serde_json::json!({
            "name": domain.name,
            "path_prefix": domain.path_prefix,
            "permissions": permissions,
            "migrations": (domain.migrations)().len(),
        }));
    }
    if args.json {
        writeln!(out, "{}", serde_json::Value::Array(rows))?;
        return Ok(());
    }
    for row in rows {
        let permissions: Vec<&str> =
            row["permissions"].as_array().into_iter().flatten().filter_map(|p| p.as_str()).collect();
        writeln!(
            out,
            "{:<10} {:<14} {}",
            row["name"].as_str().unwrap_or_default(),
            row["path_prefix"].as_str().unwrap_or_default(),
            permissions.join(" ")
        )?;
    }
    Ok(())
}

/// `gremlin config check`: validates beyond parsing (domains, secret rules)
/// and prints the effective settings as TOML with secrets redacted.
pub fn config(settings: &Settings, command: &ConfigCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Check => {
            domains::select(&settings.server.domains)?;
            let mut effective = settings.clone();
            effective.database.url = Some(settings.database.effective_url(&settings.data_dir));
            if settings.database.is_postgres() {
                // Same rule as start-up, without generating anything.
                effective.clone().ensure_auth_secret()?;
            }
            let text = toml::to_string_pretty(&effective).context("rendering settings")?;
            writeln!(out, "# effective settings (secrets redacted)\n{text}")?;
            if settings.auth.secret.is_none() && !settings.database.is_postgres() {
                writeln!(
                    out,
                    "# note: no auth secret set; `serve` will generate one in {}",
                    settings.data_dir.display()
                )?;
            }
            writeln!(out, "# configuration is valid")?;
        }
    }
    Ok(())
}

/// `gremlin admin create-user`: creates the user directly in the database
/// (migrating first when `database.auto_migrate` is on).
#[cfg(feature = "identity")]
pub async fn admin(
    mut settings: Settings,
    command: &crate::cli::AdminCommand,
    input: &mut impl std::io::BufRead,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    use gremlin_identity::ports::NoInvalidation;
    use gremlin_identity::service::admin::CreateUser;

    let crate::cli::AdminCommand::CreateUser { email, name, role, password_stdin } = command;
    settings.ensure_auth_secret()?;
    let adapters = infra::Adapters::from_settings(&settings).await?;
    if settings.database.auto_migrate {
        let domains = domains::select(&settings.server.domains)?;
        gremlin_migrations::up(&adapters.db, &domains::migration_sets(&domains))
            .await
            .context("running database migrations")?;
    }
    let (password, generated) = if *password_stdin {
        let mut line = String::new();
        input.read_line(&mut line).context("reading the password from standard input")?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        let alphabet = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
        let password: String = (0..24).map(|_| char::from(alphabet[rand_index(alphabet.len())])).collect();
        (password, true)
    };
    let name = name.clone().unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
    let hashing = crate::domains::identity::password_workers(&settings)?;
    let service =
        crate::domains::identity::admin_service(&settings, &adapters, std::sync::Arc::new(NoInvalidation), hashing);
    let user = service
        .create_user(None, CreateUser { email: email.clone(), password: password.clone(), name, roles: role.clone() })
        .await
        .map_err(|e| anyhow::anyhow!("creating the user: {e} ({})", e.code()))?;
    writeln!(out, "created user {} ({}) with role {}", user.email, user.id, user.role.unwrap_or_default())?;
    if generated {
        writeln!(out, "password (shown once): {password}")?;
    }
    adapters.db.close().await.context("closing the database")?;
    Ok(())
}

#[cfg(feature = "identity")]
fn rand_index(len: usize) -> usize {
    use rand::Rng;
    rand::rng().random_range(0..len)
}
