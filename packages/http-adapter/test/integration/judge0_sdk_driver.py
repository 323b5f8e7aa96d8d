"""Drives Judge0's official Python SDK (PyPI `judge0`, unchanged) against a judgekit server.

Usage: python judge0_sdk_driver.py BASE_URL SCENARIO [AUTH_TOKEN]
Prints one JSON object: what the SDK returned, for the vitest suite to check.
"""

import io
import json
import sys
import zipfile

import judge0
from judge0 import Client, File, Filesystem, LanguageAlias, MaxWaitTime, Status, Submission, TestCase


def summary(s: Submission) -> dict:
    return {
        "token": str(s.token) if s.token else None,
        "status": int(s.status) if s.status is not None else None,
        "status_name": str(s.status) if s.status is not None else None,
        "stdout": s.stdout,
        "stderr": s.stderr,
        "compile_output": s.compile_output,
        "message": s.message,
        "exit_code": s.exit_code,
        "exit_signal": s.exit_signal,
        "time": s.time,
        "wall_time": s.wall_time,
        "memory": s.memory,
        "language": s.language,
        "source_code": s.source_code,
        "created_at": s.created_at.isoformat() if s.created_at else None,
        "finished_at": s.finished_at.isoformat() if s.finished_at else None,
    }


def run(client, **kwargs):
    return judge0.run(client=client, **kwargs)


def scenario_about(client):
    return {
        "version": client.version,
        "about": client.get_about(),
        "statuses": client.get_statuses(),
        "python": client.get_language(client.get_language_id(LanguageAlias.PYTHON)).model_dump(),
        "languages": [l.model_dump() for l in client.languages],
        "config": client.config.model_dump(),
        "supports": {
            alias.name: client.is_language_supported(alias)
            for alias in (
                LanguageAlias.PYTHON,
                LanguageAlias.C,
                LanguageAlias.CPP,
                LanguageAlias.JAVA,
                LanguageAlias.JAVASCRIPT,
                LanguageAlias.TYPESCRIPT,
                LanguageAlias.GO,
                LanguageAlias.RUST,
                LanguageAlias.BASH,
                LanguageAlias.MULTI_FILE,
                LanguageAlias.PYTHON2,
                LanguageAlias.RUBY,
            )
        },
    }


def scenario_python(client):
    s = run(client, source_code="name = input()\nprint(f'hello, {name}')\n", language=LanguageAlias.PYTHON, stdin="Judge0")
    return summary(s)


def scenario_test_cases(client):
    # Three test cases: the SDK creates them as one batch and polls them as one batch.
    results = run(
        client,
        source_code="print(int(input()) * 2)",
        language=LanguageAlias.PYTHON,
        test_cases=[("1", "2"), ("5", "10"), TestCase(input="7", expected_output="15")],
    )
    return {"results": [summary(s) for s in results]}


def scenario_languages(client):
    sources = {
        LanguageAlias.C: '#include <stdio.h>\nint main(void){printf("c\\n");return 0;}\n',
        LanguageAlias.CPP: '#include <iostream>\nint main(){std::cout << "cpp" << std::endl;}\n',
        LanguageAlias.JAVA: 'public class Main { public static void main(String[] a) { System.out.println("java"); } }\n',
        LanguageAlias.JAVASCRIPT: 'console.log("javascript")\n',
        LanguageAlias.TYPESCRIPT: 'const s: string = "typescript"; console.log(s)\n',
        LanguageAlias.GO: 'package main\nimport "fmt"\nfunc main() { fmt.Println("go") }\n',
        LanguageAlias.RUST: 'fn main() { println!("rust"); }\n',
        LanguageAlias.BASH: 'echo bash\n',
    }
    submissions = [Submission(source_code=src, language=alias) for alias, src in sources.items()]
    results = judge0.run(client=client, submissions=submissions)
    return {alias.name: summary(s) for alias, s in zip(sources, results)}


def scenario_failures(client):
    cases = {
        "compile_error": Submission(source_code="int main( {", language=LanguageAlias.C),
        "tle": Submission(source_code="while True: pass", language=LanguageAlias.PYTHON, cpu_time_limit=1),
        "sigsegv": Submission(source_code="int main(void){volatile int *p = 0; return *p;}", language=LanguageAlias.C),
        "nzec": Submission(source_code="import sys\nsys.exit(4)", language=LanguageAlias.PYTHON),
        "wrong_answer": Submission(source_code="print(41)", language=LanguageAlias.PYTHON, expected_output="42"),
    }
    results = judge0.run(client=client, submissions=list(cases.values()))
    return {name: summary(s) for name, s in zip(cases, results)}


def scenario_options(client):
    defined = run(
        client,
        source_code='#include <stdio.h>\nint main(void) { printf("%d\\n", ANSWER); return 0; }\n',
        language=LanguageAlias.C,
        compiler_options="-O2 -DANSWER=42",
    )
    merged = run(
        client,
        source_code='import sys\nprint("out", flush=True)\nprint("err", file=sys.stderr, flush=True)\n',
        language=LanguageAlias.PYTHON,
        redirect_stderr_to_stdout=True,
        command_line_arguments="a 'b c'",
        number_of_runs=2,
        cpu_time_limit=2,
        memory_limit=65536,
    )
    return {"defined": summary(defined), "merged": summary(merged)}


def scenario_multi_file(client):
    files = Filesystem(
        content=[
            File(name="main.c", content='#include <stdio.h>\n#include "greet.h"\nint main(int c, char **v) { greet(c > 1 ? v[1] : "nobody"); return 0; }\n'),
            File(name="greet.h", content='static void greet(const char *who) { printf("hello, %s\\n", who); }\n'),
            File(name="compile", content="gcc -O2 -o prog main.c\n"),
            File(name="run", content="./prog \"$@\"\n"),
        ]
    )
    s = run(client, source_code="", language=LanguageAlias.MULTI_FILE, additional_files=files, command_line_arguments="world")
    return summary(s)


def scenario_additional_files(client):
    files = Filesystem(content=[File(name="helper.py", content="def answer():\n    return 42\n")])
    s = run(client, source_code="import helper\nprint(helper.answer())\n", language=LanguageAlias.PYTHON, additional_files=files)
    return summary(s)


def scenario_zip_slip(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("../../../../tmp/judgekit-zip-slip-canary", "escaped")
    submission = Submission(source_code="print(1)", language=LanguageAlias.PYTHON, additional_files=Filesystem(content=buffer.getvalue()))
    try:
        client.create_submission(submission)
        return {"refused": False}
    except Exception as error:  # httpx.HTTPStatusError
        response = getattr(error, "response", None)
        return {"refused": True, "status": response.status_code if response is not None else None, "body": response.json() if response is not None else None}


def scenario_wait_poll(client):
    # The SDK's own create + poll loop, with a bounded wait.
    s = Submission(source_code="import time\ntime.sleep(0.5)\nprint('late')", language=LanguageAlias.PYTHON)
    client.create_submission(s)
    created = summary(s)
    judge0.wait(client=client, submissions=s, retry_strategy=MaxWaitTime(max_wait_time_sec=60))
    return {"created": created, "done": summary(s)}


def main():
    base, scenario = sys.argv[1], sys.argv[2]
    headers = {"X-Auth-Token": sys.argv[3]} if len(sys.argv) > 3 else None
    try:
        client = Client(base, headers)
    except Exception as error:
        cause = error.__cause__
        response = getattr(cause, "response", None)
        print(json.dumps({"client_error": str(error), "status": response.status_code if response is not None else None}))
        return
    result = globals()[f"scenario_{scenario}"](client)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
