//! An order's rows across the files of one import: a status or currency on an order's first
//! row only, exports that overlap, an export cut into parts, and orders taken out again (a
//! newer file's status, a row that could not be read, later rows whose first row is in none
//! of the files).

use std::collections::HashMap;

use super::*;

impl Batch {
    /// Notes the order the file ended with, and drops the lines that orders this file
    /// adopted had from a file read before, unless this file ends with that order: a whole
    /// export that starts an order lists all its lines, so a cut part's rows of it, read
    /// first, were an overlap; a file cut inside the order lists only its first lines.
    pub(super) fn note_where_the_file_ends(&mut self, file: &str) {
        let added = self.last_added.take().map(|o| self.orders[o].key.clone());
        if let Some(key) = self.last_left_out.take().or(added) {
            self.ended_on.insert(file.to_owned(), key);
        }
        for taken in std::mem::take(&mut self.adopted) {
            let Some(&o) = self.order_index.get(&taken.key) else {
                continue;
            };
            let order = &mut self.orders[o];
            let why = format!("order read whole from {file} (the files overlap)");
            let mine = order.lines.len() - taken.lines;
            let ends_here = self.ended_on.get(file) == Some(&taken.key);
            if ends_here && !(taken.had_first_row && mine > taken.lines) {
                if taken.had_first_row {
                    // Both files were cut inside the order: the longer listing stands.
                    order.lines.truncate(taken.lines);
                    *self.left_out.entry(why).or_default() += order.rows - taken.rows;
                    order.rows = taken.rows;
                }
                continue;
            }
            order.lines.drain(..taken.lines);
            order.rows -= taken.rows;
            *self.left_out.entry(why).or_default() += taken.rows;
        }
    }

    /// Takes out, once every file is read, the orders read only from rows that do not
    /// give their status (an export's cut part whose other part was not given): nothing
    /// says whose they are or whether they were paid.
    pub fn withdraw_orders_without_first_row(&mut self) {
        let keys: Vec<String> = self.started_later.iter().cloned().collect();
        self.withdraw_orders(&keys, WITHOUT_FIRST_ROW);
    }

    /// Takes out the orders read under `keys`, their rows left out for `why`.
    pub(super) fn withdraw_orders(&mut self, keys: &[String], why: &str) {
        let doomed = keys
            .iter()
            .filter_map(|key| self.order_index.get(key))
            .filter_map(|&o| {
                let read = self
                    .files
                    .iter()
                    .position(|f| f.file == self.orders[o].at.0)?;
                Some(Withdrawn {
                    order: o,
                    read,
                    why: why.to_owned(),
                })
            })
            .collect();
        self.remove_orders(doomed);
    }

    /// Notes the order of a row that was not read into it: the last row of a file may be
    /// one (see [`Self::note_where_the_file_ends`]), and a row that could not be read
    /// spoils its order.
    pub(super) fn note_row_not_read(
        &mut self,
        cx: &RowContext<'_>,
        row: &Row,
        read: &Result<(), ImportError>,
    ) {
        let answered = |i: &usize| row.fields.get(*i).is_some_and(|v| !v.trim().is_empty());
        if matches!(read, Err(ImportError::Row(_)))
            && cx.layout.consents.iter().any(|(i, _)| answered(i))
        {
            self.counts().consent_answers_skipped += 1;
        }
        match read {
            Ok(()) => self.last_left_out = None,
            Err(e @ (ImportError::Row(_) | ImportError::LeftOut(_))) => {
                let Some(key) = order_key_of_row(cx, row) else {
                    return;
                };
                if matches!(e, ImportError::Row(_)) && self.row_of_order_read(&cx.table.file, &key)
                {
                    self.bad_orders.insert(key.clone());
                }
                self.last_left_out = Some(key);
            }
            Err(_) => {}
        }
    }

    /// Whether a row of order `key` in `file` would be read into the order (not left out as
    /// an overlap of an order another file holds): only then does a bad row spoil it.
    pub(super) fn row_of_order_read(&self, file: &str, key: &str) -> bool {
        match self.order_index.get(key) {
            Some(&o) => {
                self.orders[o].at.0 == file
                    || self.fates.contains_key(&continued_in(file, key))
                    || self.started_later.contains(key)
            }
            None => true,
        }
    }

    /// Takes out the orders one of whose rows could not be read (and was skipped): an
    /// order missing a line, or read without its first row's customer and status, would
    /// be wrong, and could never be set right, since an import does not change orders
    /// already in the shop. Fixing the row and importing again brings the whole order in.
    pub(super) fn withdraw_bad_orders(&mut self) {
        if self.bad_orders.is_empty() {
            return;
        }
        let keys: Vec<String> = self.bad_orders.iter().cloned().collect();
        self.withdraw_orders(&keys, BAD_ORDER);
    }

    /// Removes orders read that must not be kept, taking them out of the counts of the
    /// file that read them and counting their rows as left out.
    pub(super) fn remove_orders(&mut self, doomed: Vec<Withdrawn>) {
        if doomed.is_empty() {
            return;
        }
        let mut gone = std::collections::HashSet::new();
        for Withdrawn {
            order: o,
            read,
            why,
        } in doomed
        {
            if !gone.insert(o) {
                continue;
            }
            let order = &self.orders[o];
            // A later file's rows of its number start afresh.
            self.started_later.remove(&order.key);
            let counts = &mut self.files[read];
            if order.partly_refunded {
                counts.orders_partly_refunded = counts.orders_partly_refunded.saturating_sub(1);
            }
            if order.is_return {
                counts.orders_as_returns = counts.orders_as_returns.saturating_sub(1);
            } else {
                counts.orders_as_purchases = counts.orders_as_purchases.saturating_sub(1);
            }
            *self.left_out.entry(why).or_default() += order.rows;
        }
        let mut i = 0;
        self.orders.retain(|_| {
            let keep = !gone.contains(&i);
            i += 1;
            keep
        });
        self.order_index = self
            .orders
            .iter()
            .enumerate()
            .map(|(i, o)| (o.key.clone(), i))
            .collect();
    }

    /// Takes out the orders read as purchases from one file that another file of the
    /// import, as new or newer (by its date, else by being read later), says were not
    /// purchases (refunded, cancelled, voided after the first export was made): the newer
    /// export knows what became of the order.
    pub(super) fn withdraw_superseded(&mut self) {
        let position = |file: &str| self.files.iter().position(|f| f.file == file);
        let date = |i: usize| self.file_dates.get(i).copied().flatten();
        let newer = |a: usize, b: usize| match (date(a), date(b)) {
            (Some(x), Some(y)) if x != y => x > y,
            _ => a > b,
        };
        let mut superseded = Vec::new();
        for k in self.fates.keys() {
            let Some((file, key)) = k
                .strip_prefix("left-out-in:")
                .and_then(|rest| rest.split_once('\u{1f}'))
            else {
                continue;
            };
            let Some(&o) = self.order_index.get(key) else {
                continue;
            };
            let (Some(by), Some(read)) = (position(file), position(&self.orders[o].at.0)) else {
                continue;
            };
            // The status on an order's first row holds for the later rows an earlier file
            // gave, whichever file is newer.
            if by != read && (newer(by, read) || self.started_later.contains(key)) {
                let status = match self.fates.get(k) {
                    Some(Fate::LeftOut { status, .. }) => status.as_str(),
                    _ => "not a purchase",
                };
                superseded.push(Withdrawn {
                    order: o,
                    read,
                    why: format!("its order is {status} in {file}"),
                });
            }
        }
        self.remove_orders(superseded);
    }

    /// Notes the order `o` when its later rows, read first, were read in another currency
    /// than its first row (`data`, on `line`) names.
    pub(super) fn note_currency_misread(
        &mut self,
        table: &Table,
        mapping: &Mapping,
        (data, line): (&RowData, u64),
        o: usize,
    ) {
        let (Some(part), Some((currency, true))) = (&data.order, data.currency) else {
            return;
        };
        let Some(&taken) = self.order_currencies.get(&taken_in(&part.key)) else {
            return;
        };
        if taken == currency || self.currency_misread.is_some() {
            return;
        }
        let number = order_number(&part.key);
        let earlier = &self.orders[o].at.0;
        let reason = format!(
            "order {number} starts here in {}, but its later rows in {earlier} came before it and name no currency, so they were read in {}: give {} before {earlier}, as the platform numbered them",
            currency.code(),
            taken.code(),
            table.file
        );
        self.currency_misread = Some(RowError {
            file: table.file.clone(),
            line,
            column: column_of(mapping, Role::Currency),
            reason,
        });
    }

    /// Whether the row is the first row of an order that an earlier file's later rows of
    /// it started (the files given in the other order): it and the file's later rows of the
    /// order are the order's, not an overlap. Only the first such row is (see [`Self::adopt`]).
    pub(super) fn order_starts_here(&self, part: &OrderPart, file: &str) -> bool {
        // Most orders were started by their first row: nothing to look up.
        !part.continues
            && self.started_later.contains(&part.key)
            && !self.fates.contains_key(&continued_in(file, &part.key))
    }

    /// Makes the row its order's first: the order `o`, begun by another file's later rows,
    /// takes this row's status (its customer is added with the row), and this file's
    /// later rows of it are matched against the lines it already has.
    pub(super) fn adopt(
        &mut self,
        table: &Table,
        mapping: &Mapping,
        (data, line): (&RowData, u64),
        o: usize,
    ) {
        let Some(part) = &data.order else {
            return;
        };
        let orphan = self.started_later.remove(&part.key);
        self.fates
            .insert(continued_in(&table.file, &part.key), part.fate.clone());
        self.note_currency_misread(table, mapping, (data, line), o);
        // The order is now this file's, which holds its first row.
        let order = &mut self.orders[o];
        let from = std::mem::replace(&mut order.at, (table.file.clone(), line)).0;
        self.adopted.push(Taken {
            key: part.key.clone(),
            lines: order.lines.len(),
            rows: order.rows,
            had_first_row: !orphan,
        });
        let bought = !order.is_return;
        let (Some(from), Some(read)) = (
            self.files.iter().position(|f| f.file == from),
            self.files.iter().position(|f| f.file == table.file),
        ) else {
            return;
        };
        move_count(&mut self.files, (from, read), bought);
        if !orphan {
            return;
        }
        let order = &mut self.orders[o];
        let counts = &mut self.files[read];
        match part.fate {
            Fate::PartlyRefunded if !order.partly_refunded => {
                order.partly_refunded = true;
                counts.orders_partly_refunded += 1;
            }
            Fate::Return if !order.is_return => {
                order.is_return = true;
                counts.orders_as_purchases = counts.orders_as_purchases.saturating_sub(1);
                counts.orders_as_returns += 1;
            }
            _ => {}
        }
    }
}

/// An order read that is taken out again: its position, the file that read it (by
/// position), and why its rows are left out.
pub(super) struct Withdrawn {
    order: usize,
    read: usize,
    why: String,
}

/// An order a file's row took from the file read before: the order's key, the lines and
/// rows it had then, and whether those included its first row. A file that goes on past
/// the order lists it whole, so what it had before was an overlap; a file that ends with it
/// was cut inside it, so it adds the lines it lists.
#[derive(Clone, Debug)]
pub(super) struct Taken {
    key: String,
    lines: usize,
    rows: usize,
    had_first_row: bool,
}

/// Why the rows of an order read only from its later rows are left out.
pub(super) const WITHOUT_FIRST_ROW: &str = "no row of its order in these files gives its status and customer (its first row may be in another part of the export)";

/// Moves an order's count from file `from` to file `to` (as bought, or as a return).
pub(super) fn move_count(files: &mut [FileCounts], (from, to): (usize, usize), bought: bool) {
    if bought {
        files[from].orders_as_purchases = files[from].orders_as_purchases.saturating_sub(1);
        files[to].orders_as_purchases += 1;
    } else {
        files[from].orders_as_returns = files[from].orders_as_returns.saturating_sub(1);
        files[to].orders_as_returns += 1;
    }
}

/// Why the rows of an order with a row that could not be read are left out.
pub(super) const BAD_ORDER: &str = "another row of its order could not be read (see the report)";

/// Where an order's first-row status is remembered: per file, since another export of
/// the same order (a later one, after a refund) may say otherwise.
pub(super) fn in_file(file: &str, key: &str) -> String {
    format!("{file}\u{1f}{key}")
}

/// Where it is remembered that a file left an order out (not a purchase).
pub(super) fn left_out_in(file: &str, key: &str) -> String {
    format!("left-out-in:{file}\u{1f}{key}")
}

/// Where the currency is remembered that an order's later rows were read in, when they
/// came before its first row.
pub(super) fn taken_in(key: &str) -> String {
    format!("\u{1f}taken-in\u{1f}{key}")
}

/// Where an order's first-row status (or currency) is remembered for a row of another file
/// that continues it: an export split into two files can cut an order in two.
pub(super) fn in_any_file(key: &str) -> String {
    format!("\u{1f}{key}")
}

/// Remembers the fate of an order whose first row is in `file`, for that file's later rows
/// and for another file's rows that continue it.
pub(super) fn remember_fate(fates: &mut HashMap<String, Fate>, file: &str, key: &str, fate: &Fate) {
    fates
        .entry(in_file(file, key))
        .or_insert_with(|| fate.clone());
    fates.insert(in_any_file(key), fate.clone());
}

/// The fate an earlier row gave the order `key` of a file whose orders take their status
/// from their first row: the file's own first row of it, else, for a row that continues an
/// order another file of the import started, that file's (remembered as continued there,
/// so that its lines are added to the order rather than taken for an overlap).
pub(super) fn earlier_fate(
    memory: &mut OrderMemory<'_>,
    file: &str,
    key: &str,
    later_row: bool,
) -> Option<(Fate, bool)> {
    if let Some(f) = memory.fates.get(&in_file(file, key)) {
        let inherited = memory.fates.contains_key(&continued_in(file, key));
        return Some((f.clone(), inherited));
    }
    if !later_row {
        return None;
    }
    // The status of the order kept, else of the last file that left it out.
    let kept = memory
        .file_of(key)
        .and_then(|f| memory.fates.get(&in_file(f, key)));
    let f = kept
        .or_else(|| memory.fates.get(&in_any_file(key)))?
        .clone();
    memory.fates.insert(in_file(file, key), f.clone());
    memory.fates.insert(continued_in(file, key), f.clone());
    Some((f, true))
}

/// Where it is remembered that a file's rows of an order continue another file's.
pub(super) fn continued_in(file: &str, key: &str) -> String {
    format!("\u{1f}continued-in\u{1f}{file}\u{1f}{key}")
}

/// Whether a row of an order whose status is on its first row only is one of its later
/// rows: the status columns its first row always fills (a payment status; an order status
/// unless any text in it means "cancelled", as Shopify's Cancelled at) are blank. In a
/// file that did not start the order, it continues an order another file started. A file
/// with no such column cannot tell, and no row of it is taken for a later row.
pub(super) fn continues(mapping: &Mapping, get: &dyn Fn(Role, &str) -> Option<String>) -> bool {
    if !mapping.order_level_status {
        return false;
    }
    let has = |role: Role| mapping.columns.contains_key(&role);
    let always_filled_status = has(Role::Status) && !mapping.skip_statuses.iter().any(|s| s == "*");
    (has(Role::PaymentStatus) || always_filled_status)
        && get(Role::PaymentStatus, " ").is_none()
        && get(Role::Status, " ").is_none()
}
