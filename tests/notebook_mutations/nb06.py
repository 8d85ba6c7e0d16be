"""Plausible wrong versions of notebook 06's hand-written backprop, each caught by the
notebook's own checks before any heavy training (tests/test_mutations.py runs them)."""

from tests.mutation_harness import Mutation

MUTATIONS = [
    Mutation(
        name="sigmoid_derivative_fed_z",
        cell="def xor_backward(params",
        old='dsigmoid_from_output(cache["a1"])', new='dsigmoid_from_output(cache["z1"])',
        caught_by="check_errors = xor_gradient_check(xor_backward,",
        why="x*(1-x) applied to the hidden pre-activations instead of the activations "
            "(the slip the source article's helper invites)",
    ),
    Mutation(
        name="value_backward_assigns_instead_of_accumulating",
        cell="def topological_order",
        old="parent.grad += local * node.grad", new="parent.grad = local * node.grad",
        caught_by="np.testing.assert_allclose(engine, by_hand",
        why="`=` for `+=`: a node used twice (x in f = tanh(xy + z)·x) keeps only one path",
    ),
    Mutation(
        name="value_mul_local_gradients_swapped",
        cell="def topological_order",
        old='(other.data, self.data), "*")', new='(self.data, other.data), "*")',
        caught_by="np.testing.assert_allclose(engine, by_hand",
        why="d(ab)/da written as a instead of b",
    ),
    Mutation(
        name="bias_gradient_mean_over_the_batch",
        cell="def xor_backward(params",
        old="dL_db1 = dL_dz1.sum(axis=-2, keepdims=True)",
        new="dL_db1 = dL_dz1.mean(axis=-2, keepdims=True)",
        caught_by="check_errors = xor_gradient_check(xor_backward,",
        why="a mean over the examples where the loss is a sum (wrong batch reduction)",
    ),
    Mutation(
        name="gradients_never_zeroed",
        cell="def train_value_net",
        old="                p.grad = 0.0", new="                pass",
        caught_by="def train_value_net",
        why="the zero-the-gradients step left out: backward() accumulates into the leaves",
    ),
]
