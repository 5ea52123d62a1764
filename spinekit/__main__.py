"""``python -m spinekit``: the same as the ``spinekit`` command."""

import sys

from spinekit.cli import main

sys.exit(main())
