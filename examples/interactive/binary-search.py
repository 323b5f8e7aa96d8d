n = int(input())
lo, hi = 1, n
while True:
    mid = (lo + hi) // 2
    print("?", mid, flush=True)
    answer = input()
    if answer == "=":
        print("!", mid, flush=True)
        break
    if answer == "<":
        hi = mid - 1
    else:
        lo = mid + 1
