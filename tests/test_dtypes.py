"""The promotion table is data; it must agree with the reference implementation."""

import itertools

import array_api_strict as strict
import pytest

import onnxarray as xp
from onnxarray import _dtypes as D

NAMES = [d.name for d in D.SUPPORTED]


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_promotion_matches_reference(a, b):
    da, db = D.BY_NAME[a], D.BY_NAME[b]
    try:
        expected = strict.result_type(getattr(strict, a), getattr(strict, b))
    except TypeError:
        with pytest.raises(TypeError, match=f"{a}.*{b}|{b}.*{a}"):
            D.promote(da, db)
        return
    assert D.promote(da, db).name == str(expected).split(".")[-1].strip("'>")


def test_promotion_of_complex_matches_standard():
    assert D.promote(D.float32, D.complex64) is D.complex64
    assert D.promote(D.float64, D.complex64) is D.complex128
    with pytest.raises(TypeError):
        D.promote(D.int8, D.complex64)


def test_dtype_objects():
    assert xp.float64 == xp.float64
    assert xp.float64 != xp.float32
    assert repr(xp.int8) == "onnxarray.int8"
    assert len({xp.int8, xp.int8, xp.uint8}) == 2
    assert xp.float64 != "float64"


def test_result_type_of_many():
    assert D.result_type_of([D.int8, D.uint8, D.int16]) is D.int16
    with pytest.raises(TypeError, match="mine"):
        D.result_type_of([D.int64, D.uint64], func="mine")
