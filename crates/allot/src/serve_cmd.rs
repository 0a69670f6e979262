//! `allot serve`: the planner over HTTP (docs/server.md); `allot_server` does the work.

use std::path::PathBuf;

use clap::Args;

use crate::exit::Exit;

/// Arguments of `allot serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The SQLite database of scenarios and plans (created on first start).
    #[arg(long, default_value = "allot.db", value_name = "FILE")]
    pub db: PathBuf,
    /// Where to listen. An address beyond loopback needs --token.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: String,
    /// A bearer token every request must carry (Authorization: Bearer TOKEN). Prefer the
    /// environment variable ALLOT_TOKEN, which other users cannot read from the process list.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Solver worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub workers: usize,
    /// Jobs that may wait for a worker; more are refused with 429.
    #[arg(long, default_value_t = 64)]
    pub queue: usize,
    /// The longest solver time limit a job may ask for, seconds.
    #[arg(long = "max-time-limit", default_value_t = 600.0)]
    pub max_time_limit: f64,
    /// The largest request body, MiB.
    #[arg(long = "max-body", default_value_t = 16)]
    pub max_body: usize,
}

pub fn run(args: &ServeArgs) -> anyhow::Result<Exit> {
    let config = allot_server::Config {
        db: args.db.clone(),
        addr: args.addr.clone(),
        token: args
            .token
            .clone()
            .or_else(|| std::env::var("ALLOT_TOKEN").ok())
            .filter(|t| !t.is_empty()),
        workers: args.workers,
        queue: args.queue,
        max_time_limit_s: args.max_time_limit,
        max_body_bytes: args.max_body.saturating_mul(1 << 20),
    };
    let db = args.db.display().to_string();
    allot_server::serve(config, |addr| {
        outln!("allot serve: listening on http://{addr} (database {db})");
    })?;
    Ok(Exit::Success)
}
