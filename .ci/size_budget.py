"""Size budget: fails on any function over 60 lines, lists modules over 500.

The budget comes from shared/reference/style.md: the codebases we admire keep the
median function near 10 lines and none much over 60, and a module past 500 lines
usually holds more than one concept.
"""

import ast
import statistics
import sys
from pathlib import Path

FUNCTION_MAX_LINES = 60
MODULE_REVIEW_LINES = 500


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node, node.end_lineno - node.lineno + 1


def main(roots: list[str]) -> int:
    too_long: list[str] = []
    big_modules: list[str] = []
    function_sizes: list[int] = []
    module_sizes: list[int] = []
    for path in sorted(p for root in roots for p in Path(root).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        module_sizes.append(lines)
        if lines > MODULE_REVIEW_LINES:
            big_modules.append(f"{path}: {lines} lines")
        for func, size in _functions(ast.parse(text, str(path))):
            function_sizes.append(size)
            if size > FUNCTION_MAX_LINES:
                too_long.append(f"{path}:{func.lineno} {func.name}: {size} lines")
    if function_sizes:
        print(
            f"size budget: {len(module_sizes)} modules (median {statistics.median(module_sizes)}"
            f" lines), {len(function_sizes)} functions (median"
            f" {statistics.median(function_sizes)} lines)"
        )
    for entry in big_modules:
        print(f"review: module over {MODULE_REVIEW_LINES} lines: {entry}")
    for entry in too_long:
        print(f"error: function over {FUNCTION_MAX_LINES} lines: {entry}", file=sys.stderr)
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
