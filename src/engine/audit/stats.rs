//! The statistics the audit needs: a seeded random source for permutation tests, the
//! mean, the Gini index and the Kullback–Leibler divergence.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A seeded random source for one metric, so each figure is reproducible on its own.
pub fn rng_for(seed: u64, key: &str) -> ChaCha8Rng {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    ChaCha8Rng::seed_from_u64(seed ^ h)
}

/// The mean, or `None` for no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The Gini index of non-negative amounts: 0 when all are equal, towards 1 when one has
/// everything. `G = Σ (2i − n − 1) x_(i) / (n Σ x)` over the amounts sorted ascending.
pub fn gini(amounts: &[f64]) -> Option<f64> {
    let n = amounts.len();
    let total: f64 = amounts.iter().sum();
    if n == 0 || total <= 0.0 {
        return None;
    }
    let mut sorted = amounts.to_vec();
    sorted.sort_by(f64::total_cmp);
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i + 1) as f64 - n as f64 - 1.0) * x)
        .sum();
    Some(weighted / (n as f64 * total))
}

/// How much a recommendation mix is mixed in with the history mix when measuring
/// calibration, so a category missing from the recommendations does not give infinity.
pub const CALIBRATION_ALPHA: f64 = 0.01;

/// Calibration in bits: KL(p ‖ q̃) with p the history mix, q the recommendation mix and
/// q̃ = (1 − α) q + α p. Both are counts per category; `None` when either is empty.
pub fn calibration_kl(history: &[f32], recommended: &[f32]) -> Option<f64> {
    let ph: f64 = history.iter().map(|&v| f64::from(v)).sum();
    let qr: f64 = recommended.iter().map(|&v| f64::from(v)).sum();
    if ph <= 0.0 || qr <= 0.0 {
        return None;
    }
    let kl = history
        .iter()
        .zip(recommended)
        .filter(|(h, _)| **h > 0.0)
        .map(|(&h, &r)| {
            let p = f64::from(h) / ph;
            let q = (1.0 - CALIBRATION_ALPHA) * f64::from(r) / qr + CALIBRATION_ALPHA * p;
            p * (p / q).log2()
        })
        .sum();
    Some(kl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_equal_and_concentrated_amounts() {
        assert_eq!(gini(&[1.0, 1.0, 1.0, 1.0]), Some(0.0));
        assert!((gini(&[0.0, 0.0, 0.0, 4.0]).unwrap() - 0.75).abs() < 1e-12);
        assert_eq!(gini(&[0.0, 0.0]), None);
    }

    #[test]
    fn calibration_is_zero_when_mixes_match() {
        assert!(calibration_kl(&[2.0, 2.0], &[1.0, 1.0]).unwrap().abs() < 1e-12);
        let off = calibration_kl(&[4.0, 0.0], &[0.0, 5.0]).unwrap();
        assert!((off - (1.0f64 / 0.01).log2()).abs() < 1e-9);
        assert_eq!(calibration_kl(&[0.0], &[1.0]), None);
    }
}
