"""``python -m vigil_spark backtest|stream …``"""

import sys

from .cli import main

sys.exit(main())
