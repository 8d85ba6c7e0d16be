"""Plausible wrong formulas in notebook 04 and the self-checks that must catch them."""

from tests.mutation_harness import Mutation

MUTATIONS = [
    Mutation(
        name="log_loss_sign",
        cell="def exponential_loss(y, f)",
        old="np.logaddexp(0.0, -y * f)", new="np.logaddexp(0.0, y * f)",
        caught_by='"log loss vs BCE(from_logits=True)"',
        why="log(1 + e^{+m}) for log(1 + e^{-m}): the sign of the margin dropped",
    ),
    Mutation(
        name="hinge_without_threshold",
        cell="def exponential_loss(y, f)",
        old="np.maximum(0.0, 1.0 - y * f)", new="np.maximum(0.0, -y * f)",
        caught_by='"hinge vs keras hinge"',
        why="hinge and perceptron confused: the margin threshold 1 left out",
    ),
    Mutation(
        name="perceptron_loss_without_label",
        cell="def exponential_loss(y, f)",
        old="np.maximum(0.0, -y * f)", new="np.maximum(0.0, -f)",
        caught_by='"perceptron vs hinge at f + y"',
        why="the source articles' max(0, -f(x)), which has no label in it",
    ),
    Mutation(
        name="exp_loss_derivative_sign",
        cell='"exp loss derivative vs tape"',
        old="-y * exponential_loss(y, f)", new="y * exponential_loss(y, f)",
        caught_by='"exp loss derivative vs tape"',
        why="d/df e^{-yf} written without the chain rule's -y",
    ),
    Mutation(
        name="bce_logits_without_abs",
        cell="def binary_cross_entropy_from_logits",
        old="np.log1p(np.exp(-np.abs(z)))", new="np.log1p(np.exp(-z))",
        caught_by='"BCE (logits)"',
        why="the stable form max(z, 0) - t z + log(1 + e^{-|z|}) copied without the |z|",
    ),
    Mutation(
        name="log_softmax_shift_not_added_back",
        cell="def categorical_cross_entropy_from_logits",
        old="Z - (m + np.log(", new="Z - (np.log(",
        caught_by='"CCE (logits)")',
        why="log-sum-exp: the max subtracted for stability but not added back",
    ),
    Mutation(
        name="squared_loss_probability_by_sigmoid",
        cell="eta recovered from f*",
        old='(1 + f_star["squared"]) / 2', new='1 / (1 + np.exp(-f_star["squared"]))',
        caught_by="eta recovered from f*",
        why="reading the squared-loss score as a logit: sigma(f) instead of (1 + f)/2",
    ),
]
