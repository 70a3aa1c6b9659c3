//! Help → How Candor works: the plain-language guide (`docs/how-candor-works.md`), shipped
//! inside the program so it reads the same with no network and no README at hand.

use egui::{RichText, TextureHandle, TextureOptions};

/// The guide as written in `docs/how-candor-works.md`.
pub const GUIDE: &str = include_str!("../../docs/how-candor-works.md");

/// One block of the guide: the guide uses only these, so it reads well as plain text too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block<'a> {
    /// The guide's title (`# …`).
    Title(&'a str),
    /// A section heading (`## …`).
    Heading(&'a str),
    /// A paragraph (lines up to the next blank line, joined).
    Paragraph(&'a str),
    /// A point of a list (`* …`).
    Bullet(&'a str),
}

/// Splits the guide's text into its blocks, one per line (the guide writes each paragraph on
/// one line).
pub fn blocks(text: &str) -> Vec<Block<'_>> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            if let Some(title) = line.strip_prefix("# ") {
                Block::Title(title)
            } else if let Some(heading) = line.strip_prefix("## ") {
                Block::Heading(heading)
            } else if let Some(point) = line.strip_prefix("* ") {
                Block::Bullet(point)
            } else {
                Block::Paragraph(line)
            }
        })
        .collect()
}

/// Shows the guide in its own window while `open` is true.
pub fn guide_window(ctx: &egui::Context, open: &mut bool) {
    let icon = icon_texture(ctx);
    egui::Window::new("How Candor works")
        .open(open)
        .default_size([560.0, 520.0])
        .vscroll(true)
        .show(ctx, |ui| {
            for block in blocks(GUIDE) {
                block_ui(ui, block, icon.as_ref());
            }
        });
}

fn block_ui(ui: &mut egui::Ui, block: Block<'_>, icon: Option<&TextureHandle>) {
    match block {
        Block::Title(title) => {
            ui.horizontal(|ui| {
                if let Some(icon) = icon {
                    ui.add(egui::Image::new((icon.id(), egui::vec2(40.0, 40.0))));
                }
                ui.heading(title);
            });
        }
        Block::Heading(heading) => {
            ui.add_space(8.0);
            ui.label(RichText::new(heading).strong().size(16.0));
        }
        Block::Paragraph(text) => {
            ui.label(text);
        }
        Block::Bullet(text) => {
            ui.horizontal_top(|ui| {
                ui.label("•");
                ui.add(egui::Label::new(text).wrap());
            });
        }
    }
}

/// The application icon as a texture, loaded once per window. `None` only if the bundled PNG
/// cannot be decoded, which `ui::tests::the_window_carries_the_candor_icon` rules out.
fn icon_texture(ctx: &egui::Context) -> Option<TextureHandle> {
    let id = egui::Id::unique("candor-icon-texture");
    if let Some(texture) = ctx.data(|d| d.get_temp::<TextureHandle>(id)) {
        return Some(texture);
    }
    let icon = eframe::icon_data::from_png_bytes(super::ICON_PNG).ok()?;
    let image = egui::ColorImage::from_rgba_unmultiplied(
        [icon.width as usize, icon.height as usize],
        &icon.rgba,
    );
    let texture = ctx.load_texture("candor-icon", image, TextureOptions::LINEAR);
    ctx.data_mut(|d| d.insert_temp(id, texture.clone()));
    Some(texture)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_has_a_title_sections_and_points() {
        let blocks = blocks(GUIDE);
        assert_eq!(blocks.first(), Some(&Block::Title("How Candor works")));
        let headings: Vec<_> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some(*h),
                _ => None,
            })
            .collect();
        assert!(headings.contains(&"What a score is"), "{headings:?}");
        assert!(headings.contains(&"What Candor cannot promise"));
        assert!(blocks.iter().any(|b| matches!(b, Block::Bullet(_))));
        assert!(
            blocks
                .iter()
                .all(|b| !matches!(b, Block::Paragraph(p) if p.starts_with('#'))),
            "every heading is recognised"
        );
    }

    #[test]
    fn the_guide_uses_only_characters_the_window_font_draws() {
        let drawable = |c: char| c.is_ascii() || "•…".contains(c);
        let missing: Vec<char> = GUIDE.chars().filter(|c| !drawable(*c)).collect();
        assert!(missing.is_empty(), "the window font lacks {missing:?}");
    }

    #[test]
    fn a_paragraph_keeps_its_text() {
        let blocks = blocks("# T\n\n## H\n\nOne line.\n* a point\n");
        assert_eq!(
            blocks,
            vec![
                Block::Title("T"),
                Block::Heading("H"),
                Block::Paragraph("One line."),
                Block::Bullet("a point"),
            ]
        );
    }
}
