"""Time and memory limits for diagram code, enforced inside the restricted engine (no settrace, no fork).

`script_policy.LimitedTransformer` (a RestrictedPython policy) puts a `_tick_()` at the top of every `while` body, every
`def` and every `lambda`; `for` loops and comprehensions already go through `_getiter_`, which counts their
items. `+ * ** << %` become `_add_` … calls that refuse, *before* computing, a sequence longer than
`MAX_ITEMS` or an integer wider than `MAX_INT_BITS` (`'a'*10**10`, `10**10**10`); `range`, `bytes`, `pow`
and the growing str/list methods (`join`, `replace`, `ljust`, `extend` …) are checked the same way.

Each top-level evaluation runs under a `Budget`: a wall-clock deadline (`TIME_LIMIT` seconds) checked at
every tick and iteration, and a cap on the growth of the process's resident memory (`MEMORY_LIMIT`), read
from /proc every thousand iterations and before every large allocation (the first read is the base). A breach raises `_Breach`, a
BaseException so that `except Exception` in a script cannot swallow it, and it stays raised at every
later tick; the engine turns it into `ScriptLimitExceeded` with a Chinese message naming the limit.
"""
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar

TIME_LIMIT = 2.0
STEP_TIME_LIMIT = 10.0
MAX_ITEMS = 5_000_000
MAX_INT_BITS = 100_000
MEMORY_LIMIT = 256 * 1024 * 1024
_CHECK_EVERY = 1024
_BIG = 16_384
_SEQ = (str, bytes, bytearray, list, tuple)
_SHORT = frozenset({tuple, dict, str, range, set, frozenset})  # not list: a loop may append to its own list
_SHORT_LEN = 1024


class ScriptLimitExceeded(Exception):
    """A script or expression ran past its time or memory limit; the step it belongs to is not applied."""


class _Breach(BaseException):
    """Raised inside restricted code on a breach; not an Exception, so a script's `except` cannot stop it."""


def _rss() -> int:
    """Resident memory of this process in bytes (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * 4096
    except (OSError, ValueError, IndexError):
        return 0


class Budget:
    """The limits of one top-level evaluation: a deadline and a memory-growth cap; breaches stick."""

    def __init__(self, seconds: float, memory: int):
        self.seconds, self.memory = seconds, memory
        self.deadline = time.monotonic() + seconds
        self.limit = f"脚本运行超过时限（{seconds:g}秒）"
        step = _STEP_DEADLINE.get()
        if step is not None and step < self.deadline:
            self.deadline, self.limit = step, f"本步骤的脚本和条件累计运行超过时限（{STEP_TIME_LIMIT:g}秒）"
        self.base: int | None = None  # taken at the first check, before the first large allocation
        self.count = 0
        self.breach: str | None = None

    def fail(self, message: str):
        self.breach = self.breach or message
        raise _Breach(self.breach)

    def tick(self, weight: int = 1) -> None:
        if self.breach:
            raise _Breach(self.breach)
        before, self.count = self.count, self.count + weight
        if weight > 1 or before & 15 == 15:
            if time.monotonic() > self.deadline:
                self.fail(self.limit)
            if before // _CHECK_EVERY != self.count // _CHECK_EVERY:
                self.check_memory()

    def check_memory(self) -> None:
        if self.base is None:
            self.base = _rss()
        elif self.base and _rss() - self.base > self.memory:
            self.fail(f"脚本占用内存超过上限（{self.memory // (1024 * 1024)}MB）")


_BUDGET: ContextVar[Budget | None] = ContextVar("script_budget", default=None)
_STEP_DEADLINE: ContextVar[float | None] = ContextVar("step_deadline", default=None)


def start_step_limit():
    """A deadline shared by every evaluation of one engine step (stops loops through the diagram itself)."""
    if _STEP_DEADLINE.get() is not None:
        return None
    return _STEP_DEADLINE.set(time.monotonic() + STEP_TIME_LIMIT)


def end_step_limit(token) -> None:
    if token is not None:
        _STEP_DEADLINE.reset(token)


@contextmanager
def limited(seconds: float | None = None, memory: int | None = None):
    """Run one evaluation under a fresh Budget (nested ones share it); breaches leave as ScriptLimitExceeded."""
    if _BUDGET.get() is not None:
        yield
        return
    budget = Budget(TIME_LIMIT if seconds is None else seconds, MEMORY_LIMIT if memory is None else memory)
    token = _BUDGET.set(budget)
    try:
        budget.tick(2)  # a step whose shared deadline has passed stops at its next condition or script
        yield
    except _Breach as err:
        raise ScriptLimitExceeded(f"{err.args[0]}，本步骤未生效") from None
    except RecursionError:
        raise ScriptLimitExceeded("脚本递归层数过深，本步骤未生效") from None
    except MemoryError:
        raise ScriptLimitExceeded("脚本占用内存过多，本步骤未生效") from None
    finally:
        _BUDGET.reset(token)


def _tick() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.tick()


def _fail(message: str):
    budget = _BUDGET.get()
    if budget is None:
        raise ScriptLimitExceeded(f"{message}，本步骤未生效")
    budget.fail(message)


def _size(n: int) -> None:
    """Refuse a sequence of n items before it is built; large ones also trigger a memory check."""
    if n > MAX_ITEMS:
        _fail(f"脚本生成的数据过大（{n} 个元素，上限 {MAX_ITEMS}）")
    if n >= _BIG and (budget := _BUDGET.get()) is not None:
        budget.check_memory()


def _bits(n: int) -> None:
    if n > MAX_INT_BITS:
        _fail(f"脚本计算的整数过大（约 {n} 位二进制，上限 {MAX_INT_BITS}）")


def guarded_getiter(ob):
    """`_getiter_`: a short tuple, dict, set, str or range is one weighted tick, anything else ticks per item."""
    if type(ob) in _SHORT and len(ob) <= _SHORT_LEN:
        budget = _BUDGET.get()
        if budget is not None:
            budget.tick(len(ob) + 1)
        return ob
    return _ticking(ob)


def _ticking(ob):
    for item in ob:
        _tick()
        yield item


def check_add(a, b) -> None:
    if isinstance(a, _SEQ) and isinstance(b, _SEQ):
        _size(len(a) + len(b))


def check_mul(a, b) -> None:
    if isinstance(a, int) and isinstance(b, int):
        _bits(a.bit_length() + b.bit_length())
    elif isinstance(a, _SEQ) and isinstance(b, int):
        _size(len(a) * b)
    elif isinstance(b, _SEQ) and isinstance(a, int):
        _size(len(b) * a)


def check_pow(a, b) -> None:
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        _bits(a.bit_length() * b)


def check_lshift(a, b) -> None:
    if isinstance(a, int) and isinstance(b, int) and a:
        _bits(a.bit_length() + b)


_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_mod(a, b) -> None:
    if isinstance(a, (str, bytes)):
        text = a if isinstance(a, str) else a.decode("latin-1")
        for m in _WIDTH.finditer(text):
            for width in m.groups():
                if width == "*" or (width and int(width) > 10_000):
                    _fail("脚本中 % 格式的宽度过大或由变量决定")


def guarded_add(a, b):
    check_add(a, b)
    return a + b


def guarded_mul(a, b):
    check_mul(a, b)
    return a * b


def guarded_pow(a, b, mod=None):
    if mod is None:
        check_pow(a, b)
        return a ** b
    return pow(a, b, mod)


def guarded_lshift(a, b):
    check_lshift(a, b)
    return a << b


def guarded_mod(a, b):
    check_mod(a, b)
    return a % b


INPLACE_CHECKS = {"+=": check_add, "*=": check_mul, "**=": check_pow, "<<=": check_lshift, "%=": check_mod}


def guarded_range(*args):
    r = range(*args)
    _size(len(r))
    return r


def guarded_bytes(*args, **kwargs):
    if args and isinstance(args[0], int):
        _size(args[0])
    return bytes(*args, **kwargs)


def _growth(obj, name: str, method):
    """Wrap the str/bytes/list methods that can build something much larger than their inputs."""
    if name in ("ljust", "rjust", "center", "zfill"):
        return lambda width, *a: (_size(width), method(width, *a))[1]
    if name == "expandtabs":
        return lambda tabsize=8: (_size(len(obj) + obj.count("\t" if isinstance(obj, str) else b"\t")
                                        * max(tabsize, 0)), method(tabsize))[1]
    if name == "replace":
        def replace(old, new, count=-1):
            hits = obj.count(old) if count < 0 else min(count, obj.count(old))
            _size(len(obj) + hits * max(len(new) - len(old), 0))
            return method(old, new, count)
        return replace
    if name == "join":
        def join(items):
            items = list(items)
            _size(sum(len(i) for i in items if isinstance(i, _SEQ)) + len(obj) * max(len(items) - 1, 0))
            return method(items)
        return join
    if name == "extend" and isinstance(obj, (list, bytearray)):
        def extend(items):
            if hasattr(items, "__len__"):
                _size(len(obj) + len(items))
            return method(items)
        return extend
    return method


GROWING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "replace", "join", "extend"})


def guard_method(obj, name: str, value):
    """What `_getattr_` hands out: the growing methods of str/bytes/list wrapped, anything else as is."""
    if name in GROWING and isinstance(obj, (str, bytes, bytearray, list)):
        return _growth(obj, name, value)
    return value


LIMIT_GLOBALS = {"_tick_": _tick, "_getiter_": guarded_getiter, "_add_": guarded_add, "_mul_": guarded_mul,
                 "_pow_": guarded_pow, "_lshift_": guarded_lshift, "_mod_": guarded_mod}
LIMIT_BUILTINS = {"range": guarded_range, "bytes": guarded_bytes, "pow": guarded_pow}
