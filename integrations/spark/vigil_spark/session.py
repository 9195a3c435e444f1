"""The Spark session the command line uses."""

from __future__ import annotations

import os
import sys
from typing import Dict, Iterable, Optional

from pyspark import SparkConf
from pyspark.sql import SparkSession

#: Settings every job needs: timestamps are UTC (RFC 3339 text without an offset is read as UTC).
REQUIRED_CONF = {"spark.sql.session.timeZone": "UTC"}


def parse_conf(items: Iterable[str]) -> Dict[str, str]:
    """``KEY=VALUE`` strings (``--conf``) as a dict."""
    out: Dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--conf expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value
    return out


def make_session(app_name: str, master: Optional[str] = None, conf: Optional[Dict[str, str]] = None) -> SparkSession:
    """A Spark session. ``master`` (``local[2]``, ``yarn``, ``spark://…``) is used when given;
    otherwise the one ``spark-submit`` set, or ``local[*]`` when the job was started with plain
    ``python -m vigil_spark``. In local mode the Python workers run this interpreter (so they see
    the same ``vigil`` binding) unless ``PYSPARK_PYTHON`` says otherwise."""
    preset = SparkConf()
    effective_master = master or preset.get("spark.master", None) or "local[*]"
    if effective_master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name).master(effective_master)
    for key, value in {**REQUIRED_CONF, **(conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    for key, value in REQUIRED_CONF.items():
        spark.conf.set(key, value)
    return spark
