import sys

from zhixing.cli import main

sys.exit(main())
