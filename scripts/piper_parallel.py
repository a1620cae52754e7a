"""Cold Piper synthesis of a routine's phrases: threads, worker processes or onnxruntime's own pool?

Each strategy runs in a fresh process (so each pays its own model load), on the distinct spoken
phrases of a routine, with no cache; the runs are interleaved and repeated, and the median is
reported. Speed is "times real time": seconds of finished speech (the clips the scheduler gets)
per second of wall time, start-up and model load included. CPU seconds per speech second are
shown too: on a busy machine they move less than wall time.

* ``loop``: one process, one onnxruntime thread, one phrase after another;
* ``intra``: one process, phrases one after another, onnxruntime's intra-op pool of ``jobs``
  threads (what piper-tts does by default);
* ``threads``: one process, one session with one intra-op thread, ``jobs`` Python threads running
  phrases side by side (``speech.batch.synthesize_all``, what audiocoach does);
* ``processes``: ``jobs`` worker processes (spawned), each loading the model once.

The model runs with its 1-D convolutions rewritten as 2-D (``speech.piper_graph``), as audiocoach
runs it; ``--original-graph`` measures the model as shipped.

    PYTHONPATH=. python scripts/piper_parallel.py --repeat 3
    PYTHONPATH=. python scripts/piper_parallel.py --routine routines/upper-back-yoga.yaml
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRATEGIES = ("loop", "intra", "threads", "processes")

_worker_engine = None


def phrases(routine: Path) -> list[str]:
    from audiocoach.pace import PaceOptions
    from audiocoach.render import estimated_timeline
    from audiocoach.routine import load_routine
    from audiocoach.speech.text import speakable

    texts = estimated_timeline(load_routine(routine), PaceOptions()).utterances()
    spoken = (speakable(t) for t in texts)
    return list(dict.fromkeys(s for s in spoken if s))


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _engine(intra: int):  # type: ignore[no-untyped-def]
    from audiocoach.speech import piper_engine
    from audiocoach.speech.registry import SpeechSettings, make_engine

    piper_engine.INTRA_OP_THREADS = intra  # audiocoach uses 1; "intra" measures the pool
    piper_engine.REWRITE_GRAPH = os.environ.get("PIPER_PARALLEL_GRAPH") != "original"
    engine = make_engine(SpeechSettings(engine="piper", use_cache=False))
    assert isinstance(engine, piper_engine.PiperEngine)
    return engine


def _init_worker() -> None:
    global _worker_engine
    _worker_engine = _engine(1)


def _work(text: str) -> bytes:
    assert _worker_engine is not None
    return _worker_engine.synthesize(text).pcm


def child(strategy: str, jobs: int, routine: Path) -> dict[str, float]:
    from audiocoach.speech.base import Clip
    from audiocoach.speech.batch import synthesize_all

    texts = phrases(routine)
    started, cpu0 = time.perf_counter(), _cpu_s()
    if strategy == "loop":
        engine = _engine(1)
        clips = [engine.synthesize(t) for t in texts]
    elif strategy == "intra":
        engine = _engine(jobs)
        clips = [engine.synthesize(t) for t in texts]
    elif strategy == "threads":
        clips = list(synthesize_all(_engine(1), texts, jobs=jobs).values())
    else:
        context = multiprocessing.get_context("spawn")
        order = sorted(texts, key=len, reverse=True)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker) as pool:
            clips = [Clip(pcm) for pcm in pool.map(_work, order)]
    wall, cpu = time.perf_counter() - started, _cpu_s() - cpu0
    speech = sum(c.duration_ms for c in clips) / 1000
    return {"phrases": len(texts), "speech_s": speech, "wall_s": wall, "cpu_s": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routine", type=Path, default=ROOT / "routines/upper-body-strength.yaml")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=STRATEGIES, default=list(STRATEGIES))
    parser.add_argument(
        "--original-graph",
        action="store_true",
        help="run the model's own graph, not the 2-D convolution rewrite (speech.piper_graph)",
    )
    parser.add_argument("--child", nargs=2, metavar=("STRATEGY", "JOBS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.routine)))
        return
    results: dict[str, list[dict[str, float]]] = {s: [] for s in args.only}
    for round_ in range(args.repeat):
        for strategy in args.only:
            command = [sys.executable, __file__, "--routine", str(args.routine)]
            command += ["--child", strategy, str(args.jobs)]
            env = {**os.environ, "PIPER_PARALLEL_GRAPH": "original" if args.original_graph else ""}
            out = subprocess.run(
                command, capture_output=True, text=True, check=True, env=env
            ).stdout
            run = json.loads(out.strip().splitlines()[-1])
            results[strategy].append(run)
            print(
                f"round {round_ + 1} {strategy:<9} {run['speech_s']:.1f} s of speech in "
                f"{run['wall_s']:.2f} s: x{run['speech_s'] / run['wall_s']:.1f} real time "
                f"(CPU {run['cpu_s']:.2f} s)",
                file=sys.stderr,
            )
    graph = "original graph" if args.original_graph else "2-D convolutions"
    print(
        f"{args.routine.name}, {graph}, {args.jobs} jobs, {os.cpu_count()} CPUs, "
        f"median of {args.repeat}:"
    )
    for strategy, runs in results.items():
        speech = runs[0]["speech_s"]
        wall = statistics.median(r["wall_s"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        print(
            f"  {strategy:<9} {runs[0]['phrases']:.0f} phrases, {speech:.1f} s of speech: "
            f"wall {wall:.2f} s = x{speech / wall:.1f} real time; "
            f"CPU {cpu:.2f} s = {cpu / speech:.3f} s per speech second"
        )


if __name__ == "__main__":
    main()
