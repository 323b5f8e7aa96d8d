#include <iostream>
#include <string>

int main() {
  long long n;
  std::cin >> n;
  long long lo = 1, hi = n;
  while (true) {
    long long mid = (lo + hi) / 2;
    std::cout << "? " << mid << std::endl;
    std::string answer;
    std::cin >> answer;
    if (answer == "=") {
      std::cout << "! " << mid << std::endl;
      return 0;
    }
    if (answer == "<") hi = mid - 1;
    else lo = mid + 1;
  }
}
