//! `houston-server`: the Houston API over HTTP, for one machine or a team.

use anyhow::Context;
use clap::{Parser, Subcommand};
use houston_server::{Houston, SecretSource, ServerConfig};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The Houston API server (GraphQL at /graphql, GraphiQL in a browser).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Without a command, serves the API.
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on. Loopback by default: put a reverse proxy in front to share it.
    #[arg(long, env = "HOUSTON_LISTEN", default_value = "127.0.0.1:8871")]
    listen: SocketAddr,
    /// Database URL: `sqlite://PATH` (default: houston.db in the user's data directory), or
    /// `postgres://USER:PASSWORD@HOST/DATABASE` for a database several servers share.
    #[arg(long, env = "HOUSTON_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// A destination catalog file (either format) instead of the bundled catalogs.
    #[arg(long, env = "HOUSTON_CATALOG")]
    catalog: Option<PathBuf>,
    /// The token signing secret, created (mode 0600) when missing. Default: beside the
    /// default database.
    #[arg(long, env = "HOUSTON_SECRET_FILE")]
    secret_file: Option<PathBuf>,
    /// Send mail over SMTP, e.g. `smtp://user:pass@mail.example.org:587?tls=required`.
    /// Without it, mail goes to the outbox only (readable with the `myMail` query).
    #[arg(long, env = "HOUSTON_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Print the schema (SDL) and exit.
    #[arg(long)]
    print_schema: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Copies every row of one database into a new, empty one (e.g. the bundled SQLite
    /// file into PostgreSQL), then exits. Serve the copy with the same --secret-file and
    /// every token, password, API key and link keeps working.
    Migrate {
        /// The database to copy: `sqlite://PATH` or `postgres://…`. It is not changed
        /// (besides being brought to the current schema).
        #[arg(long)]
        from: String,
        /// The database to fill: `postgres://…` or `sqlite://PATH`. It must be empty.
        #[arg(long)]
        to: String,
    },
}

fn data_dir() -> anyhow::Result<PathBuf> {
    let base = dirs::data_dir().context("no data directory for this user; pass --database-url")?;
    Ok(base.join("houston"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.print_schema {
        print!("{}", houston_server::sdl());
        return Ok(());
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    if let Some(Command::Migrate { from, to }) = &args.command {
        return migrate(from, to).await;
    }

    let database_url = match args.database_url {
        Some(url) => url,
        None => {
            let dir = data_dir()?;
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            format!("sqlite://{}", dir.join("houston.db").display())
        }
    };
    let secret_file = match args.secret_file {
        Some(p) => p,
        None => data_dir()?.join("token-secret"),
    };
    let allowed_hosts = std::env::var("HOUSTON_ALLOWED_HOSTS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .collect();
    let public_url =
        std::env::var("HOUSTON_PUBLIC_URL").unwrap_or_else(|_| format!("http://{}", args.listen));
    let config = ServerConfig {
        database_url,
        catalog: args.catalog,
        secret: SecretSource::File(secret_file),
        smtp_url: args.smtp_url,
        mail_from: std::env::var("HOUSTON_MAIL_FROM").ok(),
        public_url,
        allowed_hosts,
    };
    let houston = Houston::open(config).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!("Houston listening on http://{addr}/graphql");
    houston
        .serve(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn migrate(from: &str, to: &str) -> anyhow::Result<()> {
    use houston_server::migrate::{migrate, redact};
    let done = match migrate(from, to).await {
        Ok(done) => done,
        Err(e) => {
            // One sentence a person can act on (URLs with their password hidden).
            eprintln!("houston-server migrate: nothing was copied: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "Copied {} rows from {} into {}:",
        done.total(),
        redact(from),
        redact(to)
    );
    for (table, rows) in done.counts {
        println!("  {table:<16}{rows:>8}");
    }
    Ok(())
}
