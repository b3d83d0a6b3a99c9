"""Compiled plans: repeated concrete calls run as one session, with op-by-op results."""

import subprocess
import sys
import threading

import numpy as np
import pytest
from parity import assert_identical, to_onnxarray

import onnxarray as xp
from onnxarray import _indexing, _plans

pytestmark = pytest.mark.usefixtures("sync_plans")  # plans on the promoting call


def _fresh():
    # Let the background compiles earlier tests queued finish first: with all its slots taken
    # (slow under load), a promoting call finds no room and stays op by op.
    slots = _plans._background._slots
    held = 0
    try:
        for _ in range(slots._initial_value):
            assert slots.acquire(timeout=600), "background plan compiles did not finish"
            held += 1
    finally:
        for _ in range(held):
            slots.release()
    _plans._plans.clear()
    _plans._seen.clear()


def test_a_signature_is_promoted_after_repeated_calls():
    _fresh()
    a = to_onnxarray(np.arange(6.0).reshape(2, 3))
    first = np.asarray(xp.mean(a, axis=0))
    for _ in range(_plans.PROMOTE_AFTER - 2):  # calls 2 .. PROMOTE_AFTER - 1 run op by op
        xp.mean(a, axis=0)
    assert _plans.plan_count() == 0
    out = xp.mean(a, axis=0)
    assert _plans.plan_count() == 1
    assert_identical(np.asarray(out), first, "planned mean")
    # another static argument or shape is another signature
    xp.mean(a, axis=1)
    xp.mean(to_onnxarray(np.ones((4, 3))), axis=0)
    assert _plans.plan_count() == 1


def test_signature_tells_apart_scalars_that_compare_equal():
    _fresh()
    a = to_onnxarray(np.array([-0.0, 1.0]))
    for _ in range(_plans.PROMOTE_AFTER + 1):
        plus = np.asarray(a + 0.0)
        minus = np.asarray(a + (-0.0))
        nan = np.asarray(a + float("nan"))
    assert np.signbit(plus[0]) == np.signbit(np.float64(-0.0) + 0.0)
    assert np.signbit(minus[0]) == np.signbit(np.float64(-0.0) + -0.0)
    assert np.isnan(nan).all()
    assert _plans.plan_count() == 3


def test_signature_keys_tell_apart_every_static_argument_kind():
    a = to_onnxarray(np.arange(4.0))
    key = lambda *args: tuple(_plans.signature((a, *args), {})[0])  # noqa: E731
    different = [
        (slice(0, 2), slice(False, 2)), (slice(1, None), slice(True, None)),
        (slice(0, 2), slice(np.int64(0), 2)), (slice(None, 2), slice(0, 2)),
        (1.0, 1), (1.0, True), (0.0, -0.0), (float("nan"), float("-nan")), (2.0, 2.0000000001),
        (float("inf"), float("-inf")), ((1, 2), [1, 2]), (1.5, 1.5 + 0j),
    ]
    for x, y in different:
        assert key(x) != key(y), (x, y)
    same = [(slice(0, 2), slice(0, 2)), (2.5, 2.5), (float("nan"), float("nan")),
            (slice(None), slice(None, None, None))]
    for x, y in same:
        assert key(x) == key(y), (x, y)


def test_getitem_and_setitem_plans_match_op_by_op():
    _fresh()
    data = np.arange(24.0).reshape(4, 6)
    expected = data.copy()
    expected[1:3, ::2] = -1.0
    for _ in range(_plans.PROMOTE_AFTER + 1):
        a = to_onnxarray(data)
        a[1:3, ::2] = -1.0
        np.testing.assert_array_equal(np.asarray(a), expected)
        np.testing.assert_array_equal(np.asarray(a[..., None, 1::3]), expected[..., None, 1::3])
    assert _plans.plan_count() == 2


def test_boolean_mask_plans_follow_each_calls_selection():
    """A mask's selection is data: one signature (shapes and dtypes) serves masks that select
    different counts, as a plan as op by op; only a scalar assignment is planned."""
    _fresh()
    rng = np.random.default_rng(3)
    data = np.array([[-0.0, 1.5, np.nan], [np.inf, -2.0, 0.0]])
    masks = [rng.random(data.shape) < 0.5 for _ in range(3 * _plans.PROMOTE_AFTER)]
    masks[-2:] = [np.zeros(data.shape, bool), np.ones(data.shape, bool)]
    for m in masks:
        a, mask = to_onnxarray(data), to_onnxarray(m)
        assert_identical(np.asarray(a[mask]), data[m], "a[mask]")
        assert_identical(np.asarray(a[(mask,)]), data[m], "a[(mask,)]")
        for value in (-0.0, to_onnxarray(np.array(7.25))):
            b = to_onnxarray(data)
            b[mask] = value
            want = data.copy()
            want[m] = np.asarray(value)
            assert_identical(np.asarray(b), want, f"b[mask] = {value!r}")
    mask = to_onnxarray(m)
    x = to_onnxarray(data)
    assert _plans.has_plan(_indexing._getitem, (x, mask))
    assert _plans.has_plan(_indexing._setitem, (x, mask, -0.0))
    # an assigned array is checked against the selection's count, on the data: op by op
    b = to_onnxarray(data)
    with pytest.raises(ValueError, match="__setitem__"):
        b[to_onnxarray(np.ones(data.shape, bool))] = to_onnxarray(np.arange(5.0))
    assert not _plans.has_plan(_indexing._setitem, (x, mask, to_onnxarray(np.arange(5.0))))


def test_invalid_calls_still_raise_the_library_error():
    _fresh()
    a = to_onnxarray(np.ones((2, 3)))
    b = to_onnxarray(np.ones((4,)))
    for _ in range(_plans.PROMOTE_AFTER + 1):
        with pytest.raises(ValueError, match="add"):
            xp.add(a, b)
        with pytest.raises(IndexError):
            a[5]
    assert _plans.plan_count() == 0


def test_named_tuple_results_and_sequence_arguments():
    _fresh()
    x = to_onnxarray(np.array([3, 1, 3, 2, 1]))
    for _ in range(_plans.PROMOTE_AFTER + 1):
        res = xp.unique_counts(x)
        cat = xp.concat([x, x], axis=0)
    assert type(res).__name__ == "UniqueCountsResult"
    np.testing.assert_array_equal(np.asarray(res.values), [1, 2, 3])
    np.testing.assert_array_equal(np.asarray(res.counts), [2, 1, 2])
    np.testing.assert_array_equal(np.asarray(cat), np.tile([3, 1, 3, 2, 1], 2))
    assert _plans.plan_count() == 2


def _gate_compiles(monkeypatch, fail=False):
    """Make every signature compile in the background, held until the returned event is set."""
    release = threading.Event()
    original = _plans._compile_traced

    def gated(*args, **kwargs):
        release.wait()
        if fail:
            raise RuntimeError("session refused")
        return original(*args, **kwargs)

    monkeypatch.setattr(_plans, "_compile_traced", gated)
    monkeypatch.setattr(_plans, "BACKGROUND_SECONDS", 0.0)
    return release


def test_a_slow_signature_compiles_in_the_background(monkeypatch):
    _fresh()
    release = _gate_compiles(monkeypatch)
    # every call counts as slow here (BACKGROUND_SECONDS = 0), so any planned function will do
    a = to_onnxarray(np.random.default_rng(1).standard_normal((4, 4)))
    expected = _flat(xp.sinh.__wrapped_plain__(a))
    for _ in range(_plans.PROMOTE_AFTER + 1):  # the promoting call and one more: op by op
        for k, (o, e) in enumerate(zip(_flat(xp.sinh(a)), expected, strict=True)):
            assert_identical(o, e, f"sinh output {k} while the plan compiles")
    pending = _plans._entry(xp.sinh, (a,))
    assert type(pending) is _plans._Pending and not pending.done.is_set()
    assert not _plans.has_plan(xp.sinh, (a,))
    release.set()
    assert pending.done.wait(timeout=300)
    assert _plans.has_plan(xp.sinh, (a,))
    for k, (o, e) in enumerate(zip(_flat(xp.sinh(a)), expected, strict=True)):
        assert_identical(o, e, f"sinh output {k}: plan vs op by op")


def test_a_fast_signature_compiles_in_the_background_once_the_budget_is_spent(monkeypatch):
    _fresh()
    monkeypatch.setattr(_plans, "_budget", _plans._SyncBudget(0.0))
    release = threading.Event()
    original = _plans._compile_traced

    def gated(*args, **kwargs):
        release.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(_plans, "_compile_traced", gated)  # fast calls: BACKGROUND_SECONDS kept
    a = to_onnxarray(np.array([-0.0, 0.5, np.nan, -np.inf, 1e-310]))
    expected = np.asarray(xp.expm1.__wrapped_plain__(a))
    for _ in range(_plans.PROMOTE_AFTER + 1):  # the promoting call did not compile: op by op
        assert_identical(np.asarray(xp.expm1(a)), expected, "expm1 while the plan compiles")
    pending = _plans._entry(xp.expm1, (a,))
    assert type(pending) is _plans._Pending and not pending.done.is_set()
    assert not _plans.wait_for_plans(timeout=0.01)
    release.set()
    assert _plans.wait_for_plans(timeout=300)
    assert _plans.has_plan(xp.expm1, (a,))
    assert_identical(np.asarray(xp.expm1(a)), expected, "expm1: plan vs op by op")


def test_a_fast_signature_compiles_at_once_only_if_the_budget_covers_a_session(monkeypatch):
    """However fast its op-by-op call, a compile creates a session (~0.5-1 ms): a promoting
    call compiles at once only while the budget covers MIN_COMPILE_SECONDS, else in the
    background (a budget estimated from the call alone allowed many such compiles per call)."""
    a = to_onnxarray(np.array([0.25, -1.5, 3.0]))
    _fresh()
    monkeypatch.setattr(_plans, "_budget", _plans._SyncBudget(_plans.MIN_COMPILE_SECONDS * 2))
    for _ in range(_plans.PROMOTE_AFTER):
        xp.negative(a)
    assert _plans.has_plan(xp.negative, (a,))  # compiled by the promoting call

    _fresh()
    monkeypatch.setattr(_plans, "_budget", _plans._SyncBudget(_plans.MIN_COMPILE_SECONDS / 2))
    release = threading.Event()
    original = _plans._compile_traced

    def gated(*args, **kwargs):
        release.wait(timeout=10)  # a compile on the calling thread goes on after 10 s
        return original(*args, **kwargs)

    monkeypatch.setattr(_plans, "_compile_traced", gated)
    for _ in range(_plans.PROMOTE_AFTER):
        xp.negative(a)
    entry = _plans._entry(xp.negative, (a,))
    release.set()
    assert type(entry) is _plans._Pending
    assert entry.done.wait(timeout=300)
    assert _plans.has_plan(xp.negative, (a,))


def test_a_process_starts_with_no_sync_budget():
    """The first calls of a process pay for onnxruntime's start-up and their sessions: the
    signatures they promote compile in the background until op-by-op calls earn a budget."""
    script = ("from onnxarray import _plans\n"
              "b = _plans._budget\n"
              "print(b.covers(0.0))\n"
              "b.earn(0.004 / _plans.SYNC_SHARE)\n"
              "print(b.covers(0.0039), b.covers(0.0041))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=True)
    assert done.stdout.split() == ["False", "True", "False"]
    assert _plans._SyncBudget(0.01).covers(0.0099)  # a budget made without ``left`` is full
    assert not _plans._SyncBudget(0.01, left=0.0).covers(0.0)


def test_the_sync_budget_is_earned_by_op_by_op_time_and_capped():
    budget = _plans._SyncBudget(0.01)
    assert budget.covers(0.009) and not budget.covers(0.01)
    budget.spend(0.012)  # a compile may overshoot what was left
    assert not budget.covers(0.0)
    budget.earn(0.004 / _plans.SYNC_SHARE)
    assert budget.covers(0.0019) and not budget.covers(0.0021)
    budget.earn(1.0)  # saved up to the burst at most
    assert budget.covers(0.0099) and not budget.covers(0.0101)


def test_a_slow_signature_is_promoted_on_its_second_call(monkeypatch):
    _fresh()
    release = _gate_compiles(monkeypatch)
    a = to_onnxarray(np.linspace(-2.0, 2.0, 7))
    xp.cos(a)
    assert _plans._entry(xp.cos, (a,)) is None  # one call: perhaps a one-off shape
    xp.cos(a)
    pending = _plans._entry(xp.cos, (a,))
    assert _plans.PROMOTE_SLOW_AFTER == 2 < _plans.PROMOTE_AFTER
    assert type(pending) is _plans._Pending
    release.set()
    assert pending.done.wait(timeout=300)
    assert _plans.has_plan(xp.cos, (a,))
    assert_identical(np.asarray(xp.cos(a)), np.asarray(xp.cos.__wrapped_plain__(a)), "cos")


def test_a_background_compile_that_fails_is_logged_and_runs_op_by_op(monkeypatch, caplog):
    _fresh()
    release = _gate_compiles(monkeypatch, fail=True)
    a = to_onnxarray(np.linspace(-2.0, 2.0, 5))
    expected = np.asarray(xp.sin.__wrapped_plain__(a))
    with caplog.at_level("WARNING", logger="onnxarray.plans"):
        for _ in range(_plans.PROMOTE_AFTER):
            xp.sin(a)
        pending = _plans._entry(xp.sin, (a,))
        assert type(pending) is _plans._Pending
        release.set()
        assert pending.done.wait(timeout=300)
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "sin: no plan" in caplog.text and "session refused" in caplog.text
    assert _plans._entry(xp.sin, (a,)) is _plans._UNPLANNABLE
    assert_identical(np.asarray(xp.sin(a)), expected, "sin after a failed compile")


def test_a_compile_in_progress_does_not_delay_interpreter_exit():
    script = """if True:
        import threading
        import numpy as np
        import onnxarray as xp
        from onnxarray import _plans
        never = threading.Event()
        _plans.BACKGROUND_SECONDS = 0.0
        _plans._compile_traced = lambda *a, **k: never.wait()
        a = xp.asarray(np.ones(3))
        for _ in range(_plans.PROMOTE_AFTER):
            xp.exp(a)
        print(type(_plans._entry(xp.exp, (a,))).__name__)
    """
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["_Pending"]


def test_symbolic_calls_record_and_never_plan():
    _fresh()
    x = xp.argument(shape=("N",), dtype=xp.float64)
    for _ in range(_plans.PROMOTE_AFTER + 1):
        y = xp.exp(x)
    assert y.is_symbolic and _plans.plan_count() == 0


# ---------------------------------------------------------------------------------------------
# Every planned namespace function gets a plan where one is expected: a trace that fails
# silently would leave the function running op by op.

_F = np.linspace(-1.5, 1.5, 6).reshape(2, 3)
_ARGS = {
    "float": lambda: (to_onnxarray(_F),),
    "positive": lambda: (to_onnxarray(_F + 2.0),),  # acosh, log, ... defined everywhere here
    "float2": lambda: (to_onnxarray(_F), to_onnxarray(_F[::-1] + 0.25)),
    "complex": lambda: (to_onnxarray(_F + 1j * _F[::-1]),),
    "int": lambda: (to_onnxarray(np.arange(6).reshape(2, 3)),),
    "int2": lambda: (to_onnxarray(np.arange(6).reshape(2, 3)),
                     to_onnxarray(np.array([1, 2, 3]))),
    "bool": lambda: (to_onnxarray(_F > 0),),
    "bool2": lambda: (to_onnxarray(_F > 0), to_onnxarray(_F < 0.5)),
}
_CATEGORY = {
    "float": ["abs", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh", "exp",
              "expm1", "floor", "isfinite", "isinf", "isnan", "negative", "positive",
              "reciprocal", "round", "sign", "signbit", "sin", "sinh", "square", "tan",
              "tanh", "trunc", "all", "any", "argmax", "argmin", "argsort", "count_nonzero",
              "diff", "empty_like", "flip",
              "matrix_transpose", "max", "mean", "min", "nonzero", "ones_like", "prod", "sort",
              "std", "sum", "tril", "triu", "unique_all", "unique_counts", "unique_inverse",
              "unique_values", "unstack", "var", "zeros_like"],
    "positive": ["acos", "acosh", "log", "log10", "log1p", "log2", "sqrt"],
    "float2": ["add", "atan2", "copysign", "divide", "equal", "floor_divide", "greater",
               "greater_equal", "hypot", "less", "less_equal", "logaddexp", "maximum",
               "minimum", "multiply", "nextafter", "not_equal", "pow", "remainder", "subtract",
               "broadcast_arrays", "isin"],
    "complex": ["conj", "imag", "real"],
    "int": ["bitwise_invert"],
    "int2": ["bitwise_and", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift",
             "bitwise_xor"],
    "bool": ["logical_not"],
    "bool2": ["logical_and", "logical_or", "logical_xor"],
}


def _f(shape=(2, 3)):
    return to_onnxarray(np.linspace(-1.5, 1.5, int(np.prod(shape))).reshape(shape))


# name: (args, kwargs) for the functions that need more than arrays
_CALLS = {
    "astype": lambda: ((_f(), xp.float32), {}),
    "broadcast_to": lambda: ((_f(), (4, 2, 3)), {}),
    "clip": lambda: ((_f(),), {"min": -1.0, "max": 0.5}),
    "cumulative_prod": lambda: ((_f(),), {"axis": 1}),
    "cumulative_sum": lambda: ((_f(),), {"axis": 0, "include_initial": True}),
    "concat": lambda: (([_f(), _f()],), {"axis": 1}),
    "stack": lambda: (([_f(), _f()],), {"axis": 0}),
    "expand_dims": lambda: ((_f(),), {"axis": 1}),
    "full_like": lambda: ((_f(), 2.5), {}),
    "matmul": lambda: ((_f((2, 3)), _f((3, 4))), {}),
    "tensordot": lambda: ((_f((2, 3)), _f((3, 4))), {"axes": 1}),
    "vecdot": lambda: ((_f(), _f()), {}),
    "meshgrid": lambda: ((_f((3,)), _f((4,))), {}),
    "moveaxis": lambda: ((_f(), 0, 1), {}),
    "permute_dims": lambda: ((_f(), (1, 0)), {}),
    "reshape": lambda: ((_f(), (3, 2)), {}),
    "roll": lambda: ((_f(), 1), {"axis": 1}),
    "searchsorted": lambda: ((_f((6,)), _f((2, 2))), {}),
    "squeeze": lambda: ((_f((2, 1, 3)),), {"axis": 1}),
    "tile": lambda: ((_f(), (2, 1)), {}),
    "where": lambda: ((to_onnxarray(_F > 0), _f(), -_f()), {}),
}
for _cat, _names in _CATEGORY.items():
    for _name in _names:
        _CALLS[_name] = lambda _cat=_cat: (_ARGS[_cat](), {})


def test_the_table_covers_every_planned_function():
    planned = {n for n in xp.__all__ if hasattr(getattr(xp, n), "__wrapped_plain__")}
    assert planned == set(_CALLS)


@pytest.mark.parametrize("name", sorted(_CALLS))
def test_repeated_calls_run_as_plans(name, caplog):
    fn = getattr(xp, name)
    args, kwargs = _CALLS[name]()
    first = _flat(fn.__wrapped_plain__(*args, **kwargs))
    with caplog.at_level("DEBUG", logger="onnxarray.plans"):
        for _ in range(_plans.PROMOTE_AFTER):
            out = fn(*args, **kwargs)
    assert not caplog.records, caplog.text
    assert _plans.has_plan(fn, args, kwargs), f"{name} did not compile a plan"
    for k, (o, e) in enumerate(zip(_flat(out), first, strict=True)):
        assert_identical(o, e, f"{name} output {k}: plan vs op by op")


def _flat(out):
    return [np.asarray(o) for o in (out if isinstance(out, (tuple, list)) else [out])]


_FFT_CALLS = {
    "fft": lambda: ((to_onnxarray(_F + 1j * _F[::-1]),), {}),
    "ifft": lambda: ((to_onnxarray(_F + 1j * _F[::-1]),), {"axis": 0, "norm": "ortho"}),
    "rfft": lambda: ((_f((2, 5)),), {"n": 8}),
    "irfft": lambda: ((to_onnxarray(_F + 1j * _F[::-1]),), {}),
    "hfft": lambda: ((to_onnxarray(_F + 1j * _F[::-1]),), {"n": 5}),
    "ihfft": lambda: ((_f((2, 5)),), {}),
    "fftn": lambda: ((to_onnxarray(_F + 1j * _F[::-1]),), {}),
    "ifftn": lambda: ((to_onnxarray(_F + 1j * _F[::-1]),), {"s": (3, 4)}),
    "rfftn": lambda: ((_f((2, 5)),), {"norm": "forward"}),
    "irfftn": lambda: ((to_onnxarray(_F + 1j * _F[::-1]),), {}),
    "fftshift": lambda: ((_f((2, 5)),), {}),
    "ifftshift": lambda: ((to_onnxarray(_F + 1j * _F[::-1]),), {"axes": 0}),
}


def test_the_fft_table_covers_every_planned_transform():
    planned = {n for n in xp.fft.__all__ if hasattr(getattr(xp.fft, n), "__wrapped_plain__")}
    assert planned == set(_FFT_CALLS)


@pytest.mark.parametrize("name", sorted(_FFT_CALLS))
def test_repeated_fft_calls_run_as_one_plan(name, caplog):
    fn = getattr(xp.fft, name)
    args, kwargs = _FFT_CALLS[name]()
    first = _flat(fn.__wrapped_plain__(*args, **kwargs))
    with caplog.at_level("DEBUG", logger="onnxarray.plans"):
        for _ in range(_plans.PROMOTE_AFTER):
            out = fn(*args, **kwargs)
        entry = _plans._entry(fn, args, kwargs)
        if isinstance(entry, _plans._Pending):  # a slow op-by-op call compiles in the background
            assert entry.done.wait(60)
    assert not caplog.records, caplog.text
    assert _plans.has_plan(fn, args, kwargs), f"fft.{name} did not compile a plan"
    for k, (o, e) in enumerate(zip(_flat(out), first, strict=True)):
        assert_identical(o, e, f"fft.{name} output {k}: plan vs op by op")


_LINALG_CALLS = {
    "vector_norm": lambda: ((_f(),), {"axis": 1}),
    "matrix_norm": lambda: ((_f((2, 3, 3)),), {"ord": 1}),
    "diagonal": lambda: ((_f((3, 4)),), {"offset": 1}),
    "trace": lambda: ((to_onnxarray(_F + 1j * _F[::-1]),), {}),
    "outer": lambda: ((_f((3,)), _f((4,))), {}),
    "cross": lambda: ((_f((2, 3)), _f((2, 3))[::-1]), {}),
}


# planned elsewhere: the namespace's own functions (the table above) and the factorizations
# (test_linalg_factorizations)
_LINALG_ELSEWHERE = {"matmul", "matrix_transpose", "tensordot", "vecdot", "cholesky", "det",
                     "eigh", "eigvalsh", "inv", "matrix_rank", "pinv", "qr", "slogdet", "solve",
                     "svd", "svdvals"}


def test_the_linalg_table_covers_every_planned_function():
    planned = {n for n in xp.linalg.__all__
               if hasattr(getattr(xp.linalg, n), "__wrapped_plain__")}
    assert planned - _LINALG_ELSEWHERE == set(_LINALG_CALLS)


@pytest.mark.parametrize("name", sorted(_LINALG_CALLS))
def test_repeated_linalg_calls_run_as_one_plan(name, caplog):
    """A norm or a diagonal repeated (SciPy's statistics call vector_norm on every call) runs
    as one session, not one per node."""
    fn = getattr(xp.linalg, name)
    args, kwargs = _LINALG_CALLS[name]()
    first = _flat(fn.__wrapped_plain__(*args, **kwargs))
    with caplog.at_level("DEBUG", logger="onnxarray.plans"):
        for _ in range(_plans.PROMOTE_AFTER):
            out = fn(*args, **kwargs)
    assert not caplog.records, caplog.text
    assert _plans.has_plan(fn, args, kwargs), f"linalg.{name} did not compile a plan"
    for k, (o, e) in enumerate(zip(_flat(out), first, strict=True)):
        assert_identical(o, e, f"linalg.{name} output {k}: plan vs op by op")


def test_background_compiles_finish_before_exit_and_no_new_one_starts():
    """At interpreter exit the compile thread's running job is waited for (a daemon thread
    stopped inside onnxruntime aborts the process) and queued jobs are dropped."""
    worker = _plans._Background()
    started, release, ran = threading.Event(), threading.Event(), []

    def slow():
        started.set()
        release.wait(timeout=60)
        ran.append("slow")

    assert worker.reserve()
    worker.submit(slow)
    assert started.wait(timeout=60)
    closer = threading.Thread(target=worker.close)
    closer.start()
    closer.join(timeout=0.2)
    assert closer.is_alive()  # waiting for the running job
    release.set()
    closer.join(timeout=60)
    assert not closer.is_alive() and ran == ["slow"]
    late = threading.Event()
    assert worker.reserve()
    worker.submit(late.set)
    assert not late.wait(timeout=2.0)  # queued after close: dropped, not run
    assert ran == ["slow"]
