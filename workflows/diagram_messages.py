"""The one table of Chinese messages for what the engine, the XSD and the expression parser say about a diagram.

Each refusal a process owner reads says, in Chinese, which element it concerns and what to do; English text,
namespace URIs and Python object reprs never reach them (issue 13).
"""
import re

PREFIXES = {
    "http://www.omg.org/spec/BPMN/20100524/MODEL": "bpmn", "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc", "http://www.omg.org/spec/DD/20100524/DI": "di",
    "http://spiffworkflow.org/bpmn/schema/1.0/core": "spiffworkflow",
}
_QNAME = re.compile(r"\{([^}]*)\}([\w.-]+)")
_REPR = re.compile(r"<Element [^>]*>|<[\w.]+ object at 0x[0-9a-f]+>")

# Spiff's ValidationException texts (SpiffWorkflow 3.2 parser) -> what to do, in Chinese
ENGINE = [
    (r"Multiple outgoing flows are not supported", ("有多条连出的顺序流（隐式并行拆分），流程引擎不支持；"
     "请在它之后插入一个并行网关，由网关连出各分支")),
    (r"Cannot resolve data(Input|Output)Association", "的数据关联引用了不存在的数据对象；请在建模器中删除该关联或重新选择数据对象"),
    (r"no support implemented for this task type", ("是流程引擎不支持的元素类型；请改用平台支持的元素（用户、脚本、服务或业务规则任务，"
     "排他、包容、并行或事件网关）")),
    (r"Duplicate process ID", "的流程 id 与其他流程重复；请为流程另取一个 id"),
    (r"No start event found", "缺少开始事件；请添加一个空开始事件"),
    (r"SubWorkflow Must contain an End event", "缺少结束事件；请在子流程中添加结束事件"),
    (r"Expected an? (Message|Signal|Error|Escalation) node", "引用的消息、信号、错误或升级定义不存在；请在属性面板中重新选择"),
    (r"(Signal|Error|Escalation|Correlation) identifier is missing", "缺少所引用的信号、错误、升级或关联标识；请在属性面板中补全"),
    (r"Conditional event definition with missing condition", "的条件事件没有条件；请填写条件表达式"),
    (r"Cancel Events may only be used with transactions", "的取消事件只能用在事务子流程中；请删除它或改用错误事件"),
    (r"loop (input|output) data reference is missing", "的多实例输入/输出数据引用缺失；请在多实例设置中选择数据"),
    (r"loopMaximum or loopCondition", "是循环任务但没有设置最大次数或循环条件；请补全"),
    (r"Time Specification|Unknown Time", "的定时器时间格式不正确；请使用带引号的 ISO 8601 值，例如 \"P1D\""),
    (r"is not executable", "未标记为可执行；请勾选“可执行”（isExecutable）"),
    (r"No decisions found", "中没有决策；请在决策表文件中添加一个决策表"),
    (r"Multiple decision tables", "含有多个决策表，平台每个决策只支持一个决策表；请拆分为多个决策"),
    (r"No DMN Diagram available", "引用的决策表不存在；请上传该决策表或改选已上传的决策表"),
    (r"found two items", "与另一个元素同名同 id；请为其中一个另取 id"),
]
SYNTAX = [
    (r"Perhaps you forgot a comma", "语法错误（可能缺少逗号，或使用了平台不支持的写法）"),
    (r"unterminated string", "字符串缺少结束引号"),
    (r"unexpected EOF|was never closed", "括号或引号没有闭合"),
    (r"invalid character", "含有非法字符（例如全角符号），请改用半角符号"),
    (r"invalid syntax", "语法错误"),
    (r"unexpected indent|unindent", "缩进不正确"),
]
_FEEL_RANGE = re.compile(r"^\s*([\[\]()])\s*(.+?)\s*\.\.\s*(.+?)\s*([\[\]()])\s*$")


def qnames(text: str) -> str:
    """{namespace}local written as prefix:local (bpmn:task) for display."""
    return _QNAME.sub(lambda m: f"{PREFIXES.get(m.group(1), '')}{':' if m.group(1) in PREFIXES else ''}"
                      f"{m.group(2)}", text)


def _names(listing: str) -> str:
    return "、".join(n.strip() for n in qnames(listing).split(",") if n.strip())


def xsd_message(message: str) -> str:
    """A libxml2 schema error in Chinese (element and attribute names kept, namespace URIs shortened)."""
    text = qnames(message).strip()
    el = re.match(r"Element '([^']+)'(?:, attribute '([^']+)')?: (.*)$", text, re.DOTALL)
    if not el:
        return "结构不符合规范，请在建模器中检查该元素"
    name, attr, rest = el.group(1), el.group(2), el.group(3)
    if m := re.match(r"This element is not expected\.(?: Expected is(?: one of)? \( (.*) \))?", rest):
        hint = f"（此处可以是：{_names(m.group(1))}）" if m.group(1) else ""
        return f"元素 {name} 不应出现在这里{hint}；请删除它或移到正确的位置"
    if m := re.match(r"Missing child element\(s\)\. Expected is(?: one of)? \( (.*) \)", rest):
        return f"元素 {name} 缺少子元素（应有：{_names(m.group(1))}）"
    if m := re.match(r"The attribute '([^']+)' is required but missing", rest):
        return f"元素 {name} 缺少必填属性 {m.group(1)}"
    if attr and "is not allowed" in rest:
        return f"元素 {name} 不允许有属性 {attr}；请删除该属性"
    if attr and (m := re.search(r"'([^']*)' is not a valid value of the (?:atomic|local|union) type '([^']+)'", rest)):
        return f"元素 {name} 的属性 {attr} 的值“{m.group(1)}”格式不正确（应为 {m.group(2)}）"
    if attr:
        return f"元素 {name} 的属性 {attr} 的值不符合规范"
    return f"元素 {name} 的内容不符合规范，请在建模器中检查该元素"


def engine_message(message: str) -> str:
    """What to do about one of Spiff's parser exceptions (without its English text or Python reprs)."""
    for pattern, advice in ENGINE:
        if re.search(pattern, message, re.IGNORECASE):
            return advice
    return "无法被流程引擎解析；请检查该元素的类型和属性设置，必要时删除后重新绘制"


def syntax_message(message: str) -> str:
    """A Python SyntaxError text in Chinese."""
    for pattern, chinese in SYNTAX:
        if re.search(pattern, message, re.IGNORECASE):
            return chinese
    return _REPR.sub("", message) if re.search(r"[\u4e00-\u9fff]", message) else "表达式无法解析"


def feel_range(text: str) -> str | None:
    """The Python condition for a FEEL range such as [5..8] or (0..60], or None when text is no range."""
    m = _FEEL_RANGE.match(text)
    if not m:
        return None
    low_op = "<=" if m.group(1) == "[" else "<"
    high_op = "<=" if m.group(4) == "]" else "<"
    return f"{m.group(2)} {low_op} ? {high_op} {m.group(3)}"
