"""The build switch (build_backend/cryptotax_build.py, setup.py): plain Python unless CRYPTOTAX_COMPILE=1.

The wheels themselves are built and checked by CI (.ci/check_wheel.py: the pure wheel's tag and
dependencies; .ci/run: the compiled wheel's engine tests)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import cryptotax_core

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build_backend"))
import cryptotax_build  # noqa: E402  (the in-tree backend, found through backend-path as pip finds it)


@pytest.fixture(autouse=True)
def setuptools_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """setuptools' own hooks, which read the project's metadata with the setuptools of a build, not the one of
    this environment, are replaced: each call records whether setup.py would compile during it."""
    calls: list[bool] = []

    def requires(config_settings: object = None) -> list[str]:
        calls.append(cryptotax_build.compiling())
        return []

    monkeypatch.setattr(cryptotax_build._setuptools, "get_requires_for_build_wheel", requires)
    monkeypatch.setattr(cryptotax_build._setuptools, "get_requires_for_build_editable", requires)
    return calls


def _setup_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cryptotax_setup", ROOT / "setup.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not as __main__: setup() is not called
    return module


def test_by_default_a_build_needs_no_mypy_and_compiles_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cryptotax_build.SWITCH, raising=False)
    assert cryptotax_build.get_requires_for_build_wheel() == []
    assert cryptotax_build.get_requires_for_build_editable() == []
    assert _setup_module().extensions() == []


@pytest.mark.parametrize("value", ["0", "", "yes", "true"])
def test_only_the_value_1_switches_compilation_on(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(cryptotax_build.SWITCH, value)
    assert not cryptotax_build.compiling()
    assert _setup_module().extensions() == []


def test_the_switch_adds_mypy_as_a_build_requirement(monkeypatch: pytest.MonkeyPatch,
                                                     setuptools_calls: list[bool]) -> None:
    monkeypatch.setenv(cryptotax_build.SWITCH, "1")
    assert cryptotax_build.get_requires_for_build_wheel() == ["mypy==2.4.1", "types-python-dateutil==2.9.0.20261116"]
    # setuptools runs setup.py to find its own requirements: mypy is not installed yet, so nothing compiles then
    assert setuptools_calls == [False]
    assert cryptotax_build.compiling()


def test_an_editable_install_is_never_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cryptotax_build.SWITCH, "1")
    with pytest.raises(cryptotax_build.CompiledEditable, match="wheels only"):
        cryptotax_build.get_requires_for_build_editable()
    with pytest.raises(cryptotax_build.CompiledEditable):
        cryptotax_build.build_editable("unused")


def test_the_compiled_modules_exist() -> None:
    for name in _setup_module().COMPILED:
        assert (ROOT / "cryptotax_core" / f"{name}.py").is_file()


def test_the_engine_runs_as_built() -> None:
    """The sources, in the editable install of `bash tasks.sh test` (no compiled module in the tree shadows
    them); compiled modules when CI runs the engine's tests against the compiled wheel
    (CRYPTOTAX_EXPECT_COMPILED=1)."""
    expect_compiled = os.environ.get("CRYPTOTAX_EXPECT_COMPILED") == "1"
    for name in _setup_module().COMPILED:
        module = importlib.import_module(f"cryptotax_core.{name}")
        assert str(module.__file__).endswith(".py") is not expect_compiled, module.__file__
    if not expect_compiled:
        assert Path(cryptotax_core.__file__).resolve().parent == ROOT / "cryptotax_core"


def test_importing_the_package_installs_no_import_hook() -> None:
    code = "import sys; before = list(sys.meta_path); import cryptotax_core; print(sys.meta_path == before)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "True"


def test_without_the_cli_extra_the_command_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The functions need neither openpyxl nor XlsxWriter (pyproject.toml: the `cli` extra has them)."""
    import cryptotax_cli

    real = cryptotax_cli.find_spec
    monkeypatch.setattr(cryptotax_cli, "find_spec", lambda name: None if name == "openpyxl" else real(name))
    assert cryptotax_cli.run() == 1
    assert capsys.readouterr().err == ('cryptotax: the command line needs its workbook libraries (missing: '
                                       'openpyxl); install them with pip install "cryptotax-excel[cli]"\n')
