"""The one place pydub is imported.

pydub warns at import time when no ffmpeg is on PATH (we never rely on PATH: ffmpeg comes from
the ``imageio-ffmpeg`` wheel and is passed explicitly). Importing it here, with that warning
silenced, keeps it out of users' output. Import pydub names from this module only.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Couldn.t find ff", category=RuntimeWarning)
    warnings.filterwarnings(
        "ignore", message=".audioop. is deprecated", category=DeprecationWarning
    )
    from pydub import AudioSegment, generators

__all__ = ["AudioSegment", "generators"]
