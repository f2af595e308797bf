import sys

from marac_desk.cli import main

sys.exit(main())
