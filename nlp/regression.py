"""A fitted logistic regression kept as plain arrays (coefficients, intercepts, class names) and
applied with numpy: what the intent classifier and the screening reader store and predict with,
instead of a pickled scikit-learn model."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def as_arrays(model: LogisticRegression) -> dict[str, np.ndarray]:
    return {
        "coef": model.coef_.astype(np.float32),
        "intercept": model.intercept_.astype(np.float32),
        "classes": np.array(model.classes_, dtype=str),
    }


def probabilities(arrays: dict[str, np.ndarray], features: Any) -> np.ndarray:
    """One row of class probabilities per row of `features` (dense or sparse), in the order of
    arrays["classes"], as the model's predict_proba gives them."""
    scores = np.asarray(features @ arrays["coef"].T + arrays["intercept"])
    if arrays["coef"].shape[0] == 1:  # two classes: one row of coefficients, the second's
        scores = np.hstack([np.zeros_like(scores), scores])
    return softmax(scores)
