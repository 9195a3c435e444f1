"""State size per conversation: the length of Tracker.snapshot_conversation (what the streaming
job keeps in the state store) after each corpus conversation, replayed in time order."""

import glob
import json
import os
import statistics
from collections import defaultdict

import vigil

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
convs = defaultdict(list)
for path in sorted(glob.glob(os.path.join(ROOT, "tests", "corpus", "??.jsonl"))):
    for line in open(path, encoding="utf-8"):
        if line.strip():
            m = json.loads(line)
            convs[m["conversation_id"]].append((vigil.parse_timestamp(m["timestamp"]), line))
tracker = vigil.Tracker(vigil.Engine.shipped())
sizes, per_message = [], []
for cid, msgs in convs.items():
    tracker.clear()
    for _, line in sorted(msgs, key=lambda x: x[0]):
        tracker.observe_json(line)
    n = len(tracker.snapshot_conversation(cid))
    sizes.append(n)
    per_message.append(n / len(msgs))
sizes.sort()
empty = vigil.Tracker(vigil.Engine.shipped()).snapshot_conversation("none")
print(json.dumps({
    "conversations": len(sizes),
    "mean_bytes": round(statistics.mean(sizes), 1),
    "median_bytes": statistics.median(sizes),
    "p95_bytes": sizes[int(0.95 * (len(sizes) - 1))],
    "max_bytes": sizes[-1],
    "empty_conversation_bytes": len(empty),
    "mean_bytes_per_message": round(statistics.mean(per_message), 1),
}))
