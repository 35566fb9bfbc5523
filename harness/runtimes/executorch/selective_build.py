"""What a size-optimised ExecuTorch build registers: the kernels a program calls outside its delegates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.runtimes.base import SelectiveBuildFunctions
from harness.runtimes.inspection import Inspection


def write_operator_list(path: Path, inspection: Inspection, folder: Path) -> Path:
    """ExecuTorch's own gen_oplist: the kernels, with dtypes and dim orders, that the program calls outside delegates."""
    target = folder / "executorch_selected_operators.yaml"
    command = [sys.executable, "-m", "executorch.codegen.tools.gen_oplist",
               f"--model_file_path={path}", f"--output_path={target}"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if completed.returncode != 0 or not target.is_file():
        raise RuntimeError(f"gen_oplist failed: {completed.stderr.strip().splitlines()[-1:]}")
    return target


def combine_operator_lists(lists: list[Path], folder: Path) -> Path:
    """Merged as ExecuTorch's gen_all_oplist merges them, with torchgen's selective-build combiner."""
    import yaml
    from torchgen.selective_build.selector import SelectiveBuilder, combine_selective_builders

    builders = [SelectiveBuilder.from_yaml_dict(yaml.safe_load(path.read_text())) for path in lists]
    combined = builders[0]
    for builder in builders[1:]:
        combined = combine_selective_builders(combined, builder)
    target = folder / "executorch_selected_operators.yaml"
    target.write_text(yaml.safe_dump(combined.to_dict()))
    return target


SELECTIVE_BUILD = SelectiveBuildFunctions(write_operator_list, combine_operator_lists)
