"""Write a fixtures file for loading a server other than zhixing's mock (a vendor's hub or connector):
the debtors of the seeded world (to load into that system's test data) and zhixing's agency catalogue (the
directory the court computes each 集约查询 scope from, for a server without ``GET /agencies``).

    python loadtests/fixtures.py --count 1000 [--seed 0] [--start 0] -o fixtures.json

The locustfile reads it with ``--fixtures fixtures.json``. Format::

    {"seed": 0, "debtors": [{"kind": "person", "name": "陈军", "id_number": "654003195703231072"}, …],
     "agencies": [{"code": "icbc", "name": "…", "group": "national_bank", "operations": [...], "region": null}, …]}
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core_flow.argparse_text import BilingualParser  # noqa: E402
from mock_agencies.catalogue import load_catalogue  # noqa: E402
from mock_agencies.world import World  # noqa: E402


def fixtures(count: int, seed: int = 0, start: int = 0) -> dict:
    catalogue = load_catalogue()
    world = World(seed, catalogue=catalogue)
    debtors = [{"kind": d.kind.value, "name": d.name, "id_number": d.id_number}
               for d in world.debtors(start, start + count)]
    return {"seed": seed, "debtors": debtors, "agencies": [a.as_json() for a in catalogue.agencies]}


def main(argv: list[str] | None = None) -> int:
    parser = BilingualParser(description="写出压测用被执行人文件 / write a debtors fixtures file")
    parser.add_argument("--count", type=int, default=1000, help="被执行人数 / debtors")
    parser.add_argument("--seed", type=int, default=0, help="世界种子 / world seed")
    parser.add_argument("--start", type=int, default=0, help="首个序号 / first index")
    parser.add_argument("-o", "--output", default="-", help="输出文件（- 为标准输出）/ output file")
    args = parser.parse_args(argv)
    for option, value, low in (("--count", args.count, 1), ("--seed", args.seed, 0), ("--start", args.start, 0)):
        if value < low:
            print(f"错误 / error: {option}: 不得小于 {low}：{value} / must be at least {low}: {value}", file=sys.stderr)
            return 2
    text = json.dumps(fixtures(args.count, args.seed, args.start), ensure_ascii=False, indent=1)
    if args.output == "-":
        sys.stdout.write(text + "\n")
        return 0
    try:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    except OSError as err:
        print(f"错误 / error: {args.output}: 无法写入（{err.strerror}） / cannot write it ({err.strerror})",
              file=sys.stderr)
        return 2
    print(f"已写出 / written: {args.output} ({args.count} 个被执行人 / debtors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
