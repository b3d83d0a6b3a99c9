"""scikit-learn's ``check_array_api_input`` estimator check, for every estimator that declares
array API support, on onnxarray and on array-api-strict, in float64 and float32.

scikit-learn runs this check through ``parametrize_with_checks`` with the namespaces it knows;
here the same public check gets onnxarray by name (its ``_array_api_for_tests`` imports the
namespace module by name).
"""

from __future__ import annotations

import pytest
from sklearn.utils._tags import get_tags
from sklearn.utils._test_common.instance_generator import _tested_estimators
from sklearn.utils.estimator_checks import check_array_api_input

# scikit-learn runs no estimator checks on estimators that do not take 2-D X (LabelEncoder).
ESTIMATORS = [est for est in _tested_estimators()
              if get_tags(est).array_api_support and get_tags(est).input_tags.two_d_array]
DEVICES = {"onnxarray": None, "array_api_strict": "CPU_DEVICE"}


def _id(est):
    params = est.get_params(deep=False)
    extra = ",".join(f"{k}={_name(v)}" for k, v in sorted(params.items())
                     if k in ("solver", "svd_solver", "kernel", "whiten", "estimator"))
    return type(est).__name__ + (f"({extra})" if extra else "")


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("array_namespace", ["onnxarray", "array_api_strict"])
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_check_array_api_input(estimator, array_namespace, dtype_name):
    check_array_api_input(type(estimator).__name__, estimator, array_namespace=array_namespace,
                          device_name=DEVICES[array_namespace], dtype_name=dtype_name)


def _name(value):
    return type(value).__name__ if hasattr(value, "get_params") else str(value)
