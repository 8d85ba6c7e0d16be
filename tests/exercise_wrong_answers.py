"""Plausible wrong answers to every exercise, run through the notebook's own check.

``WRONG[grade_id]`` lists ``(mistake, source)`` pairs: ``source`` replaces the exercise's
answer cell (it defines the same function, wrongly, the way learners do). The check cell must
then raise an ``AssertionError`` that teaches (not the "not answered yet" one).

``KNOWN_MISSES[(grade_id, mistake)]`` records a wrong answer that the check of a notebook not
yet re-run lets through, with the reason: the test expects it to *pass* today, so fixing the
check (when the notebook is re-run) makes the test fail until the entry is deleted.

``CONTEXT[notebook]`` is what a check cell needs from earlier cells, cheaply: the names it
takes from the lesson (copied from the notebook by ``tests/test_exercise_wrong_answers.py``,
never re-typed here) and small stand-ins for data arrays (their dtype and shape, not their
values, are what a check's verdict depends on: every reference is computed from the same
inputs).
"""

from __future__ import annotations

IMPORTS = """
import math
import numpy as np
import tensorflow as tf
import keras
from keras import layers
"""

# Names each notebook's check cells take from its lesson cells (copied from the notebook).
LESSON_NAMES: dict[str, list[str]] = {
    "01": ["X_bool", "targets", "augment", "num_epochs"],
    "03": ["x", "sigmoid", "d_sigmoid", "sigmoid_derivative"],
    "05": ["GradientDescent", "Momentum"],
    "06": ["Value", "X_xor", "y_xor", "sigmoid", "dsigmoid_from_output", "T", "init_xor",
           "xor_forward", "sse_loss", "xor_backward", "numerical_gradient", "relative_error"],
    "08": ["measured_receptive_field", "edge_x"],
    "09": ["conv_block"],
    "10": ["sigmoid"],
}

# Stand-ins for the data arrays and trained models a check cell reads.
CONTEXT: dict[str, str] = {
    "00": """
_rng = np.random.default_rng(0)
x_test = _rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
y_train = _rng.integers(0, 10, size=600).astype(np.uint8)
y_test = _rng.integers(0, 10, size=100).astype(np.uint8)
model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Rescaling(1 / 255),
                          layers.Flatten(), layers.Dense(10, activation="softmax")])
""",
    "04": """
from course_utils.profile import seed_everything
_rng = np.random.default_rng(0)
X_train = _rng.random((256, 784)).astype("float32")
y_train = np.where(_rng.random((256, 1)) < 0.5, 1.0, -1.0).astype("float32")
""",
    "07": """
_rng = np.random.default_rng(0)
X_val = _rng.random((8, 28, 28)).astype("float32")
final_model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(16),
                                layers.Dense(10, activation="softmax")])
test_probs = _rng.dirichlet(np.ones(10), size=500).astype("float32")
y_test = _rng.integers(0, 10, size=500)
""",
    "08": """
_rng = np.random.default_rng(0)
X_train = _rng.random((2, 28, 28, 1)).astype("float32")
y_test = _rng.integers(0, 10, size=300)
y_pred = np.where(_rng.random(300) < 0.9, y_test, _rng.integers(0, 10, size=300))
""",
    "09": """
_rng = np.random.default_rng(0)
y_test = _rng.integers(0, 10, size=500)
y_pred = np.where(_rng.random(500) < 0.8, y_test, _rng.integers(0, 10, size=500))
""",
    "10": """
_rng = np.random.default_rng(0)
x_train = [list(_rng.integers(1, 1000, size=n)) for n in (30, 80, 120)]
maxlen = 12
x_val = np.empty(6, dtype=object)
x_val[:] = [list(_rng.integers(1, 50, size=n)) for n in (3, 5, 6, 9, 14, 20)]
y_val = _rng.integers(0, 2, size=6)
rnn_long, lstm_long = (
    keras.Sequential([keras.Input((None,), dtype="int32"), layers.Embedding(10_000, 4),
                      recurrent, layers.Dense(1, activation="sigmoid")])
    for recurrent in (layers.SimpleRNN(3), layers.LSTM(3)))
""",
    "11": """
fa_hours = {"validation": 0.0362, "test": 0.0611}
""",
}


def _fn(signature: str, body: str) -> str:
    lines = "\n".join("    " + line for line in body.strip().splitlines())
    return f"def {signature}:\n{lines}\n"


WRONG: dict[str, list[tuple[str, str]]] = {
    # ------------------------------------------------------------------ 00
    "ex00_1": [
        ("float64 result (no cast)", _fn("scale_pixels(images)", "return images / 255.0")),
        ("integer division", _fn("scale_pixels(images)", "return images // 255")),
        ("divides by 256", _fn("scale_pixels(images)", "return images.astype(np.float32) / 256")),
    ],
    "ex00_2": [
        ("bincount without minlength",
         _fn("class_counts(labels)", "return np.bincount(labels)")),
        ("np.unique drops absent classes",
         _fn("class_counts(labels)", "return np.unique(labels, return_counts=True)[1]")),
        ("fractions for counts",
         _fn("class_counts(labels)", "return np.bincount(labels, minlength=10) / len(labels)")),
    ],
    "ex00_3": [
        ("one-hot outputs", _fn("answer_00_3()", 'return "a"')),
        ("outputs add up to the number of classes", _fn("answer_00_3()", 'return "c"')),
        ("softmax outputs taken for logits", _fn("answer_00_3()", 'return "d"')),
    ],
    # ------------------------------------------------------------------ 01
    "ex01_1": [
        ("an AND unit", _fn("nand_unit(x1, x2)", "return 1 if x1 + x2 - 1.5 > 0 else 0")),
        ("a NOR unit", _fn("nand_unit(x1, x2)", "return 1 if -x1 - x2 + 0.5 > 0 else 0")),
        ("bias too large", _fn("nand_unit(x1, x2)", "return 1 if -x1 - x2 + 2.5 > 0 else 0")),
    ],
    "ex01_2": [
        ("strict < 0: no update on the line (stuck at w = 0)", _fn(
            "perceptron_update(w, x, y, lr)",
            "if y * (w @ x) < 0:\n    return w + lr * y * x\nreturn w.copy()")),
        ("modifies w in place", _fn(
            "perceptron_update(w, x, y, lr)",
            "if y * (w @ x) <= 0:\n    w += lr * y * x\nreturn w")),
        ("sign of the step", _fn(
            "perceptron_update(w, x, y, lr)",
            "if y * (w @ x) <= 0:\n    return w - lr * y * x\nreturn w.copy()")),
        ("updates on correct examples", _fn(
            "perceptron_update(w, x, y, lr)",
            "if y * (w @ x) >= 0:\n    return w + lr * y * x\nreturn w.copy()")),
    ],
    "ex01_3": [
        ("no biases", _fn("dense_param_count(layer_sizes)",
                          "return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))")),
        ("a bias per input", _fn(
            "dense_param_count(layer_sizes)",
            "return sum(a * b + a for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))")),
    ],
    "ex01_4": [
        ("the tie does not matter", _fn("answer_01_4()", 'return "a"')),
        ("skipping ties is faster", _fn("answer_01_4()", 'return "d"')),
    ],
    "ex01_5": [
        ("single models always several points worse", _fn("answer_01_5()", 'return "a"')),
        ("one model, one crop won 2014", _fn("answer_01_5()", 'return "c"')),
        ("deeper means more parameters", _fn("answer_01_5()", 'return "d"')),
    ],
    # ------------------------------------------------------------------ 02
    "ex02_1": [
        ("pads on the right", _fn("broadcast_shape(shape_a, shape_b)", """
n = max(len(shape_a), len(shape_b))
a = tuple(shape_a) + (1,) * (n - len(shape_a))
b = tuple(shape_b) + (1,) * (n - len(shape_b))
return tuple(max(i, j) for i, j in zip(a, b))""")),
        ("min for max", _fn("broadcast_shape(shape_a, shape_b)", """
n = max(len(shape_a), len(shape_b))
a = (1,) * (n - len(shape_a)) + tuple(shape_a)
b = (1,) * (n - len(shape_b)) + tuple(shape_b)
return tuple(min(i, j) for i, j in zip(a, b))""")),
    ],
    "ex02_2": [
        ("product rule forgotten", _fn("derivative_at(x)", """
x = tf.Variable(float(x), dtype=tf.float64)
with tf.GradientTape() as tape:
    f = x**2
return float(tape.gradient(f, x) * tf.sin(x))""")),
        ("returns f(x), not f'(x)", _fn("derivative_at(x)", "return float(x**2 * np.sin(x))")),
        ("integer source: the tape returns None", _fn("derivative_at(x)", """
x = tf.constant(int(x))
with tf.GradientTape() as tape:
    tape.watch(x)
    f = tf.cast(x, tf.float64)**2 * tf.sin(tf.cast(x, tf.float64))
return tape.gradient(f, x)""")),
    ],
    "ex02_3": [
        ("a sum for the mean", _fn("mse_gradients(w, b, x, y)", """
r = w * x + b - y
return float(2 * np.sum(r * x)), float(2 * np.sum(r))""")),
        ("factor 2 forgotten", _fn("mse_gradients(w, b, x, y)", """
r = w * x + b - y
return float(np.mean(r * x)), float(np.mean(r))""")),
        ("residual of the wrong sign", _fn("mse_gradients(w, b, x, y)", """
r = y - (w * x + b)
return float(2 * np.mean(r * x)), float(2 * np.mean(r))""")),
    ],
    "ex02_4": [
        ("rounding is nearly the identity", _fn("answer_02_4()", 'return "a"')),
        ("flat almost everywhere, so zeros", _fn("answer_02_4()", 'return "b"')),
    ],
    # ------------------------------------------------------------------ 03
    "ex03_1": [
        ("naive formula overflows", _fn("softplus(x)", "return np.log(1 + np.exp(x))")),
        ("no absolute value", _fn("softplus(x)",
                                  "return np.maximum(x, 0.0) + np.log1p(np.exp(-x))")),
        ("ReLU", _fn("softplus(x)", "return np.maximum(x, 0.0)")),
    ],
    "ex03_2": [
        ("no shift: overflow", _fn(
            "log_softmax(Z)", "return Z - np.log(np.exp(Z).sum(axis=-1, keepdims=True))")),
        ("softmax over the wrong axis", _fn("log_softmax(Z)", """
shifted = Z - Z.max(axis=0, keepdims=True)
return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))""")),
    ],
    "ex03_3": [
        ("fraction of zero entries", _fn("dead_fraction(A)", "return float(np.mean(A == 0))")),
        ("any example instead of every", _fn(
            "dead_fraction(A)", "return float(np.any(A == 0, axis=0).mean())")),
        ("rows instead of columns", _fn(
            "dead_fraction(A)", "return float(np.all(A == 0, axis=1).mean())")),
    ],
    "ex03_4": [
        ("one-sided difference", _fn(
            "gradient_check(f, df, x, eps=1e-5)",
            "return float(np.max(np.abs(df(x) - (f(x + eps) - f(x)) / eps)))")),
        ("eps instead of 2 eps", _fn(
            "gradient_check(f, df, x, eps=1e-5)",
            "return float(np.max(np.abs(df(x) - (f(x + eps) - f(x - eps)) / eps)))")),
        ("mean for the max", _fn(
            "gradient_check(f, df, x, eps=1e-5)",
            "return float(np.mean(np.abs(df(x) - (f(x + eps) - f(x - eps)) / (2 * eps))))")),
    ],
    "ex03_5": [
        ("the helper is always wrong", _fn("answer_03_5()", 'return {"a"}')),
        ("x * (1 - x) passes on any input", _fn("answer_03_5()", 'return {"a", "b", "c"}')),
        ("1 - tanh is tanh's derivative", _fn("answer_03_5()", 'return {"a", "c", "d"}')),
    ],
    "ex03_6": [
        ("ReLU solves vanishing gradients", _fn("answer_03_6()", 'return "a"')),
        ("Adam prevents dead units", _fn("answer_03_6()", 'return "c"')),
        ("ReLU is zero-centred", _fn("answer_03_6()", 'return "d"')),
    ],
    # ------------------------------------------------------------------ 04
    "ex04_1": [
        ("a sum for the mean", _fn("huber(y_true, y_pred, delta=1.0)", """
r = np.abs(y_true - y_pred)
return np.where(r <= delta, 0.5 * r**2, delta * r - 0.5 * delta**2).sum(axis=-1)""")),
        ("half of delta squared forgotten", _fn("huber(y_true, y_pred, delta=1.0)", """
r = np.abs(y_true - y_pred)
return np.where(r <= delta, 0.5 * r**2, delta * r - delta**2).mean(axis=-1)""")),
    ],
    "ex04_2": [
        ("unstable formula exp(-yf)/(1+exp(-yf))", _fn("log_loss_grad(y, f)", """
e = np.exp(-y * f)
return -y * e / (1.0 + e)""")),
        ("sign", _fn("log_loss_grad(y, f)", "return y / (1.0 + np.exp(y * f))")),
        ("label forgotten", _fn("log_loss_grad(y, f)", "return -1.0 / (1.0 + np.exp(y * f))")),
    ],
    "ex04_3": [
        ("KL(Q || P)", _fn("kl_divergence(P, Q)", "return np.sum(Q * np.log(Q / P), axis=-1)")),
        ("sign", _fn("kl_divergence(P, Q)", "return np.sum(P * np.log(Q / P), axis=-1)")),
        ("a mean for the sum", _fn("kl_divergence(P, Q)",
                                   "return np.mean(P * np.log(P / Q), axis=-1)")),
    ],
    "ex04_4": [
        ("an upper bound trains a better classifier", _fn("answer_04_4()", 'return "a"')),
        ("larger gradients, larger Adam steps", _fn("answer_04_4()", 'return "b"')),
        ("the minimiser moves", _fn("answer_04_4()", 'return "d"')),
    ],
    # ------------------------------------------------------------------ 05
    "ex05_1": [
        ("ascent", _fn("gradient_descent_path(H, theta0, lr, num_steps)", """
thetas = [np.asarray(theta0, dtype=float)]
for _ in range(num_steps):
    thetas.append(thetas[-1] + lr * H @ thetas[-1])
return np.array(thetas)""")),
        ("start left out", _fn("gradient_descent_path(H, theta0, lr, num_steps)", """
thetas, theta = [], np.asarray(theta0, dtype=float)
for _ in range(num_steps):
    theta = theta - lr * H @ theta
    thetas.append(theta)
return np.array(thetas)""")),
    ],
    "ex05_2": [
        ("1 / lambda_max", _fn("max_stable_lr(H)", "return 1 / np.linalg.eigvalsh(H).max()")),
        ("2 / lambda_min", _fn("max_stable_lr(H)", "return 2 / np.linalg.eigvalsh(H).min()")),
    ],
    "ex05_5": [
        ("momentum ignored: 2 / lambda_max", _fn(
            "momentum_max_stable_lr(H, mu)", "return 2 / np.linalg.eigvalsh(H).max()")),
        ("effective-rate reasoning: 2 (1 - mu) / lambda_max", _fn(
            "momentum_max_stable_lr(H, mu)",
            "return 2 * (1 - mu) / np.linalg.eigvalsh(H).max()")),
        ("effective rate the other way: 2 / ((1 - mu) lambda_max)", _fn(
            "momentum_max_stable_lr(H, mu)",
            "return 2 / ((1 - mu) * np.linalg.eigvalsh(H).max())")),
        ("flattest curvature: 2 (1 + mu) / lambda_min", _fn(
            "momentum_max_stable_lr(H, mu)",
            "return 2 * (1 + mu) / np.linalg.eigvalsh(H).min()")),
    ],
    "ex05_3": [
        ("no bias correction", _fn(
            "adam_paper(theta0, grads, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7)", """
theta = np.array(theta0, dtype=float)
m, v = np.zeros_like(theta), np.zeros_like(theta)
for g in grads:
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    theta = theta - lr * m / (np.sqrt(v) + epsilon)
return theta""")),
        ("t starts at 0", _fn(
            "adam_paper(theta0, grads, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7)", """
theta = np.array(theta0, dtype=float)
m, v = np.zeros_like(theta), np.zeros_like(theta)
for t, g in enumerate(grads):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat, v_hat = m / (1 - beta_1**(t + 2)), v / (1 - beta_2**(t + 2))
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + epsilon)
return theta""")),
    ],
    "ex05_4": [
        ("no clamp after the decay", _fn(
            "warmup_then_cosine(step, peak_lr, warmup_steps, decay_steps)", """
if step < warmup_steps:
    return peak_lr * step / warmup_steps
return 0.5 * peak_lr * (1 + math.cos(math.pi * (step - warmup_steps) / decay_steps))""")),
        ("cosine without the 1/2", _fn(
            "warmup_then_cosine(step, peak_lr, warmup_steps, decay_steps)", """
if step < warmup_steps:
    return peak_lr * step / warmup_steps
progress = min(step - warmup_steps, decay_steps) / decay_steps
return peak_lr * math.cos(math.pi / 2 * progress)""")),
    ],
    # ------------------------------------------------------------------ 06
    "ex06_1": [
        ("x(1 - x) fed the pre-activation", _fn("sigmoid_grad(z)", "return z * (1.0 - z)")),
        ("s(1 + s)", _fn("sigmoid_grad(z)", "s = 1.0 / (1.0 + np.exp(-z))\nreturn s * (1.0 + s)")),
    ],
    "ex06_2": [
        ("a sum for the mean", _fn("softmax_ce_grad(logits, y)", """
shifted = logits - logits.max(axis=1, keepdims=True)
probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
probs[np.arange(len(y)), y] -= 1.0
return probs""")),
        ("no shift: overflow", _fn("softmax_ce_grad(logits, y)", """
probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
probs[np.arange(len(y)), y] -= 1.0
return probs / len(y)""")),
    ],
    "ex06_3": [
        ("db as a mean", _fn("dense_backward(X, W, dZ)",
                             "return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)")),
        ("dW transposed", _fn("dense_backward(X, W, dZ)",
                              "return dZ @ W.T, (X.T @ dZ).T, dZ.sum(axis=0)")),
    ],
    "ex06_4": [
        ("exp(+v)", _fn("sigmoid_value(v)", "return 1.0 / (1.0 + v.exp())")),
        ("a new Value: no path back to v", _fn(
            "sigmoid_value(v)", "return Value(1.0 / (1.0 + math.exp(-v.data)))")),
    ],
    "ex06_5": [
        ("a bug anywhere spoils every gradient", _fn("answer_06_5()", 'return "a"')),
        ("the output layer's gradients", _fn("answer_06_5()", 'return "c"')),
        ("the check only sees the loss", _fn("answer_06_5()", 'return "d"')),
    ],
    "ex06_6": [
        ("absolute error, not relative", _fn("gradient_check_errors(backward_fn, params)", """
analytic = backward_fn(params, xor_forward(params, X_xor), y_xor)
numeric = numerical_gradient(lambda p: sse_loss(xor_forward(p, X_xor)["y_hat"], y_xor), params)
return np.array([np.linalg.norm(analytic[k] - numeric[k]) for k in ("W1", "b1", "W2", "b2")])""")),
        ("mean squared error for the half-sum loss", _fn(
            "gradient_check_errors(backward_fn, params)", """
analytic = backward_fn(params, xor_forward(params, X_xor), y_xor)
numeric = numerical_gradient(
    lambda p: np.mean((xor_forward(p, X_xor)["y_hat"] - y_xor) ** 2), params)
return np.array([relative_error(analytic[k], numeric[k]) for k in ("W1", "b1", "W2", "b2")])""")),
        ("one number: the largest error", _fn("gradient_check_errors(backward_fn, params)", """
analytic = backward_fn(params, xor_forward(params, X_xor), y_xor)
numeric = numerical_gradient(lambda p: sse_loss(xor_forward(p, X_xor)["y_hat"], y_xor), params)
return max(relative_error(analytic[k], numeric[k]) for k in params)""")),
    ],
    # ------------------------------------------------------------------ 07
    "ex07_1": [
        ("no biases", _fn("count_dense_params(layer_sizes)",
                          "return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))")),
        ("a bias per input", _fn(
            "count_dense_params(layer_sizes)",
            "return sum(a * b + a for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))")),
    ],
    "ex07_2": [
        ("no L2", _fn("build_regularized_mlp(hidden_units, dropout_rate, l2)", """
layers_ = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
for units in hidden_units:
    layers_ += [keras.layers.Dense(units, activation="relu"), keras.layers.Dropout(dropout_rate)]
return keras.Sequential(layers_ + [keras.layers.Dense(10, activation="softmax")])""")),
        ("logits, no softmax", _fn("build_regularized_mlp(hidden_units, dropout_rate, l2)", """
layers_ = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
for units in hidden_units:
    layers_ += [keras.layers.Dense(units, activation="relu",
                                   kernel_regularizer=keras.regularizers.L2(l2)),
                keras.layers.Dropout(dropout_rate)]
return keras.Sequential(layers_ + [keras.layers.Dense(10)])""")),
    ],
    "ex07_3": [
        ("l2 forgotten", _fn("l2_penalty(kernels, l2)",
                             "return sum(float(np.sum(np.square(w))) for w in kernels)")),
        ("the 1/2 of tf.nn.l2_loss", _fn(
            "l2_penalty(kernels, l2)",
            "return 0.5 * l2 * sum(float(np.sum(w**2)) for w in kernels)")),
    ],
    "ex07_4": [
        ("argmax over the batch", _fn("accuracy_from_probs(probs, y)",
                                      "return float(np.mean(np.argmax(probs, axis=0) == y))")),
        ("mean confidence", _fn("accuracy_from_probs(probs, y)",
                                "return float(np.mean(np.max(probs, axis=1)))")),
    ],
    "ex07_5": [
        ("tf.keras 2: restores only when it stopped early", _fn(
            "early_stopping_outcome(val_losses, patience)", """
best, best_epoch, waited = float("inf"), 0, 0
for epoch, loss in enumerate(val_losses, start=1):
    if loss < best:
        best, best_epoch, waited = loss, epoch, 0
    else:
        waited += 1
        if waited >= patience:
            return epoch, best_epoch
return len(val_losses), len(val_losses)""")),
        ("a tie counts as an improvement", _fn(
            "early_stopping_outcome(val_losses, patience)", """
best, best_epoch, waited = float("inf"), 0, 0
for epoch, loss in enumerate(val_losses, start=1):
    if loss <= best:
        best, best_epoch, waited = loss, epoch, 0
    else:
        waited += 1
        if waited >= patience:
            return epoch, best_epoch
return len(val_losses), best_epoch""")),
        ("patience off by one (waits one epoch too many)", _fn(
            "early_stopping_outcome(val_losses, patience)", """
best, best_epoch, waited = float("inf"), 0, 0
for epoch, loss in enumerate(val_losses, start=1):
    if loss < best:
        best, best_epoch, waited = loss, epoch, 0
    else:
        waited += 1
        if waited > patience:
            return epoch, best_epoch
return len(val_losses), best_epoch""")),
        ("keeps the last epoch's weights", _fn(
            "early_stopping_outcome(val_losses, patience)", """
best, waited = float("inf"), 0
for epoch, loss in enumerate(val_losses, start=1):
    if loss < best:
        best, waited = loss, 0
    else:
        waited += 1
        if waited >= patience:
            return epoch, epoch
return len(val_losses), len(val_losses)""")),
    ],
    "ex07_6": [
        ("L2 taken for weight decay under Adam", _fn("answer_07_6()", 'return "a"')),
        ("Adam's normalisation cancels the penalty", _fn("answer_07_6()", 'return "c"')),
        ("L2 and decay differ for SGD too", _fn("answer_07_6()", 'return "d"')),
    ],
    # ------------------------------------------------------------------ 08
    "ex08_1": [
        ("average pooling", _fn("max_pool2d(X, pool_size=2, stride=2)", """
out_h = (X.shape[0] - pool_size) // stride + 1
out_w = (X.shape[1] - pool_size) // stride + 1
Y = np.empty((out_h, out_w, X.shape[2]), dtype=X.dtype)
for i in range(out_h):
    for j in range(out_w):
        Y[i, j] = X[i * stride:i * stride + pool_size,
                    j * stride:j * stride + pool_size].mean(axis=(0, 1))
return Y""")),
        ("stride taken as pool size", _fn("max_pool2d(X, pool_size=2, stride=2)", """
out_h, out_w = X.shape[0] // pool_size, X.shape[1] // pool_size
Y = np.empty((out_h, out_w, X.shape[2]), dtype=X.dtype)
for i in range(out_h):
    for j in range(out_w):
        Y[i, j] = X[i * pool_size:(i + 1) * pool_size,
                    j * pool_size:(j + 1) * pool_size].max(axis=(0, 1))
return Y""")),
    ],
    "ex08_2": [
        ("cross-correlation (no flip)", _fn("convolve2d_full(x, w)", """
kh, kw = w.shape
padded = np.pad(x, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
out = np.zeros((x.shape[0] + kh - 1, x.shape[1] + kw - 1))
for i in range(out.shape[0]):
    for j in range(out.shape[1]):
        out[i, j] = np.sum(padded[i:i + kh, j:j + kw] * w)
return out""")),
        ("valid mode", _fn("convolve2d_full(x, w)", """
kh, kw = w.shape
flipped = w[::-1, ::-1]
out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
for i in range(out.shape[0]):
    for j in range(out.shape[1]):
        out[i, j] = np.sum(x[i:i + kh, j:j + kw] * flipped)
return out""")),
    ],
    "ex08_3": [
        ("kernel sizes added up", _fn("receptive_field(stack)",
                                      "return 1 + sum(k - 1 for k, s in stack)")),
        ("jump updated before the kernel", _fn("receptive_field(stack)", """
field, jump = 1, 1
for kernel_size, stride in stack:
    jump *= stride
    field += (kernel_size - 1) * jump
return field""")),
    ],
    "ex08_4": [
        ("depth multiplier left out of the pointwise step", _fn(
            "separable_conv_params(kernel_size, c_in, c_out, depth_multiplier=1, use_bias=True)",
            "return kernel_size**2 * c_in * depth_multiplier + c_in * c_out"
            " + (c_out if use_bias else 0)")),
        ("a full convolution", _fn(
            "separable_conv_params(kernel_size, c_in, c_out, depth_multiplier=1, use_bias=True)",
            "return kernel_size**2 * c_in * c_out + (c_out if use_bias else 0)")),
    ],
    "ex08_5": [
        ("fancy-index += counts a repeated pair once", _fn(
            "confusion_matrix(y_true, y_pred, num_classes)", """
cm = np.zeros((num_classes, num_classes), dtype=np.int64)
cm[np.asarray(y_true), np.asarray(y_pred)] += 1
return cm""")),
        ("transposed", _fn("confusion_matrix(y_true, y_pred, num_classes)", """
cm = np.zeros((num_classes, num_classes), dtype=np.int64)
np.add.at(cm, (np.asarray(y_pred), np.asarray(y_true)), 1)
return cm""")),
    ],
    # ------------------------------------------------------------------ 09
    "ex09_1": [
        ("no smoothing", _fn("smoothed_cross_entropy(logits, labels, smoothing)", """
shifted = logits - logits.max(axis=1, keepdims=True)
log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
return float(-np.mean(log_p[np.arange(len(labels)), labels]))""")),
        ("a sum over the batch for the mean", _fn(
            "smoothed_cross_entropy(logits, labels, smoothing)", """
K = logits.shape[1]
targets = np.full(logits.shape, smoothing / K)
targets[np.arange(len(labels)), labels] += 1 - smoothing
shifted = logits - logits.max(axis=1, keepdims=True)
log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
return float(np.sum(-(targets * log_p).sum(axis=1)))""")),
    ],
    "ex09_2": [
        ("decay over all the steps", _fn(
            "one_cycle_lr(step, total_steps, peak, warmup_fraction=0.2)", """
warmup = int(warmup_fraction * total_steps)
if step < warmup:
    return peak * step / warmup
s = min(step - warmup, total_steps)
return peak * 0.5 * (1 + np.cos(np.pi * s / total_steps))""")),
        ("no warm-up", _fn(
            "one_cycle_lr(step, total_steps, peak, warmup_fraction=0.2)",
            "return peak * 0.5 * (1 + np.cos(np.pi * min(step, total_steps) / total_steps))")),
    ],
    "ex09_3": [
        ("precision instead of recall", _fn(
            "per_class_accuracy(y_true, y_pred, num_classes)", """
y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
result = np.full(num_classes, np.nan)
for c in range(num_classes):
    mask = y_pred == c
    if mask.any():
        result[c] = np.mean(y_true[mask] == c)
return result""")),
        ("0 for an absent class", _fn(
            "per_class_accuracy(y_true, y_pred, num_classes)", """
y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
result = np.zeros(num_classes)
for c in range(num_classes):
    mask = y_true == c
    if mask.any():
        result[c] = np.mean(y_pred[mask] == c)
return result""")),
    ],
    "ex09_4": [
        ("BN with a scale gamma", _fn(
            "conv_block_params(c_in, c_out)",
            "return 9 * c_in * c_out + 9 * c_out * c_out + 2 * 4 * c_out")),
        ("trainable parameters only", _fn(
            "conv_block_params(c_in, c_out)",
            "return 9 * c_in * c_out + 9 * c_out * c_out + 2 * c_out")),
    ],
    # ------------------------------------------------------------------ 10
    "ex10_1": [
        ("z and 1 - z swapped", _fn(
            "gru_step(x, h, kernel, recurrent_kernel, bias)", """
x_z, x_r, x_h = np.split(x @ kernel + bias[0], 3, axis=-1)
h_z, h_r, h_h = np.split(h @ recurrent_kernel + bias[1], 3, axis=-1)
z = sigmoid(x_z + h_z)
r = sigmoid(x_r + h_r)
return (1 - z) * h + z * np.tanh(x_h + r * h_h)""")),
        ("blocks read as r, z, h", _fn(
            "gru_step(x, h, kernel, recurrent_kernel, bias)", """
x_r, x_z, x_h = np.split(x @ kernel + bias[0], 3, axis=-1)
h_r, h_z, h_h = np.split(h @ recurrent_kernel + bias[1], 3, axis=-1)
z = sigmoid(x_z + h_z)
r = sigmoid(x_r + h_r)
return z * h + (1 - z) * np.tanh(x_h + r * h_h)""")),
    ],
    "ex10_2": [
        ("three gates (a GRU's count)", _fn(
            "lstm_param_count(n_in, units)", "return 3 * (n_in * units + units * units + units)")),
        ("no recurrent kernel", _fn(
            "lstm_param_count(n_in, units)", "return 4 * (n_in * units + units)")),
    ],
    "ex10_3": [
        ("keeps the first maxlen ids", _fn("pad_pre(reviews, maxlen)", """
out = np.zeros((len(reviews), maxlen), dtype="int32")
for row, review in enumerate(reviews):
    kept = list(review)[:maxlen]
    if kept:
        out[row, maxlen - len(kept):] = kept
return out""")),
        ("pads at the end", _fn("pad_pre(reviews, maxlen)", """
out = np.zeros((len(reviews), maxlen), dtype="int32")
for row, review in enumerate(reviews):
    kept = list(review)[-maxlen:]
    out[row, :len(kept)] = kept
return out""")),
    ],
    "ex10_4": [
        ("only the last state", _fn(
            "gru_sequence(xs, kernel, recurrent_kernel, bias)", """
h = np.zeros((xs.shape[0], recurrent_kernel.shape[0]), dtype=xs.dtype)
for t in range(xs.shape[1]):
    h = gru_step(xs[:, t], h, kernel, recurrent_kernel, bias)
return h""")),
        ("state not carried", _fn(
            "gru_sequence(xs, kernel, recurrent_kernel, bias)", """
h0 = np.zeros((xs.shape[0], recurrent_kernel.shape[0]), dtype=xs.dtype)
return np.stack([gru_step(xs[:, t], h0, kernel, recurrent_kernel, bias)
                 for t in range(xs.shape[1])], axis=1)""")),
    ],
    "ex10_5": [
        ("all the words are still there", _fn("answer_10_5()", 'return "a"')),
        ("reviews state their verdict early", _fn("answer_10_5()", 'return "c"')),
        ("every prediction flips", _fn("answer_10_5()", 'return "d"')),
    ],
    # ------------------------------------------------------------------ 11
    "ex11_1": [
        ("natural log with 2595",
         _fn("hertz_to_mel(f)", "return 2595 * np.log(1 + np.asarray(f) / 700)")),
        ("log10 with 1127",
         _fn("hertz_to_mel(f)", "return 1127 * np.log10(1 + np.asarray(f) / 700)")),
    ],
    "ex11_2": [
        ("samples over step", _fn("frame_count(num_samples, frame_length, frame_step)",
                                  "return num_samples // frame_step")),
        ("a partial last frame counted", _fn(
            "frame_count(num_samples, frame_length, frame_step)",
            "return max(0, -(-(num_samples - frame_length) // frame_step) + 1)")),
    ],
    "ex11_3": [
        ("with biases", _fn("separable_params(kernel_size, c_in, c_out)",
                            "return kernel_size**2 * c_in + c_in + c_in * c_out + c_out")),
        ("a full convolution", _fn("separable_params(kernel_size, c_in, c_out)",
                                   "return kernel_size**2 * c_in * c_out")),
    ],
    "ex11_4": [
        ("changes F in place", _fn("time_mask(F, t0, width)",
                                   "F[t0:t0 + width] = 0.0\nreturn F")),
        ("one frame too many", _fn("time_mask(F, t0, width)", """
out = np.array(F, copy=True)
out[t0:t0 + width + 1] = 0.0
return out""")),
    ],
    "ex11_5": [
        ("one hour without a false alarm taken as proof", _fn("answer_11_5()", 'return "a"')),
        ("a zero count on a few minutes taken as a zero rate", _fn("answer_11_5()", 'return "d"')),
        ("ten times the needed length", _fn("answer_11_5()", 'return "c"')),
    ],
    # ------------------------------------------------------------------ 12
    "ex12_1": [
        ("per-replica batch taken as the global batch",
         _fn("predict_four_replicas()", "return 32, math.ceil(1000 / 32), [8, 0, 0, 0]")),
        ("steps rounded down (as with drop_remainder=True)",
         _fn("predict_four_replicas()", "return 128, 1000 // 128, [32, 32, 32, 32]")),
        ("steps not rounded", _fn("predict_four_replicas()",
                                  "return 128, 1000 / 128, [26, 26, 26, 26]")),
        ("last batch filled replica by replica",
         _fn("predict_four_replicas()", "return 128, 8, [32, 32, 32, 8]")),
    ],
    "ex12_2": [
        ("mean instead of sum", _fn("ring_all_reduce(grads)", """
n, length = len(grads), len(grads[0])
sizes = [len(c) for c in np.array_split(np.arange(length), n)]
sent = [2 * length - sizes[(r + 1) % n] - sizes[(r + 2) % n] for r in range(n)]
return np.tile(np.mean(grads, axis=0), (n, 1)), sent""")),
        ("one summed row instead of one row per replica", _fn("ring_all_reduce(grads)", """
n, length = len(grads), len(grads[0])
sizes = [len(c) for c in np.array_split(np.arange(length), n)]
sent = [2 * length - sizes[(r + 1) % n] - sizes[(r + 2) % n] for r in range(n)]
return np.sum(grads, axis=0), sent""")),
        ("sum and tile, no ring (sent counted as 2(N-1)/N of the length)",
         _fn("ring_all_reduce(grads)", """
n = len(grads)
return np.tile(np.sum(grads, 0), (n, 1)), [2 * (n - 1) * len(grads[0]) / n] * n""")),
        ("reduce-scatter without the all-gather", _fn("ring_all_reduce(grads)", """
n = len(grads)
chunks = [np.array_split(np.asarray(g, dtype='float64').copy(), n) for g in grads]
sent = [0] * n
for step in range(n - 1):
    msgs = [(r, (r - step) % n, chunks[r][(r - step) % n].copy()) for r in range(n)]
    for r, c, data in msgs:
        chunks[(r + 1) % n][c] = chunks[(r + 1) % n][c] + data
        sent[r] += data.size
return np.stack([np.concatenate(p) for p in chunks]), sent""")),
    ],
    "ex12_3": [
        ("no warm-up", _fn(
            "goyal_learning_rate(step, base_lr, base_batch, global_batch, warmup_steps)",
            "return base_lr * global_batch / base_batch")),
        ("warm-up from zero", _fn(
            "goyal_learning_rate(step, base_lr, base_batch, global_batch, warmup_steps)",
            "return base_lr * global_batch / base_batch * min(1, step / warmup_steps)")),
        ("square-root scaling", _fn(
            "goyal_learning_rate(step, base_lr, base_batch, global_batch, warmup_steps)", """
target = base_lr * (global_batch / base_batch) ** 0.5
return base_lr + (target - base_lr) * min(1, step / warmup_steps)""")),
    ],
}

# Wrong answers that a check of a notebook not yet re-run lets through (filled in from the
# test's first run; each says why, and is removed when that notebook's check is fixed).
KNOWN_MISSES: dict[tuple[str, str], str] = {
}
