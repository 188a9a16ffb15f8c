"""AST lint of the Python a diagram carries (scripts, conditions, timers, DMN), shared by deploy and engine.

The lint is stricter than RestrictedPython's compile step on purpose: it names the reason in Chinese at deploy
time, and the restricted engine runs it again before compiling, so a refused construct never executes.
"""
import ast
from typing import Literal

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

Mode = Literal["eval", "exec"]

FORBIDDEN_CALLS = frozenset({
    "exec", "eval", "open", "compile", "globals", "locals", "vars", "getattr", "setattr", "delattr", "type",
    "__import__", "breakpoint", "input", "dir", "super", "object", "print", "help", "exit", "quit",
    "memoryview", "classmethod", "staticmethod", "property",
})
FORBIDDEN_ATTRIBUTES = frozenset(INSPECT_ATTRIBUTES | {"format", "format_map", "mro"})
_FORBIDDEN_NODES: dict[type, str] = {
    ast.Import: "不允许 import",
    ast.ImportFrom: "不允许 import",
    ast.ClassDef: "不允许定义类",
    ast.AsyncFunctionDef: "不允许异步函数",
    ast.Await: "不允许 await",
    ast.AsyncFor: "不允许 async for",
    ast.AsyncWith: "不允许 async with",
    ast.Global: "不允许 global 声明",
    ast.Nonlocal: "不允许 nonlocal 声明",
}


def _identifiers(node: ast.AST) -> list[str]:
    """Every identifier a node introduces or reads (names, attributes, arguments, keywords, aliases)."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.keyword, ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        found = getattr(node, "arg", None) or getattr(node, "name", None)
        return [found] if found else []
    if isinstance(node, ast.alias):
        return [node.name, node.asname or ""]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    if isinstance(node, ast.MatchClass):
        return list(node.kwd_attrs)
    return []


def _exits(body: list[ast.stmt]) -> bool:
    """Whether a loop body can leave the loop: a break of this loop, a return or a raise."""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Return, ast.Raise)):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
            stack.extend(node.orelse)  # a break inside a nested loop only leaves that loop
            stack.extend(n for n in ast.walk(ast.Module(body=node.body, type_ignores=[]))
                         if isinstance(n, (ast.Return, ast.Raise)))
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def _runaway(node: ast.AST) -> str | None:
    """Constructs that obviously never finish or build unbounded text: `while True` without a way out,
    and f-string format specs that are computed or wider than 4 digits."""
    if isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and node.test.value \
            and not _exits(node.body):
        return "while 循环的条件恒为真且循环体内没有 break/return/raise，会一直运行下去"
    if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
        parts = getattr(node.format_spec, "values", [])
        if any(not isinstance(p, ast.Constant) for p in parts):
            return "f-string 的格式说明中不允许嵌套表达式"
        digits = "".join(str(p.value) for p in parts)
        if any(len(run) > 4 for run in "".join(c if c.isdigit() else " " for c in digits).split()):
            return "f-string 的格式宽度过大（不超过 4 位数）"
    return None


def _node_problems(node: ast.AST) -> list[str]:
    """The lint messages for one AST node."""
    line = getattr(node, "lineno", None)
    where = f"第 {line} 行：" if line else ""
    found = []
    for kind, message in _FORBIDDEN_NODES.items():
        if isinstance(node, kind):
            found.append(where + message)
    for ident in _identifiers(node):
        if ident.startswith("_") and ident != "_":
            found.append(f"{where}不允许使用以下划线开头的名称或属性“{ident}”")
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS
            and not node.func.id.startswith("_")):
        found.append(f"{where}不允许调用“{node.func.id}”")
    if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
        hint = "，请改用 f-string" if node.attr in ("format", "format_map") else ""
        found.append(f"{where}不允许访问属性“{node.attr}”{hint}")
    runaway = _runaway(node)
    if runaway:
        found.append(where + runaway)
    return found


def lint_expression(source: str, mode: Mode) -> list[str]:
    """Chinese reasons why the restricted engine would refuse `source` in `mode`; empty when acceptable."""
    if not isinstance(source, str):
        return ["表达式不是文本"]
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as err:
        return [f"第 {err.lineno} 行语法错误：{err.msg}"]
    nodes = sorted(ast.walk(tree), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
    problems: list[str] = []
    for node in nodes:
        for message in _node_problems(node):
            if message not in problems:
                problems.append(message)
    if problems:
        return problems
    compiled = compile_restricted_eval(source) if mode == "eval" else compile_restricted_exec(source)
    return [f"受限编译失败：{err}" for err in compiled.errors]
