#include <cstdio>

int main() {
  for (;;) std::fputs("? 1\n", stdout);
}
