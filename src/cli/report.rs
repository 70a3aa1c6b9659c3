//! Plain-text reports for the terminal, written through `io::Write` so a closed pipe
//! (`candor … | head`) ends the output instead of crashing.

use std::io::{self, Write};

use crate::engine::ShopIndex;
use crate::engine::audit::Audit;
use crate::engine::explain::{Explanation, Record};
use crate::engine::held::Held;
use crate::engine::overview::{CustomerRow, RuleRow};
use crate::engine::simulate::BeforeAfter;
use crate::engine::words::{self, number};

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
        let not_agreed = f.needs_agreement_text().map_or_else(String::new, |rules| {
            format!(" (would be used by {rules} with the customer's agreement)")
        });
        let used = if f.not_used {
            format!("HELD BUT NOT USED{not_agreed}")
        } else if f.used_by.is_empty() {
            format!(
                "kept for {}{not_agreed}",
                f.kept_for.as_deref().unwrap_or("")
            )
        } else {
            let names: Vec<&str> = f.used_by.iter().map(|u| u.label.as_str()).collect();
            format!("used by {}{not_agreed}", names.join(", "))
        };
        writeln!(out, "  {:<15} {}", f.label, f.value)?;
        writeln!(
            out,
            "  {:<15} from {} on {}; {used}",
            "", f.source, f.recorded_on
        )?;
    }
    if !held.consents.is_empty() {
        writeln!(
            out,
            "\nCONSENT DECISIONS (the last one recorded is in force)"
        )?;
    }
    for c in &held.consents {
        let state = if c.granted { "granted" } else { "withdrawn" };
        writeln!(out, "  {}: {state}", c.label)?;
        if let Some(text) = c.not_covered_text() {
            writeln!(out, "    {text}")?;
        }
        for h in &c.history {
            let words = crate::engine::words::their_words(h.words.as_deref());
            writeln!(
                out,
                "    {}, {} ({}, recorded by {}){words}",
                if h.granted { "granted" } else { "withdrawn" },
                h.when_text(),
                h.method,
                h.recorded_by
            )?;
            if let Some(wording) = &h.wording {
                writeln!(out, "      shown: \u{201c}{wording}\u{201d}")?;
            }
        }
    }
    held_preferences(out, &held.preferences)
}

/// Prints the preferences a customer stated, each with its history.
pub fn held_preferences(
    out: &mut dyn Write,
    preferences: &[crate::engine::held::HeldPreference],
) -> io::Result<()> {
    if !preferences.is_empty() {
        writeln!(
            out,
            "\nSTATED PREFERENCES (the last decision recorded stands)"
        )?;
    }
    for p in preferences {
        if p.stands {
            writeln!(
                out,
                "  {}: {}",
                crate::engine::words::capitalized(&p.text),
                p.effect
            )?;
        } else {
            writeln!(
                out,
                "  {}: taken back",
                crate::engine::words::capitalized(&p.text)
            )?;
        }
        for h in &p.history {
            let words = crate::engine::words::their_words(h.words.as_deref());
            writeln!(
                out,
                "    {}, recorded {} ({}, by {}){words}",
                if h.withdrawn { "taken back" } else { "stated" },
                h.recorded_at,
                h.method,
                h.recorded_by
            )?;
        }
    }
    Ok(())
}

/// Prints an explanation.
pub fn explanation(out: &mut dyn Write, index: &ShopIndex, e: &Explanation) -> io::Result<()> {
    let who = match index
        .customer_pos(e.customer)
        .and_then(|p| index.shop().customers[p].name.clone())
    {
        Some(name) => format!("{name} (customer {})", e.customer),
        None => format!("customer {}", e.customer),
    };
    writeln!(out, "Recommendations for {who} on {}", e.today)?;
    match e.not_personalized {
        Some(crate::engine::score::NotPersonalized::NoConsent) => writeln!(
            out,
            "Not personalized: the customer has not agreed to personalized recommendations."
        )?,
        Some(crate::engine::score::NotPersonalized::NoRuleInUse) => writeln!(
            out,
            "Not personalized: the customer agreed, but no rule of what they agreed to is in use."
        )?,
        None => {}
    }
    for left in &e.left_out {
        writeln!(out, "{}", left.sentence)?;
    }
    for unused in &e.purchases_not_used {
        writeln!(out, "{}", unused.sentence)?;
    }
    for r in &e.recommendations {
        let category = if r.category == crate::engine::model::NO_CATEGORY {
            String::new()
        } else {
            format!("{}, ", r.category)
        };
        writeln!(
            out,
            "\n{}. {} ({category}{}) score {:.2}",
            r.rank,
            r.name,
            e.currency.price_text(r.price_cents),
            r.shown_score()
        )?;
        writeln!(out, "   {}", r.sentence)?;
        for (c, shown) in r.contributions.iter().zip(r.shown_contributions()) {
            let purpose = c.purpose.as_deref().unwrap_or("none needed");
            writeln!(out, "   {:+6.2}  {:<28} purpose: {purpose}", shown, c.label)?;
            for rec in c.records.iter().take(3) {
                writeln!(out, "           {}", record_text(rec))?;
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
        let reads = if r.fields.is_empty() {
            "no personal data".to_owned()
        } else {
            let in_words: Vec<String> = (r.fields.iter())
                .map(|k| crate::engine::fields::key_in_words(k))
                .collect();
            in_words.join(", ")
        };
        writeln!(
            out,
            "  needs consent to \"{}\"; reads {reads}; runs for {}",
            r.purpose_label,
            words::customers(r.runs_for)
        )?;
        if let Some(field) = &r.outside_purpose {
            writeln!(
                out,
                "  DOES NOT RUN: it reads {}, which \"{}\" does not cover (purpose limitation)",
                crate::engine::fields::key_in_words(field),
                r.purpose_label
            )?;
        }
    }
    Ok(())
}

/// Prints the audit's headline figures after every applied change, and now.
pub fn history(
    out: &mut dyn Write,
    points: &[crate::session::history::HistoryPoint],
) -> io::Result<()> {
    use crate::session::history::HEADLINE;
    let label = |key: &str| {
        points
            .last()
            .and_then(|p| p.figures.iter().find(|f| f.key == key))
            .map_or_else(|| key.to_owned(), |f| f.label.clone())
    };
    writeln!(
        out,
        "The audit's headline figures after each applied change:"
    )?;
    for (i, key) in HEADLINE.iter().enumerate() {
        writeln!(out, "  ({}) {}", i + 1, label(key))?;
    }
    for (i, p) in points.iter().enumerate() {
        let when = match (p.entry, &p.at) {
            (Some(entry), Some(at)) => format!("entry {entry} ({})", at.get(..10).unwrap_or(at)),
            _ => "now".to_owned(),
        };
        let values: Vec<String> = HEADLINE
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let v = crate::engine::audit::figure_value_text(key, p.value(key));
                format!("({}) {v}", i + 1)
            })
            .collect();
        let why = p
            .reason
            .as_deref()
            .map_or(String::new(), |r| format!(" — {r}"));
        writeln!(out, "{when}: {}{why}", values.join("  "))?;
        for (n, key) in HEADLINE.iter().enumerate() {
            if let Some(moved) = crate::session::history::groups_moved(points, i, key) {
                writeln!(
                    out,
                    "  ({}) not like for like with the line before: {moved}",
                    n + 1
                )?;
            }
        }
    }
    Ok(())
}

/// One record behind a contribution, in words: an order line, an order, or a field.
fn record_text(record: &Record) -> String {
    match record {
        Record::OrderLine {
            order,
            date,
            product_name,
            quantity,
            ..
        } => format!(
            "order {order} on {date}: {}",
            crate::engine::explain::units_text(*quantity, product_name)
        ),
        Record::Order { order, date } => format!("order {order} on {date}"),
        Record::Field { field } => format!(
            "their {}",
            crate::engine::fields::PersonalField::from_key(field)
                .map_or(field.as_str(), |f| f.in_words())
        ),
    }
}

/// Prints the consent purposes.
pub fn purposes(
    out: &mut dyn Write,
    rows: &[crate::engine::overview::PurposeRow],
) -> io::Result<()> {
    for r in rows {
        let p = &r.purpose;
        writeln!(
            out,
            "{} [{}]: {} agreed",
            p.label,
            p.id,
            words::customers(r.granted)
        )?;
        writeln!(out, "  customers are told: \"{}\"", p.description)?;
        let covers = if r.covers_text.is_empty() {
            "no personal data".to_owned()
        } else {
            crate::engine::words::and_list(&r.covers_text)
        };
        writeln!(out, "  covers: {covers}")?;
        for (field, since) in &p.covered_since {
            writeln!(
                out,
                "  covers {} since {}, when it was widened",
                field.in_words(),
                since.format("%-d %B %Y")
            )?;
        }
        if r.agreed_before_widened > 0 {
            writeln!(
                out,
                "  {} agreed before it was widened: rules reading what it did not cover then do not run for them until they agree again",
                words::count(r.agreed_before_widened, "of them", "of them")
            )?;
        }
        let rules = if r.rules.is_empty() {
            "none".to_owned()
        } else {
            r.rules.join(", ")
        };
        writeln!(out, "  rules: {rules}")?;
        for id in &r.rules_outside {
            writeln!(
                out,
                "  {id} reads data this purpose does not cover, so it runs for nobody"
            )?;
        }
    }
    Ok(())
}

/// Prints a simulation.
pub fn simulation(out: &mut dyn Write, r: &super::simulation::SimulationReport) -> io::Result<()> {
    writeln!(out, "Nothing has been saved: this is a simulation.")?;
    for (sentence, a) in r.sentences.iter().zip(&r.changes) {
        writeln!(out, "  {sentence}")?;
        writeln!(out, "      {}: {}", a.change.kind(), a.values_text())?;
    }
    let i = &r.impact;
    writeln!(
        out,
        "\nRecommendations change for {}.",
        words::of_customers(i.customers_changed, i.customers_total)
    )?;
    writeln!(
        out,
        "Mean recommended price: {} → {}",
        BeforeAfter::price_text(i.mean_recommended_price.before, i.currency),
        BeforeAfter::price_text(i.mean_recommended_price.after, i.currency)
    )?;
    if !i.exposure.is_empty() {
        writeln!(
            out,
            "\nProducts gaining or losing the most exposure (customers it is recommended to):"
        )?;
        for e in i.exposure.iter().take(10) {
            writeln!(
                out,
                "  {:>7}  {} ({} → {})",
                words::signed(e.change),
                e.name,
                number(e.before),
                number(e.after)
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
    simulation_audit_moves(out, &r.audit)?;
    simulation_relevance(out, &r.relevance)?;
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

/// The rules' hit rate and NDCG on the last days of orders, before and after.
fn simulation_relevance(
    out: &mut dyn Write,
    r: &crate::engine::relevance::RelevanceChange,
) -> io::Result<()> {
    writeln!(
        out,
        "\nRelevance on the last {} of orders (each customer's top {} from the day before, \
         against what they then bought):",
        words::count(r.days as usize, "day", "days"),
        r.top
    )?;
    let text = |x: Option<f64>, percent: bool| match x {
        None => "not known".to_owned(),
        Some(x) if percent => format!("{:.0}%", 100.0 * x),
        Some(x) => format!("{x:.2}"),
    };
    for v in &r.variants {
        writeln!(
            out,
            "  {} ({}): hit rate {} → {}, NDCG {} → {}",
            v.variant.text(),
            words::customers(v.customers),
            text(v.hit_rate.before, true),
            text(v.hit_rate.after, true),
            text(v.ndcg.before, false),
            text(v.ndcg.after, false)
        )?;
    }
    Ok(())
}

/// The audit figures a simulation moves, with their verdicts before and after.
fn simulation_audit_moves(
    out: &mut dyn Write,
    audit: &crate::session::simulate::AuditBeforeAfter,
) -> io::Result<()> {
    // A figure whose change does not show at the precision printed is counted, not listed
    // as "0.52 → 0.52".
    // A figure whose groups changed is shown even when its value did not: it no longer
    // measures the same thing.
    let shown_moves = |f: &&crate::engine::audit::FigureChange| {
        f.value_text(f.before) != f.value_text(f.after)
            || f.status_before != f.status_after
            || f.comparison_note.is_some()
    };
    let moved: Vec<_> = audit.figures.iter().filter(shown_moves).collect();
    let slightly = (audit.figures.iter())
        .filter(|f| f.before != f.after && !shown_moves(f))
        .count();
    let slightly_text = words::count(slightly, "other figure moves", "other figures move");
    if moved.is_empty() {
        writeln!(out, "\nNo audit figure changes as shown.")?;
        if slightly > 0 {
            writeln!(out, "  {slightly_text} by less than the precision shown.")?;
        }
        return Ok(());
    }
    writeln!(out, "\nAudit figures that change:")?;
    for f in moved {
        writeln!(
            out,
            "  {}: {} → {}{}",
            f.label,
            f.value_text(f.before),
            f.value_text(f.after),
            figure_move_verdict(f)
        )?;
    }
    if slightly > 0 {
        writeln!(out, "  {slightly_text} by less than the precision shown.")?;
    }
    let notes = crate::engine::audit::comparison_notes(&audit.figures);
    if !notes.is_empty() {
        writeln!(out, "  Not like for like:")?;
    }
    for note in notes {
        writeln!(out, "    {note}")?;
    }
    Ok(())
}

/// What a figure's move means: its status before and after, "worse" or "better" for a
/// count of problems, and why the two are not like for like where they are not.
fn figure_move_verdict(f: &crate::engine::audit::FigureChange) -> String {
    let verdict = match (f.status_before, f.status_after, f.count_worse()) {
        (Some(b), Some(a), _) if b != a => Some(format!("{} → {}", b.text(), a.text())),
        (_, _, Some(true)) => Some("worse".to_owned()),
        (_, _, Some(false)) => Some("better".to_owned()),
        _ => None,
    };
    let note = (f.comparison_note.is_some()).then_some("not like for like, see below");
    let parts: Vec<&str> = [verdict.as_deref(), note].into_iter().flatten().collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("  ({})", parts.join("; "))
    }
}

/// Prints the audit log: each entry as a sentence with names (see
/// [`crate::session::log_text`]), then its values before and after.
pub fn log(
    out: &mut dyn Write,
    log: &[crate::store::LogEntry],
    entries: &[&crate::store::LogEntry],
    shop: &crate::engine::model::Shop,
) -> io::Result<()> {
    if log.is_empty() {
        writeln!(out, "No changes have been applied yet.")?;
    } else if entries.is_empty() {
        writeln!(out, "No entry matches.")?;
    }
    let undone = crate::store::undone_entries(log);
    for e in entries {
        let when = e.at.get(..19).unwrap_or(&e.at).replace('T', " ");
        writeln!(
            out,
            "Entry {}, {when}: {}",
            e.id,
            crate::session::log_text::entry_sentence(e, shop)
        )?;
        if let Some(by) = undone.get(&e.id) {
            writeln!(out, "  (undone by entry {by})")?;
        }
        for a in &e.changes {
            writeln!(out, "  {}: {}", a.change.kind(), a.values_text())?;
        }
        if let Some(ev) = e.event.as_ref().filter(|ev| ev.kind != "import") {
            writeln!(out, "  {}", ev.detail)?;
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

fn figure_text(v: Option<f64>) -> String {
    v.map_or_else(
        || "not measurable".to_owned(),
        crate::engine::words::decimal,
    )
}

/// Prints the ethics audit: findings first, then the figures behind them.
pub fn audit(out: &mut dyn Write, a: &Audit) -> io::Result<()> {
    writeln!(
        out,
        "Ethics audit of the top {} recommendations for {}.\n",
        a.top_n,
        words::customers(a.customers)
    )?;
    audit_findings(out, a)?;
    audit_fairness(out, a)?;
    let d = &a.diversity;
    writeln!(out, "\nDiversity (whole shop):")?;
    for m in &crate::engine::audit::diversity::DIVERSITY_MEASURES {
        writeln!(
            out,
            "  {:<34} {:>6}  {}",
            m.label,
            figure_text((m.value)(d)),
            m.meaning
        )?;
    }
    audit_minimization(out, &a.minimization)?;
    writeln!(out, "\nRule checks:")?;
    if a.lint.is_empty() {
        writeln!(out, "  none")?;
    }
    for l in &a.lint {
        writeln!(out, "  {} ({}): {}", l.rule_label, l.rule, l.message)?;
    }
    Ok(())
}

/// The audit's findings, each with its rules and fix.
fn audit_findings(out: &mut dyn Write, a: &Audit) -> io::Result<()> {
    if a.findings.is_empty() {
        return writeln!(out, "No findings.");
    }
    writeln!(out, "Findings ({}):", a.findings.len())?;
    for f in &a.findings {
        writeln!(out, "  [{}] {}", f.severity.label(), f.title)?;
        writeln!(out, "      {}", f.detail)?;
        if !f.rules.is_empty() {
            writeln!(out, "      rules: {}", f.rules.join(", "))?;
        }
        if let Some(fix) = &f.fix {
            writeln!(out, "      fix: {}", fix.label)?;
        }
    }
    Ok(())
}

/// Each grouping's groups and parity ratios.
fn audit_fairness(out: &mut dyn Write, a: &Audit) -> io::Result<()> {
    writeln!(
        out,
        "\nFairness: parity ratio = lowest group / highest group; below 0.8 is flagged (a rule of thumb, not a legal test)."
    )?;
    for g in &a.fairness {
        let groups: Vec<String> = g
            .groups
            .iter()
            .map(|x| {
                let small = x
                    .why_not_compared()
                    .map_or(String::new(), |why| format!(", {why}"));
                format!("{} ({}{small})", x.name, number(x.customers))
            })
            .collect();
        writeln!(out, "\n  {}: {}", g.label, groups.join(", "))?;
        for m in g
            .metrics
            .iter()
            .filter(|m| !m.metric.starts_with("exposure:"))
        {
            writeln!(
                out,
                "    {:<58} {}  {}",
                m.label,
                figure_text(m.parity_ratio),
                m.status.text()
            )?;
        }
        if let Some((m, r)) = g.least_even_category() {
            writeln!(
                out,
                "    {:<58} {r:.2}  {}",
                format!("Least even category: {}", m.label),
                m.status.text()
            )?;
        }
    }
    Ok(())
}

/// Fields held but unused, past their retention, or held without consent.
fn audit_minimization(
    out: &mut dyn Write,
    m: &crate::engine::audit::minimization::Minimization,
) -> io::Result<()> {
    writeln!(out, "\nData minimization:")?;
    for u in &m.unused_fields {
        writeln!(
            out,
            "  {} — held for {}, used by no rule{}",
            u.label,
            words::customers(u.customers),
            u.kept_for.as_ref().map_or_else(
                || "; no other reason given".to_owned(),
                |k| format!("; kept for {k}")
            )
        )?;
    }
    for p in &m.past_retention {
        writeln!(
            out,
            "  {} — past its {}-day retention for {}",
            p.label,
            p.retention_days,
            words::customers(p.customers)
        )?;
    }
    for w in &m.without_consent {
        writeln!(
            out,
            "  {} — held for {} without consent to {}",
            w.label,
            words::customers(w.customers),
            w.purposes.join(" or ")
        )?;
    }
    Ok(())
}

/// Prints the ethics scorecard.
pub fn scorecard(out: &mut dyn Write, cards: &[crate::engine::scorecard::Card]) -> io::Result<()> {
    for c in cards {
        writeln!(out, "{} — {}", c.label, c.standing.label())?;
        for f in &c.facts {
            writeln!(out, "  {} {}", if f.concern { "!" } else { "·" }, f.text)?;
        }
    }
    Ok(())
}
