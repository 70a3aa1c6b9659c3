//! Whole-shop work split over the cores: `0..len` cut into one contiguous range per core,
//! each worked on its own thread, the results in range order.

use std::ops::Range;

/// The result of a scoped worker, its panic carried on to the caller.
pub fn joined<T>(worker: std::thread::ScopedJoinHandle<'_, T>) -> T {
    worker
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The ranges' length: `len` split evenly over the cores (at least 1).
pub fn range_length(len: usize) -> usize {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, len.max(1));
    len.div_ceil(threads).max(1)
}

/// `work` on each range of `per` items of `0..len` (the last may be shorter; `per` from
/// [`range_length`], asked once by the caller, since the cores available can change while
/// Candor runs), one thread per range; the results in range order. A worker's panic is
/// carried on to the caller.
pub fn over_ranges<T: Send>(
    len: usize,
    per: usize,
    work: impl Fn(Range<usize>) -> T + Sync,
) -> Vec<T> {
    let per = per.max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..len)
            .step_by(per)
            .map(|start| scope.spawn(move || work(start..(start + per).min(len))))
            .collect();
        workers.into_iter().map(joined).collect()
    })
}

/// `work(i)` for every `i` in `0..items`, on as many threads as there are cores, each
/// taking the next item when done (items of uneven size share the cores well); the results
/// in item order. A worker's panic is carried on to the caller.
pub fn each<T: Send>(items: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, items.max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (work, next) = (&work, &next);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= items {
                            return mine;
                        }
                        mine.push((i, work(i)));
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(joined).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}
