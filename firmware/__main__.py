"""`python -m firmware`: the same as `callbox run` unless a command is given."""

import sys

from firmware.cli import main

sys.exit(
    main(
        sys.argv[1:]
        if len(sys.argv) > 1 and not sys.argv[1].startswith("-")
        else [*sys.argv[1:], "run"]
    )
)
