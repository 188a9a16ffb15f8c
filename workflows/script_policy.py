"""The RestrictedPython policy of the platform: RestrictedPython's own rules plus the hooks of script_limits."""
import ast

from RestrictedPython.transformer import RestrictingNodeTransformer

_BINOPS = {ast.Add: "_add_", ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_", ast.Mod: "_mod_"}


def _call(name: str, node, *args) -> ast.Call:
    call = ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])
    return ast.fix_missing_locations(ast.copy_location(call, node))


class LimitedTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy plus ticks in loops and functions and size-checked operators."""

    def visit_While(self, node):
        node = super().visit_While(node)
        node.body.insert(0, ast.copy_location(ast.Expr(_call("_tick_", node)), node))
        return node

    def visit_FunctionDef(self, node):
        node = super().visit_FunctionDef(node)
        node.body.insert(0, ast.copy_location(ast.Expr(_call("_tick_", node)), node))
        return node

    def visit_Lambda(self, node):
        node = super().visit_Lambda(node)
        node.body = ast.copy_location(ast.BoolOp(op=ast.Or(), values=[_call("_tick_", node), node.body]), node)
        return node

    def visit_BinOp(self, node):
        node = super().visit_BinOp(node)
        name = _BINOPS.get(type(node.op))
        return _call(name, node, node.left, node.right) if name else node
