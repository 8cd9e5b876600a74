//! `validate`, `plan`, `run`, `resume`, `runs` and `template`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use rollcall_core::import::{import_path, template_csv, ImportOptions, ImportReport};
// Cell text (headers, values quoted in messages) is escaped before it reaches a terminal.
use rollcall_core::import::terminal_safe as safe;
use rollcall_core::paths::{replace_file, AppDirs};
use rollcall_core::plan::{plan, rate_in_use, DeletedPolicy, Plan, PlanOptions, RowAction};
use rollcall_core::run::{
    drive, export, passwords, record_run, resume_org, Journal, ResumeOrg, RowStatus, RunContext,
    RunControl, RunEvent, RunLock, RunOrg, RunOrigin, RunRecord, RunStatus, RunSummary,
    SettlePolicy, StepStatus, StopReason,
};
use serde_json::json;
use tokio::sync::mpsc;

use crate::connect::{ConnectArgs, Connection};
use crate::exit;

#[derive(Args, Debug)]
pub struct FileArgs {
    /// The CSV or XLSX file of users.
    pub file: PathBuf,
    /// Country for phone numbers written without +country code (ISO code: US, GB, DE…).
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// The sheet to read from an .xlsx (the first one by default).
    #[arg(long)]
    pub sheet: Option<String>,
    /// JSON Lines on standard output instead of text.
    #[arg(long)]
    pub json: bool,
}

impl FileArgs {
    fn import(&self) -> Result<ImportReport, String> {
        let options = ImportOptions {
            default_country: self.country.clone(),
            sheet: self.sheet.clone(),
            ..ImportOptions::default()
        };
        import_path(&self.file, &options).map_err(|e| format!("{}: {e}", self.file.display()))
    }
}

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

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    #[command(flatten)]
    pub drive: DriveArgs,
    /// Folder for the results and failed-rows files (next to the input by default).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DriveArgs {
    /// Do not ask before writing to the org.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// How long to look for a user whose create may have happened before sending it again.
    #[arg(long, default_value_t = 15, value_name = "SECONDS")]
    pub settle_seconds: u64,
}

#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// The run to resume (the latest unfinished one by default).
    pub run_id: Option<String>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub drive: DriveArgs,
    /// Folder for the results and failed-rows files (next to the input by default).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// JSON Lines on standard output instead of text.
    #[arg(long)]
    pub json: bool,
    /// The org's rate limit (default: the one the run was planned with).
    #[command(flatten)]
    pub rate: RateArg,
}

#[derive(Args, Debug)]
pub struct RunsArgs {
    /// JSON Lines on standard output instead of text.
    #[arg(long)]
    pub json: bool,
}

fn dirs() -> Result<AppDirs, ExitCode> {
    AppDirs::for_current_user().ok_or_else(|| {
        eprintln!("rollcall: cannot find a home folder for the run journal (set ROLLCALL_HOME)");
        ExitCode::from(exit::USAGE)
    })
}

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("rollcall: {message}");
    ExitCode::from(code)
}

pub fn validate(args: FileArgs) -> ExitCode {
    let report = match args.import() {
        Ok(report) => report,
        Err(message) => return fail(exit::USAGE, message),
    };
    let invalid_rows = report.rows.iter().filter(|r| r.draft.is_none()).count();
    if args.json {
        let mut out = std::io::stdout().lock();
        for issue in &report.issues {
            let _ = writeln!(out, "{}", json!({"type": "issue", "issue": issue}));
        }
        let _ = writeln!(
            out,
            "{}",
            json!({
                "type": "summary",
                "source": report.source,
                "mapping": report.mapping,
                "rows": report.rows.len(),
                "validRows": report.rows.len() - invalid_rows,
                "invalidRows": invalid_rows,
                "errors": report.error_count(),
                "warnings": report.warning_count(),
            })
        );
    } else {
        print_source(&report);
        for issue in &report.issues {
            let severity = if issue.is_error() { "error" } else { "warning" };
            println!("  {severity}: {}", safe(&issue.to_string()));
        }
        println!(
            "{} rows: {} valid, {} invalid ({} errors, {} warnings).",
            report.rows.len(),
            report.rows.len() - invalid_rows,
            invalid_rows,
            report.error_count(),
            report.warning_count()
        );
    }
    if invalid_rows > 0 {
        ExitCode::from(exit::USAGE)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_source(report: &ImportReport) {
    let source = &report.source;
    let mut how = Vec::new();
    if let Some(encoding) = &source.encoding {
        how.push(encoding.clone());
    }
    if let Some(delimiter) = source.delimiter {
        how.push(match delimiter {
            '\t' => "tab-separated".to_owned(),
            other => format!("'{other}'-separated"),
        });
    }
    if let Some(sheet) = &source.sheet {
        how.push(format!("sheet \"{}\"", safe(sheet)));
    }
    println!(
        "{}: {} rows ({})",
        safe(&source.file_name),
        source.data_rows,
        how.join(", ")
    );
    let mapped: Vec<String> = report
        .mapping
        .columns
        .iter()
        .map(|c| match c.field {
            Some(field) => format!("{} → {}", safe(&c.header), field.key()),
            None => format!("{} (ignored)", safe(&c.header)),
        })
        .collect();
    println!("Columns: {}", mapped.join(", "));
}

pub async fn plan_command(args: PlanArgs) -> ExitCode {
    let (report, plan, _connection) = match make_plan(&args).await {
        Ok(made) => made,
        Err(code) => return code,
    };
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
        ExitCode::from(exit::FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

async fn make_plan(args: &PlanArgs) -> Result<(ImportReport, Plan, Connection), ExitCode> {
    let report = args.file.import().map_err(|m| fail(exit::USAGE, m))?;
    let connection = args
        .connect
        .connect()
        .await
        .map_err(|e| fail(e.code, e.message))?;
    let mut options = args.options();
    options.rate_per_minute = options.rate_per_minute.or(connection.rate_per_minute);
    let plan = plan(&connection.client, &report, &options)
        .await
        .map_err(|e| {
            // Nothing was written and no run exists: never "interrupted" (4), which promises
            // a resume.
            let code = match &e {
                rollcall_core::plan::PlanError::Genesys(g) if g.is_auth_or_permission() => {
                    exit::AUTH
                }
                rollcall_core::plan::PlanError::Genesys(_) => exit::FAILED,
                _ => exit::USAGE,
            };
            fail(code, e)
        })?;
    Ok((report, plan, connection))
}

fn plan_summary(plan: &Plan) -> serde_json::Value {
    json!({
        "counts": plan.counts,
        "lookup": plan.lookup,
        "callsMade": plan.calls_made,
        "callsPlanned": plan.calls_planned,
        "poolSize": plan.pool_size,
        "allowancePerMinute": plan.allowance_per_minute,
        "rateSource": plan.rate_source,
        "estimatedSeconds": plan.estimated_seconds,
        "defaultDivision": plan.default_division.name,
    })
}

fn print_plan(plan: &Plan) {
    for row in &plan.rows {
        match row.action {
            RowAction::Invalid => {
                for problem in &row.problems {
                    println!("  invalid: {}", safe(problem));
                }
            }
            RowAction::FailDeleted => println!(
                "  fails: line {}: {} belongs to a deleted user",
                row.line,
                row.email.as_deref().unwrap_or("")
            ),
            RowAction::Update => println!(
                "  update: line {}: {}: {}",
                row.line,
                row.email.as_deref().unwrap_or(""),
                row.notes.first().map(String::as_str).unwrap_or("")
            ),
            _ => {}
        }
    }
    let c = &plan.counts;
    let update = if c.update > 0 {
        format!(", {} to update", c.update)
    } else {
        String::new()
    };
    println!(
        "Plan: {} to create{update}, {} already exist, {} deleted ({} restore, {} skip, {} fail), {} invalid — of {} rows.",
        c.create,
        c.exists,
        c.restore + c.skip_deleted + c.fail_deleted,
        c.restore,
        c.skip_deleted,
        c.fail_deleted,
        c.invalid,
        c.total
    );
    let lookup = match plan.lookup {
        rollcall_core::plan::Lookup::Paged { pages } => {
            format!("by paging through the org ({pages} page{})", plural(pages))
        }
        rollcall_core::plan::Lookup::Search { searches } => {
            format!("with {searches} search{}", plural_es(searches))
        }
        rollcall_core::plan::Lookup::PagedThenSearched { pages, searches } => format!(
            "by paging through the first {pages} pages of the org (as far as Genesys lists) \
             and {searches} search{} for the rest",
            plural_es(searches)
        ),
    };
    println!(
        "Looked up existing users {lookup}; {} calls so far. The run makes {} calls on {} token{} at {} requests/min each ({}): about {}.",
        plan.calls_made,
        plan.calls_planned,
        plan.pool_size,
        plural(u32::from(plan.pool_size)),
        plan.allowance_per_minute,
        plan.rate_source.describe(),
        human_duration(plan.estimated_seconds)
    );
    let s = &plan.steps;
    if s.calls > 0 {
        let mut parts = Vec::new();
        for (count, what) in [
            (s.roles, "roles"),
            (s.skills, "routing skills"),
            (s.location, "a location"),
            (s.extension, "an extension"),
        ] {
            if count > 0 {
                parts.push(format!("{what} for {count}"));
            }
        }
        if s.queue_memberships > 0 {
            parts.push(format!(
                "{} queue memberships in {} call{} (batched per queue)",
                s.queue_memberships,
                s.queue_calls,
                plural(s.queue_calls)
            ));
        }
        println!(
            "After creation: {}; {} calls for these steps instead of {} one item at a time.",
            parts.join(", "),
            s.calls,
            s.naive_calls
        );
    }
}

fn plural_es(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "es"
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn human_duration(seconds: u64) -> String {
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        format!("{} min {} s", seconds / 60, seconds % 60)
    }
}

/// Ask before writing: yes with --yes, a question on a terminal, a refusal otherwise.
fn confirm(yes: bool, question: &str) -> Result<(), ExitCode> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(fail(
            exit::USAGE,
            format!(
                "refusing to write to the org without a terminal to ask on ({question}); add --yes"
            ),
        ));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(fail(exit::USAGE, "nothing was written"))
    }
}

pub async fn run(args: RunArgs) -> ExitCode {
    let dirs = match dirs() {
        Ok(dirs) => dirs,
        Err(code) => return code,
    };
    let (report, plan, connection) = match make_plan(&args.plan).await {
        Ok(made) => made,
        Err(code) => return code,
    };
    let json = args.plan.file.json;
    if json {
        println!("{}", json!({"type": "plan", "plan": plan_summary(&plan)}));
    } else {
        print_source(&report);
        print_plan(&plan);
    }
    if plan.counts.create + plan.counts.restore == 0 {
        if !json {
            println!("Nothing to create.");
        }
    } else if let Err(code) = confirm(
        args.drive.yes,
        &format!(
            "Create {} and restore {} users in {}?",
            plan.counts.create,
            plan.counts.restore,
            connection.client.endpoint().describe()
        ),
    ) {
        return code;
    }
    let mut journal = match Journal::open(&dirs.journal()) {
        Ok(journal) => journal,
        Err(e) => return fail(exit::USAGE, e),
    };
    let origin = RunOrigin {
        source_name: report.source.file_name.clone(),
        source_path: std::fs::canonicalize(&args.plan.file.file)
            .ok()
            .map(|p| p.display().to_string()),
        ..RunOrigin::from(RunOrg::of(
            &connection.client,
            connection.profile.as_deref(),
        ))
    };
    let record = match record_run(&mut journal, &plan, &origin) {
        Ok(record) => record,
        Err(e) => return fail(exit::USAGE, e),
    };
    if json {
        println!("{}", json!({"type": "run", "runId": record.id}));
    } else {
        println!("Run {} started.", record.id);
    }
    let out_dir = args
        .out
        .clone()
        .or_else(|| args.plan.file.file.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    drive_and_report(
        journal,
        &dirs,
        record,
        connection,
        plan.passwords,
        &args.drive,
        plan.pool_size,
        plan.allowance_per_minute,
        &out_dir,
        json,
    )
    .await
}

pub async fn resume(args: ResumeArgs) -> ExitCode {
    let dirs = match dirs() {
        Ok(dirs) => dirs,
        Err(code) => return code,
    };
    let journal = match Journal::open(&dirs.journal()) {
        Ok(journal) => journal,
        Err(e) => return fail(exit::USAGE, e),
    };
    let record = match &args.run_id {
        Some(id) => match journal.run(id) {
            Ok(record) => record,
            Err(e) => return fail(exit::USAGE, e),
        },
        None => {
            let runs = journal.runs().unwrap_or_default();
            match runs.into_iter().find(|r| {
                r.status != RunStatus::Finished && !RunLock::is_held(&dirs.run_locks(), &r.id)
            }) {
                Some(record) => record,
                None => return fail(exit::USAGE, "there is no unfinished run to resume"),
            }
        }
    };
    if record.status == RunStatus::Finished {
        return fail(
            exit::USAGE,
            format!("run {} is already finished", record.id),
        );
    }
    // Every cell of the run is read before anything else: a damaged journal stops here.
    let rows = match journal.rows(&record.id) {
        Ok(rows) => rows,
        Err(e) => return fail(exit::USAGE, e),
    };
    // A run started from a profile resumes on it unless told otherwise.
    let mut connect = args.connect.clone();
    if connect.profile.is_none() && connect.api_url.is_none() && connect.region.is_none() {
        connect.profile = record.profile.clone();
    }
    let connection = match connect.connect().await {
        Ok(connection) => connection,
        Err(e) => return fail(e.code, e.message),
    };
    // Only in the run's own org; a journal that does not say which asks instead.
    let org = RunOrg::of(&connection.client, connection.profile.as_deref());
    let unrecorded = match resume_org(&record, &org) {
        Ok(ResumeOrg::Same) => None,
        Ok(ResumeOrg::Unrecorded { question }) => Some(question),
        Err(other) => return fail(exit::USAGE, other),
    };
    let left = rows.iter().filter(|r| !r.status.is_final()).count();
    if !args.json {
        println!(
            "Resuming run {} ({}): {left} of {} rows left.",
            record.id, record.source_name, record.total
        );
    }
    let question = unrecorded.as_deref().unwrap_or("Go on writing to the org?");
    if let Err(code) = confirm(args.drive.yes, question) {
        return code;
    }
    if unrecorded.is_some() {
        if let Err(e) = journal.record_org(&record.id, &org) {
            return fail(exit::USAGE, e);
        }
    }
    // Passwords are never journaled: read them again from the original file when it is there.
    let passwords = record
        .source_path
        .as_deref()
        .filter(|_| rows.iter().any(|r| r.has_password && !r.status.is_final()))
        .and_then(|path| import_path(Path::new(path), &ImportOptions::default()).ok())
        .map(|report| matching_passwords(&report, &rows))
        .unwrap_or_default();
    let out_dir = args
        .out
        .clone()
        .or_else(|| {
            record
                .source_path
                .as_deref()
                .and_then(|p| Path::new(p).parent().map(Path::to_path_buf))
        })
        .unwrap_or_else(|| PathBuf::from("."));
    // The rate is decided as the plan decided it, from the run's own options.
    let setting = args
        .rate
        .per_minute
        .or(record.options.rate_per_minute)
        .or(connection.rate_per_minute);
    let (rate, source) = rate_in_use(&connection.client, setting).await;
    if !args.json {
        println!(
            "Pacing at {rate} requests/min per token ({}).",
            source.describe()
        );
    }
    let pool = record.options.pool_size.unwrap_or_else(|| {
        let calls = rows.iter().filter(|r| !r.status.is_final()).count() as u32;
        rollcall_core::plan::auto_pool_size(calls, rate)
    });
    drive_and_report(
        journal,
        &dirs,
        record,
        connection,
        passwords,
        &args.drive,
        pool,
        rate,
        &out_dir,
        args.json,
    )
    .await
}

/// The passwords of the re-read file, for the rows that still match it (same line, same
/// e-mail).
fn matching_passwords(
    report: &ImportReport,
    rows: &[rollcall_core::run::JournalRow],
) -> std::collections::HashMap<usize, rollcall_core::secrets::Secret> {
    passwords(report)
        .into_iter()
        .filter(|(index, _)| {
            let draft_email = report.rows[*index].draft.as_ref().map(|d| d.email.clone());
            rows.get(*index).is_some_and(|row| row.email == draft_email)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn drive_and_report(
    journal: Journal,
    dirs: &AppDirs,
    record: RunRecord,
    connection: Connection,
    passwords: std::collections::HashMap<usize, rollcall_core::secrets::Secret>,
    drive_args: &DriveArgs,
    pool_size: u8,
    rate_per_minute: u32,
    out_dir: &Path,
    json: bool,
) -> ExitCode {
    let (events, received) = mpsc::channel(4096);
    let control = RunControl::default();
    let context = RunContext {
        client: connection.client.clone(),
        lock_dir: dirs.run_locks(),
        pool_size,
        rate_per_minute,
        settle: SettlePolicy {
            window: Duration::from_secs(drive_args.settle_seconds),
            ..SettlePolicy::default()
        },
        invite: record.options.invite,
        passwords,
        events,
        control: control.clone(),
    };
    let run_id = record.id.clone();
    let printer = tokio::spawn(print_events(received, json));
    let canceller = {
        let control = control.clone();
        let run_id = run_id.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!(
                    "\nCancelling: requests in flight finish, nothing new starts. Resume with `rollcall resume {run_id}`."
                );
                control.cancel();
            }
        })
    };
    let outcome = drive(journal, &run_id, context).await;
    canceller.abort();
    let _ = printer.await;
    let summary = match outcome {
        Ok(summary) => summary,
        Err(e) => return fail(exit::INTERRUPTED, e),
    };
    let written = write_exports(dirs, &run_id, out_dir);
    finish_message(&summary, &written, json);
    exit_code(&summary, written.step_failed)
}

async fn print_events(mut events: mpsc::Receiver<RunEvent>, json: bool) {
    // A progress bar on a terminal; plain lines (every 2 s at most) anywhere else.
    let bar = (!json && std::io::stdout().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:32.cyan/blue} {pos}/{len} {msg} [{elapsed_precise}]",
            )
            .expect("progress template")
            .progress_chars("█▉▊▋▌▍▎▏ "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    let say = |line: String| match &bar {
        Some(bar) => bar.println(line),
        None => println!("{line}"),
    };
    let mut last_progress = std::time::Instant::now() - Duration::from_secs(10);
    while let Some(event) = events.recv().await {
        if json {
            println!("{}", serde_json::to_string(&event).unwrap_or_default());
            continue;
        }
        match &event {
            RunEvent::RowFinished {
                line,
                email,
                status: RowStatus::Failed,
                error,
                note,
                ..
            } => {
                let message = error
                    .as_ref()
                    .map(|e| e.message.clone())
                    .or(note.clone())
                    .unwrap_or_default();
                say(format!(
                    "  line {line} {}: failed — {message}",
                    email.as_deref().unwrap_or("")
                ));
            }
            RunEvent::RowFinished { line, steps, .. } | RunEvent::RowSteps { line, steps, .. }
                if steps.iter().any(|s| s.status == StepStatus::Failed) =>
            {
                for step in steps.iter().filter(|s| s.status == StepStatus::Failed) {
                    say(format!(
                        "  line {line}: {} {} not done — {}",
                        step.kind.as_str(),
                        step.label,
                        step.error.as_deref().unwrap_or("")
                    ));
                }
            }
            RunEvent::Retrying {
                line,
                operation,
                reason,
                wait_ms,
                ..
            } => say(format!(
                "  retrying {operation}{} in {:.1} s: {reason}",
                line.map(|l| format!(" (line {l})")).unwrap_or_default(),
                *wait_ms as f64 / 1000.0
            )),
            RunEvent::RateLimited { wait_ms, token } if *wait_ms >= 1000 => say(format!(
                "  rate limit: Genesys answered 429; token {} waits {:.1} s and slows down",
                token + 1,
                *wait_ms as f64 / 1000.0
            )),
            RunEvent::Progress(progress) => {
                let eta = progress
                    .eta_seconds
                    .map(|s| format!(" · ETA {}", human_duration(s)))
                    .unwrap_or_default();
                let counts = format!(
                    "created {} · existed {} · failed {} · skipped {} · {:.0}/min (pacing {:.0} requests/min){eta}",
                    progress.created,
                    progress.existed,
                    progress.failed,
                    progress.skipped,
                    progress.per_minute,
                    progress.rate_per_minute
                );
                match &bar {
                    Some(bar) => {
                        bar.set_length(progress.total as u64);
                        bar.set_position(progress.done as u64);
                        bar.set_message(counts);
                    }
                    None if last_progress.elapsed() >= Duration::from_secs(2) => {
                        last_progress = std::time::Instant::now();
                        println!("  [{}/{}] {counts}", progress.done, progress.total);
                    }
                    None => {}
                }
            }
            RunEvent::Finished(_) => {
                if let Some(bar) = &bar {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
    }
}

struct Written {
    results: Option<PathBuf>,
    failed: Option<PathBuf>,
    advice: Option<&'static str>,
    error: Option<String>,
    /// Whether a step after a create failed (the manager, a role, the password…), as the
    /// journal has it.
    step_failed: bool,
}

fn write_exports(dirs: &AppDirs, run_id: &str, out_dir: &Path) -> Written {
    let mut written = Written {
        results: None,
        failed: None,
        advice: None,
        error: None,
        step_failed: false,
    };
    let mut attempt = || -> Result<(), String> {
        let journal = Journal::open(&dirs.journal()).map_err(|e| e.to_string())?;
        let record = journal.run(run_id).map_err(|e| e.to_string())?;
        let rows = journal.rows(run_id).map_err(|e| e.to_string())?;
        written.step_failed = rows.iter().any(|r| r.any_step_failed());
        let stem = Path::new(&record.source_name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "users".to_owned());
        std::fs::create_dir_all(out_dir).map_err(|e| e.to_string())?;
        // Through a temporary file renamed over the result: the app may export the same run to
        // the same folder at the same time.
        let results = out_dir.join(format!("{stem}.results-{run_id}.csv"));
        let summary = replace_file(&results, |file| {
            export::write_results(&record, &rows, file).map_err(std::io::Error::other)
        })
        .map_err(|e| format!("{}: {e}", results.display()))?;
        written.advice = summary.advice();
        written.results = Some(results);
        if rows.iter().any(|r| {
            matches!(r.status, RowStatus::Failed | RowStatus::Invalid)
                || r.steps.iter().any(|s| s.status == StepStatus::Failed)
        }) {
            let failed = out_dir.join(format!("{stem}.failed-{run_id}.csv"));
            replace_file(&failed, |file| {
                export::write_failed_rows(&record, &rows, file).map_err(std::io::Error::other)
            })
            .map_err(|e| format!("{}: {e}", failed.display()))?;
            written.failed = Some(failed);
        }
        Ok(())
    };
    if let Err(e) = attempt() {
        written.error = Some(e);
    }
    written
}

fn finish_message(summary: &RunSummary, written: &Written, json: bool) {
    if json {
        println!(
            "{}",
            json!({
                "type": "exports",
                "results": written.results,
                "failedRows": written.failed,
                "advice": written.advice,
                "error": written.error,
            })
        );
        return;
    }
    let p = &summary.progress;
    let status = match summary.status {
        RunStatus::Finished => "Finished",
        RunStatus::Cancelled => "Cancelled",
        RunStatus::Interrupted => "Interrupted",
        RunStatus::Running => "Stopped",
    };
    let updated = if p.updated > 0 {
        format!(", {} updated", p.updated)
    } else {
        String::new()
    };
    println!(
        "{status}: {} created{updated}, {} already existed, {} restored, {} skipped, {} failed — {} of {} rows in {:.1} s.",
        p.created, p.existed, p.restored, p.skipped, p.failed, p.done, p.total, p.elapsed_seconds
    );
    if p.steps_total > 0 {
        println!(
            "Steps after the creates: {} of {} done, {} failed (see the results file's step columns).",
            p.steps_done, p.steps_total, p.steps_failed
        );
    }
    if let Some(message) = &summary.message {
        println!("{message}");
    }
    if summary.status != RunStatus::Finished {
        println!("Resume with: rollcall resume {}", summary.run_id);
    }
    if let Some(path) = &written.results {
        println!("Results: {}", path.display());
    }
    if let Some(path) = &written.failed {
        println!("Failed rows (fix and import again): {}", path.display());
    }
    if let Some(advice) = written.advice {
        println!("{advice}");
    }
    if let Some(error) = &written.error {
        eprintln!("rollcall: could not write the results: {error}");
    }
}

/// A finished run exits 0 only when every row and every step after its create went through;
/// `step_failed` says whether the journal has a failed step (the manager, a role, the
/// password…), which the progress counts do not all include.
fn exit_code(summary: &RunSummary, step_failed: bool) -> ExitCode {
    let step_failed = step_failed || summary.progress.steps_failed > 0;
    match summary.status {
        RunStatus::Finished if summary.progress.failed == 0 && !step_failed => ExitCode::SUCCESS,
        RunStatus::Finished => ExitCode::from(exit::FAILED),
        RunStatus::Interrupted if summary.stop_reason == Some(StopReason::Access) => {
            ExitCode::from(exit::AUTH)
        }
        _ => ExitCode::from(exit::INTERRUPTED),
    }
}

pub fn runs(args: RunsArgs) -> ExitCode {
    let dirs = match dirs() {
        Ok(dirs) => dirs,
        Err(code) => return code,
    };
    let journal = match Journal::open(&dirs.journal()) {
        Ok(journal) => journal,
        Err(e) => return fail(exit::USAGE, e),
    };
    let runs = match journal.runs() {
        Ok(runs) => runs,
        Err(e) => return fail(exit::USAGE, e),
    };
    for run in &runs {
        let rows = journal.rows(&run.id).unwrap_or_default();
        let count = |s: RowStatus| rows.iter().filter(|r| r.status == s).count();
        let mut status = run.status;
        if status == RunStatus::Running && !RunLock::is_held(&dirs.run_locks(), &run.id) {
            status = RunStatus::Interrupted;
        }
        if args.json {
            println!(
                "{}",
                json!({"type": "run", "run": run, "status": status, "created": count(RowStatus::Created), "failed": count(RowStatus::Failed) + count(RowStatus::Invalid)})
            );
        } else {
            println!(
                "{}  {:<11} {:<24} {} rows: {} created, {} failed",
                run.id,
                format!("{status:?}").to_lowercase(),
                run.source_name,
                run.total,
                count(RowStatus::Created),
                count(RowStatus::Failed) + count(RowStatus::Invalid)
            );
        }
    }
    if runs.is_empty() && !args.json {
        println!("No runs yet.");
    }
    ExitCode::SUCCESS
}

pub fn template() -> ExitCode {
    print!("{}", template_csv());
    ExitCode::SUCCESS
}
