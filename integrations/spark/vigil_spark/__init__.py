"""vigil_spark: Apache Spark jobs for Vigil.

* :func:`vigil_spark.backtest.run_backtest` — a batch backtest: partition a message log by
  conversation, order each by time, replay it through one (or two) policies, write every
  escalation as a row (Parquet) and a summary;
* :func:`vigil_spark.stream.start_stream` — a Structured Streaming job holding each conversation's
  tracker state (``Tracker.snapshot_conversation``) in Spark's state store, with an event-time
  timeout equal to the policy's idle time-to-live, and, with the policy's ``[senders]``, each
  sender's case (``Tracker.snapshot``) in a second query keyed by sender;
* ``python -m vigil_spark backtest|stream …`` — the command line for both.

Scoring is the ``vigil`` Python binding's (the Rust core): nothing here scores.
"""

__version__ = "0.1.0"

from .policy import PolicySpec, load_policy  # noqa: E402,F401

__all__ = ["PolicySpec", "load_policy", "__version__"]
