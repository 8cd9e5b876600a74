//! What the commands print: the file's reading, the plan, the run's progress and its end.
//!
//! Cell text (headers, values quoted in messages) is escaped before it reaches a terminal.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use rollcall_core::import::terminal_safe as safe;
use rollcall_core::import::ImportReport;
use rollcall_core::plan::{Lookup, Plan, RowAction};
use rollcall_core::roster::{RosterEvent, RosterSummary};
use rollcall_core::run::{
    EventReceiver, InviteSummary, RowStatus, RunEvent, RunStatus, RunSummary, StepStatus,
};
use serde_json::json;

/// How the file was read (encoding, separator, sheet) and where each column went.
pub fn print_source(report: &ImportReport) {
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

/// The plan's figures as one JSON object.
pub fn plan_summary(plan: &Plan) -> serde_json::Value {
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

/// The rows that will not simply be created, then the counts, the cost and the steps.
pub fn print_plan(plan: &Plan) {
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
            // What will be added, then each value changed (old → new).
            RowAction::Update => println!(
                "  update: line {}: {}: {}",
                row.line,
                row.email.as_deref().unwrap_or(""),
                safe(&row.notes.join(" "))
            ),
            // What a model agent adds.
            RowAction::Create => {
                for note in row.notes.iter().filter(|n| n.starts_with("Like ")) {
                    println!(
                        "  create: line {}: {}: {}",
                        row.line,
                        row.email.as_deref().unwrap_or(""),
                        safe(note)
                    );
                }
            }
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
        Lookup::Paged { pages } => {
            format!("by paging through the org ({pages} page{})", plural(pages))
        }
        Lookup::Search { searches } => {
            format!("with {searches} search{}", plural_es(searches))
        }
        Lookup::PagedThenSearched { pages, searches } => format!(
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
            (s.languages, "routing languages"),
            (s.location, "a location"),
            (s.extension, "an extension"),
            (s.employer, "employer info"),
            (s.auto_answer, "ACD auto-answer"),
            (s.external_id, "an external id"),
            (s.phones, "a WebRTC phone as the default station"),
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
        if s.group_memberships > 0 {
            parts.push(format!(
                "{} group memberships in {} call{} (batched per group)",
                s.group_memberships,
                s.group_calls,
                plural(s.group_calls)
            ));
        }
        if s.bulk_auto_answer > 0 {
            parts.push(format!(
                "auto-answer for {} users without a PATCH of their own in {} call{} (50 a call)",
                s.bulk_auto_answer,
                s.bulk_auto_answer_calls,
                plural(s.bulk_auto_answer_calls)
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

/// The run's events as they come: a progress bar on a terminal, lines elsewhere, or JSON
/// Lines.
pub async fn print_events(mut events: EventReceiver, json: bool) {
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

/// What writing a run's results came to: the files, or why they are missing, for the finish
/// message; and whether the journal has a failed step, for the exit code.
#[derive(Default)]
pub struct Written {
    pub results: Option<PathBuf>,
    pub failed: Option<PathBuf>,
    pub advice: Option<&'static str>,
    pub error: Option<String>,
    /// Whether a step after a create failed (the manager, a role, the password…), as the
    /// journal has it.
    pub step_failed: bool,
}

/// The run's outcome in one paragraph (or one JSON line of what was written).
pub fn finish_message(summary: &RunSummary, written: &Written, json: bool) {
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
}

/// What `rollcall invite` did: the invitations sent, refused, and possibly sent.
pub fn print_invitations(summary: &InviteSummary, json: bool) {
    if json {
        println!("{}", json!(summary));
        return;
    }
    if summary.sent == 0 && summary.failed.is_empty() && summary.in_doubt == 0 {
        println!("Nobody to invite: every user this run created has been invited.");
    } else {
        println!(
            "Invitations: {} sent, {} not sent, {} possibly sent.",
            summary.sent,
            summary.failed.len(),
            summary.in_doubt
        );
    }
    for (line, email, note) in &summary.failed {
        println!("  line {line}: {} — {}", safe(email), safe(note));
    }
    if summary.in_doubt > 0 {
        println!(
            "An invitation possibly sent is never sent again: check in Genesys Cloud whether it arrived."
        );
    }
    if let Some(why) = &summary.stopped {
        println!("Stopped: {why}");
    }
}

/// An export's progress on standard error: on a terminal one line rewritten in place, else a
/// line when a stage starts and ends (a log stays short).
pub async fn print_roster_progress(mut events: tokio::sync::mpsc::UnboundedReceiver<RosterEvent>) {
    let terminal = std::io::stderr().is_terminal();
    let mut last: Option<RosterEvent> = None;
    let describe = |event: &RosterEvent| match event {
        RosterEvent::Started => "Reading the org…".to_owned(),
        RosterEvent::Users {
            pages,
            users,
            total,
        } => format!("Reading users: {users} of {total} ({pages} pages)"),
        RosterEvent::Memberships { done, total } => {
            format!("Reading roles and queues: {done} of {total}")
        }
        RosterEvent::ExternalIds { done, total } => {
            format!("Reading external ids: {done} of {total} users")
        }
        RosterEvent::Written { done, total } => format!("Writing: {done} of {total} users"),
    };
    let stage = |event: &RosterEvent| std::mem::discriminant(event);
    // Whether `last` is on screen already (a log line of its own).
    let mut shown = false;
    while let Some(event) = events.recv().await {
        if terminal {
            eprint!("\r\x1b[2K{}", describe(&event));
        } else if last.as_ref().is_none_or(|l| stage(l) != stage(&event)) {
            if let Some(previous) = last.as_ref().filter(|_| !shown) {
                eprintln!("{}", describe(previous));
            }
            eprintln!("{}", describe(&event));
            shown = true;
            last = Some(event);
            continue;
        }
        shown = false;
        last = Some(event);
    }
    match &last {
        Some(_) if terminal => eprintln!(),
        Some(event) if !shown => eprintln!("{}", describe(event)),
        _ => {}
    }
}

/// What `rollcall export` wrote.
pub fn print_roster_summary(summary: &RosterSummary, json: bool) {
    if json {
        println!("{}", json!(summary));
        return;
    }
    let plural = if summary.users == 1 { "user" } else { "users" };
    println!(
        "Exported {} {plural} to {} ({} bytes, {} API calls). The file holds personal data and \
         is readable by you only.",
        summary.users,
        summary.path.display(),
        summary.bytes,
        summary.calls
    );
    for warning in &summary.warnings {
        println!("  {}", safe(warning));
    }
}
