"""The elig qualification check from Python (UniFFI bindings of the `elig-ffi` crate).

Everything is re-exported from the generated module; see the crate README for a whole check.
"""

from .elig import *  # noqa: F401,F403
