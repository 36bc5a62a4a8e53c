//! The report: the machine, the command, a table per scenario with the ratios, the goals, and
//! SVG charts drawn with plotters.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use plotters::prelude::*;

use crate::client::Res;
use crate::scenarios::Measurement;
use crate::targets::Target;
use crate::{Case, CaseResult, Options, Scenario};

/// What a set of runs of one case on one target comes to.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    /// Operations per second (deliveries for fan-out), the mean over the runs.
    pub(crate) rate: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) max_ms: f64,
    /// Bytes per item, for memory.
    pub(crate) value: Option<f64>,
    pub(crate) notes: Vec<String>,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64 / 1e6
}

pub(crate) fn summarize(runs: &[Measurement]) -> Option<Summary> {
    if runs.is_empty() {
        return None;
    }
    let mut latencies: Vec<u64> = runs
        .iter()
        .flat_map(|r| r.latencies.iter().copied())
        .collect();
    latencies.sort_unstable();
    let rate = runs
        .iter()
        .map(|r| {
            if r.seconds > 0.0 {
                r.ops as f64 / r.seconds
            } else {
                0.0
            }
        })
        .sum::<f64>()
        / runs.len() as f64;
    let values: Vec<f64> = runs.iter().filter_map(|r| r.value).collect();
    Some(Summary {
        rate,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().map_or(f64::NAN, |&n| n as f64 / 1e6),
        value: (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64),
        notes: runs.iter().filter_map(|r| r.note.clone()).collect(),
    })
}

/// One run, in a line of the progress log.
pub(crate) fn one_line(m: &Measurement) -> String {
    let s = summarize(std::slice::from_ref(m)).expect("one run");
    match s.value {
        Some(bytes) => format!("{:.0} B/item; {}", bytes, s.notes.join("; ")),
        None if s.p50_ms.is_nan() => format!("{:>10.0}/s  (no operation finished)", s.rate),
        None => format!(
            "{:>10.0}/s  p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
            s.rate, s.p50_ms, s.p99_ms, s.max_ms
        ),
    }
}

fn rate_unit(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Roundtrip => "calls/s",
        Scenario::Fanout => "deliveries/s",
        Scenario::Churn => "cycles/s",
        Scenario::Http => "requests/s",
        Scenario::Memory => "bytes",
    }
}

fn title(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Roundtrip => "1. Action round trip over WebSocket",
        Scenario::Fanout => "2. Broadcast fan-out",
        Scenario::Churn => "3. Connection churn",
        Scenario::Http => "4. Stateless HTTP actions",
        Scenario::Memory => "5. Memory",
    }
}

fn explanation(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Roundtrip => {
            "`counter.increment(1)` over a BARE WebSocket, closed loop: every connection keeps its \
             number of calls in flight and sends the next call when a response arrives. Latency is \
             from send to response. echo answers each frame with a frame of the same size. In \
             the charts, `16c×32 1` is 16 connections with 32 calls in flight each, on 1 actor; \
             `N` instead of `1` is one actor per connection."
        }
        Scenario::Fanout => {
            "One sender calls `room.send(seq)`, which broadcasts event `msg` to every subscribed \
             connection; a broadcast is complete when its last subscriber has it. The rate is \
             deliveries per second; the latency is from the send to the last delivery. echo sends \
             one encoded frame to every socket of the room."
        }
        Scenario::Churn => {
            "Each loop: open a WebSocket with connection params (so `create_conn_state` runs), \
             wait for Init, call `room.ping`, close and wait for the close handshake; one actor \
             per loop. Latency is one whole cycle. After each run the generator asks the server \
             how many connections with params ran `on_disconnect` and compares it with the \
             cycles it completed, warm-up included; a run where they differ fails. The line \
             \"Checked\" below gives both counts, for each run and target."
        }
        Scenario::Http => {
            "`POST /gateway/counter/action/increment` in BARE on keep-alive HTTP/1.1 connections, \
             one actor per connection; each request is an ephemeral connection with every hook. \
             echo answers each body with itself."
        }
        Scenario::Memory => {
            "Growth of the server's resident memory (VmRSS), measured on a fresh server process: \
             idle WebSockets to one actor after Init, and actors created with `PUT /actors`."
        }
    }
}

fn ms(v: f64) -> String {
    if v.is_nan() {
        "–".to_owned()
    } else if v < 1.0 {
        format!("{v:.3}")
    } else if v < 100.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.0}")
    }
}

fn rate(v: f64) -> String {
    if v >= 100.0 {
        let whole = v.round() as u64;
        let text = whole.to_string();
        let mut out = String::new();
        for (i, ch) in text.chars().enumerate() {
            if i > 0 && (text.len() - i).is_multiple_of(3) {
                out.push(' ');
            }
            out.push(ch);
        }
        out
    } else {
        format!("{v:.1}")
    }
}

fn kib(bytes: f64) -> String {
    format!("{:.2} KiB", bytes / 1024.0)
}

/// Everything measured, ready to print.
pub(crate) struct Report<'a> {
    pub(crate) results: &'a [CaseResult],
    pub(crate) options: &'a Options,
    pub(crate) scenarios: &'a [Scenario],
    pub(crate) elapsed: Duration,
}

/// A case's summaries, by target.
struct Row<'a> {
    case: &'a Case,
    by_target: Vec<(Target, Option<Summary>, Option<&'a str>)>,
}

impl Row<'_> {
    fn get(&self, target: Target) -> Option<&Summary> {
        self.by_target
            .iter()
            .find(|(t, _, _)| *t == target)
            .and_then(|(_, s, _)| s.as_ref())
    }

    fn ratio(&self, over: Target, field: impl Fn(&Summary) -> f64) -> Option<f64> {
        let rivet = field(self.get(Target::Rivet)?);
        let other = field(self.get(over)?);
        (other > 0.0 && rivet.is_finite() && other.is_finite()).then(|| rivet / other)
    }
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}×"))
}

impl<'a> Report<'a> {
    fn rows(&self, scenario: Scenario) -> Vec<Row<'a>> {
        let mut rows: Vec<Row<'a>> = Vec::new();
        for result in self.results.iter().filter(|r| r.scenario == scenario) {
            let entry = (
                result.target,
                summarize(&result.runs),
                result.skipped.as_deref(),
            );
            match rows.iter_mut().find(|row| *row.case == result.case) {
                Some(row) => row.by_target.push(entry),
                None => rows.push(Row {
                    case: &result.case,
                    by_target: vec![entry],
                }),
            }
        }
        rows
    }

    fn has(&self, target: Target) -> bool {
        self.options.targets.contains(&target)
    }

    /// The tables of every scenario that ran, in Markdown.
    pub(crate) fn tables(&self) -> String {
        let mut out = String::new();
        for &scenario in self.scenarios {
            let _ = writeln!(out, "## {}\n\n{}\n", title(scenario), explanation(scenario));
            out.push_str(&self.table(scenario));
            out.push('\n');
        }
        out
    }

    fn table(&self, scenario: Scenario) -> String {
        let mut out = String::new();
        let rows = self.rows(scenario);
        if scenario == Scenario::Memory {
            let _ = write!(out, "| measure |");
            for t in &self.options.targets {
                let _ = write!(out, " {} |", t.name());
            }
            let _ = writeln!(out, " goal (rivet) | notes |");
            let _ = writeln!(
                out,
                "|---|{}---|---|",
                "---|".repeat(self.options.targets.len())
            );
            for row in &rows {
                let _ = write!(out, "| {} |", row.case.label());
                let mut notes = Vec::new();
                for (target, summary, skipped) in &row.by_target {
                    match (summary.as_ref().and_then(|s| s.value), skipped) {
                        (Some(v), _) => {
                            let _ = write!(out, " {} |", kib(v));
                            for note in &summary.as_ref().expect("summary").notes {
                                notes.push(format!("{}: {note}", target.name()));
                            }
                        }
                        (None, Some(why)) => {
                            let _ = write!(out, " – ({why}) |");
                        }
                        (None, None) => out.push_str(" – |"),
                    }
                }
                let goal = match row.case {
                    Case::MemoryConns(_) => "≤ 16 KiB",
                    _ => "≤ 4 KiB",
                };
                let _ = writeln!(out, " {goal} | {} |", notes.join("; "));
            }
            return out;
        }
        let unit = rate_unit(scenario);
        let _ = write!(out, "| case | target | {unit} | p50 ms | p99 ms | max ms |");
        let mut ratios = Vec::new();
        if self.has(Target::Echo) {
            ratios.push("rivet/echo rate");
            ratios.push("rivet/echo p99");
        }
        if self.has(Target::Peer) {
            ratios.push("rivet/peer rate");
        }
        for r in &ratios {
            let _ = write!(out, " {r} |");
        }
        let _ = writeln!(
            out,
            "\n|---|---|---:|---:|---:|---:|{}",
            "---:|".repeat(ratios.len())
        );
        for row in &rows {
            for (i, (target, summary, skipped)) in row.by_target.iter().enumerate() {
                let case = if i == 0 {
                    row.case.label()
                } else {
                    String::new()
                };
                let cells = match (summary, skipped) {
                    (Some(s), _) => format!(
                        "{} | {} | {} | {}",
                        rate(s.rate),
                        ms(s.p50_ms),
                        ms(s.p99_ms),
                        ms(s.max_ms)
                    ),
                    (None, Some(why)) => format!("not run: {why} | | |"),
                    (None, None) => "– | | |".to_owned(),
                };
                let _ = write!(out, "| {case} | {} | {cells} |", target.name());
                if *target == Target::Rivet {
                    if self.has(Target::Echo) {
                        let _ = write!(
                            out,
                            " {} | {} |",
                            fmt_ratio(row.ratio(Target::Echo, |s| s.rate)),
                            fmt_ratio(row.ratio(Target::Echo, |s| s.p99_ms))
                        );
                    }
                    if self.has(Target::Peer) {
                        let _ =
                            write!(out, " {} |", fmt_ratio(row.ratio(Target::Peer, |s| s.rate)));
                    }
                } else {
                    out.push_str(&" |".repeat(ratios.len()));
                }
                out.push('\n');
            }
        }
        let notes: Vec<String> = rows
            .iter()
            .flat_map(|row| {
                row.by_target.iter().filter_map(|(t, s, _)| {
                    let s = s.as_ref()?;
                    (!s.notes.is_empty()).then(|| format!("{}: {}", t.name(), s.notes.join("; ")))
                })
            })
            .collect();
        if !notes.is_empty() {
            let _ = writeln!(out, "\nChecked: {}.", notes.join("; "));
        }
        out
    }

    /// The goals of the issue, each met or missed.
    fn goals(&self) -> String {
        let mut out = String::new();
        let mut line = |goal: &str, verdict: Option<(bool, String)>| {
            let _ = match verdict {
                Some((met, detail)) => writeln!(
                    out,
                    "| {goal} | {} | {detail} |",
                    if met { "met" } else { "**missed**" }
                ),
                None => writeln!(out, "| {goal} | not measured | |"),
            };
        };
        let rt = self.rows(Scenario::Roundtrip);
        let worst = |ratios: Vec<(String, f64)>, better_high: bool| {
            ratios.into_iter().min_by(|a, b| {
                let (x, y) = if better_high { (a.1, b.1) } else { (b.1, a.1) };
                x.total_cmp(&y)
            })
        };
        let rate_vs = |over: Target| -> Vec<(String, f64)> {
            rt.iter()
                .filter_map(|r| Some((r.case.short(), r.ratio(over, |s| s.rate)?)))
                .collect()
        };
        line(
            "round trip rate ≥ 0.7 × echo (every case)",
            worst(rate_vs(Target::Echo), true)
                .map(|(case, r)| (r >= 0.7, format!("lowest {r:.2}× ({case})"))),
        );
        let p99: Vec<(String, f64)> = rt
            .iter()
            .filter_map(|r| Some((r.case.short(), r.ratio(Target::Echo, |s| s.p99_ms)?)))
            .collect();
        line(
            "round trip p99 ≤ 2 × echo (every case)",
            worst(p99, false).map(|(case, r)| (r <= 2.0, format!("highest {r:.2}× ({case})"))),
        );
        line(
            "round trip rate ≥ 20 × peer (every case)",
            worst(rate_vs(Target::Peer), true)
                .map(|(case, r)| (r >= 20.0, format!("lowest {r:.1}× ({case})"))),
        );
        let fan = self.rows(Scenario::Fanout);
        // Only a run with 1000 subscribers answers this goal (quick runs stop at 100).
        let thousand = fan.iter().find(|r| {
            matches!(
                r.case,
                Case::Fanout {
                    subscribers: 1000,
                    ..
                }
            )
        });
        line(
            "fan-out to 1000: deliveries/s ≥ 0.5 × echo",
            thousand.and_then(|r| {
                let ratio = r.ratio(Target::Echo, |s| s.rate)?;
                Some((ratio >= 0.5, format!("{ratio:.2}× ({})", r.case.short())))
            }),
        );
        let churn = self.rows(Scenario::Churn);
        line(
            "churn ≥ 0.5 × echo",
            churn.first().and_then(|r| {
                let ratio = r.ratio(Target::Echo, |s| s.rate)?;
                Some((ratio >= 0.5, format!("{ratio:.2}×")))
            }),
        );
        let memory = self.rows(Scenario::Memory);
        for (which, limit, goal) in [
            (0usize, 16.0, "memory ≤ 16 KiB per idle connection"),
            (1, 4.0, "memory ≤ 4 KiB per idle actor"),
        ] {
            let value = memory
                .get(which)
                .and_then(|r| r.get(Target::Rivet))
                .and_then(|s| s.value);
            line(
                goal,
                value.map(|v| (v / 1024.0 <= limit, format!("{:.2} KiB", v / 1024.0))),
            );
        }
        out
    }

    /// Writes the report and its charts where `output` says.
    pub(crate) fn write(&self, output: &Output) -> Res<()> {
        let Output { path, dir, charts } = output;
        let mut out = String::new();
        let args: Vec<String> = std::env::args().skip(1).collect();
        let profile = if cfg!(debug_assertions) {
            "debug"
        } else {
            "--release"
        };
        let _ = writeln!(
            out,
            "# Benchmarks\n\nrivet measured side by side with `echo`, a raw WebSocket server on \
             hyper and tokio-tungstenite with no framework (the transport's limit on this \
             machine: `rivet / echo` is what the framework costs), and `peer`, the official \
             RivetKit 2.3.19 server (`rivet / peer` is what a user gains). One load generator \
             (`rivet-bench`, speaking the client protocol in BARE) drives every target, in one \
             run. rivet and echo are alternated case by case so that machine noise hits them \
             alike; peer runs apart, in a block per scenario, started only for its own runs, as \
             its engine keeps a core busy even when idle (it is two to three orders of magnitude \
             slower, so this changes none of its ratios). The generator and the server share \
             the machine's cores.\n"
        );
        let _ = writeln!(
            out,
            "## How to rerun\n\n```sh\ncargo run --release -p rivet-bench -- all\n```\n"
        );
        let _ = writeln!(
            out,
            "This report: `cargo run {}-p rivet-bench -- {}` ({} build), {:.0} s.\n",
            if cfg!(debug_assertions) {
                ""
            } else {
                "--release "
            },
            args.join(" "),
            profile.trim_start_matches("--"),
            self.elapsed.as_secs_f64()
        );
        let _ = writeln!(out, "## Machine\n\n{}\n", machine());
        if !self.has(Target::Peer) {
            let _ = writeln!(out, "The `peer` target was not part of this run.\n");
        } else if let Some(why) = self
            .results
            .iter()
            .find(|r| r.target == Target::Peer)
            .and_then(|r| r.skipped.as_ref())
        {
            let _ = writeln!(out, "The `peer` target could not run: {why}.\n");
        }
        let _ = writeln!(
            out,
            "## Goals\n\n| goal | verdict | measured |\n|---|---|---|"
        );
        out.push_str(&self.goals());
        out.push('\n');
        for &scenario in self.scenarios {
            let _ = writeln!(out, "## {}\n\n{}\n", title(scenario), explanation(scenario));
            out.push_str(&self.table(scenario));
            out.push('\n');
            let name = scenario.name();
            let draw = |file: &str, p99: bool| -> Res<bool> {
                let chart = charts.join(file);
                self.chart(scenario, &chart, p99)
                    .map_err(|error| format!("{}: {error}", chart.display()).into())
            };
            if draw(&format!("{name}.svg"), false)? {
                let _ = writeln!(out, "![{name}](bench/charts/{name}.svg)\n");
            }
            if scenario != Scenario::Memory && draw(&format!("{name}-p99.svg"), true)? {
                let _ = writeln!(out, "![{name} p99](bench/charts/{name}-p99.svg)\n");
            }
        }
        let notes = dir.join("bench/NOTES.md");
        if notes.exists() {
            let _ = writeln!(
                out,
                "## What limits the rest\n\nSee [bench/NOTES.md](bench/NOTES.md).\n"
            );
        }
        std::fs::write(path, out).map_err(|error| format!("{}: {error}", path.display()))?;
        Ok(())
    }

    /// A grouped bar chart of a scenario: the rate (or memory, or p99) per case and target.
    fn chart(&self, scenario: Scenario, path: &Path, p99: bool) -> Res<bool> {
        let rows = self.rows(scenario);
        let targets = &self.options.targets;
        let value = |s: &Summary| -> Option<f64> {
            if scenario == Scenario::Memory {
                s.value.map(|v| v / 1024.0)
            } else if p99 {
                Some(s.p99_ms).filter(|v| v.is_finite())
            } else {
                Some(s.rate)
            }
        };
        let max = rows
            .iter()
            .flat_map(|r| {
                r.by_target
                    .iter()
                    .filter_map(|(_, s, _)| value(s.as_ref()?))
            })
            .fold(0.0f64, f64::max);
        if rows.is_empty() || max <= 0.0 {
            return Ok(false);
        }
        let y_label = if scenario == Scenario::Memory {
            "KiB per item".to_owned()
        } else if p99 {
            "p99 latency, ms (lower is better)".to_owned()
        } else {
            format!("{} (higher is better)", rate_unit(scenario))
        };
        let width = (220 + 110 * rows.len() as u32).max(560);
        let root = SVGBackend::new(path, (width, 380)).into_drawing_area();
        root.fill(&WHITE)?;
        let caption = format!("{}{}", title(scenario), if p99 { ": p99" } else { "" });
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(80)
            .build_cartesian_2d(0f64..rows.len() as f64, 0f64..max * 1.15)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc(y_label)
            .y_label_formatter(&|v| {
                if *v >= 10_000.0 {
                    format!("{:.0}k", v / 1000.0)
                } else {
                    format!("{v}")
                }
            })
            .draw()?;
        let palette = [
            RGBColor(0xd9, 0x48, 0x1c),
            RGBColor(0x55, 0x55, 0x55),
            RGBColor(0x2b, 0x6c, 0xb0),
        ];
        let slot = 0.8 / targets.len() as f64;
        for (j, target) in targets.iter().enumerate() {
            let color = palette[j % palette.len()];
            let bars: Vec<_> = rows
                .iter()
                .enumerate()
                .filter_map(|(i, row)| {
                    let v = value(row.get(*target)?)?;
                    let x0 = i as f64 + 0.1 + j as f64 * slot;
                    Some(Rectangle::new(
                        [(x0, 0.0), (x0 + slot * 0.9, v)],
                        color.filled(),
                    ))
                })
                .collect();
            chart
                .draw_series(bars)?
                .label(target.name())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.9))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
        let style = TextStyle::from(("sans-serif", 13).into_font()).pos(
            plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Top,
            ),
        );
        for (i, row) in rows.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
            root.draw(&Text::new(row.case.short(), (x, y + 8), style.clone()))?;
        }
        root.present()?;
        Ok(true)
    }
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1048576.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!(
        "- CPU: {model}, {cores} cores available\n- memory: {mem_gib:.1} GiB\n- Linux {}\n- {rustc}; Node {node}",
        kernel.trim()
    )
}

/// Where `all` writes the report, and its charts in `bench/charts/` beside it.
#[derive(Debug)]
pub(crate) struct Output {
    path: PathBuf,
    dir: PathBuf,
    charts: PathBuf,
}

impl Output {
    /// Makes sure that the report and its charts can be written, before a run of many minutes
    /// finds out that they cannot. Creates the charts' folder; an existing report is kept
    /// until the run has finished.
    pub(crate) fn prepare(path: &Path) -> Res<Self> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        let charts = dir.join("bench/charts");
        std::fs::create_dir_all(&charts)
            .map_err(|error| format!("cannot create {}: {error}", charts.display()))?;
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        Ok(Self {
            path: path.to_owned(),
            dir,
            charts,
        })
    }

    /// The report's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}
