//! One customer: their recommendations with "Why?", and every piece of data held.

use egui::{RichText, Ui};

use super::app::PRESENTING_REFUSAL as PRESENTING;
use super::loader::Loaded;
use super::theme;
use super::why::why_ui;
use crate::engine::changes::Change;
use crate::engine::explain::Explanation;
use crate::engine::held::{Held, held};
use crate::engine::model::{MASKED_FIELDS, OrderId, PersonalField, STOCK_NOT_TRACKED, masked};
use crate::engine::score::NotPersonalized;
use crate::engine::{Scorer, explain};

/// The two halves of a customer's page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerTab {
    /// Top N and why.
    Recommendations,
    /// Every field held.
    DataHeld,
}

/// A customer's page, computed once when the customer is chosen.
pub struct CustomerPage {
    pos: usize,
    name: String,
    consent: String,
    explanation: Explanation,
    held: Held,
    tab: CustomerTab,
    chosen: usize,
    order_shown: Option<OrderId>,
    product_edit: Option<(i64, f64, i64)>,
    /// A field being corrected: its key and the new value typed so far.
    correcting: Option<(String, String)>,
    /// A consent decision being recorded.
    recording: Option<ConsentForm>,
    /// Another record of the same person being looked for, to merge into this one.
    merging: Option<MergeForm>,
    /// A stated preference being recorded.
    stating: Option<super::preferences::PreferenceForm>,
    /// Whether the masked fields are shown in full (after a logged reveal).
    revealed: bool,
    /// Whether scores, rule and field names are shown (the person's choice).
    details: bool,
}

/// What the customer page asks the app to do.
#[must_use]
#[derive(Debug, Clone, PartialEq)]
pub enum CustomerAction {
    /// Export everything held about the customer (after choosing a folder).
    Export,
    /// Erase the customer (after asking who and why).
    Erase,
    /// Show the masked fields in full (after asking who and why, which is logged).
    Reveal,
    /// Save the customer's card for one of their recommended products.
    SaveCard(crate::engine::model::ProductId),
    /// Save the customer's preference card (what they told us, what we use, what they
    /// agreed to).
    SavePreferenceCard,
    /// Add a change to the scenario.
    Propose(Box<Change>),
    /// Show scores, rule and field names (or only words), and remember the choice.
    ShowDetails(bool),
}

/// The actions a frame of the page collects.
#[derive(Default)]
struct Actions(Vec<CustomerAction>);

impl Actions {
    /// Proposes a change for the scenario.
    fn push(&mut self, change: Change) {
        self.0.push(CustomerAction::Propose(Box::new(change)));
    }

    /// Asks for something other than a change.
    fn ask(&mut self, action: CustomerAction) {
        self.0.push(action);
    }
}

/// How a consent decision can reach the shop.
const METHODS: [&str; 5] = ["in shop", "by phone", "by email", "web form", "by letter"];

/// The "merge with another record" form: what was typed to find the other record, and
/// the record chosen.
#[derive(Default)]
struct MergeForm {
    search: String,
    chosen: Option<i64>,
    /// Whether the search field was given the keyboard when the window opened.
    focused: bool,
}

/// The "record a consent decision" form.
struct ConsentForm {
    purpose: String,
    granted: bool,
    method: String,
    words: String,
}

impl CustomerPage {
    /// Explains the customer at `pos` and gathers their data.
    pub fn new(shop: &Loaded, pos: usize) -> Self {
        let index = &shop.index;
        let n = index.shop().settings.top_n;
        Self {
            pos,
            name: index.shop().customers[pos].display_name(),
            consent: shop.rows[pos].consent.clone(),
            explanation: explain(&mut Scorer::new(index), pos, n),
            held: held(index, pos),
            tab: CustomerTab::Recommendations,
            chosen: 0,
            order_shown: None,
            product_edit: None,
            correcting: None,
            recording: None,
            merging: None,
            stating: None,
            revealed: false,
            details: false,
        }
    }

    /// Shows the masked fields in full (after the reveal was logged).
    pub fn reveal(&mut self) {
        self.revealed = true;
    }

    /// Whether the masked fields are shown in full.
    pub fn is_revealed(&self) -> bool {
        self.revealed
    }

    /// The rank (1 for the first) of the recommendation whose Why? is showing.
    pub fn chosen_rank(&self) -> Option<usize> {
        (self.tab == CustomerTab::Recommendations
            && self.chosen < self.explanation.recommendations.len())
        .then_some(self.chosen + 1)
    }

    /// Whether "Data held" is showing.
    pub fn showing_data_held(&self) -> bool {
        self.tab == CustomerTab::DataHeld
    }

    /// The customer's number.
    pub fn customer_id(&self) -> i64 {
        self.explanation.customer
    }

    /// The customer's position in the snapshot.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The explanation on show.
    pub fn explanation(&self) -> &Explanation {
        &self.explanation
    }

    /// Everything held about the customer, as the page shows it.
    pub fn held(&self) -> &Held {
        &self.held
    }

    /// Draws the page and returns what was asked for (edits are proposed for the scenario,
    /// never made here). `owner` is true when the owner is using the window (only they may
    /// erase).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        shop: &Loaded,
        owner: bool,
        details: bool,
    ) -> Vec<CustomerAction> {
        let mut actions = Actions::default();
        self.details = details;
        self.page_ui(ui, shop, &mut actions, owner);
        actions.0
    }

    fn page_ui(&mut self, ui: &mut Ui, shop: &Loaded, proposals: &mut Actions, owner: bool) {
        ui.horizontal_wrapped(|ui| {
            ui.heading(&self.name);
            let number = format!("customer {}", self.explanation.customer);
            if !self.name.eq_ignore_ascii_case(&number) {
                ui.label(RichText::new(number).color(theme::MUTED));
            }
            let presenting = shop.pseudonyms.is_some();
            if ui
                .add_enabled(!presenting, egui::Button::new("Export this customer's data…"))
                .on_hover_text("Writes everything held about them as a file and as a page they can read; the export is logged.")
                .on_disabled_hover_text(PRESENTING)
                .clicked()
            {
                proposals.ask(CustomerAction::Export);
            }
            if ui
                .button("Merge with another record…")
                .on_hover_text("When this person has a second record (another email, a card and a web account): its orders and consent decisions move here. Simulated first, like every change.")
                .clicked()
            {
                self.merging = Some(MergeForm::default());
            }
            if ui
                .add_enabled(owner && !presenting, egui::Button::new("Erase this customer…"))
                .on_hover_text("Removes their personal data for good; their orders are kept without their name for the accounts.")
                .on_disabled_hover_text(if presenting {
                    PRESENTING
                } else {
                    "Only the owner can erase a customer: switch to owner in the menu bar."
                })
                .clicked()
            {
                proposals.ask(CustomerAction::Erase);
            }
        });
        ui.label(format!("Consents: {}", self.consent));
        self.consent_ui(ui, shop, proposals);
        self.preferences_ui(ui, shop, proposals);
        ui.horizontal(|ui| {
            ui.selectable_value(
                &mut self.tab,
                CustomerTab::Recommendations,
                "Recommendations",
            );
            ui.selectable_value(&mut self.tab, CustomerTab::DataHeld, "Data held");
            let mut details = self.details;
            if ui
                .checkbox(&mut details, "Details")
                .on_hover_text("Scores, rule names and data fields as the engine has them. Off: the explanation in words, as it is read out to the customer.")
                .changed()
            {
                proposals.ask(CustomerAction::ShowDetails(details));
            }
        });
        ui.separator();
        match self.tab {
            CustomerTab::Recommendations => self.recommendations_ui(ui, shop, proposals),
            CustomerTab::DataHeld => {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    self.held_ui(ui, proposals, shop.pseudonyms.is_some());
                });
            }
        }
        self.order_window(ui.ctx());
        self.correction_window(ui.ctx(), proposals);
        self.consent_window(ui.ctx(), shop, proposals);
        self.merge_window(ui.ctx(), shop, proposals);
        let who = (self.explanation.customer, self.name.as_str());
        if let Some(change) =
            super::preferences::preference_window(ui.ctx(), &mut self.stating, who)
        {
            proposals.push(change);
        }
    }

    /// The preferences that stand, and "Record what the customer told us…".
    fn preferences_ui(&mut self, ui: &mut Ui, shop: &Loaded, proposals: &mut Actions) {
        ui.horizontal_wrapped(|ui| {
            if ui
                .small_button("Preference card…")
                .on_hover_text("A printable page for the customer to take home: what they told us, what we use and why, what they agreed to, and how to change any of it.")
                .clicked()
            {
                proposals.ask(CustomerAction::SavePreferenceCard);
            }
            if ui
                .small_button("Record what the customer told us…")
                .on_hover_text("What they like, what they do not want, or purchases not to use (a gift for someone else).")
                .clicked()
            {
                self.stating = Some(super::preferences::PreferenceForm::new(shop.index.shop()));
            }
        });
        let customer = self.explanation.customer;
        if let Some(change) = super::preferences::standing_ui(ui, customer, &self.held.preferences)
        {
            proposals.push(change);
        }
    }

    /// Finds the other record of this person and proposes merging it into this one.
    fn merge_window(&mut self, ctx: &egui::Context, shop: &Loaded, proposals: &mut Actions) {
        let Some(form) = &mut self.merging else {
            return;
        };
        let this = self.explanation.customer;
        let mut open = true;
        let mut done = false;
        egui::Window::new("Merge two records of one person")
            .open(&mut open)
            .default_width(480.0)
            .show(ctx, |ui| {
                ui.label(format!(
                    "Find {}'s other record. Its orders and consent decisions move to this one (the decision recorded last stands), the fields this record has no value for are taken from it, and it is removed. It goes into the scenario; apply it to save it.",
                    self.name
                ));
                let l = ui.label("Find the other record (name, email or number)");
                let search = ui.text_edit_singleline(&mut form.search).labelled_by(l.id);
                if !form.focused {
                    search.request_focus();
                    form.focused = true;
                }
                for row in merge_candidates(shop, this, &form.search) {
                    let text = format!(
                        "{} · customer {} · {} · {}",
                        row.name,
                        row.id,
                        row.email_masked,
                        crate::engine::words::count(row.orders, "order", "orders")
                    );
                    if ui.selectable_label(form.chosen == Some(row.id), text).clicked() {
                        form.chosen = Some(row.id);
                    }
                }
                if ui
                    .add_enabled(
                        form.chosen.is_some(),
                        egui::Button::new("Add the merge to the scenario"),
                    )
                    .on_disabled_hover_text("Choose the other record first.")
                    .clicked()
                    && let Some(from) = form.chosen
                {
                    proposals.push(Change::MergeCustomers {
                        customer: this,
                        from,
                    });
                    done = true;
                }
            });
        if done || !open {
            self.merging = None;
        }
    }

    fn consent_window(&mut self, ctx: &egui::Context, shop: &Loaded, proposals: &mut Actions) {
        let Some(form) = &mut self.recording else {
            return;
        };
        let mut open = true;
        let mut done = false;
        egui::Window::new("Record a consent decision")
            .open(&mut open)
            .default_width(420.0)
            .show(ctx, |ui| {
                ui.label(format!(
                    "For {}. It goes into the scenario; apply it to save it.",
                    self.name
                ));
                ui.horizontal_wrapped(|ui| {
                    for p in &shop.index.shop().purposes {
                        ui.radio_value(&mut form.purpose, p.id.clone(), &p.label);
                    }
                });
                ui.horizontal(|ui| {
                    ui.radio_value(&mut form.granted, true, "Agrees");
                    ui.radio_value(&mut form.granted, false, "Withdraws");
                });
                ui.horizontal_wrapped(|ui| {
                    ui.label("How:");
                    for m in METHODS {
                        ui.radio_value(&mut form.method, m.to_owned(), m);
                    }
                });
                let l = ui.label("In the customer's own words (optional)");
                ui.add(
                    egui::TextEdit::multiline(&mut form.words)
                        .desired_rows(2)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(l.id);
                if ui.button("Add the decision to the scenario").clicked() {
                    proposals.push(Change::Consent {
                        customer: self.explanation.customer,
                        purpose: form.purpose.clone(),
                        granted: form.granted,
                        method: Some(form.method.clone()),
                        words: Some(form.words.trim().to_owned()).filter(|w| !w.is_empty()),
                    });
                    done = true;
                }
            });
        if done || !open {
            self.recording = None;
        }
    }

    fn correction_window(&mut self, ctx: &egui::Context, proposals: &mut Actions) {
        let Some((field, value)) = &mut self.correcting else {
            return;
        };
        let mut open = true;
        let mut done = false;
        egui::Window::new(format!("Correct {}", field.replace('_', " ")))
            .open(&mut open)
            .collapsible(false)
            .show(ctx, |ui| {
                let l = ui.label("New value");
                ui.text_edit_singleline(value).labelled_by(l.id);
                if field == "birth_date" {
                    ui.label(RichText::new("As YYYY-MM-DD").small().color(theme::MUTED));
                }
                if ui.button("Add to scenario").clicked() {
                    proposals.push(Change::CustomerField {
                        customer: self.held.customer,
                        field: field.clone(),
                        value: Some(value.trim().to_owned()),
                        source: None,
                    });
                    done = true;
                }
            });
        if done || !open {
            self.correcting = None;
        }
    }

    fn consent_ui(&mut self, ui: &mut Ui, shop: &Loaded, proposals: &mut Actions) {
        ui.horizontal_wrapped(|ui| {
            if ui.small_button("Record a consent decision…").clicked() {
                self.recording = Some(ConsentForm {
                    purpose: shop
                        .index
                        .shop()
                        .purposes
                        .first()
                        .map(|p| p.id.clone())
                        .unwrap_or_default(),
                    granted: false,
                    method: METHODS[0].to_owned(),
                    words: String::new(),
                });
            }
            for purpose in &shop.index.shop().purposes {
                let granted = shop.index.has_consent(self.pos, &purpose.id);
                let label = if granted {
                    format!("Simulate: withdraw \"{}\"", purpose.label)
                } else {
                    format!("Simulate: grant \"{}\"", purpose.label)
                };
                if ui.small_button(label).clicked() {
                    proposals.push(Change::Consent {
                        customer: self.explanation.customer,
                        purpose: purpose.id.clone(),
                        granted: !granted,
                        method: None,
                        words: None,
                    });
                }
            }
        });
    }

    /// "Explain to the customer…" and "Not for me…" for the recommendation on show.
    fn card_and_feedback_ui(
        &self,
        ui: &mut Ui,
        shop: &Loaded,
        rec: &crate::engine::explain::Recommendation,
        proposals: &mut Actions,
    ) {
        if ui
            .button("Explain to the customer…")
            .on_hover_text("A printable page in plain words: what we suggested, why, which of their data was used and which agreement allowed it. No rule names, no scores.")
            .clicked()
        {
            proposals.ask(CustomerAction::SaveCard(rec.product));
        }
        let product = shop
            .index
            .product_pos(rec.product)
            .map(|p| &shop.index.shop().products[p]);
        // The rules that lifted it: a "not for me" answer names them for the audit.
        let lifted_by: Vec<String> = rec
            .contributions
            .iter()
            .filter(|c| c.source == crate::engine::explain::Source::Rule && c.value > 0.0)
            .map(|c| c.id.clone())
            .collect();
        if let Some(product) = product
            && let Some(change) = super::preferences::not_for_me_ui(
                ui,
                self.explanation.customer,
                product,
                &lifted_by,
            )
        {
            proposals.push(change);
        }
    }

    fn recommendations_ui(&mut self, ui: &mut Ui, shop: &Loaded, proposals: &mut Actions) {
        if let Some(why) = self.explanation.not_personalized {
            let text = match why {
                NotPersonalized::NoConsent => {
                    "Not personalized: this customer has not agreed to personalized recommendations, so they see the shop's list for everyone."
                }
                NotPersonalized::NoRuleInUse => {
                    "Not personalized: this customer agreed, but no rule of what they agreed to is in use (switched off, or reading data its purpose does not cover), so they see the shop's list for everyone."
                }
            };
            ui.colored_label(theme::FLAG, text);
        }
        ui.vertical(|ui| {
            ui.strong(format!(
                "Top {} as of {}",
                self.explanation.recommendations.len(),
                self.explanation.today.format("%-d %B %Y")
            ));
            for (i, r) in self.explanation.recommendations.iter().enumerate() {
                let mut text = format!(
                    "{}. {} — {}",
                    r.rank,
                    r.name,
                    self.explanation.currency.price_text(r.price_cents)
                );
                if self.details {
                    text.push_str(&format!(" — score {:.2}", r.score));
                }
                if ui.selectable_label(self.chosen == i, text).clicked() {
                    self.chosen = i;
                }
            }
            for left in &self.explanation.left_out {
                ui.label(RichText::new(&left.sentence).color(theme::MUTED));
            }
            for unused in &self.explanation.purchases_not_used {
                ui.label(RichText::new(&unused.sentence).color(theme::MUTED));
            }
            if !self.explanation.excluded.is_empty() {
                ui.add_space(6.0);
                ui.label(
                    RichText::new(format!(
                        "{} products left out (out of stock, not products, already bought, or not wanted)",
                        self.explanation.excluded.len()
                    ))
                    .small()
                    .color(theme::MUTED),
                );
            }
        });
        ui.separator();
        if let Some(rec) = self.explanation.recommendations.get(self.chosen).cloned() {
            ui.horizontal(|ui| self.card_and_feedback_ui(ui, shop, &rec, proposals));
            let mut order = None;
            egui::ScrollArea::vertical().id_salt("why").show(ui, |ui| {
                order = why_ui(ui, &rec, &self.explanation, shop.index.shop(), self.details);
                ui.add_space(8.0);
                product_edit_ui(ui, &mut self.product_edit, shop, &rec, proposals);
            });
            if order.is_some() {
                self.order_shown = order;
            }
        }
    }

    fn held_ui(&mut self, ui: &mut Ui, proposals: &mut Actions, presenting: bool) {
        let unused = self.held.fields.iter().filter(|f| f.not_used).count();
        if unused > 0 {
            ui.colored_label(
                theme::FLAG,
                format!("{} held but not used for this customer by any rule, with no other reason given: consider not keeping them.", crate::engine::words::count(unused, "field", "fields")),
            );
        }
        if self.revealed {
            ui.label(
                RichText::new("Shown in full; the reveal is recorded in the audit log.")
                    .color(theme::MUTED),
            );
        } else if ui
            .add_enabled(!presenting, egui::Button::new("Reveal personal data…"))
            .on_hover_text("Email, phone, birth date and address are masked; revealing them is logged with who and why.")
            .on_disabled_hover_text(PRESENTING)
            .clicked()
        {
            proposals.ask(CustomerAction::Reveal);
        }
        let mut group = String::new();
        for i in 0..self.held.fields.len() {
            if self.held.fields[i].group != group {
                group.clone_from(&self.held.fields[i].group);
                ui.add_space(6.0);
                ui.label(
                    RichText::new(group.to_uppercase())
                        .small()
                        .strong()
                        .color(theme::MUTED),
                );
            }
            ui.horizontal_wrapped(|ui| self.held_field_ui(ui, i, proposals));
        }
        ui.add_space(10.0);
        consents_held_ui(ui, &self.held.consents);
        ui.add_space(10.0);
        super::preferences::held_ui(ui, &self.held.preferences);
        ui.add_space(10.0);
        self.orders_held_ui(ui);
    }

    /// One field held: its value (masked until revealed), where it came from, what uses
    /// it, and buttons to simulate correcting or deleting it.
    fn held_field_ui(&mut self, ui: &mut Ui, i: usize, proposals: &mut Actions) {
        let f = &self.held.fields[i];
        let masked_field = PersonalField::from_key(&f.field)
            .filter(|p| MASKED_FIELDS.contains(p) && !self.revealed);
        ui.strong(&f.label);
        match masked_field {
            Some(p) => ui.label(masked(p, &f.value)),
            None => ui.label(&f.value),
        };
        ui.label(
            RichText::new(format!("from {}, {}", f.source, f.recorded_on))
                .small()
                .color(theme::MUTED),
        );
        if f.not_used {
            ui.colored_label(theme::FLAG, "held but not used");
        } else if f.used_by.is_empty() {
            ui.label(
                RichText::new(format!("kept for {}", f.kept_for.as_deref().unwrap_or("")))
                    .color(theme::MUTED),
            );
        } else {
            let names: Vec<&str> = f.used_by.iter().map(|u| u.label.as_str()).collect();
            ui.label(format!("used by {}", names.join(", ")));
        }
        if let Some(rules) = f.needs_agreement_text() {
            ui.label(
                RichText::new(format!(
                    "(would be used by {rules} with the customer's agreement)"
                ))
                .color(theme::MUTED),
            );
        }
        if matches!(
            f.field.as_str(),
            "orders" | "consents" | "customer_since" | "preferences"
        ) {
            return;
        }
        if ui
            .small_button(format!("Correct {}", f.label.to_lowercase()))
            .on_hover_text("Simulate correcting this field")
            .clicked()
        {
            let current = if masked_field.is_some() {
                String::new()
            } else {
                f.value.clone()
            };
            self.correcting = Some((f.field.clone(), current));
        }
        if ui
            .small_button(format!("Delete {}", f.label.to_lowercase()))
            .on_hover_text("Simulate deleting this field")
            .clicked()
        {
            proposals.push(Change::CustomerField {
                customer: self.held.customer,
                field: f.field.clone(),
                value: None,
                source: None,
            });
        }
    }

    /// The customer's last 30 orders, each opening its lines.
    fn orders_held_ui(&mut self, ui: &mut Ui) {
        ui.strong(format!("Orders ({})", self.held.orders.len()));
        for o in self.held.orders.iter().rev().take(30) {
            if ui
                .link(format!(
                    "Order {} on {} ({}, {})",
                    o.order,
                    o.date,
                    o.channel,
                    crate::engine::words::count(o.lines.len(), "line", "lines")
                ))
                .clicked()
            {
                self.order_shown = Some(o.order);
            }
        }
        if self.held.orders.len() > 30 {
            ui.label(
                RichText::new(format!(
                    "… and {} older orders",
                    self.held.orders.len() - 30
                ))
                .color(theme::MUTED),
            );
        }
    }

    fn order_window(&mut self, ctx: &egui::Context) {
        let Some(id) = self.order_shown else {
            return;
        };
        let Some(order) = self.held.orders.iter().find(|o| o.order == id) else {
            self.order_shown = None;
            return;
        };
        let currency = self.explanation.currency;
        let mut open = true;
        egui::Window::new(format!("Order {id}"))
            .open(&mut open)
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label(format!("{} · {}", order.date, order.channel));
                for l in &order.lines {
                    ui.label(format!(
                        "{} × {} at {}",
                        l.quantity,
                        l.name,
                        currency.price_text(l.unit_price_cents)
                    ));
                }
            });
        if !open {
            self.order_shown = None;
        }
    }
}

/// Price and stock controls that add a product change to the scenario. Only what was
/// changed goes into it; a product whose stock is not tracked offers its price only.
fn product_edit_ui(
    ui: &mut Ui,
    edit: &mut Option<(i64, f64, i64)>,
    shop: &Loaded,
    rec: &crate::engine::explain::Recommendation,
    proposals: &mut Actions,
) {
    let product = rec.product;
    let stock_now = shop
        .index
        .product_pos(product)
        .map_or(0, |p| shop.index.shop().products[p].stock);
    let currency = shop.index.shop().settings.currency;
    let price_now = rec.price_cents.map_or(0.0, |c| currency.to_major(c));
    if edit.is_none_or(|(p, _, _)| p != product) {
        *edit = Some((product, price_now, stock_now));
    }
    let Some((_, price, stock)) = edit else {
        return;
    };
    ui.horizontal(|ui| {
        ui.label("Simulate this product's");
        let l = ui.label(format!("price ({})", currency.symbol()));
        ui.add(
            egui::DragValue::new(price)
                .speed(0.1)
                .range(0.0..=1_000_000.0)
                .min_decimals(currency.decimals() as usize)
                .max_decimals(currency.decimals() as usize),
        )
        .labelled_by(l.id);
        if rec.price_cents.is_none() {
            ui.label(RichText::new("(not known yet)").color(theme::MUTED));
        }
        if stock_now == STOCK_NOT_TRACKED {
            ui.label(RichText::new("(stock not tracked)").color(theme::MUTED));
        } else {
            let l = ui.label("stock");
            ui.add(egui::DragValue::new(stock).range(0..=1_000_000))
                .labelled_by(l.id);
        }
        // A price not known yet changes once one is given.
        let price_changed = rec
            .price_cents
            .map_or(*price > 0.0, |now| currency.from_major(*price) != now);
        let stock_changed = *stock != stock_now;
        if ui
            .add_enabled(
                price_changed || stock_changed,
                egui::Button::new("Add to scenario"),
            )
            .clicked()
        {
            proposals.push(Change::Product {
                product,
                price: price_changed.then_some(*price),
                stock: stock_changed.then_some(*stock),
                category: None,
                tags: None,
                price_not_known: false,
                stock_not_tracked: false,
            });
        }
    });
}

/// Each consent held: its current state and every decision recorded, newest last.
fn consents_held_ui(ui: &mut Ui, consents: &[crate::engine::held::HeldConsent]) {
    ui.strong("Consents");
    for c in consents {
        let state = if c.granted { "granted" } else { "withdrawn" };
        ui.label(format!("{}: {state}", c.label));
        if let Some(text) = c.not_covered_text() {
            ui.label(RichText::new(text).color(theme::FLAG));
        }
        for h in &c.history {
            let words = crate::engine::words::their_words(h.words.as_deref());
            ui.label(
                RichText::new(format!(
                    "    {}, {} ({}, recorded by {}){words}",
                    if h.granted { "granted" } else { "withdrawn" },
                    h.when_text(),
                    h.method,
                    h.recorded_by
                ))
                .small()
                .color(theme::MUTED),
            );
            if let Some(shown) = &h.wording {
                ui.label(
                    RichText::new(format!("        shown: \u{201c}{shown}\u{201d}"))
                        .small()
                        .color(theme::MUTED),
                );
            }
        }
    }
    if consents.is_empty() {
        ui.label("No consent decisions recorded.");
    }
}

/// Up to eight other customers whose name, email or number matches `search` (nothing
/// until something is typed); emails are matched in full but shown masked.
fn merge_candidates<'a>(
    shop: &'a Loaded,
    this: i64,
    search: &str,
) -> impl Iterator<Item = &'a crate::engine::overview::CustomerRow> {
    let needle = search.trim().to_lowercase();
    let customers = &shop.index.shop().customers;
    shop.rows
        .iter()
        .zip(customers.iter())
        .filter(move |(r, c)| {
            !needle.is_empty()
                && r.id != this
                && (r.name.to_lowercase().contains(&needle)
                    || c.email
                        .as_ref()
                        .is_some_and(|e| e.to_lowercase().contains(&needle))
                    || r.id.to_string() == needle)
        })
        .map(|(r, _)| r)
        .take(8)
}
