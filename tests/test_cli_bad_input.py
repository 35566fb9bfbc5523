"""The bad-input corpus (tests/corpus/): every file a hurried user or a hostile author could bring gives one
`harness: error:` line naming the file, exit code 2, and no traceback. The CLI runs in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from tests.conftest import REPO

CORPUS = REPO / "tests" / "corpus"
VALID = "models: [gru]\nruntimes: [litert]\n"
RUNTIME_BY_SUFFIX = {".tflite": "litert", ".pte": "executorch", ".ptl": "torchscript"}
FACTORY = "{name: mine, factory: 'tests.fixtures.tiny_models:tiny_cnn', inputs: [[1, 3, 16, 16]]"


def _cases(folder: str) -> list[Path]:
    return sorted(path for path in (CORPUS / folder).iterdir() if not path.name.startswith("."))


def _matrix_naming(path: Path, tmp_path: Path) -> str:
    """A matrix that is fine but for the corpus file it names."""
    if path.parent.name == "calibration":
        body = f"{VALID}calibration: {{data: '{path}'}}\n"
    elif path.name.endswith(".labels.txt"):
        body = f"models:\n  - {FACTORY}, labels: '{path}'}}\nruntimes: [litert]\n"
    elif path.suffix == ".pt":
        body = f"models:\n  - {FACTORY}, weights: '{path}'}}\nruntimes: [litert]\n"
    else:
        inputs = ", inputs: [[1, 4]]" if path.suffix == ".ptl" else ""
        body = f"models:\n  - {{name: mine, file: '{path}'{inputs}}}\nruntimes: [{RUNTIME_BY_SUFFIX[path.suffix]}]\n"
    matrix = tmp_path / "matrix.yaml"
    matrix.write_text(body)
    return str(matrix)


def _arguments(path: Path, tmp_path: Path) -> list[str]:
    cache = ["--cache-dir", str(tmp_path / "cache")]
    if path.parent.name == "matrices":
        return ["plan", "--matrix", str(path), *cache]
    if path.parent.name == "devices":
        (tmp_path / "valid.yaml").write_text(VALID)
        return ["plan", "--matrix", str(tmp_path / "valid.yaml"), "--devices", str(path), *cache]
    return ["plan", "--matrix", _matrix_naming(path, tmp_path), *cache]


CASES = [*_cases("matrices"), *_cases("devices"), *_cases("files"), *_cases("calibration")]


@pytest.mark.parametrize("path", CASES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_bad_file_is_one_line_naming_it_and_exit_2(path, tmp_path, capsys):
    code = main(_arguments(path, tmp_path))
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1 and lines[0].startswith("harness: error: "), captured.err
    assert path.name in lines[0] or str(tmp_path / "matrix.yaml") in lines[0]
    assert captured.out == ""


def test_the_corpus_holds_at_least_forty_files():
    assert len(CASES) >= 40


@pytest.mark.parametrize("run_id", ["../escape", "a b", "x;reboot", "$(id)", ".hidden", "a/b", ""])
def test_an_unsafe_run_id_is_refused_before_anything_runs(run_id, tmp_path, capsys):
    (tmp_path / "valid.yaml").write_text(VALID)
    code = main(["bench", "--matrix", str(tmp_path / "valid.yaml"), "--run-id", run_id, "--results",
                 str(tmp_path / "results"), "--cache-dir", str(tmp_path / "cache")])
    [line] = capsys.readouterr().err.splitlines()
    assert code == 2 and line.startswith("harness: error: --run-id ") and "is not a safe name" in line
    assert not (tmp_path / "results").exists()


def test_a_matrix_larger_than_the_limit_is_refused_unread(tmp_path, capsys):
    big = tmp_path / "big.yaml"
    big.write_text(VALID + "# padding\n" * 200_000)
    assert main(["plan", "--matrix", str(big)]) == 2
    assert capsys.readouterr().err == f"harness: error: {big}: larger than 1024 KiB; expected a hand-written YAML file\n"


def test_a_results_folder_that_holds_no_run_is_one_line(tmp_path, capsys):
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "run.json").write_text("[1, 2")
    assert main(["report", str(tmp_path / "junk")]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("harness: error: ") and "run.json" in line
