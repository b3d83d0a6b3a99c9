"""The namespace's array functions: the section modules' functions, with complex dispatch and plans.

Each section module (``_elementwise_functions``, ...) lowers real arrays; ``_complex`` writes
the complex forms on top of them. A public function is the section's function wrapped twice,
explicitly, name by name:

- ``_complex.dispatching``: a call with a complex array (or complex dtype) goes to the complex
  implementation, or raises a TypeError if there is none;
- ``_plans.planned``: a repeated concrete call runs as one compiled plan.

Functions without an array argument (``arange``, ``finfo``, ...) are the section's own; those
that read concrete data before lowering (index bounds, repeat counts) are not planned. The
package re-exports these names; ``linalg``, ``fft`` and the array operators use them too.
"""

from __future__ import annotations

from . import _sections as S
from ._complex import dispatching
from ._plans import planned

__all__ = ["abs", "acos", "acosh", "add", "all", "any", "arange", "argmax", "argmin", "argsort",
           "asarray", "asin", "asinh", "astype", "atan", "atan2", "atanh", "bitwise_and",
           "bitwise_invert", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift",
           "bitwise_xor", "broadcast_arrays", "broadcast_shapes", "broadcast_to", "can_cast",
           "ceil", "clip", "concat", "conj", "copysign", "cos", "cosh", "count_nonzero",
           "cumulative_prod", "cumulative_sum", "diff", "divide", "empty", "empty_like", "equal",
           "exp", "expand_dims", "expm1", "eye", "finfo", "flip", "floor", "floor_divide",
           "from_dlpack", "full", "full_like", "greater", "greater_equal", "hypot", "iinfo",
           "imag", "isdtype", "isfinite", "isin", "isinf", "isnan", "less", "less_equal",
           "linspace", "log", "log10", "log1p", "log2", "logaddexp", "logical_and", "logical_not",
           "logical_or", "logical_xor", "matmul", "matrix_transpose", "max", "maximum", "mean",
           "meshgrid", "min", "minimum", "moveaxis", "multiply", "negative", "nextafter",
           "nonzero", "not_equal", "ones", "ones_like", "permute_dims", "positive", "pow", "prod",
           "real", "reciprocal", "remainder", "repeat", "reshape", "result_type", "roll", "round",
           "searchsorted", "sign", "signbit", "sin", "sinh", "sort", "sqrt", "square", "squeeze",
           "stack", "std", "subtract", "sum", "take", "take_along_axis", "tan", "tanh",
           "tensordot", "tile", "tril", "triu", "trunc", "unique_all", "unique_counts",
           "unique_inverse", "unique_values", "unstack", "var", "vecdot", "where", "zeros",
           "zeros_like"]


def _public(fn):
    """``fn`` with complex dispatch, its repeated concrete calls run as compiled plans."""
    return planned(dispatching(fn.__name__, fn))


def _checked(fn):
    """``fn`` with complex dispatch, always op by op: it checks concrete data (index bounds,
    repeat counts) before lowering, which a plan's trace cannot see."""
    return dispatching(fn.__name__, fn)


# -- creation functions -----------------------------------------------------------------------
arange = S.arange
# not planned (a Python object is no array), but an array cast to or from a complex dtype
# takes the complex astype
asarray = dispatching("asarray", S.asarray)
empty = S.empty
empty_like = _public(S.empty_like)
eye = S.eye
from_dlpack = S.from_dlpack
full = S.full
full_like = _public(S.full_like)
linspace = S.linspace
meshgrid = _public(S.meshgrid)
ones = S.ones
ones_like = _public(S.ones_like)
tril = _public(S.tril)
triu = _public(S.triu)
zeros = S.zeros
zeros_like = _public(S.zeros_like)

# -- data type functions ----------------------------------------------------------------------
astype = _public(S.astype)
can_cast = S.can_cast
finfo = S.finfo
iinfo = S.iinfo
isdtype = S.isdtype
result_type = S.result_type

# -- elementwise functions --------------------------------------------------------------------
abs = _public(S.abs)
acos = _public(S.acos)
acosh = _public(S.acosh)
add = _public(S.add)
asin = _public(S.asin)
asinh = _public(S.asinh)
atan = _public(S.atan)
atan2 = _public(S.atan2)
atanh = _public(S.atanh)
bitwise_and = _public(S.bitwise_and)
bitwise_invert = _public(S.bitwise_invert)
bitwise_left_shift = _public(S.bitwise_left_shift)
bitwise_or = _public(S.bitwise_or)
bitwise_right_shift = _public(S.bitwise_right_shift)
bitwise_xor = _public(S.bitwise_xor)
ceil = _public(S.ceil)
clip = _public(S.clip)
conj = _public(S.conj)
copysign = _public(S.copysign)
cos = _public(S.cos)
cosh = _public(S.cosh)
divide = _public(S.divide)
equal = _public(S.equal)
exp = _public(S.exp)
expm1 = _public(S.expm1)
floor = _public(S.floor)
floor_divide = _public(S.floor_divide)
greater = _public(S.greater)
greater_equal = _public(S.greater_equal)
hypot = _public(S.hypot)
imag = _public(S.imag)
isfinite = _public(S.isfinite)
isinf = _public(S.isinf)
isnan = _public(S.isnan)
less = _public(S.less)
less_equal = _public(S.less_equal)
log = _public(S.log)
log10 = _public(S.log10)
log1p = _public(S.log1p)
log2 = _public(S.log2)
logaddexp = _public(S.logaddexp)
logical_and = _public(S.logical_and)
logical_not = _public(S.logical_not)
logical_or = _public(S.logical_or)
logical_xor = _public(S.logical_xor)
maximum = _public(S.maximum)
minimum = _public(S.minimum)
multiply = _public(S.multiply)
negative = _public(S.negative)
nextafter = _public(S.nextafter)
not_equal = _public(S.not_equal)
positive = _public(S.positive)
pow = _public(S.pow)
real = _public(S.real)
reciprocal = _public(S.reciprocal)
remainder = _public(S.remainder)
round = _public(S.round)
sign = _public(S.sign)
signbit = _public(S.signbit)
sin = _public(S.sin)
sinh = _public(S.sinh)
sqrt = _public(S.sqrt)
square = _public(S.square)
subtract = _public(S.subtract)
tan = _public(S.tan)
tanh = _public(S.tanh)
trunc = _public(S.trunc)

# -- indexing functions -----------------------------------------------------------------------
take = _checked(S.take)
take_along_axis = _checked(S.take_along_axis)

# -- linear algebra functions -----------------------------------------------------------------
matmul = _public(S.matmul)
matrix_transpose = _public(S.matrix_transpose)
tensordot = _public(S.tensordot)
vecdot = _public(S.vecdot)

# -- manipulation functions -------------------------------------------------------------------
broadcast_arrays = _public(S.broadcast_arrays)
broadcast_shapes = S.broadcast_shapes
broadcast_to = _public(S.broadcast_to)
concat = _public(S.concat)
expand_dims = _public(S.expand_dims)
flip = _public(S.flip)
moveaxis = _public(S.moveaxis)
permute_dims = _public(S.permute_dims)
repeat = _checked(S.repeat)
reshape = _public(S.reshape)
roll = _public(S.roll)
squeeze = _public(S.squeeze)
stack = _public(S.stack)
tile = _public(S.tile)
unstack = _public(S.unstack)

# -- searching functions ----------------------------------------------------------------------
argmax = _public(S.argmax)
argmin = _public(S.argmin)
count_nonzero = _public(S.count_nonzero)
nonzero = _public(S.nonzero)
searchsorted = _public(S.searchsorted)
where = _public(S.where)

# -- set functions ----------------------------------------------------------------------------
isin = _public(S.isin)
unique_all = _public(S.unique_all)
unique_counts = _public(S.unique_counts)
unique_inverse = _public(S.unique_inverse)
unique_values = _public(S.unique_values)

# -- sorting functions ------------------------------------------------------------------------
argsort = _public(S.argsort)
sort = _public(S.sort)

# -- statistical functions --------------------------------------------------------------------
cumulative_prod = _public(S.cumulative_prod)
cumulative_sum = _public(S.cumulative_sum)
max = _public(S.max)
mean = _public(S.mean)
min = _public(S.min)
prod = _public(S.prod)
std = _public(S.std)
sum = _public(S.sum)
var = _public(S.var)

# -- utility functions ------------------------------------------------------------------------
all = _public(S.all)
any = _public(S.any)
diff = _public(S.diff)
