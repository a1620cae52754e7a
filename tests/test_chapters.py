"""Chapters in every output format, read the same by every reader.

A real routine (espeak speech, titles with accents, CJK and the characters ffmetadata escapes) is
rendered through the CLI to each format the CLI offers, and the chapters are read back by
independent readers, compared with the chapters of the timeline that was rendered (its
``--timeline`` JSON):

* mutagen, reading each format's own structure (ID3 ``CHAP``/``CTOC``; Vorbis comments
  ``CHAPTERnnn``; MP4 Nero ``chpl``); not through audiocoach's ``read_chapters``;
* ffmpeg (``ffmpeg -i FILE -f ffmetadata -``, there is no ffprobe in the wheel), which reads what
  players and media servers built on libavformat see: ID3 ``CHAP`` in file order, ignoring
  ``CTOC``; Vorbis comments; the QuickTime chapter track of an M4A; a WAV's ``cue`` markers;
* where a format has a structure neither reads: Apple's QuickTime chapter text track, read by
  the small parser below (``tref``/``chap`` -> text track -> samples), as Apple's players do; and
  a WAV's ``cue``/``labl`` markers, read by ``wavinfo`` as audio editors read them.

Times are compared to the millisecond. Where a format stores chapter starts only (Vorbis
comments, ``chpl``, cue markers), a chapter ends where the next begins, and the last where the
audio does (to within the codec's padding).
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
from mutagen.id3 import ID3, CTOCFlags

from audiocoach.cli import cli
from audiocoach.errors import AudiocoachError
from audiocoach.ffmpeg import ffmpeg_exe
from audiocoach.sidecars import CHAPTERS_JSON_VERSION, chapters_json, write_chapters_json
from audiocoach.timeline import Timeline

ROUTINE = """\
title: Chapters everywhere
pace:
  countdown: 2
blocks:
  - exercise: Épaule roll
    duration: 5s
  - exercise: 90/90 Hüftwechsel – ½ kneel
    reps: 2
    tempo: 2s
  - exercise: 肩のストレッチ
    duration: 5s
  - exercise: 'Dog = "down"; #1 \\ back'
    breaths: 1
"""

FORMATS = ("mp3", "ogg", "opus", "m4a", "wav", "flac")
#: The last chapter of a starts-only format ends where the reader says the audio ends, which may
#: count the codec's priming and frame padding in (AAC: 1024 + up to 1023 samples, 46 ms).
LAST_END_SLACK_MS = 50

Mark = tuple[str, int, int]


# --- rendering -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Timeline, str]]:
    """Each format rendered once through the CLI: ``{fmt: (audio, timeline, stdout)}``."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("chapters")
    routine = folder / "routine.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    cache = folder / "cache"
    out: dict[str, tuple[Path, Timeline, str]] = {}
    for fmt in FORMATS:
        (folder / fmt).mkdir()
        audio = folder / fmt / f"out.{fmt}"  # a folder each: the sidecars share the stem
        args = ["render", str(routine), "-o", str(audio), "-q", "--timeline", "--chapters-json"]
        result = CliRunner().invoke(cli, [*args, "--cache-dir", str(cache)])
        assert result.exit_code == 0, result.output
        timeline = Timeline.from_json(
            json.loads(audio.with_suffix(".timeline.json").read_text("utf-8"))
        )
        out[fmt] = (audio, timeline, result.stdout)
    return out


def expected(timeline: Timeline) -> list[Mark]:
    return [(c.title, c.start_ms, c.end_ms) for c in timeline.chapters]


def assert_same(read: list[Mark], timeline: Timeline, *, ends_stored: bool) -> None:
    """``read`` equals the timeline's chapters: titles, starts and (where stored) ends exactly."""
    want = expected(timeline)
    assert [(t, s) for t, s, _ in read] == [(t, s) for t, s, _ in want]
    if ends_stored:
        assert [e for *_, e in read] == [e for *_, e in want]
    else:
        assert [e for *_, e in read][:-1] == [e for *_, e in want][:-1]
        assert abs(read[-1][2] - timeline.duration_ms) <= LAST_END_SLACK_MS


# --- readers ---------------------------------------------------------------------------------


def ffmpeg_chapters(path: Path, *, copyts: bool = True) -> list[Mark]:
    """Chapters as ffmpeg reads them, in its order (``-f ffmetadata``; escapes undone).

    ``-copyts`` keeps the demuxer's times: without it ffmpeg re-bases chapters on the output's
    start, which for an MP3 is the first sample after the LAME encoder delay (see
    ``test_ffmpeg_rebases_mp3_chapters_by_the_encoder_delay``).
    """
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", *(["-copyts"] if copyts else [])]
    proc = subprocess.run(
        [*args, "-i", str(path), "-f", "ffmetadata", "-"], capture_output=True, check=True
    )
    chapters: list[dict[str, str]] = []
    for line in _ffmetadata_lines(proc.stdout.decode("utf-8")):
        if line == "[CHAPTER]":
            chapters.append({})
        elif chapters and "=" in line:
            key, value = line.split("=", 1)
            chapters[-1][key] = value
    out = []
    for c in chapters:
        num, den = (int(x) for x in c["TIMEBASE"].split("/"))
        base = Fraction(num, den) * 1000
        out.append((c.get("title", ""), round(int(c["START"]) * base), round(int(c["END"]) * base)))
    return out


def _ffmetadata_lines(text: str) -> Iterator[str]:
    """Logical lines of ffmetadata, backslash escapes (escaped line breaks too) undone."""
    line: list[str] = []
    escaped = False
    for ch in text:
        if escaped:
            line.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "\n":
            yield "".join(line)
            line = []
        else:
            line.append(ch)


def mutagen_chapters(path: Path, fmt: str) -> list[Mark]:
    """Chapters as mutagen reads each format's own structure."""
    if fmt in ("mp3", "wav"):
        if fmt == "mp3":
            tags = ID3(path)
        else:
            from mutagen.wave import WAVE

            tags = WAVE(path).tags
        chaps = {f.element_id: f for f in tags.getall("CHAP")}
        (toc,) = [t for t in tags.getall("CTOC") if t.flags & CTOCFlags.TOP_LEVEL]
        assert toc.flags & CTOCFlags.ORDERED
        return [
            (
                str(chaps[i].sub_frames.getall("TIT2")[0].text[0]),
                chaps[i].start_time,
                chaps[i].end_time,
            )
            for i in toc.child_element_ids
        ]
    if fmt == "m4a":
        from mutagen.mp4 import MP4

        audio = MP4(path)
        starts = [(c.title, round(c.start * 1000)) for c in audio.chapters]
        return _ends(starts, round(audio.info.length * 1000))
    from mutagen import File

    audio = File(path)
    tags = {k.upper(): v[0] for k, v in audio.tags.items()}
    starts = []
    for key, value in tags.items():
        if re.fullmatch(r"CHAPTER\d+", key):
            h, m, s = value.split(":")
            ms = round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)
            starts.append((tags[f"{key}NAME"], ms))
    starts.sort(key=lambda c: c[1])
    return _ends(starts, round(audio.info.length * 1000))


def _ends(starts: list[tuple[str, int]], end_ms: int) -> list[Mark]:
    stops = [s for _, s in starts[1:]] + [end_ms]
    return [(t, s, e) for (t, s), e in zip(starts, stops, strict=True)]


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """MP4 boxes between two offsets: ``(type, payload start, box end)``."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        yield kind, pos + header, pos + size
        pos += size


def _box(data: bytes, span: tuple[int, int], *path: bytes) -> tuple[int, int]:
    for name in path:
        span = next((s, e) for k, s, e in _boxes(data, *span) if k == name)
    return span


def quicktime_chapters(path: Path) -> list[Mark]:
    """The QuickTime chapter track, read as Apple's players do.

    The audio track's ``tref``/``chap`` names a text track; each of its samples is one chapter:
    a 16-bit length and the title (UTF-8), lasting the sample's duration (``stts``) in the
    track's timescale (``mdhd``); samples are located through ``stsc``, ``stsz`` and ``stco``.
    """
    data = path.read_bytes()
    moov = _box(data, (0, len(data)), b"moov")
    tracks = {}
    chapter_ids: list[int] = []
    for kind, start, end in _boxes(data, *moov):
        if kind != b"trak":
            continue
        tkhd = _box(data, (start, end), b"tkhd")
        version = data[tkhd[0]]
        track_id = struct.unpack(">I", data[tkhd[0] + (20 if version else 12) :][:4])[0]
        tracks[track_id] = (start, end)
        for k, s, e in _boxes(data, start, end):
            if k == b"tref":
                chap = _box(data, (s, e), b"chap")
                chapter_ids += list(
                    struct.unpack(f">{(chap[1] - chap[0]) // 4}I", data[slice(*chap)])
                )
    assert len(chapter_ids) == 1, "one chapter track referenced by the audio"
    trak = tracks[chapter_ids[0]]
    mdhd = _box(data, trak, b"mdia", b"mdhd")
    version = data[mdhd[0]]
    timescale = struct.unpack(">I", data[mdhd[0] + (20 if version else 12) :][:4])[0]
    stbl = _box(data, trak, b"mdia", b"minf", b"stbl")

    def table(name: bytes, fields: int, skip: int = 0) -> list[tuple[int, ...]]:
        s, _ = _box(data, stbl, name)
        (count,) = struct.unpack(">I", data[s + 4 + skip : s + 8 + skip])
        first = s + 8 + skip
        return [
            struct.unpack(
                f">{fields}I", data[first + 4 * fields * i : first + 4 * fields * (i + 1)]
            )
            for i in range(count)
        ]

    durations = [d for n, d in table(b"stts", 2) for _ in range(n)]
    (uniform,) = struct.unpack(">I", data[_box(data, stbl, b"stsz")[0] + 4 :][:4])
    sizes = [uniform] * len(durations) if uniform else [s for (s,) in table(b"stsz", 1, 4)]
    offsets = [o for (o,) in table(b"stco", 1)]
    runs = table(b"stsc", 3)
    positions: list[int] = []
    for chunk, offset in enumerate(offsets, start=1):
        per_chunk = next(n for first, n, _ in reversed(runs) if first <= chunk)
        for _ in range(per_chunk):
            positions.append(offset)
            offset += sizes[len(positions) - 1]
    out = []
    t = 0
    for pos, duration in zip(positions, durations, strict=True):
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        title = data[pos + 2 : pos + 2 + length].decode("utf-8")
        out.append((title, round(t * 1000 / timescale), round((t + duration) * 1000 / timescale)))
        t += duration
    return out


def wavinfo_chapters(path: Path, duration_ms: int) -> list[Mark]:
    """A WAV's cue markers and their ``labl`` names, as ``wavinfo`` (an editor's view) reads."""
    from wavinfo import WavInfoReader

    info = WavInfoReader(str(path), info_encoding="utf-8")
    rate = info.fmt.sample_rate
    cues = sorted(info.cues.each_cue(), key=lambda c: c[1])
    starts = [(info.cues.label_and_note(n)[0] or "", round(f * 1000 / rate)) for n, f in cues]
    return _ends(starts, duration_ms)


# --- every format, every reader -------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_mutagen_reads_the_timelines_chapters(rendered, fmt: str) -> None:
    audio, timeline, _ = rendered[fmt]
    assert len(timeline.chapters) == 6
    assert_same(mutagen_chapters(audio, fmt), timeline, ends_stored=fmt in ("mp3", "wav"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_ffmpeg_reads_the_timelines_chapters_in_order(rendered, fmt: str) -> None:
    audio, timeline, _ = rendered[fmt]
    # ID3 CHAP and the QuickTime track store ends; Vorbis comments and cue markers starts only
    # (a WAV's last chapter ends with its samples, exactly)
    assert_same(ffmpeg_chapters(audio), timeline, ends_stored=fmt in ("mp3", "m4a", "wav"))


def test_apple_players_read_the_m4a_quicktime_chapter_track(rendered) -> None:
    audio, timeline, _ = rendered["m4a"]
    assert_same(quicktime_chapters(audio), timeline, ends_stored=True)


def test_audio_editors_read_the_wav_cue_markers(rendered) -> None:
    audio, timeline, _ = rendered["wav"]
    assert_same(wavinfo_chapters(audio, timeline.duration_ms), timeline, ends_stored=True)


def test_mp3_chap_frames_are_stored_in_time_order(rendered) -> None:
    """A reader that ignores CTOC (ffmpeg, and players built on it) lists CHAPs in file order."""
    audio, timeline, _ = rendered["mp3"]
    stored = [f.start_time for f in ID3(audio).getall("CHAP")]  # mutagen keeps the file's order
    assert stored == [c.start_ms for c in timeline.chapters]


def test_ffmpeg_rebases_mp3_chapters_by_the_encoder_delay(rendered) -> None:
    """ffmpeg's CLI moves chapters to its output timeline, which for an MP3 starts after the
    LAME encoder delay it reports as the stream's start (25 ms): that shift is ffmpeg's own (it
    does the same to chapters it wrote itself), the demuxer reads the file's exact times."""
    audio, timeline, _ = rendered["mp3"]
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(audio)], capture_output=True
    )
    start_ms = float(re.search(rb"start: (\d+\.\d+)", proc.stderr).group(1)) * 1000
    assert 20 < start_ms < 30
    shifted = ffmpeg_chapters(audio, copyts=False)
    for (_, exact, _), (_, moved, _) in zip(expected(timeline), shifted, strict=True):
        assert abs(max(0, exact - start_ms) - moved) <= 1


# --- the field report: render -o out.m4a -----------------------------------------------------


def test_render_to_m4a_reports_the_chapters_the_file_holds(rendered) -> None:
    """'render routine.yaml -o out.m4a' printed "6 chapters" for a file with none."""
    audio, timeline, stdout = rendered["m4a"]
    assert f"({_clock(timeline.duration_ms)}, 6 chapters)" in stdout
    assert len(mutagen_chapters(audio, "m4a")) == 6
    assert len(ffmpeg_chapters(audio)) == 6
    assert len(quicktime_chapters(audio)) == 6


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reports_what_it_holds(rendered, fmt: str) -> None:
    audio, timeline, stdout = rendered[fmt]
    assert f"wrote {audio} ({_clock(timeline.duration_ms)}, 6 chapters)" in stdout


def _clock(ms: int) -> str:
    from audiocoach.durations import clock

    return clock(ms)


def test_chapters_that_do_not_read_back_fail_the_render_and_write_nothing(
    tmp_path: Path, runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never report chapters that are not there: a file whose chapters read back otherwise
    than written is a failed run (exit 1), and no file is left."""
    import audiocoach.tags as tags

    real = tags.read_chapters
    monkeypatch.setattr(tags, "read_chapters", lambda *a, **k: real(*a, **k)[1:])
    routine = tmp_path / "routine.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    out = tmp_path / "out.m4a"
    result = runner.invoke(cli, ["render", str(routine), "-o", str(out), "-q"])
    assert result.exit_code == 1
    assert "wrote 6 chapters, but 5 read back differently" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["routine.yaml"]


def test_a_format_the_cli_does_not_write_is_refused_before_anything_is_written(
    tmp_path: Path, runner
) -> None:
    """Every format the CLI offers carries chapters; any other is bad input (exit 2), said
    before speech is made or a file is written."""
    routine = tmp_path / "routine.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    result = runner.invoke(
        cli, ["render", str(routine), "-o", str(tmp_path / "out.aac"), "--cache-dir", "x"]
    )
    assert result.exit_code == 2
    assert "cannot write 'aac' audio (formats: mp3, ogg, opus, m4a, wav, flac)" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["routine.yaml"]


# --- Podcasting 2.0 JSON chapters -----------------------------------------------------------

#: The rules of the podcast namespace's JSON chapters format 1.2 (jsonChapters.md): a version
#: string, a chapters array of objects with a number startTime (seconds); title, endTime
#: optional, of those types.
CHAPTERS_SCHEMA = {
    "type": "object",
    "required": ["version", "chapters"],
    "properties": {
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
        "title": {"type": "string"},
        "fileName": {"type": "string"},
        "chapters": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["startTime"],
                "properties": {
                    "startTime": {"type": "number", "minimum": 0},
                    "endTime": {"type": "number", "minimum": 0},
                    "title": {"type": "string"},
                    "toc": {"type": "boolean"},
                },
            },
        },
    },
}


def check_chapters_file(data: dict, timeline: Timeline) -> None:
    """Valid by the format's rules, and the timeline's chapters to the ms."""
    jsonschema.validate(data, CHAPTERS_SCHEMA)
    assert data["version"] == CHAPTERS_JSON_VERSION == "1.2.0"
    starts = [c["startTime"] for c in data["chapters"]]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)  # ascending
    assert all(c["endTime"] > c["startTime"] for c in data["chapters"])
    read = [
        (c["title"], round(c["startTime"] * 1000), round(c["endTime"] * 1000))
        for c in data["chapters"]
    ]
    assert read == expected(timeline)
    assert data["chapters"][-1]["endTime"] == timeline.duration_ms / 1000  # seconds, not ms


@pytest.mark.parametrize("fmt", FORMATS)
def test_chapters_json_beside_the_audio(rendered, fmt: str) -> None:
    audio, timeline, stdout = rendered[fmt]
    path = audio.with_suffix(".chapters.json")
    assert path.name == "out.chapters.json"
    assert f"wrote {path}" in stdout
    data = json.loads(path.read_text(encoding="utf-8"))
    check_chapters_file(data, timeline)
    assert data["title"] == "Chapters everywhere"
    assert data["fileName"] == audio.name
    assert "肩のストレッチ" in path.read_text(encoding="utf-8")  # UTF-8, not \\u escapes
    # the file's own chapters (as ffmpeg reads them) are the JSON's
    assert [(c["title"], round(c["startTime"] * 1000)) for c in data["chapters"]] == [
        (t, s) for t, s, _ in ffmpeg_chapters(audio)
    ]


def test_chapters_json_is_written_whole_or_not_at_all(tmp_path: Path, rendered) -> None:
    _, timeline, _ = rendered["mp3"]
    path = tmp_path / "x.chapters.json"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(AudiocoachError, match="cannot write"):
        write_chapters_json(timeline, tmp_path / "missing" / "x.chapters.json")
    write_chapters_json(timeline, path)
    check_chapters_file(json.loads(path.read_text(encoding="utf-8")), timeline)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.chapters.json"]  # no temp left
    assert "fileName" not in chapters_json(timeline)


def test_the_schema_rejects_what_the_format_forbids(rendered) -> None:
    """The check above can fail: times as strings, a missing version, a number version."""
    _, timeline, _ = rendered["mp3"]
    good = chapters_json(timeline)
    for bad in (
        {**good, "version": 1.2},
        {k: v for k, v in good.items() if k != "version"},
        {**good, "chapters": [{"startTime": "00:00:01", "title": "x"}]},
        {**good, "chapters": [{"title": "no start"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, CHAPTERS_SCHEMA)


TINY = """\
title: Tiny {n}
blocks:
  - exercise: Plank {n} – ½
    duration: 6s
  - exercise: Rows {n}
    reps: 2
    tempo: 2s
"""


def test_playlist_writes_a_chapters_json_per_track(tmp_path: Path, runner) -> None:
    for n in (1, 2):
        (tmp_path / f"tiny{n}.yaml").write_text(TINY.format(n=n), encoding="utf-8")
    program = tmp_path / "program.yaml"
    program.write_text(
        "title: Tiny program\nweeks: 1\ndays:\n  mon: tiny1.yaml\n  wed: tiny2.yaml\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["playlist", str(program), "-o", str(out), "-j", "1", "-q"]
    args += ["--cache-dir", str(tmp_path / "cache")]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    tracks = sorted(out.rglob("*.mp3"))
    assert len(tracks) == 2
    for track in tracks:
        data = json.loads(track.with_suffix(".chapters.json").read_text(encoding="utf-8"))
        jsonschema.validate(data, CHAPTERS_SCHEMA)
        assert data["fileName"] == track.name
        from_file = mutagen_chapters(track, "mp3")
        assert [
            (c["title"], round(c["startTime"] * 1000), round(c["endTime"] * 1000))
            for c in data["chapters"]
        ] == from_file
    # a deleted chapters file is written again; the audio, unchanged, is not re-rendered
    missing = tracks[0].with_suffix(".chapters.json")
    missing.unlink()
    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and "1 rendered, 1 up to date" in again.stdout
    assert missing.is_file()
