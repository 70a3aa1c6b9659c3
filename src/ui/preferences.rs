//! A customer's stated preferences on their page: the ones that stand, the form that
//! records a new one, "Not for me" on a recommendation, and their history in Data held.
//! Every one becomes a change in the scenario, simulated before it is applied.

use egui::{RichText, Ui};

use super::theme;
use crate::engine::changes::Change;
use crate::engine::held::HeldPreference;
use crate::engine::model::{CustomerId, Product, Shop};
use crate::engine::preferences::{About, Preference, PreferenceKind};

/// How a preference can reach the shop.
const METHODS: [&str; 4] = ["at the counter", "by phone", "by email", "preference form"];

/// What a preference is about, as the form offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AboutKind {
    Category,
    Tag,
}

/// The "record a preference" form.
pub struct PreferenceForm {
    /// The shop's categories and tags, read once when the form opens.
    categories: Vec<String>,
    tags: Vec<String>,
    kind: PreferenceKind,
    about: AboutKind,
    category: String,
    tag: String,
    method: String,
    words: String,
}

impl PreferenceForm {
    /// An empty form: "does not want", a category, at the counter.
    pub fn new(shop: &Shop) -> Self {
        let categories: Vec<String> = shop
            .named_categories()
            .into_iter()
            .map(str::to_owned)
            .collect();
        Self {
            category: categories.first().cloned().unwrap_or_default(),
            tags: shop.product_tags().into_iter().map(str::to_owned).collect(),
            categories,
            kind: PreferenceKind::NotWanted,
            about: AboutKind::Category,
            tag: String::new(),
            method: METHODS[0].to_owned(),
            words: String::new(),
        }
    }

    /// The preference the form describes, if it is complete.
    fn preference(&self) -> Option<Preference> {
        let about = match self.about {
            AboutKind::Category if !self.category.is_empty() => {
                About::Category(self.category.clone())
            }
            AboutKind::Tag if !self.tag.is_empty() => About::Tag(self.tag.clone()),
            _ => return None,
        };
        let preference = Preference {
            kind: self.kind,
            about,
        };
        preference.check_shape().ok().map(|()| preference)
    }
}

/// A change that states `preference` for `customer`, as staff recorded it.
fn stating(customer: CustomerId, preference: Preference, method: &str, words: &str) -> Change {
    Change::Preference {
        customer,
        preference: Some(preference),
        withdrawn: false,
        method: Some(method.to_owned()),
        words: Some(words.trim().to_owned()).filter(|w| !w.is_empty()),
        lifted_by: Vec::new(),
    }
}

/// The "Record a preference" window; returns the change to add to the scenario, and
/// closes the form (`None`) when done or dismissed.
pub fn preference_window(
    ctx: &egui::Context,
    form: &mut Option<PreferenceForm>,
    (customer, name): (CustomerId, &str),
) -> Option<Change> {
    let f = form.as_mut()?;
    let mut open = true;
    let mut change = None;
    egui::Window::new("Record what the customer told us")
        .open(&mut open)
        .default_width(460.0)
        .show(ctx, |ui| {
            ui.label(format!(
                "For {name}. It goes into the scenario; apply it to save it."
            ));
            kind_ui(ui, f);
            about_ui(ui, f);
            ui.horizontal_wrapped(|ui| {
                ui.label("How:");
                for m in METHODS {
                    ui.radio_value(&mut f.method, m.to_owned(), m);
                }
            });
            let l = ui.label("In the customer's own words (optional)");
            ui.add(
                egui::TextEdit::multiline(&mut f.words)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
            let preference = f.preference();
            if ui
                .add_enabled(
                    preference.is_some(),
                    egui::Button::new("Add it to the scenario"),
                )
                .on_disabled_hover_text("Choose a category or a tag first.")
                .clicked()
                && let Some(p) = preference
            {
                change = Some(stating(customer, p, &f.method, &f.words));
            }
        });
    if change.is_some() || !open {
        *form = None;
    }
    change
}

fn kind_ui(ui: &mut Ui, f: &mut PreferenceForm) {
    ui.horizontal_wrapped(|ui| {
        ui.label("The customer");
        ui.radio_value(&mut f.kind, PreferenceKind::NotWanted, "does not want");
        ui.radio_value(&mut f.kind, PreferenceKind::Liked, "likes");
        ui.radio_value(
            &mut f.kind,
            PreferenceKind::IgnorePurchases,
            "asks us not to use their purchases in",
        );
    });
    let note = match f.kind {
        PreferenceKind::NotWanted => "Never recommended to them, whatever they agreed to.",
        PreferenceKind::Liked => {
            "A rule for what customers like can read it, where its purpose covers stated preferences; Data held says whether one does."
        }
        PreferenceKind::IgnorePurchases => {
            "No rule reads their purchases there (a gift bought for someone else)."
        }
    };
    ui.label(RichText::new(note).small().color(theme::MUTED));
    if f.kind == PreferenceKind::IgnorePurchases {
        f.about = AboutKind::Category;
    }
}

fn about_ui(ui: &mut Ui, f: &mut PreferenceForm) {
    if f.kind != PreferenceKind::IgnorePurchases {
        ui.horizontal(|ui| {
            ui.radio_value(&mut f.about, AboutKind::Category, "a category");
            ui.radio_value(&mut f.about, AboutKind::Tag, "a tag");
        });
    }
    let (choices, chosen) = match f.about {
        AboutKind::Category => (&f.categories, &mut f.category),
        AboutKind::Tag => (&f.tags, &mut f.tag),
    };
    ui.horizontal_wrapped(|ui| {
        for c in choices {
            if ui.selectable_label(chosen == c, c).clicked() {
                chosen.clone_from(c);
            }
        }
    });
}

/// "Not for me…" beside a recommended product: one click adds a "not wanted" preference
/// for the product, its category or one of its tags to the scenario, naming the rules
/// that had lifted the product (`lifted_by`), which the audit counts.
pub fn not_for_me_ui(
    ui: &mut Ui,
    customer: CustomerId,
    product: &Product,
    lifted_by: &[String],
) -> Option<Change> {
    let mut change = None;
    let not_wanted = |about| Preference {
        kind: PreferenceKind::NotWanted,
        about,
    };
    ui.menu_button("Not for me…", |ui| {
        ui.label(RichText::new("The customer does not want:").small());
        let mut choices = vec![(
            format!("this product ({})", product.name),
            About::Product(product.id),
        )];
        if product.category != crate::engine::model::NO_CATEGORY {
            choices.push((
                format!("anything in {}", product.category),
                About::Category(product.category.clone()),
            ));
        }
        for tag in product.tags.iter().filter(|t| *t != "new") {
            choices.push((
                format!("anything tagged \u{201c}{tag}\u{201d}"),
                About::Tag(tag.clone()),
            ));
        }
        for (label, about) in choices {
            if ui.button(label).clicked() {
                let mut answer = stating(customer, not_wanted(about), "at the counter", "");
                if let Change::Preference { lifted_by: l, .. } = &mut answer {
                    *l = lifted_by.to_vec();
                }
                change = Some(answer);
                ui.close();
            }
        }
    })
    .response
    .on_hover_text("Record that the customer does not want it: it goes into the scenario, simulated before it is applied.");
    change
}

/// The preferences that stand, each with a button that takes it back (in the scenario).
pub fn standing_ui(ui: &mut Ui, customer: CustomerId, held: &[HeldPreference]) -> Option<Change> {
    let mut change = None;
    let standing: Vec<&HeldPreference> = held.iter().filter(|p| p.stands).collect();
    if standing.is_empty() {
        return None;
    }
    ui.label("Told us:");
    for p in standing {
        // One line each, so a preference and its button stay together.
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("\u{2022} {}", p.text)).strong());
            if ui
                .small_button("take back")
                .on_hover_text("Simulate the customer taking this back.")
                .clicked()
            {
                change = Some(Change::Preference {
                    customer,
                    preference: Some(p.preference.clone()),
                    withdrawn: true,
                    method: Some("at the counter".to_owned()),
                    words: None,
                    lifted_by: Vec::new(),
                });
            }
        });
    }
    change
}

/// Every preference the customer stated or took back, with its history (Data held).
pub fn held_ui(ui: &mut Ui, held: &[HeldPreference]) {
    ui.strong("Stated preferences");
    if held.is_empty() {
        ui.label("The customer has not told us any preferences.");
    }
    for p in held {
        let state = if p.stands {
            p.effect.clone()
        } else {
            "taken back".to_owned()
        };
        ui.label(format!(
            "{}: {state}",
            crate::engine::words::capitalized(&p.text)
        ));
        for h in &p.history {
            let words = crate::engine::words::their_words(h.words.as_deref());
            let when = chrono::DateTime::parse_from_rfc3339(&h.recorded_at).map_or_else(
                |_| h.recorded_at.clone(),
                |t| t.format("%-d %B %Y at %H:%M UTC").to_string(),
            );
            ui.label(
                RichText::new(format!(
                    "    {}, recorded on {when} ({}, by {}){words}",
                    if h.withdrawn { "taken back" } else { "stated" },
                    h.method,
                    h.recorded_by
                ))
                .small()
                .color(theme::MUTED),
            );
        }
    }
}
