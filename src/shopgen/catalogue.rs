//! The standard parts every Candor shop starts with: consent purposes, the catalogue of
//! personal-data fields, the rule set, and a bakery-café product range.

use crate::engine::features::CustomerFeature;
use crate::engine::model::{FieldDef, PersonalField, Product, Purpose};
use crate::engine::rules::{Amount, Condition, Op, PriceBand, Rule, Target};

/// The purposes customers are asked about in a new shop, each covering only the data its
/// description names: personalization covers what the customer bought.
pub fn purposes() -> Vec<Purpose> {
    let p = |id: &str, label: &str, description: &str, fields: &[PersonalField]| Purpose {
        id: id.to_owned(),
        label: label.to_owned(),
        description: description.to_owned(),
        fields: fields.to_vec(),
        covered_since: std::collections::BTreeMap::new(),
    };
    vec![
        p(
            "personalization",
            "Personalized recommendations",
            "We use what you buy to suggest products you may like.",
            &[PersonalField::Orders],
        ),
        p(
            "birthday_offers",
            "Birthday offers",
            "We use your birth date to send you a treat around your birthday.",
            &[PersonalField::BirthDate],
        ),
        p(
            "email_offers",
            "Email offers",
            "We email you news and offers.",
            &[PersonalField::Name, PersonalField::Email],
        ),
    ]
}

/// The purposes of the demo and sample shops: personalization says plainly that it
/// covers the customer's age as well as their purchases, because the shop's age rule
/// reads it (so the rule runs, and its unfairness is there to find).
pub fn demo_purposes() -> Vec<Purpose> {
    let mut purposes = purposes();
    if let Some(p) = purposes.iter_mut().find(|p| p.id == "personalization") {
        p.description =
            "We use what you buy, and your age from your birth date, to suggest products you may like."
                .to_owned();
        p.fields = vec![PersonalField::BirthDate, PersonalField::Orders];
    }
    purposes
}

/// The catalogue of personal-data fields, with retention periods and reasons to hold them.
pub fn fields() -> Vec<FieldDef> {
    let f = |field,
             group: &str,
             label: &str,
             description: &str,
             retention,
             kept_for: Option<&str>,
             sensitive| FieldDef {
        field,
        group: group.to_owned(),
        label: label.to_owned(),
        description: description.to_owned(),
        retention_days: retention,
        kept_for: kept_for.map(str::to_owned),
        sensitive,
    };
    vec![
        f(
            PersonalField::Name,
            "identity",
            "Name",
            "Your full name.",
            Some(730),
            Some("identifying your loyalty account and receipts"),
            false,
        ),
        f(
            PersonalField::CustomerSince,
            "identity",
            "Customer since",
            "The day your loyalty account was opened.",
            Some(730),
            Some("running your loyalty account"),
            false,
        ),
        f(
            PersonalField::Email,
            "contact",
            "Email",
            "Your email address.",
            Some(730),
            Some("sending receipts and emails you asked for"),
            false,
        ),
        f(
            PersonalField::Phone,
            "contact",
            "Phone",
            "Your phone number.",
            Some(365),
            None,
            false,
        ),
        f(
            PersonalField::Address,
            "contact",
            "Address",
            "Your street address.",
            Some(730),
            Some("delivering web orders"),
            false,
        ),
        f(
            PersonalField::Postcode,
            "contact",
            "Postcode",
            "Your postcode.",
            Some(730),
            Some("delivering web orders"),
            true,
        ),
        f(
            PersonalField::BirthDate,
            "demographics",
            "Birth date",
            "Your date of birth.",
            Some(730),
            None,
            true,
        ),
        f(
            PersonalField::Gender,
            "demographics",
            "Gender",
            "Your gender, as you told us.",
            Some(365),
            None,
            true,
        ),
        f(
            PersonalField::Orders,
            "purchase history",
            "Orders",
            "What you bought, when and for how much.",
            Some(2190),
            Some("bookkeeping: kept six years by law"),
            false,
        ),
        f(
            PersonalField::Consents,
            "consents",
            "Consents",
            "What you agreed to, and when.",
            None,
            Some("proving what you agreed to"),
            false,
        ),
        f(
            PersonalField::Preferences,
            "preferences",
            "Stated preferences",
            "What you told us you like, do not want, or want us to leave out.",
            None,
            Some("doing what you asked, such as never suggesting what you do not want"),
            false,
        ),
    ]
}

/// The rules a shop created by an import starts with, all reading only what the customer
/// bought and needing consent to personalization: "buy it again", "bought together" and
/// "more of what you like" (switched off). Their weights were chosen on the Online Retail
/// data set's October 2011 orders (a validation window before the hold-out it is judged
/// on, see the README's *Relevance*): there, boosting whole categories lowered relevance,
/// because an export's categories are often guessed or missing; the owner can switch it
/// on. No rule reads age, birthday or any other attribute until the owner adds one.
pub fn starter_rules() -> Vec<Rule> {
    let mut out: Vec<Rule> = rules()
        .into_iter()
        .filter(|r| r.id == "more-of-what-you-like" || r.id == "buy-again")
        .collect();
    for r in &mut out {
        r.enabled = r.id == "buy-again";
    }
    out.push(Rule {
        id: "bought-together".to_owned(),
        label: "Bought together".to_owned(),
        enabled: true,
        weight: 0.3,
        purpose: "personalization".to_owned(),
        conditions: Vec::new(),
        target: Target::BoughtTogether,
        amount: Amount::PerPurchase {
            each: 1.0,
            max: 1.0,
            within_days: 365,
        },
        reason: "it is often bought with what you bought: {bought}".to_owned(),
    });
    out
}

/// The standard rule set: behavioural rules, a birthday rule, an age rule a trainer can
/// question, a negative rule, one switched off, and one that reads purchases under the
/// birthday purpose, which covers only the birth date (so it runs for nobody: purpose
/// limitation).
pub fn rules() -> Vec<Rule> {
    let rule = |id: &str,
                label: &str,
                purpose: &str,
                weight: f64,
                conditions: Vec<Condition>,
                target: Target,
                amount: Amount,
                reason: &str| Rule {
        id: id.to_owned(),
        label: label.to_owned(),
        enabled: true,
        weight,
        purpose: purpose.to_owned(),
        conditions,
        target,
        amount,
        reason: reason.to_owned(),
    };
    let cond = |feature, op, value| Condition { feature, op, value };
    let mut weekend = rule(
        "weekend-brunch",
        "Weekend brunch",
        "personalization",
        1.0,
        vec![],
        Target::Category {
            category: "deli".to_owned(),
        },
        Amount::Fixed { value: 1.0 },
        "it goes well with a weekend brunch",
    );
    weekend.enabled = false;
    vec![
        rule(
            "more-of-what-you-like",
            "More of what you like",
            "personalization",
            1.0,
            vec![],
            Target::BoughtCategory,
            Amount::PerPurchase {
                each: 0.5,
                max: 2.5,
                within_days: 365,
            },
            "you bought {category} {times} since {since}",
        ),
        rule(
            "buy-again",
            "Buy it again",
            "personalization",
            1.0,
            vec![],
            Target::BoughtProduct,
            Amount::PerPurchase {
                each: 0.4,
                max: 2.0,
                within_days: 365,
            },
            "you have bought {product} {times} since {since}",
        ),
        rule(
            "just-bought",
            "Not again so soon",
            "personalization",
            -1.5,
            vec![],
            Target::BoughtProduct,
            Amount::PerPurchase {
                each: 1.0,
                max: 1.0,
                within_days: 7,
            },
            "you bought it on {last}, so we hold it back for a few days",
        ),
        rule(
            "new-for-regulars",
            "New for regulars",
            "personalization",
            1.0,
            vec![cond(CustomerFeature::OrdersLastYear, Op::AtLeast, 6.0)],
            Target::Tag {
                tag: "new".to_owned(),
            },
            Amount::Fixed { value: 1.2 },
            "you visit often and it is one of our new products",
        ),
        rule(
            "premium-for-40-plus",
            "Premium picks for over-40s",
            "personalization",
            1.0,
            vec![cond(CustomerFeature::Age, Op::AtLeast, 40.0)],
            Target::PriceBand {
                band: PriceBand::Premium,
            },
            Amount::Fixed { value: 1.5 },
            "customers like you often choose our premium range",
        ),
        rule(
            "birthday-treat",
            "Birthday treat",
            "birthday_offers",
            1.0,
            vec![cond(CustomerFeature::DaysToBirthday, Op::AtMost, 14.0)],
            Target::Tag {
                tag: "treat".to_owned(),
            },
            Amount::Fixed { value: 2.0 },
            "your birthday is coming up (a treat with 10% off)",
        ),
        rule(
            "birthday-favourites",
            "Birthday favourites",
            "birthday_offers",
            1.0,
            vec![cond(CustomerFeature::DaysToBirthday, Op::AtMost, 14.0)],
            Target::BoughtCategory,
            Amount::PerPurchase {
                each: 0.3,
                max: 1.5,
                within_days: 365,
            },
            "your birthday is coming up and you like {category}",
        ),
        rule(
            "we-miss-you",
            "We miss you",
            "personalization",
            1.0,
            vec![cond(CustomerFeature::DaysSinceLastOrder, Op::AtLeast, 60.0)],
            Target::Tag {
                tag: "new".to_owned(),
            },
            Amount::Fixed { value: 0.8 },
            "you have not been in for a while and it is one of our new products",
        ),
        weekend,
    ]
}

/// One line of the base range: name, category, price in pence, tags, bought again.
type BaseProduct = (
    &'static str,
    &'static str,
    i64,
    &'static [&'static str],
    bool,
);

/// A bakery-café range of 80 products in seven categories.
const BASE_RANGE: &[BaseProduct] = &[
    ("Sourdough loaf", "bread", 450, &[], true),
    ("Seeded rye", "bread", 420, &[], true),
    ("Spelt loaf", "bread", 480, &["new"], true),
    ("White bloomer", "bread", 320, &[], true),
    ("Wholemeal tin", "bread", 340, &[], true),
    ("Baguette", "bread", 220, &[], true),
    ("Focaccia with rosemary", "bread", 390, &[], true),
    ("Gluten-free loaf", "bread", 520, &["gluten-free"], true),
    ("Fruit loaf", "bread", 410, &["treat"], true),
    ("Ciabatta", "bread", 280, &[], true),
    ("Bagels (4)", "bread", 300, &[], true),
    ("Potato rolls (6)", "bread", 330, &["new"], true),
    ("Croissant", "pastries", 180, &[], true),
    ("Pain au chocolat", "pastries", 210, &["treat"], true),
    ("Almond croissant", "pastries", 280, &["treat"], true),
    ("Cinnamon bun", "pastries", 260, &["treat"], true),
    ("Cardamom knot", "pastries", 270, &["new", "treat"], true),
    ("Danish pastry", "pastries", 240, &[], true),
    ("Sausage roll", "pastries", 250, &[], true),
    ("Cheese twist", "pastries", 220, &[], true),
    ("Vegan apple turnover", "pastries", 260, &["vegan"], true),
    ("Eccles cake", "pastries", 200, &[], true),
    ("Morning bun", "pastries", 250, &["new"], true),
    ("Pistachio swirl", "pastries", 310, &["treat"], true),
    ("Victoria sponge slice", "cakes", 350, &["treat"], true),
    ("Lemon drizzle slice", "cakes", 320, &["treat"], true),
    ("Carrot cake slice", "cakes", 360, &["treat"], true),
    (
        "Chocolate fudge cake (whole)",
        "cakes",
        2400,
        &["treat"],
        true,
    ),
    ("Celebration cake (whole)", "cakes", 3800, &["treat"], true),
    ("Brownie", "cakes", 280, &["treat"], true),
    ("Flapjack", "cakes", 220, &[], true),
    (
        "Gluten-free orange cake",
        "cakes",
        380,
        &["gluten-free", "treat"],
        true,
    ),
    ("Raspberry tart", "cakes", 420, &["treat", "new"], true),
    ("Cheesecake slice", "cakes", 390, &["treat"], true),
    ("Scone with jam", "cakes", 260, &[], true),
    ("Yule log", "cakes", 2200, &["treat"], true),
    ("House espresso beans 250g", "coffee", 750, &[], true),
    ("Colombian beans 250g", "coffee", 850, &[], true),
    ("Ethiopian Yirgacheffe 250g", "coffee", 1100, &[], true),
    ("Decaf beans 250g", "coffee", 800, &[], true),
    ("Guatemalan beans 1kg", "coffee", 2900, &[], true),
    ("Single-estate Kenyan 250g", "coffee", 1400, &["new"], true),
    ("Ground filter coffee 250g", "coffee", 650, &[], true),
    ("Cold brew bottle", "coffee", 350, &[], true),
    ("Oat latte to go", "coffee", 340, &["vegan"], true),
    ("Flat white to go", "coffee", 320, &[], true),
    ("Coffee subscription box", "coffee", 3200, &[], true),
    ("Espresso blend 1kg", "coffee", 2600, &[], true),
    ("English breakfast tea", "tea", 450, &[], true),
    ("Earl Grey loose leaf", "tea", 600, &[], true),
    ("Sencha green tea", "tea", 700, &[], true),
    ("Chamomile infusion", "tea", 500, &[], true),
    ("Chai spice blend", "tea", 650, &["new"], true),
    ("Darjeeling first flush", "tea", 1500, &[], true),
    ("Rooibos", "tea", 480, &[], true),
    ("Matcha tin", "tea", 1800, &[], true),
    ("Mature cheddar 200g", "deli", 480, &[], true),
    ("Local honey", "deli", 750, &[], true),
    ("Strawberry jam", "deli", 420, &[], true),
    ("Seville orange marmalade", "deli", 450, &[], true),
    ("Salted butter", "deli", 320, &[], true),
    ("Olive oil 500ml", "deli", 1200, &[], true),
    ("Free-range eggs (6)", "deli", 300, &[], true),
    ("Smoked salmon 100g", "deli", 650, &[], true),
    ("Hummus", "deli", 280, &["vegan"], true),
    ("Chutney gift jar", "deli", 550, &["new"], true),
    ("Artisan salami", "deli", 890, &[], true),
    ("Truffle honey", "deli", 1600, &["treat"], true),
    ("Enamel mug", "gifts", 1200, &[], false),
    ("Cake stand", "gifts", 3500, &[], false),
    ("Bread knife", "gifts", 2800, &[], false),
    ("Linen bread bag", "gifts", 1500, &[], false),
    (
        "Baking masterclass voucher",
        "gifts",
        6500,
        &["treat"],
        false,
    ),
    ("Cafetiere", "gifts", 2500, &[], false),
    ("Tea pot", "gifts", 3000, &[], false),
    ("Recipe book", "gifts", 2000, &["new"], false),
    ("Hamper (large)", "gifts", 7500, &["treat"], false),
    ("Gift card £20", "gifts", 2000, &[], true),
    ("Tote bag", "gifts", 900, &[], false),
    ("Sourdough starter kit", "gifts", 1800, &["new"], false),
];

/// `count` products: the base range, then numbered variants of it for larger shops.
pub fn products(count: usize) -> Vec<Product> {
    (0..count)
        .map(|i| {
            let (name, category, price, tags, repeatable) = BASE_RANGE[i % BASE_RANGE.len()];
            let batch = i / BASE_RANGE.len();
            let name = if batch == 0 {
                name.to_owned()
            } else {
                format!("{name} · range {}", batch + 1)
            };
            // Variants cost a little more or less so price bands stay spread.
            let price_cents = if batch == 0 {
                price
            } else {
                price + (batch as i64 % 7 - 3) * price / 20
            };
            Product {
                id: i as i64 + 1,
                name,
                category: category.to_owned(),
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                price_cents: Some(price_cents),
                stock: 20,
                repeatable,
            }
        })
        .collect()
}
