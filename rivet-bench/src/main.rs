//! Benchmarks of rivet side by side with a raw WebSocket server (`echo`, the limit of the
//! transport) and the official RivetKit server (`peer`), with one load generator that speaks
//! the client protocol (PROTOCOL.md) to all of them.
//!
//! `cargo run --release -p rivet-bench -- all` runs every scenario against every target and
//! writes `BENCHMARKS.md`; `-- <scenario> --quick` runs one scenario briefly. The targets run as
//! child processes (this binary's `serve` command, or Node for `peer`), so that their memory can
//! be measured apart from the generator's.

mod client;
mod echo_server;
mod report;
mod rivet_server;
mod scenarios;
mod targets;
mod wire;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::client::Res;
use crate::scenarios::{Measurement, Window};
use crate::targets::Target;

/// Prints the `listening on` line that the harness waits for.
pub(crate) fn announce(endpoint: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "listening on {endpoint}");
    let _ = stdout.flush();
}

#[derive(Parser)]
#[command(about = "Benchmarks rivet against a raw WebSocket server and RivetKit")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every scenario against every target; writes the report (BENCHMARKS.md).
    All {
        #[command(flatten)]
        options: Options,
        /// Where the report goes; its charts go to `bench/charts/` beside it [default:
        /// BENCHMARKS.md, or with --quick a folder `rivet-bench-quick` in the system's
        /// temporary folder, so that a quick run never overwrites a real report].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Action round trips over WebSocket.
    Roundtrip(Options),
    /// Broadcast fan-out to many subscribed connections.
    Fanout(Options),
    /// Connect with params, one action, disconnect.
    Churn(Options),
    /// Stateless HTTP actions.
    Http(Options),
    /// Resident memory per idle connection and per idle actor.
    Memory(Options),
    /// Serves one target (the harness starts it as a child process).
    #[command(hide = true)]
    Serve {
        target: Target,
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

/// The scenarios, in the order of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Scenario {
    Roundtrip,
    Fanout,
    Churn,
    Http,
    Memory,
}

impl Scenario {
    pub(crate) const ALL: [Self; 5] = [
        Self::Roundtrip,
        Self::Fanout,
        Self::Churn,
        Self::Http,
        Self::Memory,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Roundtrip => "roundtrip",
            Self::Fanout => "fanout",
            Self::Churn => "churn",
            Self::Http => "http",
            Self::Memory => "memory",
        }
    }
}

/// Sizes and durations; every list is comma-separated.
#[derive(Args, Clone, Debug)]
pub(crate) struct Options {
    /// Short runs with small sizes, a few seconds per scenario (CI checks the harness so).
    #[arg(long)]
    quick: bool,
    /// The targets, alternated case by case.
    #[arg(long, value_delimiter = ',', default_value = "rivet,echo,peer")]
    targets: Vec<Target>,
    /// Measured seconds per case (default 3, quick 0.2).
    #[arg(long, value_parser = positive_seconds)]
    duration: Option<Duration>,
    /// Warm-up seconds per case before the measurement (default 0.5, quick 0.05).
    #[arg(long, value_parser = seconds)]
    warmup: Option<Duration>,
    /// Runs of each case per target, alternating targets (default 2, quick 1).
    #[arg(long, value_parser = count)]
    reps: Option<usize>,
    /// Round trip: connection counts.
    #[arg(long, value_delimiter = ',', default_value = "1,16,256", value_parser = count)]
    conns: Vec<usize>,
    /// Round trip: calls in flight per connection.
    #[arg(long, value_delimiter = ',', default_value = "1,32", value_parser = count)]
    inflight: Vec<usize>,
    /// Fan-out: subscribed connections (default 100,1000, quick 10,100).
    #[arg(long, value_delimiter = ',', value_parser = count)]
    subscribers: Option<Vec<usize>>,
    /// Fan-out: broadcasts under way at once.
    #[arg(long, default_value_t = 4, value_parser = count)]
    fanout_inflight: usize,
    /// Churn: concurrent connect-action-disconnect loops.
    #[arg(long, default_value_t = 16, value_parser = count)]
    churn_workers: usize,
    /// HTTP: concurrent keep-alive connections.
    #[arg(long, default_value_t = 16, value_parser = count)]
    http_workers: usize,
    /// Memory: idle connections (default 10000, quick 500).
    #[arg(long, value_parser = count)]
    mem_conns: Option<usize>,
    /// Memory: idle actors (default 100000, quick 2000).
    #[arg(long, value_parser = count)]
    mem_actors: Option<usize>,
    /// Memory: at most this many idle connections on the peer.
    #[arg(long, default_value_t = 1000, value_parser = count)]
    peer_mem_conns: usize,
    /// Memory: at most this many idle actors on the peer.
    #[arg(long, default_value_t = 1000, value_parser = count)]
    peer_mem_actors: usize,
}

impl Options {
    fn window(&self) -> Window {
        let (duration, warmup) = if self.quick { (200, 50) } else { (3000, 500) };
        Window {
            duration: self.duration.unwrap_or(Duration::from_millis(duration)),
            warmup: self.warmup.unwrap_or(Duration::from_millis(warmup)),
        }
    }

    fn reps(&self) -> usize {
        self.reps.unwrap_or(if self.quick { 1 } else { 2 })
    }

    fn subscribers(&self) -> Vec<usize> {
        self.subscribers.clone().unwrap_or(if self.quick {
            vec![10, 100]
        } else {
            vec![100, 1000]
        })
    }

    fn mem_conns(&self) -> usize {
        self.mem_conns
            .unwrap_or(if self.quick { 500 } else { 10_000 })
    }

    fn mem_actors(&self) -> usize {
        self.mem_actors
            .unwrap_or(if self.quick { 2000 } else { 100_000 })
    }
}

/// Where `all` writes its report: `--out`, or `BENCHMARKS.md`; a quick run's numbers are
/// no report to keep, so by default they go to the system's temporary folder.
fn report_path(out: Option<PathBuf>, quick: bool) -> PathBuf {
    out.unwrap_or_else(|| {
        if quick {
            std::env::temp_dir().join("rivet-bench-quick/BENCHMARKS.md")
        } else {
            PathBuf::from("BENCHMARKS.md")
        }
    })
}

/// A count of one or more.
fn count(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(error) => Err(error.to_string()),
    }
}

/// The longest duration or warm-up: a day is more than any run needs.
const MAX_SECONDS: f64 = 86_400.0;

/// A number of seconds, from zero to a day.
fn seconds(value: &str) -> Result<Duration, String> {
    let seconds: f64 = value.parse().map_err(|error| format!("{error}"))?;
    if !(0.0..=MAX_SECONDS).contains(&seconds) {
        return Err(format!(
            "must be a number of seconds from 0 to {MAX_SECONDS}"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// A number of seconds above zero.
fn positive_seconds(value: &str) -> Result<Duration, String> {
    let duration = seconds(value)?;
    if duration.is_zero() {
        return Err("must be more than 0 seconds".to_owned());
    }
    Ok(duration)
}

/// One case of a scenario, such as 16 connections with 32 calls in flight on one actor.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Case {
    Roundtrip {
        conns: usize,
        inflight: usize,
        per_conn_actor: bool,
    },
    Fanout {
        subscribers: usize,
        inflight: usize,
    },
    Churn {
        workers: usize,
    },
    Http {
        workers: usize,
    },
    MemoryConns(usize),
    MemoryActors(usize),
}

impl Case {
    /// The case's label in tables.
    pub(crate) fn label(&self) -> String {
        match self {
            Self::Roundtrip {
                conns,
                inflight,
                per_conn_actor,
            } => {
                let actors = if *per_conn_actor {
                    format!("{conns} actors")
                } else {
                    "1 actor".to_owned()
                };
                format!("{conns} conn × {inflight} in flight, {actors}")
            }
            Self::Fanout {
                subscribers,
                inflight,
            } => format!("{subscribers} subscribers, {inflight} broadcasts in flight"),
            Self::Churn { workers } => format!("{workers} concurrent loops"),
            Self::Http { workers } => format!("{workers} keep-alive connections"),
            Self::MemoryConns(n) => format!("per idle connection ({n})"),
            Self::MemoryActors(n) => format!("per idle actor ({n})"),
        }
    }

    /// A short label for charts.
    pub(crate) fn short(&self) -> String {
        match self {
            Self::Roundtrip {
                conns,
                inflight,
                per_conn_actor,
            } => format!(
                "{conns}c×{inflight}{}",
                if *per_conn_actor { " N" } else { " 1" }
            ),
            Self::Fanout { subscribers, .. } => format!("{subscribers} subs"),
            Self::Churn { workers } => format!("{workers} loops"),
            Self::Http { workers } => format!("{workers} conns"),
            Self::MemoryConns(_) => "conn".to_owned(),
            Self::MemoryActors(_) => "actor".to_owned(),
        }
    }

    fn needs_fresh_server(&self) -> bool {
        matches!(self, Self::MemoryConns(_) | Self::MemoryActors(_))
    }
}

fn cases(scenario: Scenario, options: &Options) -> Vec<Case> {
    match scenario {
        Scenario::Roundtrip => {
            let mut cases = Vec::new();
            for &per_conn_actor in &[false, true] {
                for &conns in &options.conns {
                    if per_conn_actor && conns == 1 {
                        // One connection on one actor is the same case.
                        continue;
                    }
                    for &inflight in &options.inflight {
                        cases.push(Case::Roundtrip {
                            conns,
                            inflight,
                            per_conn_actor,
                        });
                    }
                }
            }
            cases
        }
        Scenario::Fanout => options
            .subscribers()
            .into_iter()
            .map(|subscribers| Case::Fanout {
                subscribers,
                inflight: options.fanout_inflight,
            })
            .collect(),
        Scenario::Churn => vec![Case::Churn {
            workers: options.churn_workers,
        }],
        Scenario::Http => vec![Case::Http {
            workers: options.http_workers,
        }],
        Scenario::Memory => vec![
            Case::MemoryConns(options.mem_conns()),
            Case::MemoryActors(options.mem_actors()),
        ],
    }
}

/// All runs of one case against one target.
#[derive(Debug)]
pub(crate) struct CaseResult {
    pub(crate) scenario: Scenario,
    pub(crate) case: Case,
    pub(crate) target: Target,
    pub(crate) runs: Vec<Measurement>,
    /// Why the case could not run against this target.
    pub(crate) skipped: Option<String>,
}

/// Runs one case once against a running target.
async fn run_case(
    case: &Case,
    running: &targets::Running,
    run: &str,
    window: Window,
) -> Res<Measurement> {
    let endpoint = running.endpoint.as_str();
    match *case {
        Case::Roundtrip {
            conns,
            inflight,
            per_conn_actor,
        } => scenarios::roundtrip(endpoint, run, conns, inflight, per_conn_actor, window).await,
        Case::Fanout {
            subscribers,
            inflight,
        } => scenarios::fanout(endpoint, run, subscribers, inflight, window).await,
        Case::Churn { workers } => scenarios::churn(endpoint, run, workers, window).await,
        Case::Http { workers } => scenarios::http(endpoint, run, workers, window).await,
        Case::MemoryConns(n) => scenarios::memory_conns(running, n).await,
        Case::MemoryActors(n) => scenarios::memory_actors(running, n).await,
    }
}

/// Runs every case of `scenarios`: rivet and echo alternated case by case, then the peer's runs
/// of the scenario's cases in a block of their own (see [`run_peer`]).
async fn run(scenarios: &[Scenario], options: &Options) -> Res<Vec<CaseResult>> {
    let mut results = Vec::new();
    let mut first_case = 0;
    for &scenario in scenarios {
        let cases = cases(scenario, options);
        let mut table: Vec<Vec<CaseResult>> = cases
            .iter()
            .map(|case| {
                options
                    .targets
                    .iter()
                    .map(|&target| CaseResult {
                        scenario,
                        case: case.clone(),
                        target,
                        runs: Vec::new(),
                        skipped: (target == Target::Echo && matches!(case, Case::MemoryActors(_)))
                            .then(|| "no actors".to_owned()),
                    })
                    .collect()
            })
            .collect();
        run_alternated(scenario, &cases, first_case, options, &mut table).await?;
        if options.targets.contains(&Target::Peer) {
            run_peer(scenario, &cases, first_case, options, &mut table).await;
        }
        first_case += cases.len();
        results.extend(table.into_iter().flatten());
    }
    Ok(results)
}

/// Runs the cases against rivet and echo, alternating their order from run to run so that
/// noise hits both alike. Their servers live for the scenario; memory cases get fresh ones.
async fn run_alternated(
    scenario: Scenario,
    cases: &[Case],
    first_case: usize,
    options: &Options,
    table: &mut [Vec<CaseResult>],
) -> Res<()> {
    let mut servers: Vec<(Target, targets::Running)> = Vec::new();
    let outcome = async {
        for (offset, (case, by_target)) in cases.iter().zip(table.iter_mut()).enumerate() {
            let index = first_case + offset;
            let reps = if case.needs_fresh_server() {
                1
            } else {
                options.reps()
            };
            for rep in 0..reps {
                let mut order: Vec<usize> = (0..by_target.len())
                    .filter(|&i| by_target[i].target != Target::Peer)
                    .collect();
                let shift = (index + rep) % order.len().max(1);
                order.rotate_left(shift);
                for i in order {
                    let result = &mut by_target[i];
                    if result.skipped.is_some() {
                        continue;
                    }
                    let target = result.target;
                    let began = Instant::now();
                    let run_id = format!("{}{index}r{rep}", target.name());
                    let measured = if case.needs_fresh_server() {
                        let fresh = targets::start(target).await?;
                        let measured = run_case(case, &fresh, &run_id, options.window()).await;
                        fresh.stop().await;
                        measured
                    } else {
                        if !servers.iter().any(|(t, _)| *t == target) {
                            servers.push((target, targets::start(target).await?));
                        }
                        let (_, running) = servers
                            .iter()
                            .find(|(t, _)| *t == target)
                            .ok_or("target not started")?;
                        run_case(case, running, &run_id, options.window()).await
                    };
                    let measured = measured.map_err(|error| {
                        format!(
                            "{} / {} / {}: {error}",
                            scenario.name(),
                            case.label(),
                            target.name()
                        )
                    })?;
                    record(scenario, case, result, measured, began);
                    // Let closed sockets and finished tasks go before the next run.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        Res::Ok(())
    }
    .await;
    for (_, running) in servers {
        running.stop().await;
    }
    outcome
}

/// Runs the cases against the official server, which runs only for these runs: its engine
/// keeps a core busy even when idle, which would slow whatever ran beside it. The peer is 2 to 3
/// orders of magnitude slower, so running it apart changes none of its ratios. Its failures are
/// reported in the tables, not raised.
async fn run_peer(
    scenario: Scenario,
    cases: &[Case],
    first_case: usize,
    options: &Options,
    table: &mut [Vec<CaseResult>],
) {
    let mut shared: Option<targets::Running> = None;
    for (offset, (case, by_target)) in cases.iter().zip(table.iter_mut()).enumerate() {
        let Some(result) = by_target.iter_mut().find(|r| r.target == Target::Peer) else {
            continue;
        };
        let fresh = case.needs_fresh_server();
        let case = peer_case(case, options);
        let reps = if fresh { 1 } else { options.reps() };
        for rep in 0..reps {
            let began = Instant::now();
            let run_id = format!("peer{}r{rep}", first_case + offset);
            let measured = if fresh {
                match targets::start(Target::Peer).await {
                    Ok(running) => {
                        let measured = run_case(&case, &running, &run_id, options.window()).await;
                        running.stop().await;
                        measured
                    }
                    Err(error) => Err(error),
                }
            } else {
                if shared.is_none() {
                    match targets::start(Target::Peer).await {
                        Ok(running) => shared = Some(running),
                        Err(error) => {
                            eprintln!("peer: not available: {error}");
                            result.skipped = Some(format!("not available: {error}"));
                            break;
                        }
                    }
                }
                let running = shared.as_ref().expect("started above");
                run_case(&case, running, &run_id, options.window()).await
            };
            match measured {
                Ok(measured) => record(scenario, &case, result, measured, began),
                Err(error) => {
                    eprintln!("{} / {} / peer: {error}", scenario.name(), case.label());
                    result.skipped = Some(format!("failed: {error}"));
                    break;
                }
            }
        }
    }
    if let Some(running) = shared {
        running.stop().await;
    }
}

/// The case as the peer runs it: its memory cases are smaller, as it creates actors and
/// accepts connections at a few hundred per second.
fn peer_case(case: &Case, options: &Options) -> Case {
    match *case {
        Case::MemoryConns(n) => Case::MemoryConns(n.min(options.peer_mem_conns)),
        Case::MemoryActors(n) => Case::MemoryActors(n.min(options.peer_mem_actors)),
        ref other => other.clone(),
    }
}

/// Prints one run's line and keeps its measurement.
fn record(
    scenario: Scenario,
    case: &Case,
    result: &mut CaseResult,
    measured: Measurement,
    began: Instant,
) {
    eprintln!(
        "{:<9} {:<48} {:<5} {} ({:.1} s)",
        scenario.name(),
        case.label(),
        result.target.name(),
        report::one_line(&measured),
        began.elapsed().as_secs_f64()
    );
    result.runs.push(measured);
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("rivet-bench: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async move {
        let (scenarios, options, output) = match cli.command {
            Command::Serve { target, port } => return targets::serve(target, port).await,
            Command::All { options, out } => {
                let output = report::Output::prepare(&report_path(out, options.quick))?;
                (Scenario::ALL.to_vec(), options, Some(output))
            }
            Command::Roundtrip(options) => (vec![Scenario::Roundtrip], options, None),
            Command::Fanout(options) => (vec![Scenario::Fanout], options, None),
            Command::Churn(options) => (vec![Scenario::Churn], options, None),
            Command::Http(options) => (vec![Scenario::Http], options, None),
            Command::Memory(options) => (vec![Scenario::Memory], options, None),
        };
        if options.targets.contains(&Target::Peer) {
            targets::check_peer().map_err(|error| {
                format!("peer: {error} (or leave it out: --targets rivet,echo)")
            })?;
        }
        let started = Instant::now();
        let results = run(&scenarios, &options).await?;
        let report = report::Report {
            results: &results,
            options: &options,
            scenarios: &scenarios,
            elapsed: started.elapsed(),
        };
        if let Some(output) = output {
            report.write(&output)?;
            eprintln!("wrote {}", output.path().display());
        } else {
            println!("{}", report.tables());
        }
        // A target that failed now and then is in the tables; one that never ran fails the run.
        let idle: Vec<&str> = options
            .targets
            .iter()
            .filter(|&&target| {
                results
                    .iter()
                    .filter(|r| r.target == target)
                    .all(|r| r.runs.is_empty())
            })
            .map(|target| target.name())
            .collect();
        if !idle.is_empty() {
            return Err(format!("nothing was measured on {}", idle.join(", ")).into());
        }
        Res::Ok(())
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rivet-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_start_at_one() {
        assert_eq!(count("16"), Ok(16));
        assert_eq!(count("0"), Err("must be at least 1".to_owned()));
        assert!(count("abc").is_err());
        assert!(count("-1").is_err());
    }

    #[test]
    fn seconds_are_finite_and_not_negative() {
        assert_eq!(seconds("0"), Ok(Duration::ZERO));
        assert_eq!(seconds("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(seconds("86400"), Ok(Duration::from_secs(86_400)));
        for bad in ["nan", "inf", "-0.5", "86400.5", "1e19", "1e300", "x"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
        assert!(positive_seconds("0").is_err());
        assert_eq!(positive_seconds("3"), Ok(Duration::from_secs(3)));
    }

    #[test]
    fn a_quick_run_of_all_never_takes_the_default_report() {
        let cli = Cli::try_parse_from(["rivet-bench", "all", "--quick"]).expect("parses");
        let Command::All { options, out } = cli.command else {
            panic!("not `all`");
        };
        let quick = report_path(out, options.quick);
        assert!(
            quick.starts_with(std::env::temp_dir()),
            "{}",
            quick.display()
        );
        assert_eq!(report_path(None, false), PathBuf::from("BENCHMARKS.md"));
        let chosen = PathBuf::from("x/report.md");
        assert_eq!(report_path(Some(chosen.clone()), true), chosen);
        // Only `all` writes a report.
        assert!(Cli::try_parse_from(["rivet-bench", "roundtrip", "--out", "x.md"]).is_err());
    }
}
