//! The application: saved state, the open shop, the current view, and the one place
//! where commands from the views are carried out (file dialogs, loading).

use std::path::PathBuf;

use chrono::NaiveDate;
use egui::{Key, KeyboardShortcut, Modifiers, Ui};
use serde::{Deserialize, Serialize};

use super::customer::CustomerPage;
use super::customers::CustomersView;
use super::loader::{Loaded, Loading};
use super::rules::rules_ui;

/// How many recent files are remembered.
const MAX_RECENT: usize = 8;

/// What eframe persists between runs.
#[derive(Default, Serialize, Deserialize)]
pub struct Saved {
    /// Recently opened shops, newest first.
    pub recent: Vec<PathBuf>,
}

/// The main views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// Customers table and the selected customer.
    Customers,
    /// The shop's rules and features in words.
    Rules,
}

/// Something a view asks the app to do after the frame.
#[derive(Debug)]
pub enum Command {
    /// Show the native open dialog.
    OpenDialog,
    /// Open a shop file.
    Open(PathBuf),
    /// Show a customer (position in the snapshot).
    SelectCustomer(usize),
}

/// The Candor application.
pub struct CandorApp {
    saved: Saved,
    today: NaiveDate,
    tab: Tab,
    loading: Option<Loading>,
    shop: Option<Loaded>,
    customers: CustomersView,
    customer: Option<CustomerPage>,
    error: Option<String>,
    commands: Vec<Command>,
    title: String,
}

impl CandorApp {
    /// A window with no shop open yet.
    pub fn new(saved: Saved, today: NaiveDate) -> Self {
        Self {
            saved,
            today,
            tab: Tab::Customers,
            loading: None,
            shop: None,
            customers: CustomersView::default(),
            customer: None,
            error: None,
            commands: Vec::new(),
            title: String::new(),
        }
    }

    /// A window showing an already loaded shop (tests, screenshots).
    pub fn with_shop(loaded: Loaded, today: NaiveDate) -> Self {
        let mut app = Self::new(Saved::default(), today);
        app.show_loaded(loaded);
        app
    }

    /// Starts opening a shop on a worker thread.
    pub fn open(&mut self, path: PathBuf, ctx: &egui::Context) {
        let ctx = ctx.clone();
        self.loading = Some(Loading::spawn(path, self.today, move || {
            ctx.request_repaint();
        }));
    }

    /// The open shop, if any.
    pub fn shop(&self) -> Option<&Loaded> {
        self.shop.as_ref()
    }

    /// The customer page on show, if any.
    pub fn customer_page(&self) -> Option<&CustomerPage> {
        self.customer.as_ref()
    }

    /// The error message on show, if any.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The current tab.
    pub fn tab(&self) -> Tab {
        self.tab
    }

    fn show_loaded(&mut self, loaded: Loaded) {
        self.saved.recent.retain(|p| p != &loaded.path);
        self.saved.recent.insert(0, loaded.path.clone());
        self.saved.recent.truncate(MAX_RECENT);
        self.customers = CustomersView::new(&loaded.rows);
        self.customer = None;
        self.shop = Some(loaded);
    }

    /// Draws the whole window, then carries out what the views asked for.
    pub fn show(&mut self, ui: &mut Ui) {
        self.poll_loading();
        self.handle_input(ui.ctx());
        self.update_title(ui.ctx());
        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        if let Some(loading) = &self.loading {
            egui::Panel::bottom("progress").show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!(
                        "Opening {}: {}",
                        loading.path.display(),
                        loading.stage
                    ));
                    ui.add(egui::ProgressBar::new(loading.fraction).show_percentage());
                });
            });
        }
        self.error_ui(ui.ctx());
        match (&self.shop, self.tab) {
            (None, _) => {
                egui::CentralPanel::default().show(ui, |ui| self.welcome_ui(ui));
            }
            (Some(_), Tab::Customers) => self.customers_tab_ui(ui),
            (Some(shop), Tab::Rules) => {
                egui::CentralPanel::default().show(ui, |ui| rules_ui(ui, shop));
            }
        }
        self.run_commands(ui.ctx());
    }

    fn poll_loading(&mut self) {
        let Some(loading) = &mut self.loading else {
            return;
        };
        if let Some(result) = loading.poll() {
            self.loading = None;
            match result {
                Ok(loaded) => self.show_loaded(loaded),
                Err(message) => self.error = Some(message),
            }
        }
    }

    fn handle_input(&mut self, ctx: &egui::Context) {
        let open = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
        if ctx.input_mut(|i| i.consume_shortcut(&open)) {
            self.commands.push(Command::OpenDialog);
        }
        let dropped: Option<PathBuf> = ctx.input(|i| {
            i.raw.dropped_files.iter().find_map(|f| {
                let p = f.path();
                (!p.as_os_str().is_empty()).then(|| p.to_path_buf())
            })
        });
        if let Some(path) = dropped {
            self.commands.push(Command::Open(path));
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match &self.shop {
            Some(shop) => format!(
                "Candor — {} ({}){}",
                shop.index.shop().settings.name,
                shop.path.display(),
                if shop.read_only { " — read-only" } else { "" }
            ),
            None => "Candor".to_owned(),
        };
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    fn menu_ui(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open…  (Ctrl+O)").clicked() {
                    self.commands.push(Command::OpenDialog);
                }
                ui.menu_button("Open recent", |ui| {
                    if self.saved.recent.is_empty() {
                        ui.label("No recent shops");
                    }
                    for path in &self.saved.recent {
                        if ui.button(path.display().to_string()).clicked() {
                            self.commands.push(Command::Open(path.clone()));
                        }
                    }
                });
            });
            ui.separator();
            ui.selectable_value(&mut self.tab, Tab::Customers, "Customers");
            ui.selectable_value(&mut self.tab, Tab::Rules, "Rules");
            if let Some(shop) = &self.shop {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let s = shop.index.shop();
                    ui.label(format!(
                        "{} · {} customers · {} products · as of {}",
                        s.settings.name,
                        s.customers.len(),
                        s.products.len(),
                        shop.index.today()
                    ));
                });
            }
        });
    }

    fn welcome_ui(&mut self, ui: &mut Ui) {
        ui.vertical_centered(|ui| {
            ui.add_space(80.0);
            ui.heading("Candor");
            ui.label("Open a shop file to see what data it holds and why customers get their recommendations.");
            ui.add_space(12.0);
            if ui.button("Open a shop…").clicked() {
                self.commands.push(Command::OpenDialog);
            }
            ui.label("…or drop a shop file onto this window.");
        });
    }

    fn customers_tab_ui(&mut self, ui: &mut Ui) {
        let Some(shop) = &self.shop else {
            return;
        };
        egui::Panel::left("customers")
            .resizable(true)
            .default_size(640.0)
            .min_size(320.0)
            .show(ui, |ui| {
                let selected = self.customer.as_ref().map(CustomerPage::position);
                if let Some(pos) = self.customers.ui(ui, &shop.rows, selected) {
                    self.commands.push(Command::SelectCustomer(pos));
                }
            });
        egui::CentralPanel::default().show(ui, |ui| match &mut self.customer {
            Some(page) => page.ui(ui, shop),
            None => {
                ui.add_space(40.0);
                ui.vertical_centered(|ui| {
                    ui.label("Choose a customer on the left to see the data held about them and why they get their recommendations.");
                });
            }
        });
    }

    fn error_ui(&mut self, ctx: &egui::Context) {
        let Some(message) = &self.error else {
            return;
        };
        let mut close = false;
        egui::Modal::new(egui::Id::unique("error")).show(ctx, |ui| {
            ui.set_max_width(460.0);
            ui.heading("Candor could not do that");
            ui.label(message);
            ui.add_space(8.0);
            close = ui.button("OK").clicked();
        });
        if close {
            self.error = None;
        }
    }

    fn run_commands(&mut self, ctx: &egui::Context) {
        for command in std::mem::take(&mut self.commands) {
            match command {
                Command::OpenDialog => {
                    if let Some(path) = rfd::FileDialog::new()
                        .set_title("Open a Candor shop")
                        .add_filter("Candor shop", &["candor", "db", "sqlite"])
                        .add_filter("All files", &["*"])
                        .pick_file()
                    {
                        self.open(path, ctx);
                    }
                }
                Command::Open(path) => self.open(path, ctx),
                Command::SelectCustomer(pos) => {
                    if let Some(shop) = &self.shop {
                        self.customer = Some(CustomerPage::new(shop, pos));
                        self.tab = Tab::Customers;
                    }
                }
            }
        }
    }
}

impl eframe::App for CandorApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.saved);
    }
}
