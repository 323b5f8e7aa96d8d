#include <iostream>
#include <string>

int main() {
  long long n;
  std::cin >> n;
  for (long long x = 1; x <= n; x++) {
    std::cout << "? " << x << std::endl;
    std::string answer;
    if (!(std::cin >> answer)) return 0;
    if (answer == "=") {
      std::cout << "! " << x << std::endl;
      return 0;
    }
  }
}
