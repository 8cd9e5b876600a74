//! `rollcall plan`: the dry run against the org, and the planning `rollcall run` starts with.

use std::io::Write;

use clap::{Args, ValueEnum};
use rollcall_core::import::ImportReport;
use rollcall_core::plan::{plan, DeletedPolicy, Plan, PlanError, PlanOptions};
use serde_json::json;

use super::validate::FileArgs;
use crate::connect::{ConnectArgs, Connection};
use crate::error::{exit, CliError};
use crate::render::{plan_summary, print_plan, print_source};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DeletedArg {
    Restore,
    Skip,
    Fail,
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    pub file: FileArgs,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Division (name or id) for rows that name none; the org's home division by default.
    #[arg(long, value_name = "NAME|ID")]
    pub division: Option<String>,
    /// What to do with rows whose e-mail belongs to a deleted user.
    #[arg(long, value_enum, default_value = "skip")]
    pub deleted: DeletedArg,
    /// Tokens to run with, 1 to 10 (default: enough to finish within about a minute).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub pool: Option<u8>,
    /// Send Genesys's invitation e-mail to each created user.
    #[arg(long)]
    pub invite: bool,
    /// Add the file's roles, queues, skills, location and extension to users that already
    /// exist (added, never removed).
    #[arg(long)]
    pub update_existing: bool,
    #[command(flatten)]
    pub rate: RateArg,
}

/// The org's rate limit, when it is not Genesys's default.
#[derive(Args, Debug, Clone, Copy)]
pub struct RateArg {
    /// Requests per minute per token the org allows, when Genesys support raised it above 300
    /// (default: the profile's figure, else the org's own limits when the client may read
    /// them, else 300). Each token paces itself a little under it.
    #[arg(long = "rate", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub per_minute: Option<u32>,
}

impl PlanArgs {
    fn options(&self) -> PlanOptions {
        PlanOptions {
            default_division: self.division.clone(),
            deleted_policy: match self.deleted {
                DeletedArg::Restore => DeletedPolicy::Restore,
                DeletedArg::Skip => DeletedPolicy::Skip,
                DeletedArg::Fail => DeletedPolicy::Fail,
            },
            pool_size: self.pool,
            invite: self.invite,
            update_existing: self.update_existing,
            rate_per_minute: self.rate.per_minute,
        }
    }
}

pub async fn run(args: PlanArgs) -> Result<(), CliError> {
    let (report, plan, _connection) = make_plan(&args).await?;
    if args.file.json {
        let mut out = std::io::stdout().lock();
        for row in &plan.rows {
            let _ = writeln!(out, "{}", json!({"type": "row", "row": row}));
        }
        let _ = writeln!(
            out,
            "{}",
            json!({"type": "plan", "plan": plan_summary(&plan)})
        );
    } else {
        print_source(&report);
        print_plan(&plan);
    }
    if plan.counts.invalid + plan.counts.fail_deleted > 0 {
        Err(CliError::silent(exit::FAILED))
    } else {
        Ok(())
    }
}

/// The file read, the org connected to, and the plan made against it.
pub async fn make_plan(args: &PlanArgs) -> Result<(ImportReport, Plan, Connection), CliError> {
    let report = args.file.import()?;
    let connection = args.connect.connect().await?;
    let mut options = args.options();
    options.rate_per_minute = options.rate_per_minute.or(connection.rate_per_minute);
    let plan = plan(&connection.client, &report, &options)
        .await
        .map_err(|e| {
            // Nothing was written and no run exists: never "interrupted" (4), which promises
            // a resume.
            let code = match &e {
                PlanError::Genesys(g) if g.is_auth_or_permission() => exit::AUTH,
                PlanError::Genesys(_) => exit::FAILED,
                _ => exit::USAGE,
            };
            CliError::new(code, e)
        })?;
    Ok((report, plan, connection))
}
