"""Every phrase of a render synthesized up front, on all cores, before anything is scheduled.

The scheduler needs every phrase's real length, so a cold render first speaks all of its unique
phrases. For Piper that is most of a cold render's time; espeak-ng (over 1000 times real time)
and gTTS (the network) gain nothing from parallel work. So an engine says how many phrases may
usefully run at once (``concurrency``: Piper the CPUs, the others 1), and this runs that many
threads over one engine.

Threads, not worker processes, for Piper. ``scripts/piper_parallel.py`` on the strength routine
(92 phrases, 157 s of speech, cold, model load included), on this project's 2-core machine, which
is shared (wall times are noisy; CPU seconds per speech second move less):

=========================================  ===============  =========================
strategy (original graph, load 2 to 3)     times real time  CPU s per speech second
=========================================  ===============  =========================
one thread, phrase after phrase            9.2 - 9.4        0.102 - 0.105
onnxruntime's intra-op pool of 2 threads   5.6 - 10.0       0.140 - 0.178 (spin-waits)
2 worker processes (a model each)          8.3 - 12.9       0.109 - 0.113
2 threads over one session (this module)   16.3 - 17.3      0.098 - 0.103
=========================================  ===============  =========================

On a quieter moment (load under 1), medians of 2: original graph, threads 21.1, processes 20.1,
intra-op pool 18.0, one thread 11.2; with the 2-D convolution rewrite (``piper_graph``), threads
27.2 (0.067 CPU s per speech second) and processes 25.6 (0.077).

Threads cost no more CPU than the plain loop and share the caller's engine, its memo and its one
loaded model (worker processes each pay start-up, a model load of about 0.5 s, 1 s with the
rewrite, and about 120 MB).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from audiocoach.speech.base import Clip, Engine
from audiocoach.speech.cache import CachedEngine
from audiocoach.speech.finish import usable_cpus

__all__ = ["Progress", "concurrency", "synthesize_all"]

#: Called with how many more phrases are done (from the calling thread).
Progress = Callable[[int], None]


def concurrency(engine: Engine) -> int:
    """How many phrases ``engine`` can usefully speak at once (seen through a ``CachedEngine``)."""
    inner = engine.engine if isinstance(engine, CachedEngine) else engine
    value = getattr(inner, "concurrency", 1)
    return value if isinstance(value, int) and value > 0 else 1


def synthesize_all(
    engine: Engine,
    texts: Iterable[str],
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Clip]:
    """Each distinct text's clip, synthesized through ``engine``, up to ``jobs`` at once.

    ``engine`` is the one the caller goes on using (``registry.cached_engine``): through a
    ``CachedEngine`` cached phrases are read (no synthesis, and no Piper model is loaded if all
    are), new ones are stored in the shared speech cache, and all stay in its memo, so the
    scheduler's and the mixer's later requests cost nothing. Texts are passed to the engine as
    they are: give the spoken form (after text normalisation).

    ``jobs`` defaults to the CPUs and is capped by the engine's ``concurrency``; pass 1 where
    processes already fill the cores (playlist workers). Longer texts start first, so the threads
    finish together. ``progress(n)`` is called from the calling thread as phrases finish.

    Returns ``{text: clip}`` for every distinct text. The first engine error is raised (one
    line, as engines raise them) after the phrases already running finish; the rest are not
    started.
    """
    unique = list(dict.fromkeys(texts))
    clips: dict[str, Clip] = {}
    if not unique:
        return clips
    threads = min(jobs or usable_cpus(), concurrency(engine), len(unique))
    if threads <= 1:
        for text in unique:
            clips[text] = engine.synthesize(text)
            if progress:
                progress(1)
        return clips
    # identity (a Piper model's digest) once, here, rather than raced for by the threads
    engine.identity()
    order = sorted(unique, key=len, reverse=True)
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="speech")
    try:
        pending: dict[Future[Clip], str] = {pool.submit(engine.synthesize, t): t for t in order}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                text = pending.pop(future)
                clips[text] = future.result()  # raises the engine's error
                if progress:
                    progress(1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return {text: clips[text] for text in unique}
