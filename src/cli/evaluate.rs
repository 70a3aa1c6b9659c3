//! `candor evaluate`: how good the shop's recommendations are, measured on its own
//! history against two simple baselines.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;

use crate::engine::relevance::{
    BacktestConfig, DEFAULT_DAYS, DEFAULT_TOP, MethodFigures, Relevance, evaluate,
};
use crate::engine::simulate::Progress;
use crate::engine::words;

/// The arguments of `candor evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// The shop file.
    #[arg(long)]
    pub db: PathBuf,
    /// Days of orders held out, ending on the shop's day.
    #[arg(long, default_value_t = DEFAULT_DAYS)]
    pub days: i64,
    /// List length judged.
    #[arg(long, default_value_t = DEFAULT_TOP)]
    pub top: usize,
    /// Treat every purpose a customer was never asked about as agreed (for historical data
    /// with no consent records); a recorded refusal still stands.
    #[arg(long)]
    pub as_if_consented: bool,
    /// The last day held out (default: the shop's pinned day, else today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `candor evaluate`.
pub fn run(args: &EvaluateArgs, today: NaiveDate) -> Result<()> {
    let index = super::open_index(&args.db, today, args.today)?;
    let config = BacktestConfig {
        days: args.days,
        top: args.top,
        as_if_consented: args.as_if_consented,
    };
    let relevance = evaluate(&index, &config, &Progress::default())?;
    super::print_either(args.json, &relevance, |out| {
        report(out, &relevance, index.shop().customers.len())
    })
}

/// The figures as a table per variant, with what each column means.
fn report(out: &mut dyn Write, r: &Relevance, customers: usize) -> std::io::Result<()> {
    let cut = r.hold_out.from - chrono::Duration::days(1);
    writeln!(
        out,
        "Each customer's top {} as of {cut}, from earlier records only, compared with what \
         they bought from {} to {} ({}).",
        r.top,
        r.hold_out.from,
        r.hold_out.to,
        words::count(r.hold_out.days as usize, "day", "days")
    )?;
    if r.as_if_consented {
        writeln!(
            out,
            "Customers never asked about a purpose are evaluated as if they had agreed \
             (--as-if-consented); a recorded refusal still stands."
        )?;
    } else {
        writeln!(
            out,
            "Customers who had not agreed to personalization on that day, or have refused it \
             since, get the shop-wide list, as in the shop."
        )?;
    }
    for v in &r.variants {
        writeln!(
            out,
            "\n{} ({} of {}):",
            words::capitalized(v.variant.text()),
            words::number(v.customers),
            words::customers(customers)
        )?;
        writeln!(
            out,
            "  {:<20}{:>10}{:>11}{:>8}{:>8}{:>10}",
            "lists from", "hit rate", "precision", "recall", "NDCG", "coverage"
        )?;
        for m in &v.methods {
            row(out, m)?;
        }
    }
    writeln!(
        out,
        "\nHit rate: the share of customers who bought at least one product of their list. \
         Precision: products of the list bought, out of {}. Recall: products bought that the \
         list named. NDCG: like recall, counting a hit near the top more. Coverage: the share \
         of the shop's products in anyone's list. \"New products only\" leaves out what each \
         customer bought before.",
        r.top
    )
}

/// One method's row; a figure that could not be computed reads "not known".
fn row(out: &mut dyn Write, m: &MethodFigures) -> std::io::Result<()> {
    let f = |x: Option<f64>| x.map_or_else(|| "not known".to_owned(), |x| format!("{x:.3}"));
    writeln!(
        out,
        "  {:<20}{:>10}{:>11}{:>8}{:>8}{:>10}",
        m.method.text(),
        f(m.hit_rate),
        f(m.precision),
        f(m.recall),
        f(m.ndcg),
        f(m.coverage)
    )
}
