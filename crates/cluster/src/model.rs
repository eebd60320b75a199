//! How likely two articles report the same event: figures measured on the pair ([`PairFeatures`])
//! weighed by a logistic model ([`PairModel`]).
//!
//! The shipped weights were fitted on the ECB+ development topics with [`PairModel::fit`] (run by
//! `parallax-bench cluster-fit`); they are figures about news text in general, not about particular
//! documents, and can be refitted on any labelled stream.

use serde::{Deserialize, Serialize};

/// What is measured on a pair of articles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PairFeatures {
    /// TF-IDF cosine of the whole articles, names weighing more than words.
    pub cosine: f32,
    /// TF-IDF cosine of the leads (title and first sentences).
    pub lead: f32,
    /// TF-IDF cosine of the names alone.
    pub names: f32,
    /// Share of the lead names of each that the other never mentions: a new protagonist or place
    /// means another event.
    pub novelty: f32,
    /// Numbers the leads share, over all the numbers they give.
    pub numbers_shared: f32,
    /// 1 when both leads give numbers and none agree.
    pub numbers_disjoint: f32,
    /// 1 when both name days and no year is common to them.
    pub years_disjoint: f32,
    /// 1 when both leads name weekdays and none agree.
    pub weekdays_disjoint: f32,
    /// How close in time both were published, when both are dated: 1 for the same moment, 0 a day
    /// and a half apart, down to -1 three days apart or more; 0 when either is undated. Reports of
    /// one event come in a burst.
    #[serde(default)]
    pub published_close: f32,
}

impl PairFeatures {
    /// Number of features.
    pub const LEN: usize = 9;

    /// Names of the features, in [`PairFeatures::to_array`] order.
    pub const NAMES: [&'static str; Self::LEN] = [
        "cosine",
        "lead",
        "names",
        "novelty",
        "numbers_shared",
        "numbers_disjoint",
        "years_disjoint",
        "weekdays_disjoint",
        "published_close",
    ];

    /// The features as an array.
    pub fn to_array(&self) -> [f32; Self::LEN] {
        [
            self.cosine,
            self.lead,
            self.names,
            self.novelty,
            self.numbers_shared,
            self.numbers_disjoint,
            self.years_disjoint,
            self.weekdays_disjoint,
            self.published_close,
        ]
    }
}

/// A logistic model over [`PairFeatures`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairModel {
    /// One weight per feature.
    pub weights: [f32; PairFeatures::LEN],
    /// The intercept.
    pub bias: f32,
}

impl Default for PairModel {
    /// Fitted with `parallax-bench cluster-fit ../shared/bench/clustering/ecbplus-dev.jsonl`. ECB+
    /// dates only one story of each topic, so the weight of publication times is a modest one;
    /// fitting it on timestamped headlines too gives it far more (see the clustering fixtures).
    fn default() -> Self {
        PairModel {
            weights: [5.574, 0.877, 4.922, -3.631, 2.699, -0.490, -1.709, -0.751, 1.604],
            bias: -1.081,
        }
    }
}

impl PairModel {
    /// The probability that the pair reports one event.
    pub fn probability(&self, features: &PairFeatures) -> f32 {
        let z: f32 =
            self.bias + self.weights.iter().zip(features.to_array()).map(|(w, x)| w * x).sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }

    /// Fits a model to labelled pairs (true: same event) by L2-regularised logistic regression,
    /// Newton's method on the mean loss. `l2` is the penalty on the weights (not the bias).
    pub fn fit(examples: &[(PairFeatures, bool)], l2: f64) -> PairModel {
        const DIM: usize = PairFeatures::LEN + 1;
        let mut beta = [0.0f64; DIM];
        let n = examples.len().max(1) as f64;
        for _ in 0..50 {
            let mut gradient = [0.0f64; DIM];
            let mut hessian = [[0.0f64; DIM]; DIM];
            for (features, label) in examples {
                let x = extended(features);
                let z: f64 = beta.iter().zip(&x).map(|(b, x)| b * x).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                let y = if *label { 1.0 } else { 0.0 };
                for i in 0..DIM {
                    gradient[i] += (p - y) * x[i] / n;
                    for j in 0..DIM {
                        hessian[i][j] += p * (1.0 - p) * x[i] * x[j] / n;
                    }
                }
            }
            for i in 0..PairFeatures::LEN {
                gradient[i] += l2 * beta[i];
                hessian[i][i] += l2;
            }
            let Some(step) = solve(hessian, gradient) else { break };
            let mut moved = 0.0f64;
            for i in 0..DIM {
                beta[i] -= step[i];
                moved = moved.max(step[i].abs());
            }
            if moved < 1e-9 {
                break;
            }
        }
        let mut weights = [0.0f32; PairFeatures::LEN];
        for (w, b) in weights.iter_mut().zip(&beta) {
            *w = *b as f32;
        }
        PairModel { weights, bias: beta[PairFeatures::LEN] as f32 }
    }
}

/// The features followed by 1 for the intercept.
fn extended(features: &PairFeatures) -> [f64; PairFeatures::LEN + 1] {
    let mut x = [1.0f64; PairFeatures::LEN + 1];
    for (slot, value) in x.iter_mut().zip(features.to_array()) {
        *slot = value as f64;
    }
    x
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting; `None` when singular.
fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..N {
            let factor = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (value, above) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *value -= factor * above;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = [0.0f64; N];
    for row in (0..N).rev() {
        let rest: f64 = (row + 1..N).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(cosine: f32, novelty: f32) -> PairFeatures {
        PairFeatures { cosine, novelty, ..PairFeatures::default() }
    }

    #[test]
    fn probability_rises_with_similarity_and_falls_with_novelty() {
        let model = PairModel::default();
        assert!(model.probability(&pair(0.6, 0.0)) > model.probability(&pair(0.2, 0.0)));
        assert!(model.probability(&pair(0.4, 0.0)) > model.probability(&pair(0.4, 0.8)));
    }

    #[test]
    fn fitting_recovers_the_direction_of_each_feature() {
        // Same-event pairs are similar and bring few new names; others the reverse, with overlap.
        let mut examples = Vec::new();
        for i in 0..200 {
            let t = i as f32 / 200.0;
            examples.push((pair(0.3 + 0.5 * t, 0.4 - 0.3 * t), true));
            examples.push((pair(0.05 + 0.4 * t, 0.3 + 0.5 * t), false));
        }
        let model = PairModel::fit(&examples, 1e-3);
        assert!(model.weights[0] > 0.0, "{model:?}");
        assert!(model.weights[3] < 0.0, "{model:?}");
        let right = examples.iter().filter(|(f, same)| (model.probability(f) >= 0.5) == *same).count();
        assert!(right as f32 / examples.len() as f32 > 0.8, "{right} of {}", examples.len());
    }

    #[test]
    fn solving_a_small_system() {
        let x = solve([[2.0, 1.0], [1.0, 3.0]], [3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-9 && (x[1] - 1.4).abs() < 1e-9, "{x:?}");
    }
}
