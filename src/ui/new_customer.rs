//! "New customer…": a person not yet in the shop, recorded at the counter with their
//! details and each purpose asked one by one, in the words customers are shown. It becomes
//! a `new_customer` change in the scenario, simulated before it is applied.

use std::collections::BTreeMap;

use egui::RichText;

use super::theme;
use crate::engine::changes::Change;
use crate::engine::model::Shop;
use crate::engine::new_customer::ConsentAnswer;

/// The details the form asks for, by field key, with their labels.
const DETAILS: [(&str, &str); 4] = [
    ("name", "Name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("postcode", "Postcode"),
];

/// How the customer was asked.
const METHODS: [&str; 3] = ["at the counter", "preference form", "by phone"];

/// The customer's answer to one purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    NotAsked,
    Agrees,
    Declines,
}

/// The "New customer" form.
pub struct NewCustomerForm {
    details: Vec<String>,
    answers: Vec<(String, Answer)>,
    method: String,
}

impl NewCustomerForm {
    /// An empty form for `shop`, every purpose not asked yet.
    pub fn new(shop: &Shop) -> Self {
        Self {
            details: vec![String::new(); DETAILS.len()],
            answers: shop
                .purposes
                .iter()
                .map(|p| (p.id.clone(), Answer::NotAsked))
                .collect(),
            method: METHODS[0].to_owned(),
        }
    }

    /// The change the form describes, or what is missing.
    fn change(&self) -> Result<Change, &'static str> {
        let fields: BTreeMap<String, String> = DETAILS
            .iter()
            .zip(&self.details)
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|((key, _), v)| ((*key).to_owned(), v.trim().to_owned()))
            .collect();
        if !["name", "email", "phone"]
            .iter()
            .any(|k| fields.contains_key(*k))
        {
            return Err("Give at least a name, an email or a phone number.");
        }
        let consents = self
            .answers
            .iter()
            .filter(|(_, a)| *a != Answer::NotAsked)
            .map(|(purpose, a)| ConsentAnswer {
                purpose: purpose.clone(),
                granted: *a == Answer::Agrees,
            })
            .collect();
        Ok(Change::NewCustomer {
            customer: None,
            fields,
            consents,
            method: Some(self.method.clone()),
        })
    }
}

/// The "New customer" window; returns the change to add to the scenario, and closes the
/// form (`None`) when done or dismissed.
pub fn window(
    ctx: &egui::Context,
    form: &mut Option<NewCustomerForm>,
    shop: &Shop,
) -> Option<Change> {
    let f = form.as_mut()?;
    let mut open = true;
    let mut change = None;
    egui::Window::new("New customer")
        .open(&mut open)
        .default_width(500.0)
        .show(ctx, |ui| {
            ui.label(
                "A person not yet in the shop. It goes into the scenario; apply it to save it.",
            );
            egui::Grid::new("new-customer-details")
                .num_columns(2)
                .show(ui, |ui| {
                    for ((_, label), value) in DETAILS.iter().zip(&mut f.details) {
                        let l = ui.label(*label);
                        ui.text_edit_singleline(value).labelled_by(l.id);
                        ui.end_row();
                    }
                });
            ui.add_space(6.0);
            ui.strong("Ask each one on its own, in these words:");
            for (purpose, answer) in &mut f.answers {
                let Some(p) = shop.purpose(purpose) else {
                    continue;
                };
                ui.label(RichText::new(&p.label).strong());
                ui.label(RichText::new(&p.description).color(theme::MUTED));
                ui.horizontal(|ui| {
                    ui.radio_value(answer, Answer::Agrees, format!("Agrees to {}", p.label));
                    ui.radio_value(
                        answer,
                        Answer::Declines,
                        format!("Does not agree to {}", p.label),
                    );
                    ui.radio_value(
                        answer,
                        Answer::NotAsked,
                        format!("Not asked about {}", p.label),
                    );
                });
            }
            ui.horizontal_wrapped(|ui| {
                ui.label("How:");
                for m in METHODS {
                    ui.radio_value(&mut f.method, m.to_owned(), m);
                }
            });
            let ready = f.change();
            let button = ui.add_enabled(
                ready.is_ok(),
                egui::Button::new("Add the new customer to the scenario"),
            );
            match ready {
                Ok(c) if button.clicked() => change = Some(c),
                Err(why) => {
                    button.on_disabled_hover_text(why);
                }
                Ok(_) => {}
            }
        });
    if change.is_some() || !open {
        *form = None;
    }
    change
}
