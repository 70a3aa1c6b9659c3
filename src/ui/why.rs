//! "Why did I get this?": the sentence, the contributions chart and table, the rules
//! that did not apply, and what would change the recommendation.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Bar, BarChart, Plot};

use super::theme;
use crate::engine::explain::{Contribution, Explanation, Recommendation, Record, Source};
use crate::engine::model::{OrderId, Shop};

/// Draws the explanation of one recommendation; returns an order the user asked to see.
/// Without `details` it is in words only, what staff read out: the data it uses and the
/// agreement that allows it; with them, every contribution's score, rule, fields and
/// records.
pub fn why_ui(
    ui: &mut Ui,
    rec: &Recommendation,
    explanation: &Explanation,
    shop: &Shop,
    details: bool,
) -> Option<OrderId> {
    ui.heading(format!("Why? {}", rec.name));
    ui.label(RichText::new(&rec.sentence).size(16.0));
    ui.add_space(6.0);
    let order = if details {
        contributions_chart_ui(ui, rec);
        contributions_table_ui(ui, rec)
    } else {
        in_words_ui(ui, rec, shop);
        None
    };
    ui.add_space(8.0);
    ui.strong("What would change it");
    ui.label(&rec.counterfactual.sentence);
    ui.add_space(8.0);
    ui.strong("Rules that did not apply to this customer");
    if explanation.skipped.is_empty() {
        ui.label("Every rule applied.");
    }
    for s in &explanation.skipped {
        ui.label(format!("• {}: {}", s.label, s.detail));
    }
    order
}

/// The data a recommendation uses and the agreements that allow it, in words.
fn in_words_ui(ui: &mut Ui, rec: &Recommendation, shop: &Shop) {
    ui.strong("What it uses");
    if rec.data_used.is_empty() {
        ui.label("• nothing personal: it is popular in the shop");
    }
    for words in &rec.data_used {
        ui.label(format!("• {words}"));
    }
    let mut purposes: Vec<&str> = Vec::new();
    for label in rec
        .contributions
        .iter()
        .filter_map(|c| c.purpose.as_deref())
        .map(|p| shop.purpose_label(p))
    {
        if !purposes.contains(&label) {
            purposes.push(label);
        }
    }
    if !purposes.is_empty() {
        ui.add_space(4.0);
        ui.strong("Allowed because the customer agreed to");
        for p in purposes {
            ui.label(format!("• {p}"));
        }
    }
}

fn contributions_chart_ui(ui: &mut Ui, rec: &Recommendation) {
    let bars: Vec<Bar> = rec
        .contributions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Bar::new(i as f64, c.value)
                .name(&c.label)
                .fill(theme::contribution_colour(
                    c.value,
                    c.source == Source::Baseline,
                ))
                .width(0.6)
        })
        .collect();
    let labels: Vec<String> = rec.contributions.iter().map(|c| c.label.clone()).collect();
    Plot::new(("contribution-chart", rec.product))
        .height(40.0 + 26.0 * rec.contributions.len() as f32)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show_x(false)
        .show_y(false)
        .y_grid_spacer(super::charts::one_mark_per_bar())
        .y_axis_formatter(move |mark, _| super::charts::bar_label(&labels, mark.value))
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("contribution", bars).horizontal());
        });
}

/// The customer's records a contribution used: the two latest orders as links, how many
/// more, and the fields read. Returns the order clicked.
fn records_ui(ui: &mut Ui, c: &Contribution) -> Option<OrderId> {
    let mut clicked = None;
    let orders = orders_newest_first(c);
    for (order, text) in orders.iter().take(2) {
        if ui
            .link(text)
            .on_hover_text(format!("Show order {order}"))
            .clicked()
        {
            clicked = Some(*order);
        }
    }
    if orders.len() > 2 {
        ui.label(RichText::new(format!("+{} more", orders.len() - 2)).color(theme::MUTED));
    }
    for r in &c.records {
        if let Record::Field { field } = r {
            ui.label(format!("your {}", field.replace('_', " ")));
        }
    }
    clicked
}

/// The orders and lines a contribution used, in words, the latest by day first, whatever
/// kind of record they are (an engine lists returns after purchases).
fn orders_newest_first(c: &Contribution) -> Vec<(OrderId, String)> {
    let mut orders: Vec<(OrderId, chrono::NaiveDate, String)> = c
        .records
        .iter()
        .filter_map(|r| match r {
            Record::OrderLine {
                order,
                date,
                product_name,
                quantity,
                ..
            } if *quantity < 0 => Some((
                *order,
                *date,
                format!(
                    "{}, {date}",
                    crate::engine::explain::units_text(*quantity, product_name)
                ),
            )),
            Record::OrderLine {
                order,
                date,
                product_name,
                ..
            } => Some((*order, *date, format!("{product_name}, {date}"))),
            Record::Order { order, date } => {
                Some((*order, *date, format!("order {order}, {date}")))
            }
            Record::Field { .. } => None,
        })
        .collect();
    orders.sort_by_key(|o| std::cmp::Reverse(o.1));
    orders
        .into_iter()
        .map(|(order, _, text)| (order, text))
        .collect()
}

fn contributions_table_ui(ui: &mut Ui, rec: &Recommendation) -> Option<OrderId> {
    let mut clicked = None;
    TableBuilder::new(ui)
        .id_salt(("contribution-table", rec.product))
        .striped(true)
        .vscroll(false)
        .column(Column::auto().at_least(170.0))
        .column(Column::auto().at_least(56.0))
        .column(Column::auto().at_least(90.0))
        .column(Column::auto().at_least(110.0))
        .column(Column::remainder().at_least(200.0).clip(true))
        .header(22.0, |mut h| {
            for t in [
                "Source",
                "Adds",
                "Data read",
                "Consent",
                "Your records used",
            ] {
                h.col(|ui| {
                    ui.strong(t);
                });
            }
        })
        .body(|mut body| {
            for (c, shown) in rec.contributions.iter().zip(rec.shown_contributions()) {
                body.row(24.0, |mut row| {
                    row.col(|ui| {
                        let kind = match c.source {
                            Source::Baseline => "baseline",
                            Source::Rule => "rule",
                        };
                        ui.label(&c.label)
                            .on_hover_text(format!("{kind} \"{}\": {}", c.id, c.reason));
                    });
                    row.col(|ui| {
                        let colour =
                            theme::contribution_colour(c.value, c.source == Source::Baseline);
                        ui.colored_label(colour, format!("{shown:+.2}"));
                    });
                    row.col(|ui| {
                        ui.label(if c.fields.is_empty() {
                            "nothing personal".to_owned()
                        } else {
                            c.fields.join(", ")
                        });
                    });
                    row.col(|ui| {
                        ui.label(c.purpose.as_deref().unwrap_or("none needed"));
                    });
                    row.col(|ui| {
                        if let Some(order) = ui.horizontal(|ui| records_ui(ui, c)).inner {
                            clicked = Some(order);
                        }
                    });
                });
            }
        });
    ui.label(
        RichText::new(format!(
            "Score {:.2} = the sum of these contributions.",
            rec.shown_score()
        ))
        .color(theme::MUTED),
    );
    clicked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::explain::Source;

    fn line(order: OrderId, day: u32, name: &str, quantity: i64) -> Record {
        Record::OrderLine {
            order,
            date: chrono::NaiveDate::from_ymd_opt(2026, 5, day).expect("day"),
            product: 1,
            product_name: name.to_owned(),
            quantity,
        }
    }

    #[test]
    fn the_latest_records_come_first_returns_included() {
        let c = Contribution {
            source: Source::Rule,
            id: "buy-again".into(),
            label: "Buy it again".into(),
            value: 0.8,
            purpose: Some("personalization".into()),
            fields: Vec::new(),
            data_used: Vec::new(),
            features: Vec::new(),
            records: vec![
                line(1, 2, "Latte", 1),
                line(3, 20, "Latte", 2),
                line(2, 9, "Latte", 1),
                // The engine lists returns last; this one is the latest of all.
                line(4, 25, "Latte", -1),
                Record::Field {
                    field: "birth_date".into(),
                },
            ],
            reason: String::new(),
        };
        let orders: Vec<OrderId> = orders_newest_first(&c).iter().map(|o| o.0).collect();
        assert_eq!(orders, vec![4, 3, 2, 1]);
        assert!(orders_newest_first(&c)[0].1.ends_with("2026-05-25"));
    }
}
