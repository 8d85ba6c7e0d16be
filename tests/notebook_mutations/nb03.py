"""Plausible wrong derivatives for notebook 03, each caught by the notebook's own check
against ``tf.GradientTape`` / ``batch_jacobian`` (all in the first cells, before MNIST)."""

from tests.mutation_harness import Mutation

GRID_CHECK = "for name, (f, df, keras_f) in activations.items():"

MUTATIONS = [
    Mutation(
        name="sigmoid_derivative_fed_z",
        cell="def d_sigmoid", old="return s * (1.0 - s)", new="return x * (1.0 - x)",
        caught_by=GRID_CHECK,
        why="the tutorials' sigmoid_derivative(x) = x * (1 - x) applied to the pre-activation "
            "instead of the sigmoid's output",
    ),
    Mutation(
        name="tanh_derivative_one_minus_tanh",
        cell="def d_tanh", old="1.0 - np.tanh(x) ** 2", new="1.0 - np.tanh(x)",
        caught_by=GRID_CHECK,
        why="tanh' written as 1 - tanh (the square forgotten)",
    ),
    Mutation(
        name="relu_derivative_wrong_side",
        cell="def d_relu", old="np.where(x > 0, 1.0, 0.0)", new="np.where(x < 0, 1.0, 0.0)",
        caught_by=GRID_CHECK,
        why="ReLU's derivative put on the negative side",
    ),
    Mutation(
        name="elu_derivative_uses_expm1",
        cell="def d_elu", old="alpha * np.exp(np.minimum(x, 0.0))",
        new="alpha * np.expm1(np.minimum(x, 0.0))",
        caught_by=GRID_CHECK,
        why="ELU's derivative copied from its value, alpha (e^x - 1) instead of alpha e^x",
    ),
    Mutation(
        name="softmax_jacobian_diagonal_only",
        cell="def softmax_jacobian", old="np.diag(s) - np.outer(s, s)",
        new="np.diag(s * (1 - s))",
        caught_by="tape.batch_jacobian(S_keras, Z_tf)",
        why="softmax differentiated elementwise like a sigmoid, the cross terms -s_i s_j lost",
    ),
    Mutation(
        name="cross_entropy_gradient_sign",
        cell="grad_formula = softmax(Z_ce)", old="softmax(Z_ce) - np.eye(3)[y_ce]",
        new="np.eye(3)[y_ce] - softmax(Z_ce)",
        caught_by="grad_formula = softmax(Z_ce)",
        why="the cross-entropy gradient written as true minus predicted (the descent "
            "direction, not the gradient)",
    ),
]
