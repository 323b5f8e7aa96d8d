# Guess the number: the interactor of an interactive problem (testlib's exit codes).
# argv[1] holds the test's input: "N SECRET". The solution asks "? X" and is told "<", ">" or "=";
# it answers "! X". At most 25 queries.
import sys

n, secret = map(int, open(sys.argv[1]).read().split())
print(n, flush=True)
for asked in range(26):
    line = sys.stdin.readline()
    if not line:
        print("the solution stopped talking", file=sys.stderr)
        sys.exit(1)
    parts = line.split()
    if len(parts) != 2 or parts[0] not in ("?", "!") or not parts[1].lstrip("-").isdigit():
        print(f"malformed line {line.strip()[:40]!r}", file=sys.stderr)
        sys.exit(2)
    x = int(parts[1])
    if parts[0] == "!":
        if x == secret:
            print(f"found {secret} in {asked} queries", file=sys.stderr)
            sys.exit(0)
        print(f"answered {x}, the number was {secret}", file=sys.stderr)
        sys.exit(1)
    if asked == 25:
        break
    print("<" if secret < x else ">" if secret > x else "=", flush=True)
print("more than 25 queries", file=sys.stderr)
sys.exit(1)
