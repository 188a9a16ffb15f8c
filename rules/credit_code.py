"""统一社会信用代码 check (GB 32100-2015《法人和其他组织统一社会信用代码编码规则》)."""

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 表1: I, O, Z, S, V are not used
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # GB 32100-2015 5.1: 3^(i-1) mod 31


def check_digit(first17: str) -> str:
    """The 18th character computed from the first 17 (GB 32100-2015 附录 5.2)."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """None when `code` is a valid 统一社会信用代码, else a Chinese explanation."""
    if not isinstance(code, str) or len(code) != 18:
        return "统一社会信用代码应为18位"
    code = code.upper()
    bad = [c for c in code if c not in CHARSET]
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(sorted(set(bad)))}"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3–8位应为登记管理机关行政区划码"
    if check_digit(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确（GB 32100-2015）"
    return None


def make_credit_code(prefix17: str) -> str:
    """Complete 17 characters with their check digit (demo data and tests)."""
    return prefix17 + check_digit(prefix17)
