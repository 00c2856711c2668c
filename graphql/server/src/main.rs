//! `houston-server`: the Houston API over HTTP, for one machine or a team.

use anyhow::Context;
use clap::{Parser, Subcommand};
use houston_server::{DataKeySource, Houston, SecretSource, ServerConfig};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the data key comes from, in `--help` (never its value).
const DATA_KEY_HELP: &str = "\
Connection details and integration configurations are encrypted in the database with a
data key kept outside it: the environment variable HOUSTON_DATA_KEY (32 bytes, base64 or
hex) if set, else the file named by HOUSTON_DATA_KEY_FILE, else houston-data.key beside
the --secret-file when one is given, else houston-data.key in the user's configuration
directory (~/.config/houston), away from the database (created, mode 0600, when missing; a
key left beside the default database by an older version is moved there). Back the key up
apart from the database: without it they cannot be read, and whoever holds both reads
them. Servers sharing one PostgreSQL database, and `migrate` (both sides), must use the
same key.";

/// The Houston API server (GraphQL at /graphql, GraphiQL in a browser).
#[derive(Parser, Debug)]
#[command(version, about, after_help = DATA_KEY_HELP)]
struct Args {
    /// Without a command, serves the API.
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on. Loopback by default: put a reverse proxy in front to share it.
    #[arg(long, env = "HOUSTON_LISTEN", default_value = "127.0.0.1:8871")]
    listen: SocketAddr,
    /// Database URL: `sqlite://PATH` (default: houston.db in the user's data directory), or
    /// `postgres://USER:PASSWORD@HOST/DATABASE` for a database several servers share.
    /// A URL with a password is better kept off the command line: in this variable, or in
    /// a file named by HOUSTON_DATABASE_URL_FILE.
    #[arg(long, env = "HOUSTON_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// A destination catalog file (either format) instead of the bundled catalogs.
    #[arg(long, env = "HOUSTON_CATALOG")]
    catalog: Option<PathBuf>,
    /// The token signing secret, created (mode 0600) when missing. Default: beside the
    /// default database. When given, the data key file houston-data.key goes beside it
    /// (see below).
    #[arg(long, env = "HOUSTON_SECRET_FILE")]
    secret_file: Option<PathBuf>,
    /// Send mail over SMTP, e.g. `smtp://user:pass@mail.example.org:587?tls=required`.
    /// Without it, mail goes to the outbox only (readable with the `myMail` query).
    /// Or in a file named by HOUSTON_SMTP_URL_FILE (the URL carries the password).
    #[arg(long, env = "HOUSTON_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// How many events each source keeps: a number of events, an age (`30d`, `12h`,
    /// `90m`) or both (`10000,30d`, the default); whichever keeps fewer wins. The counts
    /// behind reports are kept for good.
    #[arg(long, env = "HOUSTON_EVENT_RETENTION", value_parser = retention)]
    event_retention: Option<houston_server::store::Retention>,
    /// Keep mail in the outbox (readable by its recipient's session through `myMail`)
    /// when listening beyond loopback without --smtp-url. The outbox proves no address:
    /// anyone may sign up as a colleague and read the confirmation link. Without this flag
    /// such a server refuses to start. On loopback the outbox is the default.
    #[arg(long, env = "HOUSTON_OUTBOX")]
    outbox: bool,
    /// Print the schema (SDL) and exit.
    #[arg(long)]
    print_schema: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// What each client may ask for, and how long the server waits for slow ones.
#[derive(clap::Args, Debug)]
struct LimitArgs {
    /// Reverse proxies (IP addresses, comma-separated) whose X-Forwarded-For is believed:
    /// the client is the last address they appended. From anyone else the header is ignored
    /// and the client is the connection's peer.
    #[arg(long, env = "HOUSTON_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Anonymous operations per client (IP) per minute; more are refused (RATE_LIMITED).
    #[arg(long, env = "HOUSTON_RATE_ANONYMOUS", default_value_t = 600)]
    rate_anonymous: u32,
    /// Password-hashing mutations (createToken, createNewUser, setPassword, a password
    /// change) per client per minute.
    #[arg(long, env = "HOUSTON_RATE_HASHING", default_value_t = 60)]
    rate_hashing: u32,
    /// Hashing requests admitted at once, running or waiting; more are refused at once.
    #[arg(long, env = "HOUSTON_HASHING_IN_FLIGHT", default_value_t = 64)]
    hashing_in_flight: usize,
    /// Mail-sending operations per client per hour.
    #[arg(long, env = "HOUSTON_RATE_MAIL", default_value_t = 120)]
    rate_mail: u32,
    /// Mails to one address per hour.
    #[arg(long, env = "HOUSTON_RATE_MAIL_ADDRESS", default_value_t = 10)]
    rate_mail_address: u32,
    /// Seconds a client may take to send a request's headers.
    #[arg(long, env = "HOUSTON_HEADER_TIMEOUT", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds one request may take, its body included.
    #[arg(long, env = "HOUSTON_REQUEST_TIMEOUT", default_value_t = 30)]
    request_timeout: u64,
    /// Connections served at once; more wait until one closes.
    #[arg(long, env = "HOUSTON_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// Rows one organization may hold, e.g. `sources=200,api_keys=50` (a kind left out
    /// keeps its default: sources 10000, connections 10000, integrations 100000, members
    /// 10000, api_keys 1000).
    #[arg(long, env = "HOUSTON_ORG_QUOTAS")]
    org_quotas: Option<houston_server::throttle::Quotas>,
}

impl LimitArgs {
    fn limits(&self) -> houston_server::Limits {
        use std::time::Duration;
        houston_server::Limits {
            anonymous_per_minute: self.rate_anonymous,
            hashing_per_minute: self.rate_hashing,
            hashing_in_flight: self.hashing_in_flight,
            mail_per_hour: self.rate_mail,
            mail_per_address_per_hour: self.rate_mail_address,
            trusted_proxies: self.trusted_proxies.clone(),
            header_read_timeout: Duration::from_secs(self.header_timeout.max(1)),
            request_timeout: Duration::from_secs(self.request_timeout.max(1)),
            max_connections: self.max_connections.max(1),
            quotas: self.org_quotas.unwrap_or_default(),
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Copies every row of one database into a new, empty one (e.g. the bundled SQLite
    /// file into PostgreSQL), then exits. Serve the copy with the same --secret-file and
    /// data key, and every token, password, API key, link and connection keeps working.
    #[command(after_help = DATA_KEY_HELP)]
    Migrate {
        /// The database to copy: `sqlite://PATH` or `postgres://…`. It is never written
        /// (a SQLite source is read through a private copy).
        #[arg(long, env = "HOUSTON_MIGRATE_FROM", hide_env_values = true)]
        from: String,
        /// The database to fill: `postgres://…` or `sqlite://PATH`. It must be empty.
        #[arg(long, env = "HOUSTON_MIGRATE_TO", hide_env_values = true)]
        to: String,
    },
}

/// The value of a setting given as a file: the content of the file that the environment
/// variable `var` names (trimmed), if it is set. An unreadable file is an error naming the
/// variable and the file, never the content.
fn setting_from_file(var: &str) -> anyhow::Result<Option<String>> {
    let Some(path) = std::env::var_os(var) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{var}: reading {}", PathBuf::from(&path).display()))?;
    Ok(Some(text.trim().to_string()))
}

/// Creates `dir` (and its missing parents) readable by this user only.
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// `--event-retention`, for clap (its message names the accepted forms).
fn retention(text: &str) -> Result<houston_server::store::Retention, String> {
    houston_server::parse_event_retention(text).map_err(|e| e.to_string())
}

fn data_dir() -> anyhow::Result<PathBuf> {
    let base = dirs::data_dir().context("no data directory for this user; pass --database-url")?;
    Ok(base.join("houston"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = Args::parse();
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
    let secret_file = match &args.secret_file {
        Some(p) => p.clone(),
        None => data_dir()?.join("token-secret"),
    };
    let data_key = data_key_source(&secret_file, args.secret_file.is_none())?;
    if args.database_url.is_none() {
        args.database_url = setting_from_file("HOUSTON_DATABASE_URL_FILE")?;
    }
    if args.smtp_url.is_none() {
        args.smtp_url = setting_from_file("HOUSTON_SMTP_URL_FILE")?;
    }
    if let Some(Command::Migrate { from, to }) = &args.command {
        return migrate(from, to, &data_key).await;
    }

    let database_url = match args.database_url {
        Some(url) => url,
        None => {
            let dir = data_dir()?;
            create_private_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
            format!("sqlite://{}", dir.join("houston.db").display())
        }
    };
    mail_mode(args.listen, args.smtp_url.is_some(), args.outbox)?;
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
        data_key,
        smtp_url: args.smtp_url,
        mail_from: std::env::var("HOUSTON_MAIL_FROM").ok(),
        public_url,
        allowed_hosts,
        event_retention: args.event_retention.unwrap_or_default(),
        limits: args.limits.limits(),
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

/// Whether mail may stay in the outbox. Without SMTP the outbox is the only mailbox, and
/// `myMail` shows a session its own address's links: an evaluation feature for one
/// machine. Beyond loopback it would let anyone sign up with a colleague's address, read
/// the confirmation link and receive the invitations meant for them, so the server starts
/// only with SMTP or when told so explicitly (and then says what that gives away).
fn mail_mode(listen: SocketAddr, smtp: bool, outbox: bool) -> anyhow::Result<()> {
    if smtp || listen.ip().is_loopback() {
        return Ok(());
    }
    if !outbox {
        anyhow::bail!(
            "{listen} is reachable beyond this machine, and without --smtp-url mail would \
             stay in the outbox, where anyone who signs up reads their own confirmation \
             link: addresses would prove nothing. Give --smtp-url (or HOUSTON_SMTP_URL), or \
             --outbox (HOUSTON_OUTBOX=true) to accept that for an evaluation."
        );
    }
    tracing::warn!(
        "--outbox on {listen}: mail is not sent; anyone who signs up can read their own \
         confirmation link through myMail, so an email address proves nothing and a \
         squatter can claim a colleague's address and its invitations"
    );
    Ok(())
}

/// `HOUSTON_DATA_KEY` when set (a bad value is an error naming the variable, never
/// echoing it), else the file `HOUSTON_DATA_KEY_FILE` names, else `houston-data.key` beside
/// a token secret the operator named (the two secrets are what an operator guards and
/// copies to replicas, and a PostgreSQL database has no directory to be beside), else, with
/// every default, in the configuration directory: never beside the default database, so
/// that a copy of the data directory is not a copy of the key.
fn data_key_source(
    secret_file: &std::path::Path,
    default_secret: bool,
) -> anyhow::Result<DataKeySource> {
    match std::env::var("HOUSTON_DATA_KEY") {
        Ok(text) => {
            let key = houston_server::seal::parse_key(&text).context(
                "HOUSTON_DATA_KEY must be 32 bytes in base64 or hex (e.g. `openssl rand -base64 32`)",
            )?;
            Ok(DataKeySource::Key {
                key,
                from: "HOUSTON_DATA_KEY".into(),
            })
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            anyhow::bail!("HOUSTON_DATA_KEY must be 32 bytes in base64 or hex")
        }
        Err(std::env::VarError::NotPresent) => {
            if let Some(path) = std::env::var_os("HOUSTON_DATA_KEY_FILE") {
                return Ok(DataKeySource::File(PathBuf::from(path)));
            }
            let beside_secret = secret_file.with_file_name("houston-data.key");
            if !default_secret {
                return Ok(DataKeySource::File(beside_secret));
            }
            let dir = dirs::config_dir()
                .context("no configuration directory for this user; set HOUSTON_DATA_KEY_FILE")?
                .join("houston");
            create_private_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let path = dir.join("houston-data.key");
            move_old_key(&beside_secret, &path)?;
            Ok(DataKeySource::File(path))
        }
    }
}

/// Moves a data key an older version left beside the default database to `to`, unless a
/// key is there already (then the old file is left alone: two keys need a person).
fn move_old_key(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    if !from.exists() || to.exists() {
        return Ok(());
    }
    if std::fs::rename(from, to).is_err() {
        // Another file system: copy (still private), then remove.
        let bytes = std::fs::read(from).with_context(|| format!("reading {}", from.display()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        std::io::Write::write_all(
            &mut options
                .open(to)
                .with_context(|| format!("writing {}", to.display()))?,
            &bytes,
        )
        .with_context(|| format!("writing {}", to.display()))?;
        std::fs::remove_file(from).with_context(|| format!("removing {}", from.display()))?;
    }
    tracing::info!(
        from = %from.display(),
        to = %to.display(),
        "moved the data key away from the database"
    );
    Ok(())
}

async fn migrate(from: &str, to: &str, data_key: &DataKeySource) -> anyhow::Result<()> {
    use houston_server::migrate::{migrate, redact};
    let outcome = match data_key.load() {
        Ok(key) => migrate(from, to, &key)
            .await
            .map(|done| (done, key.source().to_string()))
            .map_err(|e| e.to_string()),
        Err(e) => Err(format!("{e:#}")),
    };
    let (done, key_source) = match outcome {
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
    println!("Secrets are sealed with {key_source}: serve the copy with the same key.");
    Ok(())
}
