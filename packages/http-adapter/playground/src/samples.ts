/** A first program per language: reads a line and answers, so the default test passes. */
// biome-ignore-start lint/suspicious/noTemplateCurlyInString: the samples are JavaScript sources with template strings.
export const samples: Record<string, string> = {
  python3: 'name = input()\nprint(f"Hello, {name}!")\n',
  c: '#include <stdio.h>\n\nint main(void) {\n    char name[256];\n    if (scanf("%255s", name) != 1) return 1;\n    printf("Hello, %s!\\n", name);\n    return 0;\n}\n',
  cpp: '#include <iostream>\n#include <string>\n\nint main() {\n    std::string name;\n    std::cin >> name;\n    std::cout << "Hello, " << name << "!\\n";\n}\n',
  java: 'import java.util.Scanner;\n\npublic class Main {\n    public static void main(String[] args) {\n        String name = new Scanner(System.in).next();\n        System.out.println("Hello, " + name + "!");\n    }\n}\n',
  javascript: "const name = require('fs').readFileSync(0, 'utf8').trim();\nconsole.log(`Hello, ${name}!`);\n",
  typescript:
    "import { readFileSync } from 'fs';\n\nconst name: string = readFileSync(0, 'utf8').trim();\nconsole.log(`Hello, ${name}!`);\n",
  go: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tvar name string\n\tfmt.Scan(&name)\n\tfmt.Printf("Hello, %s!\\n", name)\n}\n',
  rust: 'use std::io::read_to_string;\n\nfn main() {\n    let name = read_to_string(std::io::stdin()).unwrap();\n    println!("Hello, {}!", name.trim());\n}\n',
  bash: 'read -r name\necho "Hello, $name!"\n',
};
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: the samples above

/** What the terminal tab runs when the editor holds a sample: a prompt, so typing shows. */
export const interactiveSamples: Record<string, string> = {
  python3: 'while True:\n    line = input("> ")\n    print("you typed:", line)\n',
};
