#!/usr/bin/env python3
"""Side-by-side table from score.py reports: eval_table.py SET OURS.score VADER.score [SET OURS VADER ...]."""
import sys


def parse(path):
    m = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] in ("precision", "recall", "F1", "macro_F1", "ROC_AUC", "accuracy"):
                m[parts[0]] = float(parts[1])
    return m


def main(args):
    cols = ["precision", "recall", "F1", "macro_F1", "ROC_AUC"]
    head = f"{'dev set':<15} {'system':<8} " + " ".join(f"{c:>9}" for c in ["P", "R", "F1", "macro-F1", "AUC"])
    print(head)
    print("-" * len(head))
    for i in range(0, len(args), 3):
        name, ours, vader = args[i:i + 3]
        for system, path in (("ours", ours), ("VADER", vader)):
            m = parse(path)
            print(f"{name:<15} {system:<8} " + " ".join(f"{m.get(c, float('nan')):>9.3f}" for c in cols))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
