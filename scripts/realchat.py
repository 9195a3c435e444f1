#!/usr/bin/env python3
"""False alarms of a Vigil policy on real, openly licensed human chat.

Called by scripts/realchat (which sets up Python and builds `vigil`); see that file for usage.

Sources (PyPI wheels, pinned, downloaded once into target/realchat/cache):

* chitchat-dataset 0.9.0 (MIT, BYU PCC lab): 7,168 English conversations between strangers.
  Only conversations whose id starts with a hex digit 0-7 are used. Ids starting with 8-f are
  HELD OUT: they are dropped right after the JSON is parsed, before any text is looked at, and are
  never converted, printed, tuned on or reported.
* chatterbot-corpus 1.3.3 (BSD-3-Clause per its metadata): short scripted dialogs, contributed by
  users, in English, German, French, Spanish, Italian, Dutch and Portuguese (no Polish).

Each conversation becomes Vigil message JSON Lines under three metadata scenarios:

* adult-minor: participant A (who speaks first) is an adult stranger, B a minor; direct channel.
* adult-adult: both adults, strangers; direct channel.
* unknown-unknown: both age bands unknown, relationship unknown; direct channel.
* pooled-adult-minor: as adult-minor, but one adult account speaks as A in POOL consecutive
  conversations (by the time of their first message): a real adult chatting with POOL strangers
  who are minors, for the sender cases of the policy's `[senders]` (issue 15) and the fan-out
  modifier, which add a sender's conversations up.

Every conversation is benign, so `vigil eval --benign` on each scenario measures false alarms.
Standard library only, except PyYAML (for chatterbot-corpus), which scripts/realchat installs
into a virtual environment under target/realchat/venv.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "target", "realchat")
CACHE = os.path.join(OUT, "cache")

PACKAGES = {
    "chitchat": ("chitchat-dataset", "0.9.0", "chitchat_dataset-0.9.0-py3-none-any.whl"),
    "chatterbot": ("chatterbot-corpus", "1.3.3", "chatterbot_corpus-1.3.3-py2.py3-none-any.whl"),
}

# chatterbot-corpus directory -> BCP 47, for Vigil's eight languages.
CHATTERBOT_LANGUAGES = {
    "english": "en",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "dutch": "nl",
    "polish": "pl",
    "portuguese": "pt",
}

# The only chitchat conversation ids we may use start with one of these.
CHITCHAT_ALLOWED = set("01234567")

SCENARIOS = {
    # name: (A's age band, B's age band, relationship)
    "adult-minor": ("adult", "minor", "stranger"),
    "adult-adult": ("adult", "adult", "stranger"),
    "unknown-unknown": ("unknown", "unknown", "unknown"),
    "pooled-adult-minor": ("adult", "minor", "stranger"),
}

# Scenarios whose participant A is one account across POOL consecutive conversations.
POOLED = {"pooled-adult-minor"}
POOL = 10

SAMPLE_CONVERSATIONS = 5


def log(*a):
    print("realchat:", *a, file=sys.stderr, flush=True)


# --- download -------------------------------------------------------------------------------


def download():
    """Downloads the pinned wheels into the cache once; later runs find them and return."""
    os.makedirs(CACHE, exist_ok=True)
    missing = [
        f"{name}=={version}"
        for name, version, wheel in PACKAGES.values()
        if not os.path.exists(os.path.join(CACHE, wheel))
    ]
    if not missing:
        return
    log("downloading", ", ".join(missing))
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
         "-d", CACHE, *missing],
        check=True,
    )
    for name, version, wheel in PACKAGES.values():
        if not os.path.exists(os.path.join(CACHE, wheel)):
            sys.exit(f"realchat: pip did not fetch {wheel}")


# --- sources --------------------------------------------------------------------------------


def chitchat_conversations():
    """Yields (conversation id, [(turn parity 0|1, timestamp, text)]) for ids 0-7 only, sorted by id.

    The held-out ids (8-f) are removed from the parsed mapping first thing; nothing below sees them.
    """
    wheel = os.path.join(CACHE, PACKAGES["chitchat"][2])
    with zipfile.ZipFile(wheel) as z:
        raw = json.loads(z.read("chitchat_dataset/dataset.json"))
    allowed = {k: v for k, v in raw.items() if k[:1].lower() in CHITCHAT_ALLOWED}
    raw.clear()
    del raw
    for cid in sorted(allowed):
        assert cid[:1].lower() in CHITCHAT_ALLOWED
        msgs = []
        # `messages` is a list of turns; turns alternate between the two participants (the
        # dataset's sender ids are sometimes the same for both, so the turn decides who speaks).
        for turn_index, turn in enumerate(allowed[cid].get("messages") or []):
            for u in turn:
                text = u.get("text")
                if not isinstance(text, str):
                    continue
                msgs.append((turn_index % 2, parse_time(u.get("timestamp")), text))
        if msgs:
            yield cid, msgs


def parse_time(s):
    """The dataset's naive ISO times, read as UTC; None when absent or unreadable."""
    if not isinstance(s, str) or not s:
        return None
    try:
        t = dt.datetime.fromisoformat(s.rstrip("Z"))
    except ValueError:
        return None
    return t.replace(tzinfo=dt.timezone.utc)


def chatterbot_conversations():
    """Yields (language, conversation id, [text, ...]) for Vigil's languages, in a stable order."""
    import yaml  # installed by scripts/realchat into target/realchat/venv

    wheel = os.path.join(CACHE, PACKAGES["chatterbot"][2])
    with zipfile.ZipFile(wheel) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".yml"))
        for name in names:
            parts = name.split("/")
            if len(parts) != 4 or parts[1] != "data" or parts[2] not in CHATTERBOT_LANGUAGES:
                continue
            lang = CHATTERBOT_LANGUAGES[parts[2]]
            stem = parts[3][: -len(".yml")]
            doc = yaml.safe_load(z.read(name).decode("utf-8")) or {}
            for i, conv in enumerate(doc.get("conversations") or []):
                if not isinstance(conv, list):
                    continue
                texts = [str(t).strip() for t in conv if t is not None and str(t).strip()]
                if texts:
                    yield lang, f"cb-{lang}-{stem}-{i + 1:03}", texts


# --- conversion -----------------------------------------------------------------------------


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def message(conv_id, n, t, speaker, text, scenario, pools):
    a_band, b_band, relationship = SCENARIOS[scenario]
    a_id = f"pool-{pools[conv_id]:04}/a" if scenario in POOLED else f"{conv_id}/a"
    a = {"id": a_id, "age_band": a_band}
    b = {"id": f"{conv_id}/b", "age_band": b_band}
    sender, recipient = (a, b) if speaker == 0 else (b, a)
    return {
        "conversation_id": conv_id,
        "message_id": f"m-{n:04}",
        "timestamp": rfc3339(t),
        "sender": sender,
        "recipient": recipient,
        "channel": "direct",
        "relationship": relationship,
        "text": text,
    }


def chitchat_timeline():
    """[(time, conversation id, n, speaker, text)] in log order: every message of ids 0-7, with
    times kept non-decreasing inside a conversation (30 s after the previous one when missing)."""
    rows = []
    conversations = 0
    for cid, msgs in chitchat_conversations():
        conversations += 1
        conv_id = f"cc-{cid}"
        prev = None
        for n, (speaker, t, text) in enumerate(msgs, 1):
            if t is None:
                t = prev + dt.timedelta(seconds=30) if prev else dt.datetime(
                    2018, 4, 1, tzinfo=dt.timezone.utc)
            if prev is not None and t < prev:
                t = prev
            prev = t
            rows.append((t, conv_id, n, speaker, text))
    # One log, in time order (conversations interleave as they did), as `vigil` expects.
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return conversations, rows


def chatterbot_timeline():
    """[(time, conversation id, n, speaker, text, language)]: one conversation after another, 30 s
    between messages and 10 minutes between conversations; speakers alternate A, B, A, …"""
    t = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)
    rows = []
    for lang, conv_id, texts in chatterbot_conversations():
        for n, text in enumerate(texts, 1):
            rows.append((t, conv_id, n, (n - 1) % 2, text, lang))
            t += dt.timedelta(seconds=30)
        t += dt.timedelta(minutes=10)
    return rows


def pools_of(rows):
    """{conversation id: pool index}: conversations ordered by their first message's time (then
    id), POOL consecutive ones to a pool — the conversations one pooled account holds."""
    first = {}
    for r in rows:
        if r[1] not in first or r[0] < first[r[1]]:
            first[r[1]] = r[0]
    ordered = sorted(first, key=lambda c: (first[c], c))
    return {c: i // POOL for i, c in enumerate(ordered)}


def write_jsonl(path, rows, scenario):
    pools = pools_of(rows) if scenario in POOLED else {}
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(message(r[1], r[2], r[0], r[3], r[4], scenario, pools),
                               ensure_ascii=False))
            f.write("\n")
    os.replace(tmp, path)


def convert(force):
    """Writes target/realchat/<source>/<scenario>.jsonl (and chatterbot's languages.json).
    Skipped when the outputs are newer than the wheels and this script."""
    stamp = os.path.join(OUT, "converted.json")
    inputs = [os.path.join(CACHE, w) for _, _, w in PACKAGES.values()] + [__file__]
    if not force and os.path.exists(stamp):
        if os.path.getmtime(stamp) >= max(os.path.getmtime(p) for p in inputs):
            with open(stamp, encoding="utf-8") as f:
                return json.load(f)
    log("converting")
    info = {}
    os.makedirs(os.path.join(OUT, "chitchat"), exist_ok=True)
    conversations, rows = chitchat_timeline()
    for scenario in SCENARIOS:
        write_jsonl(os.path.join(OUT, "chitchat", f"{scenario}.jsonl"), rows, scenario)
    info["chitchat"] = {"conversations": conversations, "messages": len(rows)}

    os.makedirs(os.path.join(OUT, "chatterbot"), exist_ok=True)
    rows = chatterbot_timeline()
    for scenario in SCENARIOS:
        write_jsonl(os.path.join(OUT, "chatterbot", f"{scenario}.jsonl"), rows, scenario)
    langs = {}
    for r in rows:
        c = langs.setdefault(r[5], {"conversations": set(), "messages": 0})
        c["conversations"].add(r[1])
        c["messages"] += 1
    info["chatterbot"] = {
        "conversations": len({r[1] for r in rows}),
        "messages": len(rows),
        "languages": {
            k: {"conversations": len(v["conversations"]), "messages": v["messages"]}
            for k, v in sorted(langs.items())
        },
    }
    with open(stamp, "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1)
    return info


def write_sample(path):
    """The first SAMPLE_CONVERSATIONS chitchat conversations by id (ids 0-7, two participants,
    10 to 40 messages), in the adult-minor scenario, for tests/realchat/ (MIT: the licence notice
    goes next to it)."""
    picked = []
    for cid, msgs in chitchat_conversations():
        if {s for s, _, _ in msgs} == {0, 1} and 10 <= len(msgs) <= 40:
            picked.append(cid)
        if len(picked) == SAMPLE_CONVERSATIONS:
            break
    _, rows = chitchat_timeline()
    keep = {f"cc-{c}" for c in picked}
    rows = [r for r in rows if r[1] in keep]
    rows.sort(key=lambda r: (r[1], r[2]))
    write_jsonl(path, rows, "adult-minor")
    log(f"wrote {len(rows)} messages of {len(picked)} conversations to {path}")


# --- evaluation -----------------------------------------------------------------------------


def evaluate(vigil, files, extra):
    start = time.monotonic()
    p = subprocess.run(
        [vigil, "eval", "--benign", "--json", "-m", *files, *extra],
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - start
    if p.returncode not in (0, 1) or not p.stdout.strip():
        sys.stderr.write(p.stderr)
        sys.exit(f"realchat: vigil eval failed with exit code {p.returncode}")
    if p.stderr.strip():
        sys.stderr.write(p.stderr)
    return json.loads(p.stdout), took


def pct(n, d):
    return f"{100.0 * n / d:.2f}%" if d else "-"


def num(v):
    return "-" if v is None else f"{v:.2f}"


def table(header, rows, right):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = []
    for r in [header, *rows]:
        cells = [str(c).rjust(w) if i in right else str(c).ljust(w)
                 for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  " + "  ".join(cells).rstrip())
    return "\n".join(lines)


def md_table(header, rows, right):
    out = ["| " + " | ".join(header) + " |",
           "| " + " | ".join("---:" if i in right else "---" for i in range(len(header))) + " |"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(prog="scripts/realchat", description=__doc__.split("\n\n")[0])
    ap.add_argument("--vigil", required=True, help="the vigil binary")
    ap.add_argument("--source", action="append", choices=sorted(PACKAGES),
                    help="only this source (repeatable; default: both)")
    ap.add_argument("--scenario", action="append", choices=list(SCENARIOS),
                    help="only this scenario (repeatable; default: all three)")
    ap.add_argument("--top", type=int, default=15, help="rules listed per scenario (default 15)")
    ap.add_argument("--markdown", metavar="FILE", help="also write the figures as markdown")
    ap.add_argument("--json", metavar="FILE", help="also write every eval report as one JSON file")
    ap.add_argument("--convert-only", action="store_true", help="download and convert, no eval")
    ap.add_argument("--force", action="store_true", help="convert again even if up to date")
    ap.add_argument("--write-sample", metavar="FILE",
                    help="write the committed chitchat sample (ids 0-7) to FILE and exit")
    ap.add_argument("eval_args", nargs="*",
                    help="after --: more `vigil eval` options (--policy FILE, --threshold LEVEL …)")
    args = ap.parse_args()

    t0 = time.monotonic()
    download()
    if args.write_sample:
        write_sample(args.write_sample)
        return
    info = convert(args.force)
    log(f"data ready in {time.monotonic() - t0:.1f} s")
    if args.convert_only:
        return
    sources = args.source or list(PACKAGES)
    scenarios = args.scenario or list(SCENARIOS)

    results = []
    for source in sources:
        for scenario in scenarios:
            path = os.path.join(OUT, source, f"{scenario}.jsonl")
            report, took = evaluate(args.vigil, [path], args.eval_args)
            log(f"{source} {scenario}: vigil eval took {took:.1f} s")
            results.append((source, scenario, report, took))

    threshold = results[0][2]["threshold"] if results else "review"
    policy = results[0][2]["policy"] if results else {}
    at = f"{threshold}+"
    header = ["source", "scenario", "conversations", "messages", f"at {at}", "%", "urgent", "%",
              "escalations /10k msgs", f"{at} /10k", "eval s"]
    rows = []
    for source, scenario, r, took in results:
        b = r["benign"]
        rows.append([source, scenario, b["conversations"], b["messages"],
                     b["escalated"], pct(b["escalated"], b["conversations"]),
                     b["urgent"], pct(b["urgent"], b["conversations"]),
                     num(b["escalations_per_10k_messages"]),
                     num(b["escalations_at_threshold_per_10k_messages"]), f"{took:.1f}"])
    right = {2, 3, 4, 5, 6, 7, 8, 9, 10}

    # chatterbot per language, from the escalated conversations' ids (cb-<lang>-…).
    lang_header = ["language", "conversations", "messages"] + [f"{s} {at}" for s in scenarios] + \
        [f"{s} urgent" for s in scenarios]
    lang_rows = []
    cb = [(s, r) for src, s, r, _ in results if src == "chatterbot"]
    if cb:
        for lang, c in info["chatterbot"]["languages"].items():
            row = [lang, c["conversations"], c["messages"]]
            for level in ("escalated", "urgent"):
                for _, r in cb:
                    n = sum(1 for m in r["misses"]
                            if m["conversation_id"].startswith(f"cb-{lang}-")
                            and (level == "escalated" or m["level"] == "urgent"))
                    row.append(f"{n} ({pct(n, c['conversations'])})")
            lang_rows.append(row)

    # Sender cases (the policy's `[senders]`): every account's conversations with minors added up.
    # Only the pooled scenarios give an account several conversations; every sender is benign.
    sender_header = ["source", "scenario", "adult accounts", "conversations each",
                     "with a sender escalation", f"at {at}", "%", "urgent"]
    sender_rows = []
    for source, scenario, r, _ in results:
        s = r.get("senders")
        if scenario not in POOLED or not s:
            continue
        accounts = -(-r["benign"]["conversations"] // POOL)
        sender_rows.append([source, scenario, accounts, POOL, s["with_escalation"],
                            s["at_threshold"], pct(s["at_threshold"], accounts), s["urgent"]])

    def rules_rows(r):
        return [[x["rule"], x["category"], x["escalated_conversations"], x["conversations"],
                 x["messages"]] for x in r["benign"]["rules"][: args.top]]

    rules_header = ["rule", "category", f"conversations at {at}", "conversations hit",
                    "messages hit"]

    print(f"policy {policy.get('id')} {policy.get('version')} ({policy.get('hash')})")
    print(table(header, rows, right))
    if lang_rows:
        print("\nchatterbot by language")
        print(table(lang_header, lang_rows, set(range(1, len(lang_header)))))
    if sender_rows:
        print("\nsender cases (pooled: one adult account per conversations-each conversations)")
        print(table(sender_header, sender_rows, set(range(2, len(sender_header)))))
    for source, scenario, r, _ in results:
        rr = rules_rows(r)
        if rr:
            print(f"\n{source} {scenario}: top rules on benign chat")
            print(table(rules_header, rr, {2, 3, 4}))
    log(f"total {time.monotonic() - t0:.1f} s")

    if args.markdown:
        parts = [
            f"Policy `{policy.get('id')}` {policy.get('version')} (`{policy.get('hash')}`), "
            f"threshold `{threshold}`. Every conversation is benign: each escalation is a false "
            "alarm. chitchat: conversations with ids 0–7 only (8–f are held out).",
            "",
            md_table(header[:-1], [r[:-1] for r in rows], right),
        ]
        if lang_rows:
            parts += ["", "chatterbot-corpus by language:", "",
                      md_table(lang_header, lang_rows, set(range(1, len(lang_header))))]
        if sender_rows:
            parts += ["", "Sender cases (pooled scenarios: one adult account per "
                      f"{POOL} conversations):", "",
                      md_table(sender_header, sender_rows, set(range(2, len(sender_header))))]
        for source, scenario, r, _ in results:
            rr = rules_rows(r)
            if rr:
                parts += ["", f"Top rules, {source} `{scenario}`:", "",
                          md_table(rules_header, rr, {2, 3, 4})]
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write("\n".join(parts) + "\n")
        log(f"wrote {args.markdown}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([{"source": s, "scenario": sc, "seconds": round(t, 2), "report": r}
                       for s, sc, r, t in results], f, indent=1)
        log(f"wrote {args.json}")


if __name__ == "__main__":
    main()
