"""Control flow (``onnxarray.lax``): exported models run in onnxruntime agree with NumPy
references, and eager calls give the exported model's bits."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import onnx
import pytest
from parity import assert_identical, run_model, to_onnxarray

import onnxarray as xp
from onnxarray import lax
from onnxarray._array_object import SymbolicValueError

_DT = {np.dtype(n): getattr(xp, n) for n in ("bool", "int32", "int64", "float32", "float64",
                                              "complex64", "complex128")}


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [o for item in out for o in _flat(item)]
    if isinstance(out, dict):
        return [o for k in sorted(out) for o in _flat(out[k])]
    return [] if out is None else [out]


def export(fn, shapes: dict, dtypes: dict):
    """Trace ``fn(**arguments)`` on symbolic arguments; return the checked model."""
    args = {k: xp.argument(shape=shapes[k], dtype=dtypes[k]) for k in shapes}
    outs = _flat(fn(**args))
    model = xp.build(args, {f"y{i}": o for i, o in enumerate(outs)}, allow_unused_inputs=True)
    onnx.checker.check_model(model, full_check=True)
    return model


def eager_and_exported(fn, model, feeds: dict) -> list[np.ndarray]:
    """Run ``fn`` eagerly and ``model`` in onnxruntime on ``feeds``; they must agree bitwise."""
    eager = [np.asarray(o) for o in _flat(fn(**{k: to_onnxarray(v) for k, v in feeds.items()}))]
    ran = run_model(model, feeds)
    assert len(ran) == len(eager)
    for k, (r, e) in enumerate(zip(ran, eager)):
        assert_identical(r, e, f"exported output {k} vs eager")
    return eager


def check(fn, feeds: dict, shapes: dict | None = None) -> list[np.ndarray]:
    """Export ``fn`` (with ``shapes``, default: every size symbolic) and compare with eager."""
    shapes = shapes or {k: tuple(f"{k}{j}" for j in range(np.ndim(v))) for k, v in feeds.items()}
    model = export(fn, shapes, {k: _DT[np.asarray(v).dtype] for k, v in feeds.items()})
    return eager_and_exported(fn, model, feeds)


def count_nodes(graph: onnx.GraphProto) -> int:
    n = 0
    for node in graph.node:
        n += 1
        for a in node.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                n += count_nodes(a.g)
    return n


def subgraphs(graph: onnx.GraphProto):
    """(node, subgraph) pairs, nested ones included."""
    for node in graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                yield node, a.g
                yield from subgraphs(a.g)


def control_nodes(graph: onnx.GraphProto, op: str) -> list:
    found = {id(n): n for n, _ in subgraphs(graph) if n.op_type == op}
    return list(found.values())


# -- the Viterbi decoder ---------------------------------------------------------------------------


def viterbi(emissions, log_trans, log_init):
    """The most likely state path of an HMM: a forward max-product scan, then backtracking."""

    def forward(score, em):
        cand = score[:, None] + log_trans  # cand[i, j]: best path ending in i, then i -> j
        return xp.max(cand, axis=0) + em, xp.argmax(cand, axis=0)

    score, back = lax.scan(forward, log_init + emissions[0], emissions[1:])

    def backtrack(state, pointers):
        return pointers[state], state

    first, rest = lax.scan(backtrack, xp.argmax(score), back, reverse=True)
    return xp.concat([xp.reshape(first, (1,)), rest]), xp.max(score)


def viterbi_reference(em, lt, li):
    score, back = li + em[0], []
    for t in range(1, em.shape[0]):
        cand = score[:, None] + lt
        back.append(cand.argmax(0))
        score = cand.max(0) + em[t]
    path = [int(score.argmax())]
    for bp in reversed(back):
        path.append(int(bp[path[-1]]))
    return np.array(path[::-1]), score.max()


def test_viterbi_one_model_for_every_length():
    states = 6
    model = export(viterbi,
                   {"emissions": ("T", states), "log_trans": (states, states),
                    "log_init": (states,)},
                   {"emissions": xp.float64, "log_trans": xp.float64, "log_init": xp.float64})
    assert len(control_nodes(model.graph, "Loop")) == 2
    assert count_nodes(model.graph) <= 45
    rng = np.random.default_rng(0)
    lt = np.log(rng.dirichlet(np.ones(states), states))
    li = np.log(rng.dirichlet(np.ones(states)))
    for length in (1, 2, 7, 50):
        em = np.log(rng.dirichlet(np.ones(states), length))
        path, score = eager_and_exported(
            viterbi, model, {"emissions": em, "log_trans": lt, "log_init": li})
        ref_path, ref_score = viterbi_reference(em, lt, li)
        np.testing.assert_array_equal(path, ref_path)
        assert path.shape == (length,)
        np.testing.assert_allclose(score, ref_score, rtol=1e-14)


# -- while_loop ------------------------------------------------------------------------------------


def greedy_decode(embed, weights, start, end, cap: int):
    """Greedy decoding: feed back the best next token until ``end`` or ``cap`` tokens."""

    def keep_going(state):
        token, n, _ = state
        return (n < cap) & (token != end)

    def step(state):
        token, n, out = state
        nxt = xp.argmax(embed[token] @ weights)
        return nxt, n + 1, xp.where(xp.arange(cap) == n, nxt, out)

    token, n, out = lax.while_loop(keep_going, step, (start, xp.asarray(0), xp.full(cap, -1)))
    return out, n


def greedy_reference(embed, weights, start, end, cap):
    token, out = int(start), []
    while len(out) < cap and token != end:
        token = int(np.argmax(embed[token] @ weights))
        out.append(token)
    return np.array(out + [-1] * (cap - len(out))), len(out)


def test_greedy_decoder_stops_at_the_end_token_or_the_cap():
    vocab, dim, cap = 7, 4, 12
    fn = lambda embed, weights, start, end: greedy_decode(embed, weights, start, end, cap)  # noqa: E731
    model = export(fn, {"embed": ("V", dim), "weights": (dim, "V"), "start": (), "end": ()},
                   {"embed": xp.float64, "weights": xp.float64, "start": xp.int64,
                    "end": xp.int64})
    rng = np.random.default_rng(1)
    stopped_early = hit_cap = 0
    for trial in range(12):
        embed = rng.standard_normal((vocab, dim))
        weights = rng.standard_normal((dim, vocab))
        feeds = {"embed": embed, "weights": weights, "start": np.array(trial % vocab),
                 "end": np.array((trial * 3) % vocab)}
        out, n = eager_and_exported(fn, model, feeds)
        ref_out, ref_n = greedy_reference(embed, weights, feeds["start"], feeds["end"], cap)
        np.testing.assert_array_equal(out, ref_out)
        assert int(n) == ref_n
        stopped_early += ref_n < cap
        hit_cap += ref_n == cap
    assert stopped_early and hit_cap  # both exits were exercised


def test_while_loop_that_never_runs_its_body():
    fn = lambda x: lax.while_loop(lambda c: c[0] < 0, lambda c: (c[0] + 1, c[1] * 2.0),  # noqa: E731
                                  (xp.asarray(5), x))
    n, y = check(fn, {"x": np.array([1.5, -0.0])})
    assert int(n) == 5
    assert_identical(y, np.array([1.5, -0.0]), "untouched carry")


# -- fori_loop -------------------------------------------------------------------------------------


def test_fori_loop_count_from_a_symbolic_shape():
    def cumulative_rows(x):
        def body(i, acc):
            total, rows = acc
            total = total + x[i]
            return total, rows + 1

        return lax.fori_loop(0, x.shape[0], body, (xp.zeros(x.shape[1], dtype=x.dtype), 0))

    model = export(cumulative_rows, {"x": ("N", 3)}, {"x": xp.float64})
    rng = np.random.default_rng(2)
    for n in (0, 1, 5, 40):
        data = rng.standard_normal((n, 3))
        total, rows = eager_and_exported(cumulative_rows, model, {"x": data})
        acc = np.zeros(3)
        for row in data:  # the same left-to-right summation order
            acc = acc + row
        np.testing.assert_array_equal(total, acc)
        assert rows.dtype == np.int64 and int(rows) == n


@pytest.mark.parametrize("lower, upper", [(2, 9), (5, 5), (7, 3), (-3, 2)])
def test_fori_loop_bounds_as_ints_and_arrays(lower, upper):
    expected = float(sum(range(lower, upper)))

    def fn(lo, hi):
        return lax.fori_loop(lo, hi, lambda i, c: c + xp.astype(i, xp.float64), 0.0)

    out = check(fn, {"lo": np.array(lower, np.int32), "hi": np.array(upper, np.int32)})
    assert float(out[0]) == expected
    got = lax.fori_loop(lower, upper, lambda i, c: c + xp.astype(i, xp.float64), 0.0)
    assert got.dtype == xp.float64 and float(got) == expected
    idx = lax.fori_loop(xp.asarray(lower, dtype=xp.int32), upper, lambda i, c: i, xp.asarray(
        0, dtype=xp.int32))
    assert idx.dtype == xp.int32


def test_python_scalar_carries_are_weakly_typed():
    # A Python int carry takes the dtype the body gives it, as in JAX.
    out = lax.fori_loop(0, 3, lambda i, c: xp.astype(c, xp.float32) * 2, 1)
    assert out.dtype == xp.float32 and float(out) == 8.0
    # A Python scalar returned for a carry takes the carry's dtype.
    x32 = to_onnxarray(np.array([0.5, 1.5], np.float32))
    out = lax.while_loop(lambda c: c[1] < 3, lambda c: (0.25, c[1] + 1), (x32[0], 0))
    assert out[0].dtype == xp.float32 and float(out[0]) == 0.25 and int(out[1]) == 3


# -- scan ------------------------------------------------------------------------------------------


def test_cond_inside_scan_with_a_closure():
    def clipped_running_sum(x, limit):
        def step(total, v):
            total = lax.cond(total + v > limit, lambda: total * 0.5, lambda: total + v)
            return total, total

        return lax.scan(step, xp.asarray(0.0), x)

    model = export(clipped_running_sum, {"x": ("N",), "limit": ()},
                   {"x": xp.float64, "limit": xp.float64})
    assert len(control_nodes(model.graph, "If")) == 1
    rng = np.random.default_rng(3)
    for n in (0, 1, 9, 30):
        x = rng.random(n) * 2
        total, ys = eager_and_exported(clipped_running_sum, model,
                                       {"x": x, "limit": np.array(2.5)})
        acc, ref = 0.0, []
        for v in x:
            acc = acc * 0.5 if acc + v > 2.5 else acc + v
            ref.append(acc)
        np.testing.assert_array_equal(ys, np.array(ref).reshape(n))
        assert float(total) == acc


def test_scan_with_length_only_and_reverse_outputs_in_input_order():
    def powers(base):
        return lax.scan(lambda c, _: (c * base, c), xp.ones_like(base), None, length=5)

    final, ys = check(powers, {"base": np.array([2.0, -3.0])})
    np.testing.assert_array_equal(ys, np.array([[2.0, -3.0]]) ** np.arange(5)[:, None])
    np.testing.assert_array_equal(final, np.array([32.0, -243.0]))

    def suffix_sums(x):
        return lax.scan(lambda c, v: (c + v, c + v), xp.asarray(0, dtype=x.dtype), x,
                        reverse=True)

    total, ys = check(suffix_sums, {"x": np.arange(1, 7)})
    np.testing.assert_array_equal(ys, np.cumsum(np.arange(1, 7)[::-1])[::-1])
    assert int(total) == 21


def test_scan_length_as_a_zero_d_array():
    def fn(n, x):
        return lax.scan(lambda c, _: (c * x, c), xp.ones_like(x), None, length=n)

    for n in (0, 1, 4):
        final, ys = check(fn, {"n": np.array(n), "x": np.array([2.0, 0.5])})
        assert ys.shape == (n, 2)
        np.testing.assert_array_equal(final, np.array([2.0, 0.5]) ** n)
    final, ys = fn(to_onnxarray(np.array(3)), to_onnxarray(np.array([2.0])))
    assert ys.shape == (3, 1)


def test_stacked_outputs_of_changing_shape_are_refused():
    def fn(x):
        return lax.map(lambda v: xp.nonzero(xp.arange(3) < v)[0], x)

    with pytest.raises(ValueError, match=r"lax\.scan: .*a stacked output changes shape"):
        fn(to_onnxarray(np.array([1, 2])))


def test_bad_data_in_an_eager_body_raises_a_standard_error():
    x = to_onnxarray(np.arange(3.0))
    with pytest.raises(IndexError, match=r"lax\.fori_loop: GatherND failed while running the "
                                         r"body on concrete data: invalid index"):
        lax.fori_loop(0, 5, lambda i, c: c + x[i], 0.0)


def test_scan_over_a_pytree_of_inputs_with_a_pytree_carry():
    State = namedtuple("State", "total count")

    def fn(a, b):
        def step(state, pair):
            s = state.total + pair["a"] * pair["b"][0]
            return State(s, state.count + 1), {"s": s, "none": None, "both": (s, pair["b"])}

        return lax.scan(step, State(xp.zeros(3), 0), {"a": a, "b": b})

    rng = np.random.default_rng(4)
    a, b = rng.random((6, 3)), rng.random((6, 2))
    state, ys = fn(to_onnxarray(a), to_onnxarray(b))
    assert isinstance(state, State)
    assert set(ys) == {"s", "none", "both"} and ys["none"] is None
    assert ys["both"][1].shape == (6, 2)
    out = check(fn, {"a": a, "b": b}, shapes={"a": ("T", 3), "b": ("T", 2)})
    np.testing.assert_allclose(out[0], np.cumsum(a * b[:, :1], axis=0)[-1], rtol=1e-15)
    assert int(out[1]) == 6


def test_map_and_zero_length_scans_keep_their_shapes():
    fn = lambda x: lax.map(lambda row: xp.sum(row * row), x)  # noqa: E731
    for n in (0, 4):
        data = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
        (out,) = check(fn, {"x": data})
        np.testing.assert_array_equal(out, (data * data).sum(1))
    fn = lambda x: lax.scan(lambda c, r: (c, r[::-1]), 0, x)[1]  # noqa: E731
    (out,) = check(fn, {"x": np.zeros((0, 3))}, shapes={"x": ("N", 3)})
    assert out.shape == (0, 3)
    # Sizes unknown while recording: after zero iterations the stack still has them.
    for data in (np.zeros((0, 3)), np.zeros((0, 2), np.complex128)):
        (out,) = check(lambda x: lax.map(lambda r: r * 2, x), {"x": data})
        assert out.shape == data.shape and out.dtype == data.dtype


def test_complex_carries_cross_the_loop_boundary():
    def rotate(z, w):
        return lax.scan(lambda c, k: (c * w, c + k), z, xp.astype(xp.arange(4), z.dtype))

    z = np.array([1 + 2j, -0.5 + 0j], np.complex128)
    final, ys = check(rotate, {"z": z, "w": np.array(0.6 + 0.8j)})
    ref = z.copy()
    for k in range(4):
        assert_identical(ys[k], ref + k, f"y[{k}]")  # one complex multiply per step, as recorded
        ref = np.asarray(xp.multiply(to_onnxarray(ref), to_onnxarray(np.array(0.6 + 0.8j))))
    assert_identical(final, ref, "final carry")
    c = lax.cond(xp.asarray(True), lambda a: a * 1j, lambda a: a, to_onnxarray(z))
    assert c.dtype == xp.complex128


# -- nesting ---------------------------------------------------------------------------------------


def test_nested_loops():
    def pairwise_max_dist(x):
        n = x.shape[0]

        def outer(i, best):
            def inner(j, b):
                return xp.maximum(b, xp.sum((x[i] - x[j]) ** 2))

            return lax.fori_loop(0, n, inner, best)

        return lax.fori_loop(0, n, outer, xp.asarray(0.0, dtype=x.dtype))

    model = export(pairwise_max_dist, {"x": ("N", 2)}, {"x": xp.float64})
    assert len(control_nodes(model.graph, "Loop")) == 2
    rng = np.random.default_rng(5)
    for n in (1, 3, 8):
        data = rng.standard_normal((n, 2))
        (out,) = eager_and_exported(pairwise_max_dist, model, {"x": data})
        ref = max(float(((a - b) ** 2).sum()) for a in data for b in data)
        np.testing.assert_allclose(out, ref, rtol=1e-15)


def test_scan_inside_cond_inside_fori_loop():
    def fn(x, flag):
        def body(i, acc):
            return lax.cond(flag, lambda: acc + lax.scan(lambda c, v: (c + v, v), 0.0, x)[0],
                            lambda: acc - 1.0)

        return lax.fori_loop(0, 3, body, xp.asarray(0.0))

    for flag in (True, False):
        (out,) = check(fn, {"x": np.array([1.0, 2.0, 4.0]), "flag": np.array(flag)})
        assert float(out) == (21.0 if flag else -3.0)


# -- cond and switch -------------------------------------------------------------------------------


def test_cond_runs_only_the_taken_branch():
    def first_or_zero(x, n):
        return lax.cond(n > 0, lambda: x[0], lambda: xp.asarray(0.0, dtype=x.dtype))

    model = export(first_or_zero, {"x": ("N",), "n": ()}, {"x": xp.float64, "n": xp.int64})
    assert [n.op_type for n in model.graph.node] == ["Greater", "If"]  # x[0] is in a branch
    # The exported If never runs x[0] on an empty x. (Eagerly, as in JAX, both branches are
    # traced on the concrete shapes, and x[0] of an empty x is an IndexError.)
    (out,) = run_model(model, {"x": np.zeros(0), "n": np.array(0)})
    assert_identical(out, np.array(0.0), "empty x")
    (out,) = eager_and_exported(first_or_zero, model, {"x": np.array([7.0, 1.0]),
                                                       "n": np.array(2)})
    assert float(out) == 7.0


def test_branches_may_return_their_operands_unchanged():
    def fn(p, x):
        return lax.cond(p, lambda a, b: (a, b), lambda a, b: (b, a), x, 2.5)

    for p in (True, False):
        a, b = check(fn, {"p": np.array(p), "x": np.array(-0.0)})
        assert_identical(a, np.array(-0.0 if p else 2.5), "a")
        assert_identical(b, np.array(2.5 if p else -0.0), "b")


def test_cond_with_operands_and_python_scalar_results():
    def fn(p, a, b):
        return lax.cond(p, lambda u, v: (u + v, 1), lambda u, v: (u - v, v[1]), a, b)

    for p in (True, False):
        s, t = check(fn, {"p": np.array(p), "a": np.array([1, 2], np.int32),
                          "b": np.array([5, 7], np.int32)})
        assert t.dtype == np.int32
        np.testing.assert_array_equal(s, [6, 9] if p else [-4, -5])
        assert t.shape == () and int(t) == (1 if p else 7)


def test_concrete_predicate_records_only_the_taken_branch():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    y = lax.cond(True, lambda v: xp.exp(v), lambda v: xp.sin(v), x)
    model = xp.build({"x": x}, {"y": y})
    alone = xp.build({"x": x}, {"y": xp.exp(x)})
    assert [n.op_type for n in model.graph.node] == [n.op_type for n in alone.graph.node]
    assert "If" not in {n.op_type for n in model.graph.node}


def test_switch_clamps_its_index_like_jax():
    def fn(k, x):
        return lax.switch(k, [lambda v: v + 1.0, lambda v: v * 2.0, lambda v: -v], x)

    model = export(fn, {"k": (), "x": ("N",)}, {"k": xp.int32, "x": xp.float64})
    data = np.array([1.5, -2.0])
    for k, ref in [(-4, data + 1), (0, data + 1), (1, data * 2), (2, -data), (9, -data)]:
        (out,) = eager_and_exported(fn, model, {"k": np.array(k, np.int32), "x": data})
        np.testing.assert_array_equal(out, ref)


def test_branch_shapes_may_differ_in_size():
    def fn(p, x):
        return lax.cond(p, lambda: x[1:], lambda: x)

    for p in (True, False):
        (out,) = check(fn, {"p": np.array(p), "x": np.arange(4.0)})
        assert out.shape == ((3,) if p else (4,))


# -- the exported graphs ---------------------------------------------------------------------------


def test_loop_invariants_stay_outside_and_constants_are_shared():
    def fn(x, w):
        def body(i, c):
            scale = xp.sum(w * 3.0)  # loop-invariant: computed once, outside the Loop
            return c * scale + 3.0

        return lax.fori_loop(0, x.shape[0], body, x)

    model = export(fn, {"x": ("N",), "w": ("M",)}, {"x": xp.float64, "w": xp.float64})
    ((loop, body),) = list(subgraphs(model.graph))
    assert sorted(n.op_type for n in body.node) == ["Add", "Identity", "Mul"]
    assert len(body.initializer) == 0
    threes = [t for t in model.graph.initializer
              if onnx.numpy_helper.to_array(t).ravel().tolist() == [3.0]]
    assert len(threes) == 1  # one initializer, read by the main graph and the body
    data = {"x": np.array([1.0, 2.0]), "w": np.array([0.5, 0.25])}
    (out,) = eager_and_exported(fn, model, data)
    c = data["x"]
    for _ in range(2):
        c = c * 2.25 + 3.0
    np.testing.assert_array_equal(out, c)


def test_a_long_body_records_and_builds_without_recursion():
    def body(i, c):
        for _ in range(2000):  # deeper than Python's recursion limit
            c = c * 1.0001 + 0.5
        return c

    x = xp.argument(shape=("N",), dtype=xp.float64)
    model = xp.build({"x": x}, {"y": lax.fori_loop(0, x.shape[0], body, x)})
    ((_, g),) = list(subgraphs(model.graph))
    assert len(g.node) == 4001


@pytest.mark.parametrize("branch_first", [True, False])
def test_a_branch_computing_a_graph_output_keeps_names_unique(branch_first):
    x = xp.argument(shape=("N",), dtype=xp.float64)
    p = xp.argument(shape=(), dtype=xp.bool)
    z = lax.cond(p, lambda: xp.exp(x), lambda: x)
    y = xp.exp(x)  # the same node as the true branch's
    outs = {"z": z, "y": y} if branch_first else {"y": y, "z": z}
    model = xp.build({"x": x, "p": p}, outs)
    onnx.checker.check_model(model, full_check=True)
    data = np.array([0.5, -1.0])
    got = dict(zip(outs, run_model(model, {"x": data, "p": np.array(True)})))
    np.testing.assert_array_equal(got["z"], got["y"])


def test_a_loop_that_runs_zero_times_reads_no_index():
    def fn(x, n):
        return lax.fori_loop(0, n, lambda i, c: c + x[0] + xp.take(x, xp.asarray([1]))[0], 0.0)

    model = export(fn, {"x": ("N",), "n": ()}, {"x": xp.float64, "n": xp.int64})
    (out,) = run_model(model, {"x": np.zeros(0), "n": np.array(0)})
    assert_identical(out, np.array(0.0), "zero iterations")
    (out,) = eager_and_exported(fn, model, {"x": np.array([1.0, 2.0]), "n": np.array(3)})
    assert float(out) == 9.0


def test_dead_body_code_and_unused_results_are_not_exported():
    def fn(x):
        def body(c):
            xp.exp(c)  # dead
            return c + 1.0

        return lax.map(body, x)

    model = export(fn, {"x": ("N",)}, {"x": xp.float64})
    ops = [n.op_type for _, g in subgraphs(model.graph) for n in g.node]
    assert "Exp" not in ops


@pytest.mark.parametrize("opset", [18, 19, 20, 21, 22, 23])
def test_every_opset_builds_valid_control_flow(opset):
    x = xp.argument(shape=("N",), dtype=xp.float64)
    k = xp.argument(shape=(), dtype=xp.int64)
    ys = lax.scan(lambda c, v: (c + v, lax.switch(k, [lambda: v, lambda: c, lambda: -v])),
                  xp.asarray(0.0), x)[1]
    model = xp.build({"x": x, "k": k}, {"ys": ys}, opset=opset)
    onnx.checker.check_model(model, full_check=True)
    data = np.array([1.0, 2.0, 3.0])
    (out,) = run_model(model, {"x": data, "k": np.array(1)})
    np.testing.assert_array_equal(out, [0.0, 1.0, 3.0])


def test_jit_compiles_a_function_with_loops():
    fn = xp.jit(lambda x: lax.fori_loop(0, x.shape[0], lambda i, c: c + x[i], 0.0))
    data = to_onnxarray(np.array([1.0, 2.0, 4.0]))
    assert float(fn(data)) == 7.0
    assert float(fn(data)) == 7.0


# -- errors ----------------------------------------------------------------------------------------


def test_python_control_flow_on_symbolic_values_points_to_lax():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    with pytest.raises(SymbolicValueError, match=r"lax\.cond.*lax\.while_loop"):
        if xp.sum(x) > 0:
            pass


def test_a_python_loop_over_a_symbolic_size_points_to_lax():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    with pytest.raises(SymbolicValueError, match=r"lax\.fori_loop/scan"):
        for _ in range(x.shape[0]):
            pass


def test_predicate_errors():
    x = to_onnxarray(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"lax\.cond: the predicate must be a 0-d bool array, "
                                        r"got dtype float64"):
        lax.cond(x[0], lambda: x, lambda: x)
    with pytest.raises(ValueError, match=r"lax\.cond: .*got shape \(2,\)"):
        lax.cond(x > 0, lambda: x, lambda: x)
    with pytest.raises(TypeError, match=r"lax\.while_loop: cond_fun must return a 0-d bool"):
        lax.while_loop(lambda c: c, lambda c: c + 1.0, x)
    with pytest.raises(TypeError, match=r"lax\.switch: index must be an integer"):
        lax.switch(xp.asarray(0.5), [lambda: x], )


def test_carry_errors_name_the_carry():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    with pytest.raises(TypeError, match=r"lax\.fori_loop: body_fun changes the dtype of "
                                        r"carry\['b'\] from float64 to float32"):
        lax.fori_loop(0, 3, lambda i, c: {"a": c["a"], "b": xp.astype(c["b"], xp.float32)},
                      {"a": x, "b": x})
    m = xp.argument(shape=("N", 3), dtype=xp.float64)
    with pytest.raises(ValueError, match=r"lax\.scan: f changes the shape of carry\[1\] "
                                         r"from float64\[N, 3\] to float64\[N, 2\]"):
        lax.scan(lambda c, v: ((c[0], c[1][:, 1:]), v), (x, m), x)
    with pytest.raises(ValueError, match=r"changes the shape of carry from float64\[N\] to "
                                         r"float64\[N, 1\]"):
        lax.fori_loop(0, 2, lambda i, c: c[:, None], x)
    with pytest.raises(TypeError, match=r"lax\.while_loop: body_fun must return a carry with "
                                        r"the structure of its input \(\*, \*\), got \(\*,\)"):
        lax.while_loop(lambda c: c[0][0] > 0, lambda c: (c[0],), (x, x))
    with pytest.raises(TypeError, match=r"lax\.scan: f must return a pair"):
        lax.scan(lambda c, v: c, x, x)
    with pytest.raises(TypeError, match=r"lax\.fori_loop: init_val\[1\] must be an array or a "
                                        r"Python scalar, got str"):
        lax.fori_loop(0, 3, lambda i, c: c, (x, "s"))


def test_sizes_the_recorder_cannot_follow_are_checked_when_the_model_runs():
    def fn(x):
        return lax.fori_loop(0, 3, lambda i, c: xp.sort(c)[::-1] * 2.0, x)

    model = export(fn, {"x": ("N",)}, {"x": xp.float64})
    (out,) = eager_and_exported(fn, model, {"x": np.array([3.0, -1.0, 2.0])})
    np.testing.assert_array_equal(out, [24.0, 16.0, -8.0])


def test_branch_errors_name_the_branches():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    p = xp.argument(shape=(), dtype=xp.bool)
    k = xp.argument(shape=(), dtype=xp.int64)
    with pytest.raises(TypeError, match=r"true_fun and false_fun must return the same "
                                        r"structure, got \(\*, \*\) and \*"):
        lax.cond(p, lambda: (x, x), lambda: x)
    with pytest.raises(TypeError, match=r"disagree on the dtype of output\[1\]: "
                                        r"branches\[0\] gives float64, branches\[1\] gives int64"):
        lax.switch(k, [lambda: (x, x), lambda: (x, xp.astype(x, xp.int64))])
    with pytest.raises(ValueError, match=r"disagree on the rank"):
        lax.cond(p, lambda: x, lambda: x[None])


def test_bound_and_length_errors():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    with pytest.raises(TypeError, match=r"lax\.fori_loop: upper must be an int, a symbolic "
                                        r"dimension or a 0-d integer array, got float"):
        lax.fori_loop(0, 2.0, lambda i, c: c, x)
    with pytest.raises(ValueError, match=r"lax\.scan: the arrays of xs must have the same "
                                         r"leading size"):
        lax.scan(lambda c, v: (c, v), 0.0, (x, xp.zeros(3)))
    with pytest.raises(ValueError, match=r"lax\.scan: give xs or length"):
        lax.scan(lambda c, v: (c, v), 0.0)


def test_values_leaked_from_a_body_are_refused_by_build():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    leaked = []

    def body(c, v):
        leaked.append(c * 2.0)
        return c + v, v

    lax.scan(body, xp.asarray(0.0), x)
    with pytest.raises(ValueError, match="computed inside a lax body is used outside"):
        xp.build({"x": x}, {"y": leaked[0]})
