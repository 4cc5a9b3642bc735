"""A key written twice in a user's YAML file (court profile, process file, certification fixtures, agency catalogue)
was taken silently, the later value replacing the earlier: `intake:` twice in a court profile simulated the second
intake without a word. Each loader now refuses it at file:line with the key's path, in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from certify.fixtures import load_fixtures
from core_flow.errors import UserError
from core_flow.process_loader import load_process
from mock_agencies.catalogue import parse_catalogue
from sim.profile import load_profile


def _write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "f.yaml"
    f.write_text(text, encoding="utf-8")
    return f


@pytest.mark.parametrize(("load", "text", "where"), [
    (load_profile, "name: t\nintake: {yearly: 200}\nstaff: {}\nintake: {yearly: 300}\n", "4:intake"),
    (load_profile, "name: t\nintake:\n  yearly: 200\n  yearly: 300\n", "4:intake.yearly"),
    (load_process, "name: p\nnodes: []\nname: q\n", "3:name"),
    (load_fixtures, "cases:\n  - {debtor: a, debtor: b}\n", "2:cases.0.debtor"),
    (lambda f: parse_catalogue(f.read_text(encoding="utf-8"), str(f)), "agencies: []\nagencies: []\n", "2:agencies"),
])
def test_a_key_given_twice_is_a_located_error(tmp_path, load, text, where):
    f = _write(tmp_path, text)
    with pytest.raises(UserError) as info:
        load(f)
    assert info.value.where == f"{f}:{where}"
    assert "键重复" in info.value.zh and "duplicate key" in info.value.en


def test_the_bundled_files_have_no_key_twice():
    load_profile()
    from core_flow.process_loader import default_process

    default_process()
