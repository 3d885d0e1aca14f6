#!/usr/bin/env python3
"""Prints each finding of a `leakhound check --output-format json` run with the source lines
around it, for giving verdicts in docs/precision.md.

Usage: leakhound check DIR --output-format json --exit-zero --select LH101 | scripts/findings-context.py [--before N] [--after N]
"""
import argparse
import json
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--before", type=int, default=6)
ap.add_argument("--after", type=int, default=10)
args = ap.parse_args()
for d in json.load(sys.stdin):
    row = d["location"]["row"]
    print(f"=== {d['filename']}:{row}:{d['location']['column']} {d['code']} {d['message']}")
    try:
        lines = open(d["filename"], encoding="utf-8").read().splitlines()
    except OSError as e:
        print(f"  (cannot read: {e})")
        continue
    for i in range(max(1, row - args.before), min(len(lines), row + args.after) + 1):
        mark = ">" if i == row else " "
        print(f"{mark}{i:5} {lines[i - 1]}")
