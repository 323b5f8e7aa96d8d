// Guess the number: the interactor of an interactive problem (testlib's exit codes).
// argv[1] holds the test's input: "N SECRET". The solution asks "? X" and is told "<", ">" or "=";
// it answers "! X". At most 25 queries.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char **argv) {
  if (argc < 2) return 3;
  std::ifstream input(argv[1]);
  long long n, secret;
  if (!(input >> n >> secret)) return 3;
  std::cout << n << std::endl;
  for (int asked = 0; asked <= 25; asked++) {
    std::string kind;
    long long x;
    if (!(std::cin >> kind)) {
      std::cerr << "the solution stopped talking\n";
      return 1;
    }
    if ((kind != "?" && kind != "!") || !(std::cin >> x)) {
      std::cerr << "malformed query\n";
      return 2;
    }
    if (kind == "!") {
      if (x == secret) {
        std::cerr << "found " << secret << " in " << asked << " queries\n";
        return 0;
      }
      std::cerr << "answered " << x << ", the number was " << secret << "\n";
      return 1;
    }
    if (asked == 25) break;
    std::cout << (secret < x ? "<" : secret > x ? ">" : "=") << std::endl;
  }
  std::cerr << "more than 25 queries\n";
  return 1;
}
