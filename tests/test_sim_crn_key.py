"""The staff's minutes are drawn with the key made at once (``sim.crn.uniform_key``, H65): the same draw as
``uniform(seed, case, kind, n)``, so every staffing level and every earlier result keeps its times."""

from sim.crn import uniform, uniform_key


def test_uniform_key_is_uniform_of_the_joined_parts():
    for parts in ((2025, "(2025)豫0811执3号", "filing", 0), (7, "B-12", "close_review", 3), ("s", 1.5, None)):
        assert uniform_key("|".join(map(str, parts))) == uniform(*parts)
    assert uniform(2025, "c", "filing", 0) == uniform_key(f"{2025}|{'c'}|{'filing'}|{0}")
    assert 0.0 <= uniform_key("x") < 1.0
