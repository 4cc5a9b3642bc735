"""How many values a YAML document stands for once its aliases are expanded (the alias guard of every file a user
gives: a scenario, a ``--process`` file, a court profile's ``process:``).

YAML aliases repeat a node without repeating its text: nested ten deep, a few lines stand for billions of values
(the "billion laughs"), which every walk over the document (control characters, numbers, the models, a
``process:`` override's key) would visit — a scenario file, a ``--process`` file or a court profile that hangs the
run. The suite's largest document is under a thousand nodes; ``MAX_NODES`` is far above any written by hand or
recorded.
"""

from __future__ import annotations

import yaml

MAX_NODES = 1_000_000


def expanded_size(node: yaml.Node, memo: dict[int, int] | None = None) -> int:
    """How many nodes ``node`` stands for with its aliases expanded (each distinct node worked out once; ``memo``
    keeps each node's size by ``id``)."""
    memo = {} if memo is None else memo
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # a node within itself (a recursive alias) counts once, not forever
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(expanded_size(k, memo) + expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(expanded_size(v, memo) for v in node.value)
    else:
        size = 1
    memo[id(node)] = size
    return size
