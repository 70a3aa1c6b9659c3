//! Plain-text reports for the terminal, written through `io::Write` so a closed pipe
//! (`candor … | head`) ends the output instead of crashing.

use std::io::{self, Write};

use crate::engine::ShopIndex;
use crate::engine::explain::{Explanation, Record};
use crate::engine::held::Held;
use crate::engine::model::money_text;
use crate::engine::overview::{CustomerRow, RuleRow};

pub use crate::engine::overview::rule_rows;

/// Prints the customers table.
pub fn customers(out: &mut dyn Write, rows: &[CustomerRow]) -> io::Result<()> {
    writeln!(
        out,
        "{:>8}  {:<24} {:<28} {:>6}  {:<10}  consent",
        "number", "name", "email", "orders", "last order"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:>8}  {:<24} {:<28} {:>6}  {:<10}  {}",
            r.id,
            r.name,
            r.email_masked,
            r.orders,
            r.last_order.map(|d| d.to_string()).unwrap_or_default(),
            r.consent
        )?;
    }
    Ok(())
}

/// Prints the data held about a customer.
pub fn held(out: &mut dyn Write, held: &Held) -> io::Result<()> {
    writeln!(out, "Data held about customer {}", held.customer)?;
    let mut group = "";
    for f in &held.fields {
        if f.group != group {
            group = &f.group;
            writeln!(out, "\n{}", group.to_uppercase())?;
        }
        let used = if f.not_used {
            "HELD BUT NOT USED".to_owned()
        } else if f.used_by.is_empty() {
            format!("kept for {}", f.kept_for.as_deref().unwrap_or(""))
        } else {
            let names: Vec<&str> = f.used_by.iter().map(|u| u.label.as_str()).collect();
            format!("used by {}", names.join(", "))
        };
        writeln!(out, "  {:<15} {}", f.label, f.value)?;
        writeln!(
            out,
            "  {:<15} from {} on {}; {used}",
            "", f.source, f.recorded_on
        )?;
    }
    Ok(())
}

/// Prints an explanation.
pub fn explanation(out: &mut dyn Write, index: &ShopIndex, e: &Explanation) -> io::Result<()> {
    let name = index
        .customer_pos(e.customer)
        .map(|p| index.shop().customers[p].display_name())
        .unwrap_or_default();
    writeln!(
        out,
        "Recommendations for {name} (customer {}) on {}",
        e.customer, e.today
    )?;
    if !e.personalized {
        writeln!(
            out,
            "Not personalized: the customer has not agreed to personalized recommendations."
        )?;
    }
    for r in &e.recommendations {
        writeln!(
            out,
            "\n{}. {} ({}, {}) score {:.2}",
            r.rank,
            r.name,
            r.category,
            money_text(r.price_cents),
            r.score
        )?;
        writeln!(out, "   {}", r.sentence)?;
        for c in &r.contributions {
            let purpose = c.purpose.as_deref().unwrap_or("none needed");
            writeln!(
                out,
                "   {:+6.2}  {:<28} purpose: {purpose}",
                c.value, c.label
            )?;
            for rec in c.records.iter().take(3) {
                if let Record::OrderLine {
                    order,
                    date,
                    product_name,
                    quantity,
                    ..
                } = rec
                {
                    writeln!(
                        out,
                        "           order {order} on {date}: {quantity} × {product_name}"
                    )?;
                }
            }
            if c.records.len() > 3 {
                writeln!(out, "           … and {} more records", c.records.len() - 3)?;
            }
        }
        writeln!(
            out,
            "   What would change it: {}",
            r.counterfactual.sentence
        )?;
    }
    if !e.skipped.is_empty() {
        writeln!(out, "\nRules that did not apply:")?;
        for s in &e.skipped {
            writeln!(out, "  {}: {}", s.label, s.detail)?;
        }
    }
    Ok(())
}

/// Prints the rules in words.
pub fn rules(out: &mut dyn Write, rows: &[RuleRow]) -> io::Result<()> {
    for r in rows {
        let state = if r.rule.enabled { "on" } else { "OFF" };
        writeln!(
            out,
            "{} [{}] ({state}, weight {})",
            r.rule.label, r.rule.id, r.rule.weight
        )?;
        if r.rule.conditions.is_empty() {
            writeln!(out, "  for every customer who agreed: {}", r.effect_text)?;
        } else {
            writeln!(out, "  when {}: {}", r.conditions_text, r.effect_text)?;
        }
        writeln!(
            out,
            "  needs consent to \"{}\"; reads {}; runs for {} customers",
            r.purpose_label,
            r.fields.join(", "),
            r.runs_for
        )?;
    }
    Ok(())
}

/// Prints a simulation.
pub fn simulation(out: &mut dyn Write, r: &super::simulation::SimulationReport) -> io::Result<()> {
    writeln!(out, "Nothing has been saved: this is a simulation.")?;
    for a in &r.changes {
        writeln!(out, "  {} ({} → {})", a.change.kind(), a.before, a.after)?;
    }
    let i = &r.impact;
    writeln!(
        out,
        "\nRecommendations change for {} of {} customers.",
        i.customers_changed, i.customers_total
    )?;
    writeln!(
        out,
        "Mean recommended price: £{:.2} → £{:.2}",
        i.mean_recommended_price.before, i.mean_recommended_price.after
    )?;
    if !i.exposure.is_empty() {
        writeln!(
            out,
            "\nProducts gaining or losing the most exposure (customers it is recommended to):"
        )?;
        for e in i.exposure.iter().take(10) {
            writeln!(
                out,
                "  {:+6}  {} ({} → {})",
                e.change, e.name, e.before, e.after
            )?;
        }
    }
    writeln!(out, "\nCategory share of recommendations:")?;
    for c in &i.category_share {
        writeln!(
            out,
            "  {:<12} {:5.1}% → {:5.1}%",
            c.group,
            c.before * 100.0,
            c.after * 100.0
        )?;
    }
    if let (Some(before), Some(after)) = (&r.before, &r.after) {
        writeln!(out, "\nCustomer {}: before → after", before.customer)?;
        let n = before
            .recommendations
            .len()
            .max(after.recommendations.len());
        for k in 0..n {
            let name = |e: &Explanation| {
                e.recommendations
                    .get(k)
                    .map(|x| x.name.clone())
                    .unwrap_or_default()
            };
            writeln!(out, "  {}. {:<34} {}", k + 1, name(before), name(after))?;
        }
    }
    Ok(())
}

/// Prints the audit log.
pub fn log(out: &mut dyn Write, entries: &[crate::store::LogEntry]) -> io::Result<()> {
    if entries.is_empty() {
        writeln!(out, "No changes have been applied yet.")?;
    }
    for e in entries {
        let undo = e
            .undoes
            .map(|u| format!(" (undoes entry {u})"))
            .unwrap_or_default();
        writeln!(
            out,
            "Entry {} at {} by {}{undo}: {}",
            e.id, e.at, e.actor, e.reason
        )?;
        for a in &e.changes {
            writeln!(out, "  {}: {} → {}", a.change.kind(), a.before, a.after)?;
        }
    }
    Ok(())
}

/// Prints the benchmark table.
pub fn bench(out: &mut dyn Write, r: &crate::bench::Report) -> io::Result<()> {
    writeln!(
        out,
        "{} customers, {} products, {} order lines; {} threads",
        r.customers, r.products, r.order_lines, r.threads
    )?;
    writeln!(out, "{:<48} {:>10} {:>10}", "operation", "ms", "p99 ms")?;
    for f in &r.figures {
        let p99 = f.p99_ms.map(|p| format!("{p:.3}")).unwrap_or_default();
        writeln!(out, "{:<48} {:>10.3} {:>10}", f.name, f.ms, p99)?;
    }
    if let Some(mb) = r.peak_rss_mb {
        writeln!(out, "{:<48} {:>10.0}", "peak resident memory (MB)", mb)?;
    }
    Ok(())
}
