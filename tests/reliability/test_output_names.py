"""Output names and paths: titles with slashes, dots, line breaks, non-ASCII and reserved names
become safe file names, playlists point only at the tracks, and nothing is ever written outside
the chosen output folder (not through ``..``, not through a symlink, not through a temp).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from faultkit import decoded_ms, temps_in
from hypothesis import given, settings
from hypothesis import strategies as st

from audiocoach.cli import cli
from audiocoach.program import safe_name

BUDGET = settings.default.max_examples
SAFE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in "0123456789"
}
TINY = "title: {title}\nblocks:\n  - exercise: Plank\n    duration: 3s\n"

hostile_titles = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            ["..", ".", "/", "\\", "CON", "nul", "LPT1", "com9", "\n", "\r", "\x00", ":", "*", "?",
             '"', "<", ">", "|", " ", "é", "Ünï", "☃", "🏃", "日本", "a" * 80, "-", "~", "$HOME"]
        ),
        max_size=12,
    ).map("".join),
)  # fmt: skip


@settings(max_examples=4 * BUDGET)
@given(title=hostile_titles)
def test_any_title_becomes_a_safe_file_name(title: str) -> None:
    name = safe_name(title)
    assert SAFE.fullmatch(name), name
    assert len(name) <= 60 or re.fullmatch(r"track-[0-9a-f]{8}", name)
    assert name not in WINDOWS_RESERVED
    assert safe_name(name) == name  # stable: a name made safe stays as it is
    folder = Path("/music/out")
    assert (folder / f"{name}.m3u8").resolve().parent == folder


# --- a program full of hostile names, rendered --------------------------------------------------

ROUTINE_FILES = {
    "mon": ("CON.yaml", "Evil\n../../../etc/passwd\r\n#EXTINF:1,x"),
    "tue": ("...yaml", "Dots"),
    "wed": ("Ünïcødé ☃ day.yaml", "Läufer — Straße ☃"),
    "thu": ("a.b.c.yaml", "/absolute/title.mp3"),
    "fri": ("-dash .yaml", "C:\\Windows\\System32"),
    "sat": ("x" * 200 + ".yaml", "x" * 120),
    "sun": (".hidden.yaml", "NUL"),
}


def _snapshot(root: Path, skip: set[Path]) -> dict[str, tuple[int, float]]:
    found = {}
    for path in root.rglob("*"):
        if any(path == s or s in path.parents for s in skip):
            continue
        stat = path.lstat()
        found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime)
    return found


def test_a_program_of_hostile_names_writes_only_inside_its_folder(
    tmp_path: Path, runner, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    days = []
    for day, (file, title) in ROUTINE_FILES.items():
        (source / file).write_text(TINY.format(title=f'"{_yaml_escape(title)}"'), encoding="utf-8")
        days.append(f'  {day}: "{_yaml_escape(file)}"\n')
    program = source / "week.yaml"
    program.write_text(
        'title: "../../Evil/..\\\\CON.m3u8\\n/etc/passwd"\ndays:\n' + "".join(days),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    cache = tmp_path_factory.mktemp("names-cache")
    before = _snapshot(tmp_path, {out})
    result = runner.invoke(
        cli,
        [
            "playlist",
            str(program),
            "-o",
            str(out),
            "-q",
            "-j",
            "1",
            "--cache-dir",
            str(cache),
            "--engine",
            "espeak",
        ],
    )
    assert result.exit_code == 0, result.output + result.stderr
    assert _snapshot(tmp_path, {out}) == before, "something was written outside the folder"

    written = sorted(p for p in out.rglob("*") if p.is_file())
    for path in written:
        assert out in path.resolve().parents
        stem = path.name.split(".")[0]
        assert SAFE.fullmatch(stem), path.name
        assert stem not in WINDOWS_RESERVED
    assert temps_in(out) == [] and temps_in(out / "week-01") == []
    tracks = sorted(out.glob("week-01/*.mp3"))
    assert len(tracks) == 7
    assert (out / "evil-con-m3u8-etc-passwd.m3u8").is_file()
    for playlist in out.rglob("*.m3u8"):
        lines = playlist.read_text(encoding="utf-8").splitlines()
        entries = [line for line in lines if not line.startswith("#")]
        assert len(entries) == 7, lines  # no title smuggled in a line of its own
        for entry in entries:
            target = (playlist.parent / entry).resolve()
            assert out in target.parents and target in tracks, entry
    assert decoded_ms(tracks[0]) > 3000


def _yaml_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


# --- render: the file asked for, and only beside it -------------------------------------------


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("render-cache")


def _render(runner, routine: Path, *args: str, cache: Path):  # type: ignore[no-untyped-def]
    args = ("--engine", "espeak", *args)
    return runner.invoke(cli, ["render", str(routine), "-q", "--cache-dir", str(cache), *args])


@pytest.mark.parametrize(
    "name",
    ["weird name ☃ (1).mp3", ".mp3", "no-extension", "two.dots.mp3", "-starts-with-dash.mp3"],
)
def test_render_writes_exactly_the_file_asked_for(
    runner, write_routine, tmp_path: Path, cache: Path, name: str
) -> None:
    routine = write_routine(TINY.format(title='"../../escape\\nCON"'))
    out = tmp_path / "out"
    out.mkdir()
    result = _render(runner, routine, "-o", str(out / name), "--transcript", cache=cache)
    assert result.exit_code == 0, result.output
    base = name[: -len(".mp3")] if name.endswith(".mp3") and name != ".mp3" else name
    assert sorted(os.listdir(out)) == sorted([name, f"{base}.lrc", f"{base}.vtt"])
    assert sorted(os.listdir(tmp_path)) == ["out", "routine.yaml"]


def test_render_without_output_names_the_file_after_the_routine_not_its_title(
    runner, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routine = tmp_path / "plank day.yaml"
    routine.write_text(TINY.format(title='"../../../tmp/evil"'), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = _render(runner, routine, cache=cache)
    assert result.exit_code == 0, result.output
    assert os.listdir(work) == ["plank day.mp3"]
    assert not (tmp_path / "evil.mp3").exists()


def test_a_symlinked_output_is_replaced_not_followed(
    runner, write_routine, tmp_path: Path, cache: Path
) -> None:
    """An output (or sidecar) name that is a symlink to a file elsewhere: the link is replaced by
    the new file; the file it pointed at, outside the folder, is left alone."""
    routine = write_routine(TINY.format(title="Linked"))
    outside = tmp_path / "outside"
    outside.mkdir()
    precious = {n: outside / n for n in ("precious.mp3", "precious.lrc")}
    for path in precious.values():
        path.write_bytes(b"do not touch")
    out = tmp_path / "out"
    out.mkdir()
    (out / "workout.mp3").symlink_to(precious["precious.mp3"])
    (out / "workout.lrc").symlink_to(precious["precious.lrc"])
    result = _render(runner, routine, "-o", str(out / "workout.mp3"), "--transcript", cache=cache)
    assert result.exit_code == 0, result.output
    assert all(p.read_bytes() == b"do not touch" for p in precious.values())
    assert not (out / "workout.mp3").is_symlink() and not (out / "workout.lrc").is_symlink()
    assert decoded_ms(out / "workout.mp3") > 3000


def test_a_file_name_that_is_not_utf8_is_shown_not_crashed_on(tmp_path: Path, cache: Path) -> None:
    """A Latin-1 file name on a terminal whose encoding is strict UTF-8 (as on most desktops):
    the file is rendered and named in the output, escaped, instead of a UnicodeEncodeError after
    the work is done."""
    from faultkit import cli_env, run_cli

    name = os.fsdecode(b"caf\xe9.yaml")
    (tmp_path / name).write_text(TINY.format(title="Cafe"), encoding="utf-8")
    env = cli_env(PYTHONIOENCODING="utf-8:strict", AUDIOCOACH_CACHE_DIR=str(cache))
    for args in (["validate", name], ["render", name, "-q", "--engine", "espeak"]):
        result = run_cli(*args, cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert "caf\\udce9" in result.stdout
    assert (tmp_path / os.fsdecode(b"caf\xe9.mp3")).is_file()
