#!/usr/bin/env python3
"""The baseline for Rollcall's import benchmark: the loader from the common Genesys Cloud
bulk-user tutorial. It reads the CSV with csv.DictReader, strips each field, and skips rows
without an e-mail or a name; it does no other validation.

Usage: tutorial_loader.py FILE.csv
Prints: seconds=<best of 3, load only> rows=<users kept>
"""

import csv
import sys
import time


def load_users(path):
    users = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            row = {k: (v or "").strip() for k, v in row.items()}
            if not row.get("email") or not row.get("name"):
                continue
            users.append(row)
    return users


def main():
    path = sys.argv[1]
    best = float("inf")
    kept = 0
    for _ in range(3):
        start = time.perf_counter()
        users = load_users(path)
        best = min(best, time.perf_counter() - start)
        kept = len(users)
        del users
    print(f"seconds={best:.4f} rows={kept}")


if __name__ == "__main__":
    main()
