"""`python -m bot`: the commands live in app.cli (the composition root); this keeps the name."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
