"""template/rename.py, the renaming that `cargo generate` runs in a fresh copy."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

# Beside the renamer, so that `cargo generate` removes both from the copy together.
_spec = importlib.util.spec_from_file_location("rename", Path(__file__).resolve().parents[1] / "rename.py")
rename = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rename)


@pytest.fixture
def copy(tmp_path, monkeypatch):
    (tmp_path / "project.yml").write_text("service: hello-world\nregions:\n  - us-east-1\n  - us-east-2\n")
    (tmp_path / "README.md").write_text("make deploy REGION=us-east-1; make deploy REGION=us-east-2\n")
    (tmp_path / "lib.rs").write_text("use hello_world::HelloWorld; // helloWorld; an ARN in us-east-1\n")
    (tmp_path / "logo.bin").write_bytes(b"\xff\xfehello-world")
    (tmp_path / "hello-world" / "src").mkdir(parents=True)
    (tmp_path / "hello-world" / "src" / "hello_world.rs").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_spelling_of_the_name_is_rewritten(copy):
    assert rename.main(["acme-greeter", "us-east-1", "us-east-2"]) == 0
    assert (copy / "project.yml").read_text().startswith("service: acme-greeter\n")
    assert (copy / "lib.rs").read_text() == "use acme_greeter::AcmeGreeter; // acmeGreeter; an ARN in us-east-1\n"


def test_folders_and_files_named_after_the_template_are_renamed(copy):
    rename.main(["acme-greeter", "us-east-1", "us-east-2"])
    assert (copy / "acme-greeter" / "src" / "acme_greeter.rs").is_file()
    assert not (copy / "hello-world").exists()


def test_regions_change_in_every_file(copy):
    assert rename.main(["acme-greeter", "eu-west-1", "eu-central-1"]) == 0
    assert "  - eu-west-1\n  - eu-central-1\n" in (copy / "project.yml").read_text()
    assert (copy / "README.md").read_text() == "make deploy REGION=eu-west-1; make deploy REGION=eu-central-1\n"
    assert (copy / "lib.rs").read_text().endswith("an ARN in eu-west-1\n")


def test_a_renamed_copy_of_the_whole_template_names_no_region_it_does_not_deploy_to(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parents[2]
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout
    for name in tracked.splitlines():
        if (root / name).is_file() and not name.startswith("template/"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(root / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    assert rename.main(["acme-greeter", "eu-west-1", "eu-central-1"]) == 0
    left = [path for path, text in rename.text_files(tmp_path) if any(r in text for r in rename.OLD_REGIONS)]
    assert left == []


def test_the_two_default_regions_can_swap(copy):
    assert rename.main(["acme-greeter", "us-east-2", "us-east-1"]) == 0
    assert (copy / "README.md").read_text() == "make deploy REGION=us-east-2; make deploy REGION=us-east-1\n"


def test_binary_files_are_left_alone(copy):
    rename.main(["acme-greeter", "us-east-1", "us-east-2"])
    assert (copy / "logo.bin").read_bytes() == b"\xff\xfehello-world"


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["My_Api", "us-east-1", "us-east-2"], "kebab-case"),
        (["my-api", "us-east-1", "us-east-1"], "must differ"),
        (["my-api"], "NEW-NAME"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_changes(copy, capsys, args, complaint):
    assert rename.main(args) == 2
    assert complaint in capsys.readouterr().err
    assert (copy / "project.yml").read_text().startswith("service: hello-world\n")
