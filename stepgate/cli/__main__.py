"""`python -m stepgate.cli`: the same as the `stepgate` command."""

import sys

from stepgate.cli import main

sys.exit(main())
