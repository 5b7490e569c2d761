# Generates tests/logql/prettier_loki_cases.inc from Loki's prettier_test.go:
#   python3 tests/logql/prettier_loki_cases.py > tests/logql/prettier_loki_cases.inc
# (needs a clone of grafana/loki; set LOKI_REPO, default /work/.mirror/grafana+loki/repo).
import os, re, subprocess, sys
src = subprocess.check_output(["git","-C",os.environ.get("LOKI_REPO", "/work/.mirror/grafana+loki/repo"),"show","HEAD:pkg/logql/syntax/prettier_test.go"]).decode()
out = []
for fn in re.finditer(r'func (Test\w+)\(t \*testing.T\) \{(.*?)\n\}(?:\n|$)', src, re.S):
    body = fn.group(2)
    for c in re.finditer(r'name:\s*"([^"]*)",[^\n]*\s*in:\s*`([^`]*)`,\s*exp:\s*`([^`]*)`', body, re.S):
        name, i, e = c.groups()
        out.append('    {"%s/%s", R"LOKI(%s)LOKI", R"LOKI(%s)LOKI"},' % (fn.group(1), name, i, e))
print("// Generated from grafana/loki pkg/logql/syntax/prettier_test.go (MaxCharsPerLine = 20).")
print("\n".join(out))
print(len(out), file=sys.stderr)
