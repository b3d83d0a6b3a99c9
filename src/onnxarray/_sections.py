"""Every function of the standard's sections as its section module writes it: real arrays,
run op by op, without complex dispatch or plans. The complex layer (``_complex``,
``_complex_functions``) computes on the real and imaginary parts with these; ``_api`` wraps them
into the namespace's functions."""

from ._creation_functions import *  # noqa: F403
from ._data_type_functions import *  # noqa: F403
from ._elementwise_functions import *  # noqa: F403
from ._indexing_functions import *  # noqa: F403
from ._linear_algebra_functions import *  # noqa: F403
from ._manipulation_functions import *  # noqa: F403
from ._searching_functions import *  # noqa: F403
from ._set_functions import *  # noqa: F403
from ._sorting_functions import *  # noqa: F403
from ._statistical_functions import *  # noqa: F403
from ._utility_functions import *  # noqa: F403
