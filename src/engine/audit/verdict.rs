//! What makes a difference between groups a verdict: an omnibus test that the groups'
//! rates (chi-square) or means (Welch's analysis of variance) are equal, the p-values of a
//! whole audit corrected together (Holm, or Benjamini–Hochberg), and intervals that are
//! exact for a rate (Jeffreys) and valid for a ratio (on the log scale, so the estimate
//! is always inside its own interval). Every figure is analytic and deterministic.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Hypergeometric};
use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ChiSquared, ContinuousCDF, FisherSnedecor, Normal, StudentsT};

/// The test behind a metric's p-value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// Pearson's chi-square test of equal rates across the groups (a k × 2 table).
    ChiSquare,
    /// A permutation test of the same chi-square statistic (outcomes shuffled among the
    /// groups 2,000 times), used when a cell would expect fewer than five customers and the
    /// chi-square distribution is no guide.
    Permutation,
    /// Welch's analysis of variance: equal means across groups whose spreads may differ.
    WelchAnova,
    /// The classic one-way analysis of variance (spreads pooled), used when a group's
    /// values do not vary at all, which Welch's weights cannot take.
    Anova,
}

/// How the p-values of one audit are corrected for being many.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Holm's step-down method: the chance of even one false flag stays under the level.
    #[default]
    Holm,
    /// Benjamini–Hochberg: the expected share of false flags among the flags stays under it.
    BenjaminiHochberg,
}

/// One group's count for a rate: customers with the outcome, and customers.
pub type RateCount = (usize, usize);

/// One group's summary for a mean: customers, mean, sample variance.
pub type MeanSummary = (usize, f64, f64);

/// Label shuffles of a permutation test.
pub const PERMUTATIONS: usize = 2000;

/// The test of equal rates across `groups` and its p-value: chi-square when every cell
/// expects at least five customers, else a seeded permutation test of the same statistic.
/// `None` when there is nothing to test (see [`chi_square_equal_rates`]).
pub fn equal_rates(groups: &[RateCount], rng: &mut ChaCha8Rng) -> Option<(Test, f64)> {
    let groups: Vec<RateCount> = groups.iter().copied().filter(|&(_, n)| n > 0).collect();
    let p = chi_square_equal_rates(&groups)?;
    let hits: usize = groups.iter().map(|g| g.0).sum();
    let total: usize = groups.iter().map(|g| g.1).sum();
    let share = hits as f64 / total as f64;
    let smallest = groups
        .iter()
        .map(|&(_, n)| n as f64 * share.min(1.0 - share))
        .fold(f64::INFINITY, f64::min);
    if smallest >= 5.0 {
        return Some((Test::ChiSquare, p));
    }
    let observed = chi_square_statistic(&groups, share);
    let sizes: Vec<usize> = groups.iter().map(|g| g.1).collect();
    let mut as_extreme = 0usize;
    for _ in 0..PERMUTATIONS {
        let shuffled = shuffle_outcomes(&sizes, hits, total, rng)?;
        if chi_square_statistic(&shuffled, share) >= observed - 1e-9 {
            as_extreme += 1;
        }
    }
    Some((
        Test::Permutation,
        (1 + as_extreme) as f64 / (1 + PERMUTATIONS) as f64,
    ))
}

/// The groups' counts after shuffling `hits` outcomes at random among `total` customers:
/// each group's hits drawn in turn from what is left (the multivariate hypergeometric).
fn shuffle_outcomes(
    sizes: &[usize],
    hits: usize,
    total: usize,
    rng: &mut ChaCha8Rng,
) -> Option<Vec<RateCount>> {
    let (mut left, mut left_hits) = (total as u64, hits as u64);
    let mut out = Vec::with_capacity(sizes.len());
    for &n in sizes {
        let x = if left_hits == 0 || n as u64 == left {
            left_hits.min(n as u64)
        } else {
            Hypergeometric::new(left, left_hits, n as u64)
                .ok()?
                .sample(rng)
        };
        out.push((x as usize, n));
        left -= n as u64;
        left_hits -= x;
    }
    Some(out)
}

/// Pearson's statistic of a k × 2 table whose overall rate is `share`.
fn chi_square_statistic(groups: &[RateCount], share: f64) -> f64 {
    groups
        .iter()
        .map(|&(x, n)| {
            let (yes, no) = (n as f64 * share, n as f64 * (1.0 - share));
            let (x, y) = (x as f64, (n - x) as f64);
            (x - yes).powi(2) / yes + (y - no).powi(2) / no
        })
        .sum()
}

/// The p-value of equal rates across `groups`; `None` when fewer than two groups have
/// customers or the outcome never (or always) happens, where there is nothing to test.
pub fn chi_square_equal_rates(groups: &[RateCount]) -> Option<f64> {
    let groups: Vec<RateCount> = groups.iter().copied().filter(|&(_, n)| n > 0).collect();
    let hits: usize = groups.iter().map(|g| g.0).sum();
    let total: usize = groups.iter().map(|g| g.1).sum();
    if groups.len() < 2 || hits == 0 || hits == total {
        return None;
    }
    let statistic = chi_square_statistic(&groups, hits as f64 / total as f64);
    let df = (groups.len() - 1) as f64;
    Some(ChiSquared::new(df).ok()?.sf(statistic))
}

/// The p-value of equal means across `groups` by Welch's analysis of variance; `None`
/// when fewer than two groups have two customers, or a group's values do not vary (its
/// weight would be infinite).
pub fn welch_anova(groups: &[MeanSummary]) -> Option<f64> {
    let groups: Vec<MeanSummary> = groups.iter().copied().filter(|g| g.0 >= 2).collect();
    let k = groups.len();
    if k < 2
        || groups
            .iter()
            .any(|g| g.2.is_nan() || g.2 <= 0.0 || !g.1.is_finite())
    {
        return None;
    }
    let weights: Vec<f64> = groups.iter().map(|&(n, _, v)| n as f64 / v).collect();
    let total: f64 = weights.iter().sum();
    let grand = groups
        .iter()
        .zip(&weights)
        .map(|(g, w)| w * g.1)
        .sum::<f64>()
        / total;
    let between = groups
        .iter()
        .zip(&weights)
        .map(|(g, w)| w * (g.1 - grand).powi(2))
        .sum::<f64>()
        / (k - 1) as f64;
    let lambda: f64 = groups
        .iter()
        .zip(&weights)
        .map(|(g, w)| (1.0 - w / total).powi(2) / (g.0 - 1) as f64)
        .sum();
    let kf = k as f64;
    let statistic = between / (1.0 + 2.0 * (kf - 2.0) / (kf * kf - 1.0) * lambda);
    let df2 = (kf * kf - 1.0) / (3.0 * lambda);
    if !statistic.is_finite() || df2.is_nan() || df2 <= 0.0 {
        return None;
    }
    Some(FisherSnedecor::new(kf - 1.0, df2).ok()?.sf(statistic))
}

/// The test of equal means across `groups` and its p-value: Welch's analysis of variance,
/// or, when a group's values do not vary, the classic one (and when no group's values
/// vary, certainty: p = 0 if the means differ, 1 if they do not). `None` when fewer than
/// two groups have two customers.
pub fn equal_means(groups: &[MeanSummary]) -> Option<(Test, f64)> {
    if let Some(p) = welch_anova(groups) {
        return Some((Test::WelchAnova, p));
    }
    let groups: Vec<MeanSummary> = groups.iter().copied().filter(|g| g.0 >= 2).collect();
    let k = groups.len();
    let n: usize = groups.iter().map(|g| g.0).sum();
    if k < 2 || n <= k || groups.iter().any(|g| !g.1.is_finite() || g.2.is_nan()) {
        return None;
    }
    let grand = groups.iter().map(|g| g.0 as f64 * g.1).sum::<f64>() / n as f64;
    let between = groups
        .iter()
        .map(|g| g.0 as f64 * (g.1 - grand).powi(2))
        .sum::<f64>()
        / (k - 1) as f64;
    let within = groups.iter().map(|g| (g.0 - 1) as f64 * g.2).sum::<f64>() / (n - k) as f64;
    if within <= 0.0 {
        let all_equal = groups.iter().all(|g| g.1 == groups[0].1);
        return Some((Test::Anova, if all_equal { 1.0 } else { 0.0 }));
    }
    let f = FisherSnedecor::new((k - 1) as f64, (n - k) as f64).ok()?;
    Some((Test::Anova, f.sf(between / within)))
}

/// Holm's adjusted p-values, in the order given.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Benjamini–Hochberg adjusted p-values, in the order given.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut adjusted = vec![0.0; m];
    let mut running: f64 = 1.0;
    for (from_top, &i) in order.iter().enumerate() {
        let rank = m - from_top;
        running = running.min((m as f64 * p[i] / rank as f64).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

impl Correction {
    /// The adjusted p-values of `p`, in the order given.
    pub fn adjust(self, p: &[f64]) -> Vec<f64> {
        match self {
            Self::Holm => holm(p),
            Self::BenjaminiHochberg => benjamini_hochberg(p),
        }
    }
}

/// The 95% Jeffreys interval of the rate `hits / n` (exact Beta quantiles; 0 as the lower
/// bound when nobody has the outcome, 1 as the upper when everybody does).
pub fn jeffreys(hits: usize, n: usize) -> Option<[f64; 2]> {
    if n == 0 {
        return None;
    }
    let beta = Beta::new(hits as f64 + 0.5, (n - hits.min(n)) as f64 + 0.5).ok()?;
    let lo = if hits == 0 {
        0.0
    } else {
        beta.inverse_cdf(0.025)
    };
    let hi = if hits >= n {
        1.0
    } else {
        beta.inverse_cdf(0.975)
    };
    Some([lo, hi])
}

/// 1.96: the normal quantile of a two-sided 95% interval.
/// The exact 95% interval of a mean from its summary (Student's t: mean ± t(0.975, n − 1)
/// × s / √n), never below `floor` (the smallest value the measure can take); the mean
/// itself when there is one value. `None` for no values.
pub fn mean_interval((n, mean, variance): MeanSummary, floor: f64) -> Option<[f64; 2]> {
    if n == 0 {
        return None;
    }
    if n == 1 || variance <= 0.0 {
        return Some([mean, mean]);
    }
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .map_or(1.959_963_984_540_054, |d| d.inverse_cdf(0.975));
    let half = t * (variance / n as f64).sqrt();
    Some([(mean - half).max(floor.min(mean)), mean + half])
}

fn z95() -> f64 {
    Normal::new(0.0, 1.0).map_or(1.959_963_984_540_054, |n| n.inverse_cdf(0.975))
}

/// The 95% interval of the ratio of two rates `a / b` on the log scale (Katz); from 0 when
/// `a` has no outcome; `None` when `b` has none (the ratio is undefined).
pub fn rate_ratio_interval(a: RateCount, b: RateCount) -> Option<[f64; 2]> {
    let ((xa, na), (xb, nb)) = (a, b);
    if xb == 0 || na == 0 || nb == 0 {
        return None;
    }
    if xa == 0 {
        // A ratio of 0: from 0 up to the bound Katz's interval gives with half a customer
        // added to each count (Haldane's correction), so 0 is inside its interval.
        let (xa, na, xb, nb) = (0.5, na as f64 + 0.5, xb as f64 + 0.5, nb as f64 + 0.5);
        let se = (1.0 / xa - 1.0 / na + 1.0 / xb - 1.0 / nb).max(0.0).sqrt();
        return Some([0.0, log_interval((xa / na) / (xb / nb), se)[1]]);
    }
    let ratio = (xa as f64 / na as f64) / (xb as f64 / nb as f64);
    let se = (1.0 / xa as f64 - 1.0 / na as f64 + 1.0 / xb as f64 - 1.0 / nb as f64)
        .max(0.0)
        .sqrt();
    Some(log_interval(ratio, se))
}

/// The 95% interval of the ratio of two means `a / b` on the log scale (the delta
/// method); `None` when either mean is not positive.
pub fn mean_ratio_interval(a: MeanSummary, b: MeanSummary) -> Option<[f64; 2]> {
    let ((na, ma, va), (nb, mb, vb)) = (a, b);
    if !(ma > 0.0 && mb > 0.0) || na == 0 || nb == 0 {
        return None;
    }
    let se = (va / (na as f64 * ma * ma) + vb / (nb as f64 * mb * mb))
        .max(0.0)
        .sqrt();
    Some(log_interval(ma / mb, se))
}

fn log_interval(ratio: f64, se: f64) -> [f64; 2] {
    let z = z95();
    [ratio * (-z * se).exp(), ratio * (z * se).exp()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_matches_a_worked_table() {
        // 20/100 against 40/100: statistic 9.5238, df 1, p = 0.00203 (scipy.stats.chi2_contingency, no continuity correction).
        let p = chi_square_equal_rates(&[(20, 100), (40, 100)]).expect("testable");
        assert!((p - 0.002_028_9).abs() < 1e-5, "{p}");
        assert_eq!(chi_square_equal_rates(&[(0, 50), (0, 60)]), None);
    }

    #[test]
    fn welch_anova_matches_a_worked_example() {
        // Groups (n, mean, variance): equal means give p = 1.
        let p = welch_anova(&[(10, 5.0, 1.0), (12, 5.0, 2.0), (8, 5.0, 0.5)]).expect("testable");
        assert!((p - 1.0).abs() < 1e-12, "{p}");
        let p = welch_anova(&[(30, 5.0, 1.0), (30, 6.0, 1.0)]).expect("testable");
        // Two groups: Welch's t² = 15, df ≈ 58 → p ≈ 0.00027.
        assert!(p > 0.0001 && p < 0.001, "{p}");
    }

    #[test]
    fn holm_and_benjamini_hochberg_adjust_as_published() {
        let p = [0.01, 0.04, 0.03, 0.005];
        let h = holm(&p);
        let expect = [0.03, 0.06, 0.06, 0.02];
        for (a, b) in h.iter().zip(expect) {
            assert!((a - b).abs() < 1e-12, "{h:?}");
        }
        let bh = benjamini_hochberg(&p);
        let expect = [0.02, 0.04, 0.04, 0.02];
        for (a, b) in bh.iter().zip(expect) {
            assert!((a - b).abs() < 1e-12, "{bh:?}");
        }
    }

    #[test]
    fn a_mean_interval_is_students_t_and_holds_its_mean() {
        // 10 values with mean 5 and variance 4: t(0.975, 9) = 2.262157, half width
        // 2.262157 × 2 / √10 = 1.430714 (scipy.stats.t.interval(0.95, 9, 5, 2/sqrt(10))).
        let [lo, hi] = mean_interval((10, 5.0, 4.0), 0.0).expect("interval");
        assert!(
            (lo - 3.569_286).abs() < 1e-5 && (hi - 6.430_714).abs() < 1e-5,
            "{lo} {hi}"
        );
        assert_eq!(mean_interval((1, 7.0, 0.0), 0.0), Some([7.0, 7.0]));
        let [lo, _] = mean_interval((3, 0.2, 1.0), 0.0).expect("interval");
        assert_eq!(lo, 0.0, "never below what the measure can take");
        assert_eq!(mean_interval((0, 0.0, 0.0), 0.0), None);
    }

    #[test]
    fn jeffreys_is_exact_and_starts_at_zero_for_no_outcome() {
        let [lo, hi] = jeffreys(0, 585).expect("interval");
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 0.01, "{hi}");
        assert_eq!(jeffreys(2, 11), jeffreys(2, 11), "deterministic");
        let [lo, hi] = jeffreys(20, 100).expect("interval");
        assert!(
            (lo - 0.1307).abs() < 1e-3 && (hi - 0.2859).abs() < 1e-3,
            "{lo} {hi}"
        );
    }

    #[test]
    fn a_ratio_is_inside_its_interval() {
        let [lo, hi] = rate_ratio_interval((20, 100), (40, 100)).expect("interval");
        assert!(lo < 0.5 && 0.5 < hi, "{lo} {hi}");
        let [lo, hi] = mean_ratio_interval((50, 8.0, 4.0), (60, 10.0, 9.0)).expect("interval");
        assert!(lo < 0.8 && 0.8 < hi, "{lo} {hi}");
    }
}

#[cfg(test)]
mod permutation_tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn rare_outcomes_are_tested_by_permutation_not_by_the_chi_square_curve() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let groups = [(0, 184), (1, 163), (8, 156), (19, 1497)];
        let (test, p) = equal_rates(&groups, &mut rng).expect("testable");
        assert_eq!(test, Test::Permutation);
        let curve = chi_square_equal_rates(&groups).expect("testable");
        assert!(
            p > curve,
            "the curve overstates the evidence: {p} vs {curve}"
        );
        assert!(p > 1.0 / 2001.0 && p < 0.05, "{p}");
        let mut again = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(
            equal_rates(&groups, &mut again),
            Some((test, p)),
            "reproducible"
        );
        let (test, _) = equal_rates(&[(40, 200), (60, 200)], &mut rng).expect("testable");
        assert_eq!(test, Test::ChiSquare);
    }
}
