"""`python -m vigil_spark` as a file, for spark-submit (which runs a script, not a module):

    spark-submit --master yarn … integrations/spark/launcher.py backtest INPUT -o OUTPUT
"""

import sys

from vigil_spark.cli import main

if __name__ == "__main__":
    sys.exit(main())
