"""Plausible wrong optimizer formulas for notebook 05, each caught by the notebook's own
comparison (the velocity/heavy-ball check, the Nesterov look-ahead check, or the bit-for-bit
comparison with keras.optimizers in section 5.9)."""

from tests.mutation_harness import Mutation

KERAS_COMPARISON = "def max_difference_from_keras"

MUTATIONS = [
    Mutation(
        name="adam_no_bias_correction",
        cell="class Adam(GradientDescent):",
        old="lr_t = self.lr * np.sqrt(one - b2**self.t) / (one - b1**self.t)",
        new="lr_t = self.lr",
        caught_by=KERAS_COMPARISON,
        why="Adam without 1 - beta^t: the first steps are too small (m, v start at 0)",
    ),
    Mutation(
        name="adam_float64_powers",
        cell="class Adam(GradientDescent):",
        old="one, b1, b2 = (theta.dtype.type(x) for x in (1, self.beta_1, self.beta_2))",
        new="one, b1, b2 = 1.0, self.beta_1, self.beta_2",
        caught_by=KERAS_COMPARISON,
        why="beta^t in float64 where Keras uses the weights' float32: off in the last bits, "
        "which only an exact (== 0) comparison sees",
    ),
    Mutation(
        name="adamw_decay_after_step",
        cell="class AdamW(Adam):",
        old="theta = theta - theta * self.weight_decay * self.lr\n"
        "        return super().step(theta, g)",
        new="theta = super().step(theta, g)\n"
        "        return theta - theta * self.weight_decay * self.lr",
        caught_by=KERAS_COMPARISON,
        why="decoupled decay applied after the Adam step instead of before it",
    ),
    Mutation(
        name="adamw_decay_coupled_into_gradient",
        cell="class AdamW(Adam):",
        old="theta = theta - theta * self.weight_decay * self.lr\n"
        "        return super().step(theta, g)",
        new="return super().step(theta, g + self.weight_decay * theta)",
        caught_by=KERAS_COMPARISON,
        why="an L2 penalty's gradient passed through Adam: the very thing AdamW decouples",
    ),
    Mutation(
        name="momentum_update_sign",
        cell="class Momentum(GradientDescent):",
        old="return theta + self.v",
        new="return theta - self.v",
        caught_by="heavy_ball = [start_mom, start_mom]",
        why="the velocity already holds -lr*g; subtracting it again climbs uphill",
    ),
    Mutation(
        name="nesterov_without_look_ahead",
        cell="class Nesterov(Momentum):",
        old="return theta + (self.momentum * self.v - self.lr * g)",
        new="return theta + self.v",
        caught_by="phi, opt = start_mom.copy(), Nesterov(lr_mom, mu)",
        why="Keras's Nesterov stored as plain momentum: the weight is no longer the "
        "look-ahead point",
    ),
    Mutation(
        name="adagrad_epsilon_outside_root",
        cell="class Adagrad(GradientDescent):",
        old="np.sqrt(self.a + self.epsilon)",
        new="(np.sqrt(self.a) + self.epsilon)",
        caught_by=KERAS_COMPARISON,
        why="the paper's delta outside the root, where Keras puts epsilon inside it",
    ),
]
