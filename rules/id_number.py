"""居民身份号码 check (GB 11643-1999《公民身份号码》): 6-digit address code, 8-digit birth date, 3-digit
sequence, ISO 7064 MOD 11-2 check character."""
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999 8.2: 2^(18-i) mod 11
CHECK_CHARS = "10X98765432"  # index = weighted sum mod 11


def check_char(first17: str) -> str:
    """The 18th character computed from the first 17 digits (GB 11643-1999 8.2, ISO 7064 MOD 11-2)."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def birth_date(number: str) -> date | None:
    """The birth date coded in positions 7–14, or None when it is not a real date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_number_error(number: str, today: date | None = None) -> str | None:
    """None when `number` is a valid 18-character 公民身份号码, else a Chinese explanation."""
    if not isinstance(number, str) or len(number) != 18:
        return "身份证号码应为18位"
    number = number.upper()
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号码前17位应为数字，第18位为数字或X"
    if number[0] not in "12345678":
        return "身份证号码前6位应为行政区划代码"
    born = birth_date(number)
    if born is None or born.year < 1900 or (today is not None and born > today):
        return "身份证号码第7–14位出生日期不正确"
    if check_char(number[:17]) != number[17]:
        return "身份证号码校验码不正确（GB 11643-1999）"
    return None


def make_id_number(first17: str) -> str:
    """Complete 17 digits with their check character (demo data and tests)."""
    return first17 + check_char(first17)


def masked(number: str) -> str:
    """The number as shown to people who need not see it whole: first 6 and last 4 characters."""
    return number[:6] + "********" + number[-4:] if len(number) == 18 else "******"
