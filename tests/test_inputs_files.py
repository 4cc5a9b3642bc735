"""A court profile that cannot be read says why in Chinese, then in English (the system's reason is English only)."""

from __future__ import annotations

import pytest

from core_flow.errors import UserError
from sim.profile import load_profile
from zhixing.cli import main


def test_a_missing_profile_is_said_in_both_languages(tmp_path, capsys):
    with pytest.raises(UserError) as err:
        load_profile(tmp_path / "nofile.yaml")
    assert err.value.zh.endswith("：找不到文件") and err.value.en.endswith(": file not found")
    assert "No such file" not in err.value.zh
    assert main(["simulate", str(tmp_path / "nofile.yaml")]) == 2
    said = capsys.readouterr().err
    assert "无法读取法院配置" in said and "找不到文件 / cannot read the court profile" in said
    assert "Traceback" not in said


def test_a_directory_given_as_the_profile(tmp_path):
    with pytest.raises(UserError) as err:
        load_profile(tmp_path)
    assert "这是目录，不是文件" in err.value.zh and "a directory, not a file" in err.value.en
