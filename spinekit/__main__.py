"""``python -m spinekit``: the same as the ``spinekit`` command."""

import sys

from ._cli import main

sys.exit(main())
