#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char **argv) {
  std::ifstream input(argv[1]);
  long long n;
  input >> n;
  std::cout << n << std::endl;
  std::string line;
  std::getline(std::cin, line);
  std::abort();
}
